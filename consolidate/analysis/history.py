"""Git facts for the files of a removal, from one pass over history (`consolidate.gitlog`:
one `git log --name-only` for all of them, never a git call per file)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection, Iterable
from typing import Any

from consolidate.gitio import Git, LogEntry


def history(
    git: Git,
    paths: list[str],
    files: list[dict[str, Any]],
    date: str,
    component: Collection[str] | None = None,
    entries: Iterable[LogEntry] | None = None,
) -> dict[str, Any]:
    """Fill each of `files` with first/last commit day, commits and authors; return the
    facts of `component` (default: all of `paths`): its age in days counts from its first
    commit to `date`."""
    counted = set(paths if component is None else component)
    per_file: dict[str, list[int]] = {p: [] for p in paths}
    file_authors: dict[str, set[str]] = {p: set() for p in paths}
    authors: set[str] = set()
    stamps: list[int] = []
    for entry in git.log(paths) if entries is None else entries:
        touched = [p for p in entry.paths if p in per_file]
        for p in touched:
            per_file[p].append(entry.timestamp)
            file_authors[p].add(entry.author)
        if any(p in counted for p in touched):
            authors.add(entry.author)
            stamps.append(entry.timestamp)
    for f in files:
        seen = per_file.get(f["path"], [])
        f["commits"] = len(seen)
        f["first"] = day(min(seen)) if seen else None
        f["last"] = day(max(seen)) if seen else None
        f["authors"] = sorted(file_authors.get(f["path"], ()))
    if not stamps:
        return {"commits": 0}
    first = day(min(stamps))
    age = (dt.date.fromisoformat(date) - dt.date.fromisoformat(first)).days
    return {
        "first": first,
        "last": day(max(stamps)),
        "commits": len(stamps),
        "authors": sorted(authors),
        "age_days": age,
    }


@functools.lru_cache(maxsize=1 << 14)  # asked twice per file, of a few thousand commits
def day(stamp: int) -> str:
    return dt.datetime.fromtimestamp(stamp, dt.UTC).date().isoformat()


def today(epoch: str | None) -> str:
    """The run's date: SOURCE_DATE_EPOCH when set (reproducible runs), else local today."""
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date().isoformat()
    return dt.date.today().isoformat()
