"""Which compose files make one project: the unit a component lives in.

Compose runs a project from the files given together (`docker compose -f a.yml -f b.yml`, or
`compose.yaml` with `compose.override.yaml` by default, both in the project's folder) plus what
they pull in (`include:`, `extends: {file: ...}`). So two files are in one project when they sit
in the same folder, when one includes or extends the other, or when a script, Makefile, CI
workflow or package.json of the repository passes both to one compose command with `-f`. A
service name is only unique inside its project: `backend` in `samples/a/compose.yaml` and
`backend` in `samples/b/compose.yaml` are two components.

https://docs.docker.com/compose/how-tos/multiple-compose-files/
https://docs.docker.com/compose/how-tos/project-name/
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from consolidate.compose.locate import Parsed, parse
from consolidate.compose.scan import relative_to
from consolidate.errors import ComposeRefusal

COMPOSE_NAME = re.compile(r"(?:docker-)?compose(?:[.-][\w.-]+)?\.ya?ml|[\w.-]+\.compose\.ya?ml")
# Files whose lines run compose commands: scripts, build files, CI workflows, package.json.
COMMAND_FILE = re.compile(
    r"(?:.*\.(?:sh|bash|zsh|ps1|psm1|mk|just)|Makefile|makefile|GNUmakefile|[Jj]ustfile"
    r"|package\.json|Jenkinsfile|Taskfile\.ya?ml|\.gitlab-ci\.yml|Procfile|\.drone\.yml"
    r"|azure-pipelines\.ya?ml|bitbucket-pipelines\.yml)"
)
CI_FOLDER = re.compile(r"(?:\.github/workflows|\.circleci|\.buildkite|\.woodpecker)/[^/]+\.ya?ml")
COMPOSE_COMMAND = re.compile(r"(?<![\w-])(?:docker[ -])?compose(?![\w.-])")
FILE_FLAG = re.compile(r"^(?:-f|--file)(?:=(.+))?$")
Reader = Callable[[str], bytes | None]


def is_compose_name(path: str) -> bool:
    return COMPOSE_NAME.fullmatch(path.rpartition("/")[2]) is not None


@dataclass(frozen=True)
class ComposeProject:
    files: tuple[str, ...]  # sorted; the main file first
    folders: tuple[str, ...]  # the folders its files sit in ("" is the repository root)
    joined_by: tuple[str, ...] = ()  # why files of different folders are one project

    @property
    def main(self) -> str:
        return self.files[0]

    @property
    def folder(self) -> str:
        return posixpath.dirname(self.main)

    def label(self) -> str:
        return f"{self.folder or '.'} ({self.main})"


def find_projects(tracked: Collection[str], read: Reader) -> list[ComposeProject]:
    """Every compose project of the repository, the one at the root first, then by folder."""
    files = sorted(p for p in tracked if is_compose_name(p))
    groups = _Groups(files)
    by_folder: dict[str, list[str]] = {}
    for path in files:
        by_folder.setdefault(posixpath.dirname(path), []).append(path)
    for together in by_folder.values():
        groups.join(together)
    for path in files:
        for target, why in pulled_in(path, read):
            if target in groups.parent:
                groups.join([path, target], why)
    for combo, why in file_flag_combos(tracked, read, set(files)):
        groups.join(combo, why)
    return sorted(groups.projects(), key=lambda p: (p.folder.count("/"), p.folder, p.main))


def project_of(projects: Iterable[ComposeProject], path: str) -> ComposeProject | None:
    return next((p for p in projects if path in p.files), None)


def owner(projects: Iterable[ComposeProject], path: str) -> ComposeProject | None:
    """The project whose folder holds `path` most closely (None: no project's folder does)."""
    best: tuple[int, ComposeProject] | None = None
    for project in projects:
        for folder in project.folders:
            if folder == "" or path.startswith(folder + "/"):
                depth = len(folder) + 1 if folder else 0
                if best is None or depth > best[0]:
                    best = (depth, project)
    return best[1] if best else None


def pulled_in(path: str, read: Reader) -> list[tuple[str, str]]:
    """(repository path, why) of each local file `path` includes or extends from."""
    parsed = _parse(path, read)
    if parsed is None:
        return []
    doc = parsed.data()
    out = [(t, f"{path} includes {t}") for _raw, t in includes(parsed)[0]]
    services = doc.get("services") if isinstance(doc, dict) else None
    for spec in services.values() if isinstance(services, dict) else []:
        extends = spec.get("extends") if isinstance(spec, dict) else None
        target = relative_to(path, extends.get("file")) if isinstance(extends, dict) else None
        if target:
            out.append((target, f"{path} extends a service of {target}"))
    return out


def includes(parsed: Parsed) -> tuple[list[tuple[str, str]], list[str]]:
    """(as written, repository path) of each local file a top-level `include:` names, and
    the entries not followed (remote, or with a variable)."""
    doc = parsed.data()
    entries = doc.get("include") if isinstance(doc, dict) else None
    paths: list[Any] = []
    for entry in entries if isinstance(entries, list) else []:
        value = entry.get("path") if isinstance(entry, dict) else entry
        paths += value if isinstance(value, list) else [value]
    local = [(str(raw), relative_to(parsed.path, raw)) for raw in paths]
    return [(r, t) for r, t in local if t], [r for r, t in local if not t]


def file_flag_combos(
    tracked: Collection[str], read: Reader, compose_files: set[str]
) -> list[tuple[list[str], str]]:
    """Compose files one command line passes together with `-f`/`--file`, and where."""
    out: list[tuple[list[str], str]] = []
    for path in sorted(p for p in tracked if runs_commands(p)):
        raw = read(path)
        if not raw or b"compose" not in raw:
            continue
        for number, line in enumerate(raw.decode("utf-8", "replace").splitlines(), 1):
            found = _flagged(line, path, compose_files)
            if len(found) > 1:
                out.append((found, f"{path}:{number} runs them together"))
    return out


def runs_commands(path: str) -> bool:
    return bool(COMMAND_FILE.fullmatch(path.rpartition("/")[2]) or CI_FOLDER.fullmatch(path))


def _flagged(line: str, script: str, compose_files: set[str]) -> list[str]:
    """The compose files of the repository that the `-f` options of a compose command name."""
    match = COMPOSE_COMMAND.search(line)
    if match is None or ("-f" not in line[match.end() :] and "--file" not in line[match.end() :]):
        return []
    try:
        words = shlex.split(line[match.end() :].replace("\\", " "), comments=True)
    except ValueError:
        words = line[match.end() :].split()
    found: list[str] = []
    for i, word in enumerate(words):
        flag = FILE_FLAG.match(word)
        value = (flag[1] or (words[i + 1] if i + 1 < len(words) else "")) if flag else ""
        for base in (script, "compose.yaml"):  # from the script's folder, or from the root
            target = relative_to(base, value.strip("\"'")) if value else None
            if target in compose_files and target not in found:
                found.append(target)
                break
    return found


def _parse(path: str, read: Reader) -> Parsed | None:
    data = read(path)
    if data is None:
        return None
    try:
        return parse(data, path)
    except ComposeRefusal:
        return None


MAIN_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")


class _Groups:
    """Union-find over compose files, remembering why groups of two folders were joined."""

    def __init__(self, files: list[str]) -> None:
        self.parent = {f: f for f in files}
        self.why: dict[str, list[str]] = {}

    def find(self, path: str) -> str:
        while self.parent[path] != path:
            self.parent[path] = self.parent[self.parent[path]]
            path = self.parent[path]
        return path

    def join(self, paths: list[str], why: str = "") -> None:
        roots = {self.find(p) for p in paths}
        top = min(roots)
        reasons = [r for root in roots for r in self.why.pop(root, [])]
        for root in roots:
            self.parent[root] = top
        self.why[top] = reasons + ([why] if why and len(roots) > 1 else [])

    def projects(self) -> list[ComposeProject]:
        members: dict[str, list[str]] = {}
        for path in self.parent:
            members.setdefault(self.find(path), []).append(path)
        out = []
        for root, files in members.items():
            ordered = sorted(files, key=_main_first)
            folders = tuple(sorted({posixpath.dirname(f) for f in files}))
            out.append(ComposeProject(tuple(ordered), folders, tuple(self.why.get(root, []))))
        return out


def _main_first(path: str) -> tuple[int, int, str]:
    """The project's main file: the shallowest, and a default name before an override."""
    name = path.rpartition("/")[2]
    rank = MAIN_NAMES.index(name) if name in MAIN_NAMES else len(MAIN_NAMES)
    return path.count("/"), rank, path
