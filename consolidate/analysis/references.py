"""Every other mention of a component and of the files a removal deletes: file, line, kind.

The names are looked for as literals first (`Needles`: `in` on the lower-cased bytes, or one
expression of their prefix tree when there are many), and the names' expression runs only on
the lines that hold one, so the cost follows the bytes read and the lines that name something,
not the number of names times the bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from pathlib import PurePosixPath
from typing import Any

from consolidate.analysis.frameworks.base import CODE_SUFFIXES, Project
from consolidate.analysis.literals import Needles, matching_lines, name_pattern
from consolidate.analysis.strings import dotted_names

MAX_SCAN_BYTES = 2 * 1024 * 1024
CODE = {".py", ".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".go", ".rs", ".java", ".rb"}
DOCS = {".md", ".rst", ".txt", ".adoc"}
SCRIPTS = {".sh", ".bash", ".ps1", ".psm1", ".bat", ".cmd"}
SCRIPT_NAMES = {"Makefile", "justfile", "Justfile", "package.json", "Taskfile.yml"}


def find_references(
    paths: Iterable[str],
    read: Callable[[str], bytes | None],
    component: str,
    removed: list[str],
    compose_files: set[str],
    *,
    skip: set[str] | frozenset[str] = frozenset(),
    containers: Collection[str] = (),
    images: Collection[str] = (),
    also: Collection[str] = (),
    history: Collection[str] = (),
) -> list[dict[str, Any]]:
    """Lines outside the removal that name the component or a removed file (by path, by
    dotted module path, or by a file name no remaining file shares), its env-variable form
    (`data-sync` -> `DATA_SYNC`), and the names the caller knows are only the removal's: the
    removed services' `containers` (see `container_names`), the `images` only they use, and
    `also`: other whole names only the removal uses (a removed service named unlike the
    component, a volume or network only it used). Each row says its `group`: `live`,
    `docs` or `history` (see `group_of`; `history` adds paths the caller knows are records,
    such as a changelog under an unusual name)."""
    paths = list(paths)
    names = {component, env_form(component)} | set(removed) | distinct_names(paths, removed)
    names |= load_names(paths, removed, component)
    names |= set(containers) | image_names(images) | set(also)
    words = sorted({n.lower() for n in names if n}, key=len, reverse=True)
    pattern = name_pattern(words)
    needles = Needles.of(words)
    skip = set(removed) | set(skip)
    records = set(history)
    found: list[dict[str, Any]] = []
    for path in paths:
        data = None if path in skip else read(path)
        if not data or len(data) > MAX_SCAN_BYTES or b"\0" in data[:4096]:
            continue
        if not needles.may_hold(data):
            continue
        kind = kind_of(path, compose_files)
        group = "history" if path in records else group_of(path, kind)
        text = data.decode("utf-8", errors="replace")
        found += [
            {"path": path, "line": n, "kind": kind, "text": line.strip()[:200], "group": group}
            for n, line in matching_lines(pattern, text, needles)
        ]
    return found


def env_form(component: str) -> str:
    """How an env variable spells the component: `data-sync` -> `data_sync` (matching is
    case-insensitive, and `_` joins it to the rest: `DATA_SYNC_ENABLED`, `ENABLE_DATA_SYNC`)."""
    return re.sub(r"[-.]", "_", component)


def image_names(images: Iterable[str]) -> set[str]:
    """Each image as written and without its tag or digest (`acme/conductor:1.4` and
    `acme/conductor`), so `docker pull acme/conductor` counts too."""
    out = set()
    for image in images:
        out.add(image)
        bare = image.partition("@")[0]
        slash = bare.rfind("/")
        colon = bare.rfind(":")
        out.add(bare[:colon] if colon > slash else bare)
    return {n for n in out if n}


def container_names(
    compose_file: str,
    service: str,
    container_name: str | None,
    root_folder: str,
    *,
    project: str | None = None,
) -> list[str]:
    """The names a service's container goes by: its `container_name:` and the defaults
    `<project>_<service>`, `<project>_<service>_1` (Compose v1) and `<project>-<service>`,
    `<project>-<service>-1` (Compose v2). The project is `project` (a top-level `name:` or
    `COMPOSE_PROJECT_NAME`) or else the compose file's folder name (`root_folder` for a file
    at the repository root), lower-cased with every character but `a-z0-9_-` dropped:
    https://docs.docker.com/compose/how-tos/project-name/ . All forms count even when
    `container_name:` is set: scripts and docs written before it still name the service so."""
    folder = compose_file.rpartition("/")[0].rpartition("/")[2] or root_folder
    name = re.sub(r"[^a-z0-9_-]", "", (project or folder).lower()).lstrip("_-")
    out = [container_name] if container_name else []
    if name:
        out += [f"{name}_{service}", f"{name}_{service}_1"]
        out += [f"{name}-{service}", f"{name}-{service}-1"]
    return out


def distinct_names(paths: list[str], removed: list[str]) -> set[str]:
    """Basenames of removed files that no remaining file shares (not `requirements.txt`)."""
    gone = set(removed)
    remaining = {p.rpartition("/")[2] for p in paths if p not in gone}
    return {p.rpartition("/")[2] for p in removed} - remaining


def load_names(paths: list[str], removed: list[str], component: str) -> set[str]:
    """How a loader names the removed files and the files named like the component: by
    dotted module path (`proj.tasks.emails`, from every import root) and by path with or
    without extension (`jobs/heartbeat`). Only whole names with a `.` or `/`, so neither
    `self.emails` nor `os.path` counts."""
    roots = set(Project(frozenset(paths), lambda _path: None).python_roots)
    own = {p for p in paths if names_module(p, component)} | set(removed)
    names = {n for path in own for n in dotted_names(path, roots) if "." in n}
    bare = {p.rpartition(".")[0] for p in own if "." in p.rpartition("/")[2]}
    return names | own | {p for p in bare if "/" in p}


def names_module(path: str, component: str) -> bool:
    """`emails.py`, `emails.ts`, `emails/__init__.py`: a module that is the component."""
    name = path.rpartition("/")[2]
    stem = name.rpartition(".")[0] if "." in name.lstrip(".") else name
    return (stem == component and path.endswith(CODE_SUFFIXES)) or path.endswith(
        f"/{component}/__init__.py"
    )


# Records of what happened: never rewritten, and their mentions are history, not live.
HISTORY_NAMES = re.compile(
    r"(?i)(?:changelog|changes|history|news|releases?|release[-_]notes)(?:\.(?:md|markdown|rst|txt|adoc))?"
    r"|.+_removal_report\.md"
)
HISTORY_DIRS = {"adr", "adrs", "decisions", "changelog", "changelogs", "releases", "release-notes"}


def history_file(path: str) -> bool:
    """CHANGELOG.md, HISTORY.rst, NEWS, an earlier `X_REMOVAL_REPORT.md`, a file under `adr/`."""
    parts = path.lower().split("/")
    return bool(HISTORY_NAMES.fullmatch(parts[-1])) or bool(HISTORY_DIRS.intersection(parts[:-1]))


def kind_of(path: str, compose_files: set[str]) -> str:
    p = PurePosixPath(path)
    if path in compose_files or ("compose" in p.name and p.suffix in (".yml", ".yaml")):
        return "compose"
    if p.suffix in CODE:
        return "code"
    if p.suffix in DOCS and not PINS.fullmatch(p.name):
        return "docs"
    if p.suffix in SCRIPTS or p.name in SCRIPT_NAMES:
        return "script"
    return "config"


PINS = re.compile(r"(?i)(?:requirements|constraints)[\w.-]*\.txt|CMakeLists\.txt")


def group_of(path: str, kind: str) -> str:
    """Which part of "Mentions left" a row belongs to: `history` (records of what happened,
    never rewritten: `history_file`), `docs`, or `live` (code, config, scripts, compose: what
    still runs or configures something)."""
    if history_file(path):
        return "history"
    return "docs" if kind == "docs" else "live"


def service_mentions(
    services: Iterable[Any], removed: Collection[tuple[str, str]], root_folder: str
) -> tuple[list[str], list[str]]:
    """The container names of the removed services and the images only they use, from
    compose facts (`ServiceFact`): what `find_references` takes as `containers` and `images`."""
    gone = set(removed)
    containers: list[str] = []
    users: dict[str, set[tuple[str, str]]] = {}
    for fact in services:
        key = (fact.file, fact.service)
        if key in gone:
            containers += container_names(fact.file, fact.service, fact.container_name, root_folder)
        if fact.image:
            users.setdefault(fact.image, set()).add(key)
    images = sorted(image for image, who in users.items() if who <= gone)
    return list(dict.fromkeys(containers)), images
