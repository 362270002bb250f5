"""Verdicts: which of a component's files, and what they import, can go.

The component's files (seeds) and everything they import, transitively, are candidates. A
candidate stays when something outside the removal still imports or runs it; that can make
what *it* imports stay too, so this is a fixpoint, not one pass. When in doubt a file is in
use: an import the scanners could not pin down counts as a use of every file it could mean.

- `remove`: only the removal reaches it.
- `keep`: a production file or entry point outside the removal imports or runs it (named,
  with the chain to an entry point), or the file carries a `consolidate: keep` marker.
- `review`: reached from outside only by tests, examples or one-off scripts.
"""

from __future__ import annotations

import functools
from collections import defaultdict, deque
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from consolidate.analysis.uses import Root, Use


@dataclass
class Verdict:
    path: str
    verdict: str  # remove | keep | review
    reason: str
    used_by: list[str] = field(default_factory=list)
    chain: list[str] = field(default_factory=list)
    # The chain as a person reads it: each file after the first with the line and the rule
    # of its use of the one before (`mysite/settings.py:33 (django INSTALLED_APPS)`).
    route: list[str] = field(default_factory=list)
    seed: bool = False  # one of the component's own files (not just something it imports)


@dataclass
class Graph:
    """Who imports what, and what the outside world runs."""

    imports: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    runs: dict[str, list[Root]] = field(default_factory=lambda: defaultdict(list))
    uses: list[Use] = field(default_factory=list)  # what `importers` is made of, when asked
    # `imports` of a file, sorted, once the graph is built: each search asks in order.
    ordered: dict[str, list[str]] = field(default_factory=dict)

    def imported(self, path: str) -> list[str]:
        """What `path` imports, in order."""
        found = self.ordered.get(path)
        if found is None:
            found = self.ordered[path] = sorted(self.imports.get(path, ()))
        return found

    @functools.cached_property
    def importers(self) -> dict[str, dict[str, Use]]:
        """For each file, who imports it, with the first use that does: made when the
        verdicts first ask (`orphans` never does: 0.02 s less on 80,000 uses)."""
        importers: dict[str, dict[str, Use]] = defaultdict(dict)
        for use in self.uses:
            source = use.source
            for target in use.targets:
                if target != source:
                    importers[target].setdefault(source, use)
        return importers

    @classmethod
    def build(cls, uses: Iterable[Use], roots: Iterable[Root]) -> Graph:
        graph = cls(uses=uses if isinstance(uses, list) else list(uses))
        imports = graph.imports  # 80,000 uses: no lookup each
        for use in graph.uses:
            source = use.source
            for target in use.targets:
                if target != source:
                    imports[source].add(target)
        for root in roots:
            graph.runs[root.path].append(root)
        return graph

    @classmethod
    def of_imports(cls, uses: Iterable[Use]) -> Graph:
        """Only who imports what: enough for `reached` and `orphans`, half the work."""
        graph = cls()
        for use in uses:
            graph.imports[use.source].update(t for t in use.targets if t != use.source)
        return graph

    def reached(self, starts: Iterable[str]) -> set[str]:
        seen = set(starts)
        todo = deque(seen)
        while todo:
            for target in self.imports.get(todo.popleft(), ()):
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        return seen


SELF_ROOTS = {"main", "test", "tool"}
MARKER = "marker"  # a `consolidate: keep` comment in the file: `via` is `path:line (...)`
# A use that may be no use at all (a module's name in a string may be a logger's name): what
# only such uses reach from outside stays for a person to look at (`review`), never `keep`.
GUESSES = {"names it in a string"}


def runner_file(root: Root) -> str:
    """The file whose text names the entry point (a Dockerfile, package.json, compose file)."""
    return root.via.split(":", 1)[0]


def marker_line(root: Root) -> str:
    """The line of a `consolidate: keep` marker root."""
    return root.via.split(":", 1)[1].split(" ", 1)[0]


