"""Playbook file patterns: paths, folders and globs matched against tracked files."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from consolidate.errors import Refusal


@lru_cache(maxsize=256)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """`**` crosses folders, `*` and `?` do not, `[...]` is a class; a folder means its files."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 1 :]:
            end = pattern.index("]", i + 1)
            body = pattern[i + 1 : end].replace("\\", "\\\\")
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + "(?:/.*)?")


def expand(patterns: list[str], tracked: list[str], *, what: str = "files") -> list[str]:
    """Every tracked path a pattern names; a pattern that names nothing is an error."""
    matched: dict[str, None] = {}
    for raw in patterns:
        pattern = raw.strip().rstrip("/").removeprefix("./")
        regex = compile_glob(pattern)
        hits = [path for path in tracked if regex.fullmatch(path)]
        if not hits:
            raise Refusal(
                f"{what}: {raw!r} matches no file git tracks",
                "check the path (untracked files are never removed)",
            )
        matched.update(dict.fromkeys(hits))
    return sorted(matched)


def folders_of(path: str) -> Iterator[str]:
    """The folders `path` is in, the nearest first (`a/b/c.py`: `a/b`, `a`)."""
    while "/" in path:
        path = path.rsplit("/", 1)[0]
        yield path
