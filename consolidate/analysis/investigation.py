"""The investigation engine: `consolidate investigate`, `orphans`, `plan` and the pipeline's
investigate step all call `investigate()` or `find_orphans()`.

One read of every tracked file (`scan`), the import graph of Python and TS/JS, the entry
points (`entry_points`), compose facts, verdicts (`graph`), references and one `git log` pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from typing import Any

from consolidate.analysis import frameworks, tuning
from consolidate.analysis.build_inputs import shared_inputs
from consolidate.analysis.component import choose, host_rows
from consolidate.analysis.compose_facts import ComposeFacts, compose_facts
from consolidate.analysis.entry_points import find_roots, with_main_guards
from consolidate.analysis.forked import Forked
from consolidate.analysis.graph import Graph, Judge, orphans
from consolidate.analysis.history import history, pathspecs, reads_less
from consolidate.analysis.import_errors import likely_import_errors
from consolidate.analysis.names import DockerNames, quick_docker, require_known
from consolidate.analysis.project_config import ProjectConfig, load_config
from consolidate.analysis.pyresolve import ModuleIndex
from consolidate.analysis.references import find_references, service_mentions
from consolidate.analysis.scan import Pending, Scanned, Snapshot
from consolidate.analysis.strings import Names, named_in_strings
from consolidate.analysis.uses import Root, Use
from consolidate.compose.project import files_to_name
from consolidate.compose.projects import ComposeProject, find_projects
from consolidate.gitio import Git, LogRun

# Files a tool runs by their name; `sitecustomize`/`usercustomize`: Python's `site` imports
# them at start-up from sys.path (https://docs.python.org/3/library/site.html).
TOOL_FILE = re.compile(
    r"(?:setup|conftest|noxfile|fabfile|manage|__main__|wsgi|asgi|sitecustomize|usercustomize)\.py"
    r"|[\w.-]+\.config\.(?:[cm]?[jt]s)|[\w.-]+\.d\.ts|(?:vite|jest|vitest|webpack)[\w.-]*\.[cm]?[jt]s"
)
# This process's share of the files it reads while a child reads the rest (`Snapshot.reading`):
# a quarter, as it makes the names and the module index meanwhile (measured best of 1/2-1/4).
READ_HERE = 0.25
NON_PRODUCTION_DIRS = {"examples", "example", "docs", "doc", "samples", "scripts", "tests", "test"}


class Engine:
    """What one read of the repository gives: files, imports, entry points, compose facts."""

    def __init__(
        self,
        git: Git,
        *,
        workers: int | None = None,
        history: bool = True,
        log: LogRun | None = None,
        narrow: bool = False,
    ) -> None:
        self.git = git
        # With `history`, one `git log` pass for the whole history (`orphans` asks for any
        # file's), started first (or earlier by the caller, `log`), at this process's
        # priority: the command waits for it at the end, so it shares the cores with the scan
        # (at a lower priority it had the cores only once the scan was done, and `orphans`
        # waited 0.3-0.5 s for it on 21,308 files). With `narrow` (the caller asks for some
        # files' history, `start_history`, which may read less), the whole history may not be
        # needed: it runs at a lower priority, and waits while the workers scan.
        self.log = log or (git.start_log(background=narrow) if history else None)
        self.narrow = narrow
        self.paths = git.tracked_files()
        try:
            self._read(git, workers)
        except BaseException:
            if self.log is not None:
                self.log.stop()
            raise
        tuning.keep(self)

    def _read(self, git: Git, workers: int | None) -> None:
        # While a forked child reads most of the files, this process makes what needs only
        # their paths: the names strings may use and the module index, which the workers share.
        made: list[tuple[Names, ModuleIndex]] = []
        self.snapshot = Snapshot.take(
            git.root,
            self.paths,
            meanwhile=lambda: made.append((Names.build(self.paths), ModuleIndex(self.paths))),
            share=READ_HERE,
        )
        names, index = made[0]
        # Code files are read once, on worker processes, for their imports and for the strings
        # that name files; this process reads the rest meanwhile.
        jobs = workers if workers is not None else tuning.CURRENT.jobs
        pending = Pending(self.snapshot, jobs, names=names, index=index)
        paused = self.log if self.narrow and pending.crew is not None else None
        if paused is not None:
            paused.pause()
        try:
            self.compose: ComposeFacts = compose_facts(self.paths, self.snapshot.read)
            self.projects = find_projects(self.paths, self.snapshot.read)
            self.frameworks = frameworks.load(self.paths, self.snapshot.read, self.snapshot.corpus)
            skip, scanned = self.read_elsewhere(), set(pending.code)
            rest = [p for p in self.paths if p not in scanned]
            self.strings = named_in_strings(rest, self.snapshot.read, skip=skip, names=names)
            self.config: ProjectConfig = load_config(git.root)
            # The entry points but the `__main__` guards, which the scan finds.
            roots = find_roots(
                self.paths, self.snapshot.read, self.compose, (), self.config, self.snapshot.corpus
            )
        except BaseException:
            pending.close()  # no workers left behind
            raise
        self.scanned: Scanned = pending.result()
        if paused is not None:
            paused.resume()
        in_code = [u for u in self.scanned.strings if u.source not in skip]
        self.strings = sorted([*self.strings, *in_code], key=lambda u: u.source)  # by file
        self.strings = [u for u in self.strings if not self.config.declares(u)]
        self.roots: list[Root] = with_main_guards(roots, self.scanned.main_guards)
        self.roots += [
            Root(p, "tool", f"{p}: run by its tool", production=False)
            for p in self.scanned.code_files
            if TOOL_FILE.fullmatch(p.rpartition("/")[2])
        ]
        self.roots += self.frameworks.roots
        self.uses = [*self.scanned.uses, *self.frameworks.uses, *self.strings]
        self.graph = Graph.build(self.uses, self.roots)

    def read_elsewhere(self) -> set[str]:
        """Files whose strings are not guesses: compose files (read service by service, so a
        removed service's command frees what it runs) and playbooks (they name what goes)."""
        compose = {s.file for s in self.compose.services}
        compose |= {f for project in self.projects for f in project.files}
        return compose | {p for p in self.paths if p.startswith("playbooks/")}

    def history(
        self, paths: list[str], rows: list[dict[str, Any]], date: str, **options: Any
    ) -> dict[str, Any]:
        if self.log is None:  # not started before: read it now
            self.log = self.git.start_log(specs=self.specs(paths))
        entries = self.log.result()
        return history(self.git, paths, rows, date, entries=entries, **options)

    def start_history(self, paths: Collection[str]) -> None:
        """Start reading the history of `paths` on the other core while this one judges,
        through a few pathspecs when that reads less than the whole history, which then
        stops if it runs; it goes on otherwise (or starts, when it did not run)."""
        if self.log is not None and not self.log.running():
            return  # the whole history is read already
        specs = self.specs(paths)
        if self.log is None or specs is not None:
            if self.log is not None:
                self.log.stop()
            self.log = self.git.start_log(background=specs is None, specs=specs)

    def specs(self, paths: Collection[str]) -> list[str] | None:
        """The pathspecs to read `paths`' history with; None: the whole history reads less."""
        specs = pathspecs(paths)
        return specs if specs is not None and reads_less(specs, self.paths) else None

    def non_production(self) -> set[str]:
        tests = {r.path for r in self.roots if r.kind == "test"}
        return tests | {
            p for p in self.paths if NON_PRODUCTION_DIRS.intersection(p.split("/")[:-1])
        }


def names_component(path: str, name: str) -> bool:
    """`orchestrator.py`, `orchestrator.test.ts`, `orchestrator/...`; not `ai-orchestrator.ts`,
    and not the playbook that removes it."""
    parts = path.split("/")
    if parts[0] == "playbooks":
        return False
    return name in parts[:-1] or parts[-1].split(".")[0] == name


def investigate(
    git: Git,
    name: str,
    *,
    date: str,
    files: Collection[str] = (),
    services: Collection[tuple[str, str]] | None = None,
    compose: str | None = None,
    skip: Collection[str] = (),
    planned: Collection[str] | None = None,
    engine: Engine | None = None,
    docker: Callable[[], DockerNames] | None = quick_docker,
) -> dict[str, Any]:
    """Everything a person needs to decide what a removal of `name` may delete.

    `files` and `services` are what a playbook names (seeds too; with `services` given, they
    are the services that go, and their files pick the compose project); without a playbook,
    `compose` picks the project when several have a service `name`. `planned` is the files a
    run will delete, when known, for the references (default: the files judged `remove`).
    Without a playbook, a name nothing has is refused (`names`); `docker` (None: the
    repository alone) is asked only then, for a container or image of that name.
    """
    engine = engine or Engine(git, narrow=True)  # the history of the candidates, below
    component = choose(
        name,
        engine.compose.services,
        engine.projects,
        services=services,
        compose=compose,
        files=files,
    )
    service_facts = component.services
    seeds = {
        p for p in engine.paths if names_component(p, name) and component.owns(p, engine.projects)
    }
    runs = {f for s in service_facts for f in s.entry_files}
    seeds |= set(files) | runs
    if services is None and not seeds and not service_facts:
        require_known(name, engine.paths, engine.compose.services, docker=docker)
    judge = Judge(
        engine.graph,
        seeds,
        removed_services=component.removed,
        non_production=engine.non_production(),
        inputs=shared_inputs(engine.compose.services, component.removed, engine.paths),
    )
    # Only the candidates' history is asked for: `git log` reads the trees of the folders
    # holding them, on the other core, while this one judges.
    engine.start_history({*judge.candidates, *(planned or ())})
    removal = sorted(judge.shrink()) if planned is None else list(planned)
    compose_files = {s.file for s in engine.compose.services}
    removed = [(s.file, s.service) for s in service_facts]
    containers, images = service_mentions(engine.compose.services, removed, git.root.name)
    # The mentions need only the removal: the other core finds them while this one judges,
    # below the candidates' `git log` (wanted first) and this process.
    mentions = Forked(
        lambda: find_references(
            engine.paths,
            engine.snapshot.read,
            name,
            removal,
            compose_files,
            skip=set(skip),
            containers=containers,
            images=images,
            also=[s.service for s in service_facts if s.service != name],
        ),
        nice=10,
    )
    try:
        verdicts = judge.judge()
        rows = [
            engine.snapshot.file_facts(path) | vars(verdict) for path, verdict in verdicts.items()
        ]
        found: dict[str, Any] = {
            "component": name,
            "files": rows,
            "references": None,  # below
            "compose": [compose_row(s) for s in service_facts],
            "projects": [project_row(p) for p in component.projects],
            "hosts": host_rows(engine.snapshot.read, component),
            "compose_files": files_to_name(
                engine.snapshot.read,
                [f for p in component.projects for f in p.files],
                {s.service for s in service_facts},
            ),
            "warnings": [vars(w) for w in [*engine.compose.warnings, *engine.frameworks.warnings]],
            "uncertain": uncertain_uses(engine, verdicts),
            "import_errors": likely_import_errors(
                engine.scanned.uses, engine.paths, engine.snapshot.read, verdicts
            ),
            "edges": edges(engine.graph, verdicts),
            "history": None,  # below
        }
        # Last, what others work on meanwhile: `git log` (which the scan left little of the
        # cores) fills in each row's commits, and the child its mentions.
        found["history"] = engine.history([r["path"] for r in rows], rows, date, component=removal)
        found["references"] = mentions.result()
    finally:
        mentions.close()
    return found


def edges(graph: Graph, verdicts: Collection[str]) -> list[list[str]]:
    """[importer, imported] for each import between two candidates, in order."""
    out = []
    for source in sorted(verdicts):
        out += [[source, target] for target in graph.imported(source) if target in verdicts]
    return out


def project_row(project: ComposeProject) -> dict[str, Any]:
    return {
        "folder": project.folder,
        "files": list(project.files),
        "joined_by": list(project.joined_by),
    }


def compose_row(service: Any) -> dict[str, Any]:
    return {
        "file": service.file,
        "service": service.service,
        "line": service.line,
        "image": service.image,
        "depended_on_by": list(service.depended_on_by),
        "entry_files": list(service.entry_files),
    }


def uncertain_uses(engine: Engine, verdicts: Collection[str]) -> list[dict[str, Any]]:
    """Imports the scanners could not pin down that touch a candidate: a person should look."""
    out = []
    for use in engine.scanned.uses:
        if not use.certain and set(use.targets) & set(verdicts):
            out.append(
                {
                    "path": use.source,
                    "line": use.line,
                    "text": use.text,
                    "could_be": list(use.targets),
                }
            )
    return out


def find_orphans(
    git: Git, *, date: str, engine: Engine | None = None, log: LogRun | None = None
) -> dict[str, Any]:
    """Source files no entry point reaches (`orphans`), and those only uncertain uses reach
    (`uncertain`: an import that could mean several files, a module named in a string),
    largest and oldest first; `log` as for `investigate`."""
    engine = engine or Engine(git, log=log)
    code = engine.scanned.code_files
    # A config is read by something even when no file names it: for sure when a framework's
    # plugin reads it, maybe when only its strings name files.
    known = [*engine.roots, *config_roots(engine.frameworks.uses, code)]
    lonely = orphans(engine.graph, code, [*known, *config_roots(engine.strings, code)])
    sure = Graph.of_imports(u for u in engine.uses if u.certain)
    maybe = sorted(set(orphans(sure, code, known)) - set(lonely))
    # The project's `ignore` globs hide files from this report only: nothing became reachable.
    lonely, maybe = ([p for p in ps if not engine.config.ignores(p)] for ps in (lonely, maybe))
    rows = {p: engine.snapshot.file_facts(p) for p in [*lonely, *maybe]}
    engine.history(list(rows), list(rows.values()), date)
    return {
        "orphans": by_size([rows[p] for p in lonely]),
        "uncertain": by_size([rows[p] for p in maybe]),
        "code_files": len(engine.scanned.code_files),
        "roots": len(engine.roots),
    }


def config_roots(uses: Iterable[Use], code: Collection[str]) -> list[Root]:
    configs = {u.source for u in uses} - set(code)
    return [Root(p, "config", f"{p}: names files", production=False) for p in sorted(configs)]


def by_size(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (-r["bytes"], r.get("first") or "9999"))
