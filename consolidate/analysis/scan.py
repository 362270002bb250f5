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
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from consolidate.analysis import pyimports, tsimports
from consolidate.analysis.uses import Use

MAX_BYTES = 4 * 1024 * 1024  # larger files are data, not code or docs: not read
PY_SUFFIXES = (".py", ".pyi")
PARALLEL_FROM = 4000
CHUNKS_PER_WORKER = 8  # below this many code files, starting workers costs more than it saves
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
    return Pending(snapshot, workers).scans()


def scan(snapshot: Snapshot, *, workers: int | None = None) -> Scanned:
    return Pending(snapshot, workers).result()


class Pending:
    """A scan started on worker processes; the caller does other work, then `result()`.

    The code files go out in small chunks. When the caller comes back, the chunks no worker
    has picked up yet are taken back and scanned here, so the main process's time is not
    spent waiting while there is work left (work stealing, without a second queue).
    """

    def __init__(self, snapshot: Snapshot, workers: int | None = None) -> None:
        self.snapshot = snapshot
        self.code = [p for p in snapshot.paths if language(p) and p in snapshot.data]
        # As many workers as cores (this process does its own work meanwhile, then scans
        # what they have not started): measured faster than one worker fewer on 2 cores.
        count = workers or min(os.cpu_count() or 1, 4)
        chosen = workers is not None  # --jobs N: that many, whatever the repository's size
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[Future[list[tuple[str, object]]]] = []
        self.chunks: list[list[str]] = []
        self.stolen = 0  # chunks this process scanned itself
        if (
            count < 2
            or (len(self.code) < PARALLEL_FROM and not chosen)
            or not self.code
            or "fork" not in multiprocessing.get_all_start_methods()
        ):
            return
        _DATA.clear()
        _DATA.update(snapshot.data)  # what the forked workers see
        context = multiprocessing.get_context("fork")
        self.pool = ProcessPoolExecutor(max_workers=count, mp_context=context)
        pieces = count * CHUNKS_PER_WORKER
        self.chunks = [self.code[i::pieces] for i in range(pieces)]
        self.futures = [self.pool.submit(_scan_chunk, chunk) for chunk in self.chunks]

    def _gather(self) -> list[tuple[str, object]]:
        if self.pool is None:
            _DATA.clear()
            _DATA.update(self.snapshot.data)
            try:
                return _scan_chunk(self.code)
            finally:
                _DATA.clear()
        out: list[tuple[str, object]] = []
        try:
            # The last chunks are the least likely to have started.
            for future, chunk in reversed(list(zip(self.futures, self.chunks, strict=True))):
                if future.cancel():
                    out += _scan_chunk(chunk)
                    self.stolen += 1
            for future in self.futures:
                if not future.cancelled():
                    out += future.result()
        finally:
            self.pool.shutdown(cancel_futures=True)
            _DATA.clear()
        return out

    def scans(self) -> Scans:
        found = dict(self._gather())
        results = [(p, found[p]) for p in self.code]  # one order, whoever scanned what
        py = {p: s for p, s in results if isinstance(s, pyimports.PyScan)}
        ts = {p: s for p, s in results if isinstance(s, tsimports.TsScan)}
        return Scans(py, ts)

    def result(self) -> Scanned:
        scans = self.scans()
        uses = scans.resolve(self.snapshot.paths, self.snapshot.read)
        guards = sorted(p for p, s in scans.py.items() if s.main_guard)
        return Scanned(uses, guards, [*scans.py, *scans.ts])
