"""The investigation cache: one commit's investigation is computed once, then read back by
`investigate`, `plan`, `run --dry-run` and `run` (issue 17).

Entries live in the user's cache folder (`$XDG_CACHE_HOME/consolidate`, else
`~/.cache/consolidate`), never in the repository, so a dry run still leaves it untouched;
one folder per repository (by its git directory's path), a few recent entries each.

An entry's key is everything the investigation reads: the commit id of HEAD (not only its tree:
ages and authors come from history), what was asked (the command, the component's name, its
files, services and the other arguments), the hashes of the configuration files read from the
work tree (`pyproject.toml`, `.consolidate.toml`), today's date (ages) and the tool's version.
The cache is not used at all when a tracked file differs from HEAD (the investigation reads
every tracked file), when HEAD does not exist, or under `--no-cache`. A corrupt, unreadable or
half-written entry is computed again with a warning, never an error; a write that fails is a
warning too.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from consolidate import __version__
from consolidate.analysis import tuning
from consolidate.analysis.plain import as_read_back
from consolidate.gitio import Git
from consolidate.logs import get_logger

log = get_logger()
CONFIG_FILES = ("pyproject.toml", ".consolidate.toml")
KEPT = 16  # entries kept per repository, the most recently used
FORMAT = 2  # 2: a header line, then the body's bytes


def cached(
    git: Git, kind: str, asked: dict[str, Any], date: str, compute: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """`compute()`, or what it returned before for the same key."""
    key = cache_key(git, kind, asked, date)
    if key is None:
        return tuning.keep(compute())
    path = folder(git) / f"{key}.json"
    found = _load(path, key)
    if found is not None:
        log.debug("investigation read from the cache", entry=str(path))
        return tuning.keep(found)
    computed = tuning.keep(compute())
    body = as_read_back(computed)  # reading it back gives `computed` itself
    if body is None:  # a tuple, a path, a float: what a later run reads back is another thing
        body = json.dumps(computed, default=str).encode()
        computed = tuning.keep(json.loads(body))
    _store(path, key, body)
    return computed


def cache_key(git: Git, kind: str, asked: dict[str, Any], date: str) -> str | None:
    """The entry's name, or None when the cache must not be used for this repository now."""
    if not tuning.CURRENT.cache:
        return None
    head = git.head()
    if head is None or git.dirty_paths():
        return None
    material = {
        "format": FORMAT,
        "version": __version__,
        "head": head.commit,
        "kind": kind,
        "asked": asked,
        "date": date,
        "config": {name: _hash(git.root / name) for name in CONFIG_FILES},
    }
    text = json.dumps(material, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def folder(git: Git) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    repository = hashlib.sha256(str(git.git_dir.resolve()).encode()).hexdigest()[:16]
    return Path(base) / "consolidate" / repository


def _load(path: Path, key: str) -> dict[str, Any] | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("cache entry unreadable; investigating again", entry=str(path), error=str(exc))
        return None
    head, _, body = raw.partition(b"\n")
    try:
        entry = json.loads(head)
        ok = entry["key"] == key and entry["checksum"] == _checksum(body)
        found = json.loads(body) if ok else None
    except (ValueError, KeyError, TypeError):
        found = None
    if not isinstance(found, dict):
        log.warning("cache entry damaged; investigating again", entry=str(path))
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept longer
    return found


def _store(path: Path, key: str, body: bytes) -> None:
    """Write the entry atomically (a reader sees the old entry or the new one, never half),
    then drop the least recently used beyond KEPT. An entry is a line of JSON (the key and
    the body's checksum), then the body: the investigation's JSON, checked as bytes, so
    neither writing nor reading it serializes the investigation a second time."""
    temporary: str | None = None
    try:
        head = json.dumps({"key": key, "checksum": _checksum(body)}).encode()
        data = head + b"\n" + body
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".entry-", suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
        _prune(path.parent)
    except OSError as exc:
        log.warning("cache entry not written", entry=str(path), error=str(exc))
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _prune(directory: Path) -> None:
    entries = sorted(directory.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEPT:]:
        with contextlib.suppress(OSError):
            old.unlink()


def _checksum(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
