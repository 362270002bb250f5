"""What the validate commands wrote in the work tree, found again after a kill (issue 15).

Before the first command starts, every path git does not track (untracked and ignored alike)
is recorded with its size and mtime (`snapshot`, kept as a journal blob). Afterwards
(`sweep`, at a rollback or before a resumed validation runs its commands again):

- a path that was not there and whose inode changed before the commands stopped (their last
  heartbeat, or the moment recovery killed what was left of them) is theirs: it is removed,
  with the folders that held only such paths;
- a path that was not there but appeared after that moment is somebody else's: it stays, and
  is named;
- a path that was there and has another size or mtime now was changed by the commands (an
  ignored `.pyc`, a SQLite file): its earlier bytes were never saved, so it cannot be put
  back. It is named, never claimed identical.
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from consolidate.gitio import Git
from consolidate.journal import Store
from consolidate.validate.commands import Recorded, end_group
from consolidate.workspace import prune_parents

SLACK = 0.5  # seconds: file times are coarser than the clock the heartbeat is read with


@dataclass
class Swept:
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    later: list[str] = field(default_factory=list)

    def warnings(self) -> list[str]:
        out = []
        if self.changed:
            out.append(
                f"{_count(self.changed)} the validate commands changed, left as they are"
                f" (their earlier bytes were not saved): {_listed(self.changed)}"
            )
        if self.later:
            out.append(
                f"{_count(self.later)} that appeared after the run stopped, left in place:"
                f" {_listed(self.later)}"
            )
        return out


def record_path(store: Store) -> Path:
    return store.command_path


def snapshot(git: Git, store: Store) -> dict[str, Any]:
    """The prior state of every untracked path, as a blob; and when it was taken."""
    stats = {path: _stat(git.root / path) for path in git.untracked_files()}
    digest = store.put_blob(json.dumps(stats, sort_keys=True).encode())
    with contextlib.suppress(FileNotFoundError):
        record_path(store).unlink()  # a command record from an earlier attempt is stale
    return {"snapshot": digest, "snapshot_at": time.time()}


def load(store: Store, prior: dict[str, Any]) -> dict[str, list[int] | None] | None:
    digest = prior.get("snapshot")
    if digest:
        loaded: dict[str, list[int] | None] = json.loads(store.get_blob(digest))
        return loaded
    older = prior.get("untracked_before")  # journals written before snapshots had stats
    return None if older is None else {path: None for path in older}


def changed(git: Git, before: dict[str, list[int] | None], keep: set[str]) -> list[str]:
    """Paths that were there before the commands and differ now (or are gone)."""
    out = []
    for path, stat in sorted(before.items()):
        if path not in keep and stat is not None and _stat(git.root / path) != stat:
            out.append(path)
    return out


def sweep(git: Git, store: Store, prior: dict[str, Any], keep: set[str]) -> Swept:
    """Kill what is left of the commands, then remove the files they created (see above)."""
    swept = Swept()
    killed_at = end_group(record_path(store))
    before = load(store, prior)
    if before is None:
        return swept
    recorded = Recorded.read(record_path(store))
    until = max(
        float(prior.get("snapshot_at", 0.0)),
        recorded.beat if recorded else 0.0,
        killed_at or 0.0,
    )
    for path in git.untracked_files():
        if path in before or path in keep:
            continue
        full = git.root / path
        try:
            made = full.lstat().st_ctime
        except FileNotFoundError:
            continue
        if made <= until + SLACK:
            full.unlink()
            prune_parents(git.root, path)
            swept.removed.append(path)
        else:
            swept.later.append(path)
    swept.changed = changed(git, before, keep)
    return swept


def _stat(full: Path) -> list[int] | None:
    try:
        st = full.lstat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _count(paths: list[str]) -> str:
    return f"{len(paths)} file{'s' if len(paths) != 1 else ''}"


def _listed(paths: list[str], shown: int = 10) -> str:
    more = f" and {len(paths) - shown} more" if len(paths) > shown else ""
    return ", ".join(paths[:shown]) + more