class Judge:
    """Computes the verdicts for one removal."""

    def __init__(
        self,
        graph: Graph,
        seeds: Collection[str],
        *,
        removed_services: Collection[tuple[str, str]] = (),
        non_production: Collection[str] = (),
        inputs: Mapping[str, list[Root]] | None = None,
    ) -> None:
        self.graph = graph
        self.seeds = set(seeds)
        self.removed_services = set(removed_services)  # (compose file, service)
        self.inputs = inputs or {}  # what kept services build from or mount, beside graph.runs
        self.run = graph.runs.keys() | self.inputs.keys()  # the files something runs
        self.non_production = set(non_production)
        self.candidates = graph.reached(self.seeds)
        self.removal = set(self.candidates)
        self.status: dict[str, str] = {}
        self.parents: dict[bool, dict[str, str | Root]] = {}
        self.trails: dict[bool, dict[str, tuple[list[str], list[str]]]] = {True: {}, False: {}}
        self.final = False  # the removal has shrunk to its fixpoint
        self.living: dict[int, bool] = {}  # id(root) -> alive, once the removal is final
        self.outside: dict[str, list[Root]] = {}  # `outside_roots`, once the removal is final
        self.producing: dict[str, bool] = {}  # production_user of a file outside the candidates
        # Whether a user is not production code, asked once per user (after `settle`).
        self.minor = functools.cache(lambda user: not self.production_user(user))

    def outside_roots(self, path: str) -> list[Root]:
        """What runs `path` from outside the removal. A file's own `__main__` guard, being a
        test, or being a tool's config say what it is, not that something else needs it; a
        framework's convention (a route's `page.tsx`) keeps a file unless it is one of the
        component's own. A file's own `consolidate: keep` marker is a person saying it stays."""
        if path not in self.run:  # most files: nothing runs them
            return []
        known = self.outside.get(path)
        if known is None:
            known = [r for r in self.runs(path) if r.kind not in SELF_ROOTS and self.alive(r)]
            if self.final:  # the removal no longer changes: neither does the answer
                self.outside[path] = known
        return known

    def alive(self, root: Root) -> bool:
        """Whether `root` still runs its file after the removal (asked again and again for the
        same roots, once the removal is settled: `judge` fills `self.living` then)."""
        known = self.living.get(id(root))
        if known is not None:
            return known
        marker = root.kind == MARKER
        alive = marker or (not self.removed(root) and runner_file(root) not in self.removal)
        if self.final:
            self.living[id(root)] = alive
        return alive

    def runs(self, path: str) -> list[Root]:
        return self.graph.runs.get(path, []) + self.inputs.get(path, [])

    def removed(self, root: Root) -> bool:
        """Whether a service this removal takes away is what runs `root`."""
        return (
            root.service is not None and (runner_file(root), root.service) in self.removed_services
        )

    def outside_importers(self, path: str) -> list[str]:
        removal = self.removal
        return sorted([u for u in self.graph.importers.get(path, ()) if u not in removal])

    def sure(self, user: str, path: str) -> bool:
        use = self.graph.importers.get(path, {}).get(user)
        return use is None or use.kind not in GUESSES

    def sure_users(self, path: str) -> Iterable[str]:
        """Who imports `path` from outside the removal, for sure, in no order."""
        for user, use in self.graph.importers.get(path, {}).items():
            if user not in self.removal and use.kind not in GUESSES:
                yield user

    def used_from_outside(self, path: str) -> bool:
        users = self.graph.importers.get(path)
        return bool(users and not self.removal.issuperset(users)) or bool(self.outside_roots(path))

    def production_user(self, path: str) -> bool:
        """Is `path` (a file outside the removal) production code, as far as we know?"""
        if path in self.candidates:
            return self.status.get(path) == "keep"
        known = self.producing.get(path)
        if known is None:  # outside the candidates the answer never changes: asked once
            roots = self.runs(path)
            production = not roots or any(r.production for r in roots)
            known = self.producing[path] = path not in self.non_production and production
        return known

    def shrink(self) -> set[str]:
        """The files that go (verdict `remove`): a kept file keeps what it imports, so the
        removal shrinks to a fixpoint (a worklist, so each file is looked at again only when
        one of its importers leaves the removal)."""
        if not self.final:
            todo = deque(sorted(self.removal))
            while todo:
                path = todo.popleft()
                if path in self.removal and self.used_from_outside(path):
                    self.removal.discard(path)
                    todo.extend(t for t in self.graph.imports.get(path, ()) if t in self.removal)
            self.final = True
        return self.removal

    def judge(self) -> dict[str, Verdict]:
        self.shrink()
        self.settle()
        self.parents = {True: self.paths_to_roots(True)}
        self.parents[False] = self.paths_to_roots(False, beside=self.parents[True])
        return {path: self.verdict(path) for path in sorted(self.candidates)}

    def settle(self) -> None:
        """keep or review for each candidate that stays; review turns into keep, not back."""
        staying = self.candidates - self.removal
        self.status = dict.fromkeys(staying, "review")
        todo = deque(
            p
            for p in sorted(staying)
            if any(r.production for r in self.outside_roots(p))
            or any(map(self.production_user, self.sure_users(p)))
        )
        status = self.status
        while todo:
            path = todo.popleft()
            if status[path] == "keep":
                continue
            status[path] = "keep"
            todo.extend(  # what is kept already needs no second look
                t
                for t in self.graph.imports.get(path, ())
                if t in staying and status[t] != "keep" and self.sure(path, t)
            )

    def verdict(self, path: str) -> Verdict:
        if path in self.removal:
            why = "part of the component" if path in self.seeds else "only the component uses it"
            return Verdict(path, "remove", why, seed=path in self.seeds)
        # Production users first; through a cache, 83,000 users of 11,000 files take 0.02 s
        # instead of 0.06 s.
        users = sorted(self.outside_importers(path), key=self.minor)
        roots = self.outside_roots(path)
        used_by = users + [f"{r.via} ({r.kind})" for r in roots]
        status = self.status[path]
        marker = next((r for r in roots if r.kind == MARKER), None)
        if marker is not None:
            reason = f"marked `consolidate: keep` at {runner_file(marker)}:{marker_line(marker)}"
        elif status == "keep":
            first = users[0] if users else used_by[0]
            reason = f"used by {first}" + (f" and {len(used_by) - 1} more" if used_by[1:] else "")
        else:
            guessed = not roots and not any(self.sure(u, path) for u in users)
            what = "named only in strings" if guessed else "used only by tests, examples or scripts"
            reason = f"{what}: " + ", ".join(used_by[:3])
        chain, route = self.trail(path)
        return Verdict(path, status, reason, used_by, chain, route, path in self.seeds)

    def entry_roots(self, roots: list[Root], production: bool) -> list[Root]:
        alive = [r for r in roots if self.alive(r)]
        return [r for r in alive if r.production] if production else alive

    def paths_to_roots(
        self, production: bool, beside: Collection[str] = ()
    ) -> dict[str, str | Root]:
        """For each file outside the removal that an entry point reaches: the next file on a
        shortest import chain up to that entry point, or the entry point itself. One BFS from
        all entry points at once, instead of one search per file; a chain ends at what runs
        code before it ends at what a kept service only builds from or mounts.

        Files in `beside` (what production entry points reach) are left out: what a file of
        them imports they reach too, so no chain of a file outside them passes through one."""
        parent: dict[str, str | Root] = {}
        closed = self.removal.union(beside) if beside else self.removal  # never in a chain
        for starts in (self.graph.runs, self.inputs):
            todo: deque[str] = deque()
            for path in sorted(starts):
                roots = self.entry_roots(starts[path], production) if path not in closed else []
                if roots and path not in parent:
                    parent[path] = roots[0]
                    todo.append(path)
            while todo:
                current = todo.popleft()
                for target in self.graph.imported(current):
                    if target not in parent and target not in closed:
                        parent[target] = current
                        todo.append(target)
        return parent

    def trail(self, path: str) -> tuple[list[str], list[str]]:
        """`path`'s chain, the shortest import chain up to an entry point outside the removal
        (`[path, its importer, ..., the file an entry point runs, "run by <how>"]`, one that
        ends at a production entry point when there is one), and its route: the chain with
        each importer's line and rule, which use reaches the file before it. Chains share
        their ends, so each file's is made once, from its importer's."""
        table = path in self.parents[True]
        parents, made = self.parents[table], self.trails[table]
        if path not in parents:
            return [], []
        climb = [path]  # up to a file whose trail is made, or to the entry point
        while isinstance(step := parents[climb[-1]], str) and step not in made:
            climb.append(step)
        for used in reversed(climb):
            user = parents[used]
            if isinstance(user, str):
                chain, route = made[user]
                use = self.graph.importers.get(used, {}).get(user)
                step = f"{user}:{use.line} ({use.kind})" if use else user
                made[used] = ([used, *chain], [used, step, *route[1:]])
            else:
                made[used] = ([used, f"run by {user.via}"], [used, f"run by {user.via}"])
        return made[path]


def orphans(graph: Graph, code_files: Iterable[str], roots: Iterable[Root]) -> list[str]:
    """Code files no entry point reaches."""
    reached = graph.reached(r.path for r in roots)
    return sorted(set(code_files) - reached)
