"""Entry points: the files something outside the code runs (compose, Docker, npm, scripts...).

The import graph says which files reach which; only roots say which files are reached from
outside. A file missed here looks unused and may be deleted, which is the worst error this
engine can make, so every reader is lenient and generous: when a word might name a file the
project runs and that file is tracked, it is a root. A file may be a root several times (once
per reason); a consumer treats a path as production when any of its roots is.

Production flags: compose services, Dockerfiles, package.json entry fields and lifecycle
scripts, pyproject scripts, Procfile and systemd units run in production. Tests, `__main__`
guards, shell scripts, Makefiles, justfiles, CI workflows and other npm scripts are tooling a
person reviews (production=False), as is anything under examples/, example/ or docs/.
"""

from __future__ import annotations

import json
import posixpath
import re
import tomllib
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from consolidate.analysis.commands import (
    ContainerPaths,
    Ref,
    command_refs,
    js_alternatives,
    parse_dockerfile,
)
from consolidate.analysis.compose_facts import ComposeFacts
from consolidate.analysis.project_config import ProjectConfig, keep_markers
from consolidate.analysis.snapshot import Corpus
from consolidate.analysis.unit_files import cron_runs, systemd_runs
from consolidate.analysis.uses import Root
from consolidate.workspace import repo_join

Reader = Callable[[str], bytes | None]

