"""Every other mention of a component and of the files a removal deletes: file, line, kind."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath
from typing import Any

from consolidate.analysis.frameworks.base import CODE_SUFFIXES, Project
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
) -> list[dict[str, Any]]:
    """Lines outside the removal that name the component or a removed file (by path, by
    dotted module path, or by a file name no remaining file shares)."""
    paths = list(paths)
    names = {component} | set(removed) | distinct_names(paths, removed)
    names |= load_names(paths, removed, component)
    words = sorted(names, key=len, reverse=True)
    pattern = re.compile(
        r"(?<![\w./-])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w-])",
        re.IGNORECASE,
    )
    needles = [w.lower().encode() for w in words]
    skip = set(removed) | set(skip)
    found: list[dict[str, Any]] = []
    for path in paths:
        data = None if path in skip else read(path)
        if not data or len(data) > MAX_SCAN_BYTES or b"\0" in data[:4096]:
            continue
        lowered = data.lower()
        if not any(n in lowered for n in needles):
            continue
        kind = kind_of(path, compose_files)
        text = data.decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if pattern.search(line):
                found.append(
                    {"path": path, "line": number, "kind": kind, "text": line.strip()[:200]}
                )
    return found


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


def kind_of(path: str, compose_files: set[str]) -> str:
    p = PurePosixPath(path)
    if path in compose_files or ("compose" in p.name and p.suffix in (".yml", ".yaml")):
        return "compose"
    if p.suffix in CODE:
        return "code"
    if p.suffix in DOCS:
        return "docs"
    if p.suffix in SCRIPTS or p.name in SCRIPT_NAMES:
        return "script"
    return "config"
