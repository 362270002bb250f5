"""Git facts for the files of a removal, from one pass over history (one `git log
--name-only` for all of them, never a git call per file, so shallow and partial clones work),
the pathspecs that read some files' history (`pathspecs`), and whether that reads less than
the whole history (`reads_less`)."""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Collection, Iterable
from typing import Any

from consolidate.gitio import Git, LogEntry
from consolidate.globs import folders_of

PATHSPECS = 64  # the most a history of some files is asked with (`pathspecs`)


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
    if entries is None:
        entries = git.log_all(pathspecs(paths)) if paths else []
    for entry in entries:
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


def reads_less(specs: list[str], tracked: Collection[str]) -> bool:
    """Whether `git log` of the pathspecs `specs` reads fewer tree entries than the whole
    history, as far as the tracked files tell. A change to a file has git read its folder's
    tree, as many entries as the folder has files (the trees above are small beside it):
    once in the whole history, twice through a pathspec that holds it (to see whether the
    commit touches the pathspec, then for the names), and hardly at all when the pathspec
    is beside it. Files are taken to change alike. On the benchmark repository the history
    of its frontend, one folder of 8,000 files, takes 1.1 s through a pathspec and the whole
    history 0.72 s; that of its backend, 240 folders of 50 files, 0.14 s."""
    files = Counter(path.rpartition("/")[0] for path in tracked)
    wanted = set(specs)
    whole = sum(n * n for n in files.values())
    mine = sum(
        n * n
        for folder, n in files.items()
        if folder in wanted or any(f in wanted for f in folders_of(folder))
    )
    return 2 * mine < whole


def pathspecs(paths: Collection[str], most: int = PATHSPECS) -> list[str] | None:
    """At most `most` pathspecs that hold every one of `paths`: the paths, or, while there
    are more, the deepest of them replaced by their folders (git matches each entry of each
    tree it reads against every pathspec). None when only the whole repository will do (more
    than `most` top-level entries)."""
    specs = set(paths)
    while len(specs) > most:
        deepest = max(p.count("/") for p in specs)
        if not deepest:
            return None
        specs = {p.rpartition("/")[0] if p.count("/") == deepest else p for p in specs}
        specs = {p for p in specs if not any(f in specs for f in folders_of(p))}
    return sorted(specs)
