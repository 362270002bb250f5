"""Read every tracked file once and find its imports, on both cores when that pays.

The bytes stay in memory (`Snapshot.read`) so the references pass and the compose and entry
point readers never touch the disk again. Worker processes are forked after the bytes are
read, so they see them without copying them through a pipe; only the small scan results come
back.
"""

from __future__ import annotations

import multiprocessing
import os
import stat
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from consolidate.analysis import pyimports, tsimports
from consolidate.analysis.uses import Use

MAX_BYTES = 4 * 1024 * 1024  # larger files are data, not code or docs: not read
PY_SUFFIXES = (".py", ".pyi")
PARALLEL_FROM = 4000  # below this many code files, starting workers costs more than it saves
_DATA: dict[str, bytes] = {}  # what forked workers read


@dataclass
class Snapshot:
    root: Path
    paths: list[str]
    data: dict[str, bytes] = field(default_factory=dict)

    def read(self, path: str) -> bytes | None:
        return self.data.get(path)

    @classmethod
    def take(cls, root: Path, paths: list[str]) -> Snapshot:
        snap = cls(root, paths)
        base = str(root)
        for path in paths:
            full = f"{base}/{path}"
            try:
                info = os.lstat(full)
                if stat.S_ISREG(info.st_mode) and info.st_size <= MAX_BYTES:
                    with open(full, "rb") as handle:
                        snap.data[path] = handle.read()
            except OSError:
                continue  # deleted since `git ls-files`, or unreadable: nothing to scan
        return snap


@dataclass
class Scanned:
    uses: list[Use]
    main_guards: list[str]
    code_files: list[str]


def language(path: str) -> str | None:
    if path.endswith(PY_SUFFIXES):
        return "py"
    if path.endswith(tsimports.TS_SUFFIXES):
        return "ts"
    return None


def _scan_chunk(paths: list[str]) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    for path in paths:
        data = _DATA.get(path, b"")
        scanner = pyimports.scan_file if language(path) == "py" else tsimports.scan_file
        out.append((path, scanner(path, data)))
    return out


@dataclass
class Scans:
    py: dict[str, pyimports.PyScan]
    ts: dict[str, tsimports.TsScan]

    def resolve(self, paths: list[str], read: Callable[[str], bytes | None]) -> list[Use]:
        """The imports, resolved against the repository `paths` (as they are, or will be)."""
        uses = pyimports.resolve_python(self.py, paths)
        return uses + tsimports.resolve_ts(self.ts, paths, read)


def scan_files(snapshot: Snapshot, *, workers: int | None = None) -> Scans:
    code = [p for p in snapshot.paths if language(p) and p in snapshot.data]
    results = dict(_scan_all(snapshot, code, workers))
    py = {p: s for p, s in results.items() if isinstance(s, pyimports.PyScan)}
    ts = {p: s for p, s in results.items() if isinstance(s, tsimports.TsScan)}
    return Scans(py, ts)


def scan(snapshot: Snapshot, *, workers: int | None = None) -> Scanned:
    scans = scan_files(snapshot, workers=workers)
    uses = scans.resolve(snapshot.paths, snapshot.read)
    guards = sorted(p for p, s in scans.py.items() if s.main_guard)
    return Scanned(uses, guards, [*scans.py, *scans.ts])


def _scan_all(
    snapshot: Snapshot, code: list[str], workers: int | None
) -> Iterable[tuple[str, object]]:
    count = workers or min(os.cpu_count() or 1, 4)
    if (
        count < 2
        or len(code) < PARALLEL_FROM
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        _DATA.clear()
        _DATA.update(snapshot.data)
        try:
            return _scan_chunk(code)
        finally:
            _DATA.clear()
    chunks = [code[i :: count * 4] for i in range(count * 4)]
    _DATA.clear()
    _DATA.update(snapshot.data)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
            return [item for part in pool.map(_scan_chunk, chunks) for item in part]
    finally:
        _DATA.clear()
