"""`git log` for the history facts: its arguments, its output, and which pathspecs to ask.

One `git log --name-only --no-renames` gives every commit's changed paths (never a git call
per file, never per-commit stats), so it works on shallow and partial clones, where old blobs
may be missing. The history of some files is asked through a few pathspecs (`pathspecs`),
when that reads fewer trees than the whole history (`reads_less`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass

PATHSPECS = 64  # the most a history of some files is asked with (`pathspecs`)


@dataclass(frozen=True)
class LogEntry:
    commit: str
    timestamp: int
    author: str
    paths: tuple[str, ...]


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
        specs = {p for p in specs if not any(f in specs for f in _folders_above(p))}
    return sorted(specs)


def _folders_above(path: str) -> Iterator[str]:
    at = path.find("/")
    while at >= 0:
        yield path[:at]
        at = path.find("/", at + 1)


def log_args(specs: list[str] | None = None) -> list[str]:
    # With pathspecs, `--full-history` lists each commit that changes them, as the whole log
    # does, also on a branch whose merge kept the other side's version (git's default skips
    # it). A pathspec is a path, never a pattern, and `log.follow` would follow one file
    # across renames.
    limit = ["--full-history", "--", *specs] if specs else []
    # git's cache of delta bases defaults to 96 MB; 16 MB keeps `git log` of a 5,000-commit
    # history at 43 MB instead of 128 MB, about 5% slower.
    options = ["-c", "core.deltaBaseCacheLimit=16m", "-c", "log.follow=false"]
    return [
        *options,
        "--literal-pathspecs",
        "log",
        "--no-renames",
        "--name-only",
        "-z",
        "--format=%x01%H %at %aN",
        *limit,
    ]


def parse_log(out: str) -> list[LogEntry]:
    entries: list[LogEntry] = []
    for record in out.split("\x01")[1:]:
        header, _, rest = record.partition("\n")
        commit, stamp, author = header.strip("\0").split(" ", 2)
        paths = tuple(p.strip("\n") for p in rest.split("\0") if p.strip("\n"))
        entries.append(LogEntry(commit, int(stamp), author, paths))
    return entries


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
        if folder in wanted or any(f in wanted for f in _folders_above(folder))
    )
    return 2 * mine < whole