CODE_SUFFIXES = frozenset(
    {".py", ".pyw", ".sh", ".bash", ".zsh", ".ps1", ".js", ".mjs", ".cjs", ".jsx", ".ts",
     ".mts", ".cts", ".tsx", ".rb", ".pl", ".php", ".lua"}
)  # fmt: skip
_EXAMPLE_DIRS = frozenset({"examples", "example", "docs"})
_TEST_DIRS = frozenset({"tests", "test", "__tests__"})
_TEST_SUFFIXES = frozenset({".py", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx"})
_JS_TEST = re.compile(r"\.(?:test|spec)\.[cm]?[jt]sx?$")
_DOCKERFILE = re.compile(r"(?!.*\.(?:md|rst|txt)$)(?:.+\.)?dockerfile(?:\..+)?", re.IGNORECASE)
_PRODUCTION_NPM = frozenset(
    {"start", "prestart", "poststart", "serve", "build", "prebuild", "postbuild",
     "prepare", "preinstall", "install", "postinstall", "prepublishOnly"}
)  # fmt: skip
_CHANGE_DIR = re.compile(r"(?:\bcd|\bpushd|working-directory:|--prefix)\s+[\"']?([^\s\"'&;|)]+)")


@dataclass(frozen=True)
class _Repo:
    """The tracked files and how to read them; every path a root names is one of these."""

    tracked: frozenset[str]
    read: Reader
    corpus: Corpus | None = None  # the bytes `read` gives, joined, for searches of them all

    def text(self, path: str) -> str | None:
        raw = self.read(path)
        return None if raw is None else raw.decode("utf-8-sig", errors="replace")

    def under(self, bases: Iterable[str], refs: Iterable[Ref], *, code: bool) -> list[str]:
        """Tracked files `refs` name relative to any of `bases`; `code`: code files only.
        Of a ref's alternatives, the first that names a tracked file wins."""
        found: list[str] = []
        for ref in refs:
            for alternative in ref:
                joined = (repo_join(base, alternative) for base in dict.fromkeys(bases))
                hits = [p for p in dict.fromkeys(joined) if p is not None and self._keeps(p, code)]
                found.extend(p for p in hits if p not in found)
                if hits:
                    break
        return found

    def _keeps(self, path: str, code: bool) -> bool:
        suffix = posixpath.splitext(path)[1]
        return path in self.tracked and (suffix in CODE_SUFFIXES or not code)


def find_roots(
    paths: Collection[str],
    read: Reader,
    compose: ComposeFacts,
    main_guards: Collection[str] = (),
    config: ProjectConfig | None = None,
    corpus: Corpus | None = None,
) -> list[Root]:
    """Every entry point of the repository, once per reason, sorted by path: what the
    repository's own settings name (`entry_points`, `consolidate: keep`) among them.
    `corpus`: the bytes `read` gives, joined (`Snapshot.corpus`), searched at once."""
    repo = _Repo(frozenset(paths), read, corpus)
    found = [
        *_configured_roots(repo, config or ProjectConfig()),
        *_compose_roots(compose),
        *_dockerfile_roots(repo),
        *_package_json_roots(repo),
        *_pyproject_roots(repo),
        *_test_roots(repo),
        *_script_roots(repo),
        *(_root(f, "systemd", unit, what) for f, unit, what in systemd_runs(repo)),
        *(_root(f, "cron", table, what) for f, table, what in cron_runs(repo)),
    ]
    return with_main_guards(found, main_guards)


def with_main_guards(roots: Iterable[Root], main_guards: Collection[str]) -> list[Root]:
    """`roots` and a root for each file with a `__main__` guard, once each, sorted: what
    `find_roots` gives with those guards (so the rest can be found before the scan ends)."""
    found = {*roots, *(_root(path, "main", path, "", production=False) for path in main_guards)}
    return sorted(found, key=lambda r: (r.path, r.kind, r.via, r.service or "", r.production))


def _configured_roots(repo: _Repo, config: ProjectConfig) -> Iterator[Root]:
    """The project configuration's `entry_points` and each file's own `consolidate: keep`
    marker (kind `marker`: it keeps even a file the removal itself names). Both are declared
    by a person, so both are production wherever the file is, examples/ and docs/ too."""
    for pattern, path in config.entry_point_files(repo.tracked):
        yield Root(path, "configured", f"{config.source}: entry_points {pattern}")
    for path, line in sorted(keep_markers(repo.tracked, repo.read, repo.corpus).items()):
        yield Root(path, "marker", f"{path}:{line} (consolidate: keep marker)")


def _root(
    path: str,
    kind: str,
    origin: str,
    detail: str,
    *,
    service: str | None = None,
    production: bool = True,
) -> Root:
    """A root; one that is, or is declared, under an examples or docs folder is not production."""
    example = any(_EXAMPLE_DIRS.intersection(p.split("/")[:-1]) for p in (path, origin))
    via = 'if __name__ == "__main__"' if kind == "main" else f"{origin}: {detail}"
    return Root(path, kind, via, service, production and not example)


def _compose_roots(compose: ComposeFacts) -> Iterator[Root]:
    """ServiceFact does not say which of command, entrypoint or CMD named a file; the via
    names all three so a reader knows where to look."""
    for fact in compose.services:
        detail = f"service {fact.service} command/entrypoint/Dockerfile CMD"
        for path in (*fact.entry_files, *fact.package_files):
            yield _root(path, "compose", fact.file, detail, service=fact.service)


def _dockerfile_roots(repo: _Repo) -> Iterator[Root]:
    """CMD, ENTRYPOINT and RUN of every tracked Dockerfile, built from its own folder."""
    for path in sorted(p for p in repo.tracked if _DOCKERFILE.fullmatch(p.rpartition("/")[2])):
        text = repo.text(path)
        context = posixpath.dirname(path)
        for stage in parse_dockerfile(text or "", context, repo.tracked):
            where = ContainerPaths(stage.workdir, (), tuple(stage.copies), context)
            commands = [("CMD", stage.cmd), ("ENTRYPOINT", stage.entrypoint)]
            for label, command in [*commands, *(("RUN", run) for run in stage.runs)]:
                for ref in command_refs(command, stage.env):
                    files = where.resolve(ref, repo.tracked) or repo.under([""], [ref], code=True)
                    if label == "RUN":
                        files = [f for f in files if posixpath.splitext(f)[1] in CODE_SUFFIXES]
                    yield from (_root(f, "dockerfile", path, label) for f in files)


def _package_json_roots(repo: _Repo) -> Iterator[Root]:
    """main, module, bin, exports and the files `scripts` run, for every package.json."""
    for path in sorted(p for p in repo.tracked if p.rpartition("/")[2] == "package.json"):
        try:
            data = json.loads(repo.text(path) or "")
        except ValueError:
            continue
        if not isinstance(data, dict):
            continue
        folder = posixpath.dirname(path)
        for field, target in _package_targets(data):
            refs = [js_alternatives(target), (f"{target}.js", f"{target}/index.js")]
            for found in repo.under([folder], refs, code=False):
                yield _root(found, "package.json", path, field)
        yield from _npm_script_roots(repo, path, data.get("scripts"))


def _package_targets(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(field, path) of the fields Node or a bundler loads."""
    for field in ("main", "module"):
        if isinstance(data.get(field), str):
            yield field, data[field]
    binary = data.get("bin")
    if isinstance(binary, str):
        yield "bin", binary
    elif isinstance(binary, dict):
        yield from ((f"bin.{k}", v) for k, v in binary.items() if isinstance(v, str))
    yield from (("exports", target) for target in _strings(data.get("exports")))


def _strings(value: object) -> Iterator[str]:
    """Every string inside nested exports conditions (`{".": {"import": "./x.js"}}`)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _npm_script_roots(repo: _Repo, path: str, scripts: object) -> Iterator[Root]:
    """Code files a script names; start/build/install hooks run in production, others not."""
    folder = posixpath.dirname(path)
    for name, command in scripts.items() if isinstance(scripts, dict) else []:
        if not isinstance(command, str):
            continue
        bases = [folder, *_changed_dirs(command, folder)]
        for found in repo.under(bases, command_refs(command), code=True):
            production = name in _PRODUCTION_NPM
            yield _root(found, "package.json", path, f"scripts.{name}", production=production)


def _pyproject_roots(repo: _Repo) -> Iterator[Root]:
    """Console and GUI scripts and entry points (PEP 621 and Poetry): `pkg.mod:func`."""
    for path in sorted(p for p in repo.tracked if p.rpartition("/")[2] == "pyproject.toml"):
        try:
            data = tomllib.loads(repo.text(path) or "")
        except tomllib.TOMLDecodeError:
            continue
        folder = posixpath.dirname(path)
        packages = _table(data, "tool.poetry").get("packages")
        listed = packages if isinstance(packages, list) else []
        sources = [p.get("from") for p in listed if isinstance(p, dict)]
        bases = [folder, repo_join(folder, "src") or "", *_joined(folder, sources)]
        for field, target in _entry_points(data):
            for found in repo.under(bases, [_entry_point_files(target)], code=False):
                yield _root(found, "pyproject", path, field)


def _entry_point_files(target: str) -> Ref:
    """`pkg.mod:func [extra]` is pkg/mod.py or pkg/mod/__init__.py; Poetry's file scripts
    (`{reference = "bin/tool.sh", type = "file"}`) name the file itself."""
    if "/" in target and ":" not in target:
        return (target,)
    base = target.split(":")[0].split("[")[0].strip().replace(".", "/")
    return (f"{base}.py", f"{base}/__init__.py")


def _joined(folder: str, names: Iterable[object]) -> Iterator[str]:
    for name in names:
        joined = repo_join(folder, name) if isinstance(name, str) else None
        if joined is not None:
            yield joined


def _table(data: object, dotted: str) -> dict[str, Any]:
    """The TOML table at `dotted`, or {} when it is missing or not a table."""
    for key in dotted.split("."):
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def _entry_points(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(field, "pkg.mod:func") from project.scripts, gui-scripts, entry-points, and Poetry."""
    fields = ("project.scripts", "project.gui-scripts", "tool.poetry.scripts")
    tables = [(field, _table(data, field)) for field in fields]
    for key in ("project.entry-points", "tool.poetry.plugins"):
        tables += [(f"{key}.{group}", table) for group, table in _table(data, key).items()]
    for field, table in tables:
        for name, value in table.items() if isinstance(table, dict) else []:
            target = (
                value.get("callable") or value.get("reference")
                if isinstance(value, dict)
                else value
            )
            if isinstance(target, str):
                yield f"{field}.{name}", target


def _test_roots(repo: _Repo) -> Iterator[Root]:
    # Every name or folder `_test_reason` knows holds `test` or `.spec.`: the rest is skipped.
    for path in sorted(p for p in repo.tracked if "test" in p or ".spec." in p):
        reason = _test_reason(path)
        if reason:
            yield _root(path, "test", path, reason, production=False)


def _test_reason(path: str) -> str | None:
    """pytest, unittest, Jest and Vitest names, and code files in test folders."""
    name = path.rpartition("/")[2]
    suffix = posixpath.splitext(name)[1]
    python_test = name.startswith("test_") or name.endswith("_test.py")
    if (suffix == ".py" and python_test) or name in ("conftest.py", "tests.py"):
        return "named like a test"
    if _JS_TEST.search(name):
        return "named like a test"
    if suffix in _TEST_SUFFIXES and _TEST_DIRS.intersection(path.split("/")[:-1]):
        return "in a test folder"
    return None


# What every file `_script_kind` knows ends with, or holds: a cheap filter before it.
_SCRIPT_ENDS = (".sh", ".bash", ".zsh", ".ps1", ".mk", ".yml", ".yaml")
_SCRIPT_WORDS = re.compile("Procfile|akefile|ustfile").search


def _script_kind(path: str) -> tuple[str, bool] | None:
    """(what the file is, whether it runs in production), or None for other files."""
    name = path.rpartition("/")[2]
    suffix = posixpath.splitext(name)[1]
    if name in ("Procfile",) or name.startswith("Procfile."):
        return "Procfile", True
    if suffix in (".sh", ".bash", ".zsh", ".ps1"):
        return "script", False
    if name in ("Makefile", "makefile", "GNUmakefile", "justfile", "Justfile", ".justfile"):
        return "make", False
    if suffix == ".mk":
        return "make", False
    workflow = posixpath.dirname(path) == ".github/workflows" and suffix in (".yml", ".yaml")
    return ("CI", False) if workflow or name == ".gitlab-ci.yml" else None


def _script_roots(repo: _Repo) -> Iterator[Root]:
    """Code files that shell scripts, Makefiles, justfiles, Procfiles and CI workflows run,
    relative to the file's folder, the repository root, or a folder the file `cd`s into."""
    for path in sorted(p for p in repo.tracked if p.endswith(_SCRIPT_ENDS) or _SCRIPT_WORDS(p)):
        kind = _script_kind(path)
        text = repo.text(path) if kind else None
        if kind is None or text is None:
            continue
        folder = posixpath.dirname(path)
        bases = [folder, "", *_changed_dirs(text, folder)]
        for number, line in _logical_lines(text):
            command = line.split(":", 1)[-1] if kind[0] == "Procfile" else line.lstrip("@-+")
            for found in repo.under(bases, command_refs(command), code=True):
                if found != path:
                    yield _root(found, "script", path, f"line {number}", production=kind[1])


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, line) with backslash continuations joined and comment lines out."""
    pending, first = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#") and not pending:
            continue
        first = first or number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        yield first, pending + line
        pending, first = "", 0
    if pending:
        yield first, pending


def _changed_dirs(text: str, folder: str) -> Iterator[str]:
    """Folders a script changes into (`cd backend && python app.py`), from here or the root."""
    for written in _CHANGE_DIR.findall(text):
        yield from _joined(folder, [written])
        if folder:
            yield from _joined("", [written])
