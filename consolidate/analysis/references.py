"""Every other mention of a component and of the files a removal deletes: file, line, kind."""

from __future__ import annotations

import bisect
import itertools
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
PLAIN = re.compile(r"[\w./-]+")
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
    words = sorted({n.lower() for n in names}, key=len, reverse=True)
    # Names of path and module characters only (nearly always): the pattern starts with the
    # names, which the regex engine finds fast, and what precedes a match is checked after.
    plain = all(PLAIN.fullmatch(w) for w in words)
    pattern = re.compile(
        ("" if plain else r"(?<![\w./-])")
        + "(?:"
        + "|".join(re.escape(w) for w in words)
        + r")(?![\w-])"
    )
    needles = minimal({w.encode() for w in words})
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
        found += [
            {"path": path, "line": number, "kind": kind, "text": line.strip()[:200]}
            for number, line in matching_lines(pattern, text, check_before=plain)
        ]
    return found


def matching_lines(
    pattern: re.Pattern[str], text: str, *, check_before: bool
) -> list[tuple[int, str]]:
    """(1-based number, line) of each line where `pattern` matches the lower-cased text, by
    one search of the whole text; with `check_before`, a match right after a path or module
    character does not count (`self.emails`, `x/emails`)."""
    lowered = text.lower()
    matches = [
        m.start()
        for m in pattern.finditer(lowered)
        if not (check_before and m.start() and PLAIN.match(lowered, m.start() - 1))
    ]
    if not matches:
        return []
    lines = lowered.splitlines(keepends=True)  # lower() changes no line break: same lines
    ends = list(itertools.accumulate(len(line) for line in lines))
    numbers = dict.fromkeys(bisect.bisect_right(ends, at) for at in matches)
    original = text.splitlines()
    return [(n + 1, original[n]) for n in numbers if n < len(original)]


def minimal(needles: set[bytes]) -> list[bytes]:
    """The needles no shorter one is part of: a file that holds `backend/pkg3/__init__.py`
    holds `pkg3` too, so the first filter needs to look for `pkg3` only."""
    ordered = sorted(needles, key=len)
    kept: list[bytes] = []
    for needle in ordered:
        if not any(k in needle for k in kept):
            kept.append(needle)
    return kept


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
