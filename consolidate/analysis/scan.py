"""Find every code file's imports and resolve them, on both cores when that pays.

The files' bytes are read once (`snapshot.Snapshot`) and stay in memory, so the plugins, the
references pass and the compose and entry point readers never touch the disk again. Worker
processes are forked after the read, so they see the bytes without copying them through a
pipe; each scans a file and resolves its imports in one pass, and only the resolved uses, as
tuples, come back.
"""

from __future__ import annotations

import gc
import marshal
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from consolidate.analysis import pyimports, strings, tsimports
from consolidate.analysis.forked import Crew
from consolidate.analysis.pyresolve import SYS_PATH_NEEDLES, ModuleIndex, PyResolver
from consolidate.analysis.snapshot import MAX_BYTES as MAX_BYTES
from consolidate.analysis.snapshot import Snapshot as Snapshot
from consolidate.analysis.uses import Use

PY_SUFFIXES = (".py", ".pyi")
PARALLEL_FROM = 4000  # below this many code files, starting workers costs more than it saves
# Or this many bytes of code, in fewer files: committed bundles and minified vendor scripts
# (a repository of 1,600 code files and 40 MB scanned 0.25 s faster on two workers than alone).
PARALLEL_BYTES = 8 * 1024 * 1024
# Each chunk is this share of the code files not yet handed out, per worker, down to SMALLEST
# files: the workers start on large chunks, and the last ones, which this process scans
# itself or waits for, are small (it waited 0.04 s for the last one a worker had taken on
# 21,308 files, against 0.07-0.08 s with 16 chunks of one size).
SHARE = 2
SMALLEST = 100
# What forked workers read: set before the fork, cleared after the scan.
_SHARED: list[_Shared] = []
_RESOLVERS: list[_Resolvers] = []  # made before the fork, or for the first file resolved


@dataclass
class _Shared:
    snapshot: Snapshot
    shaping: dict[str, pyimports.PyScan]  # the scans of the files that may change sys.path
    names: strings.Names | None  # what a string may name, when strings are looked for too
    index: ModuleIndex | None = None  # the Python modules, when made before from the paths


@dataclass
class Scanned:
    uses: list[Use]
    main_guards: list[str]
    code_files: list[str]
    strings: list[Use] = field(default_factory=list)  # the code files' `strings` uses, by path


def language(path: str) -> str | None:
    if path.endswith(PY_SUFFIXES):
        return "py"
    if path.endswith(tsimports.TS_SUFFIXES) or path.endswith(tsimports.SFC_SUFFIXES):
        return "ts"
    return None


def _scan_chunk(paths: list[str]) -> list[tuple[str, object]]:
    read = _SHARED[0].snapshot.read
    out: list[tuple[str, object]] = []
    for path in paths:
        data = read(path) or b""
        scanner = pyimports.scan_file if language(path) == "py" else tsimports.scan_file
        out.append((path, scanner(path, data)))
    return out


class _Resolvers:
    """What resolving one file's imports needs from the others: every path, and the scans of
    the Python files that can change `sys.path` (made once, before the fork)."""

    def __init__(self, shared: _Shared) -> None:
        paths = shared.snapshot.paths
        self.py = PyResolver(paths, shared.shaping, shared.index)
        self.ts = tsimports.TsResolver(paths, shared.snapshot.read)


# (path, has a `__main__` guard, its imports, its strings' uses), uses as tuples: tuples
# cross a pipe 8x faster than dataclasses, and the workers' results are what the main process
# waits for.
Flat = tuple[str, tuple[str, ...], int, str, bool, str]
Found = tuple[str, bool, list[Flat], list[Flat]]


def _flat(uses: list[Use]) -> list[Flat]:
    return [(u.source, u.targets, u.line, u.kind, u.certain, u.text) for u in uses]


def _resolve_packed(paths: list[str]) -> bytes | list[Found]:
    """`_resolve_chunk` as a worker hands it back: marshalled (plain tuples, lists, strings,
    numbers: 3x faster to write than a pickle, and read as fast), or as it is when it holds
    anything else."""
    found = _resolve_chunk(paths)
    try:
        return marshal.dumps(found)
    except ValueError:  # a subclass of str, say: pickled as before
        return found


def _resolve_chunk(paths: list[str]) -> list[Found]:
    """Scan `paths` and resolve their imports: one pass over each file, in a worker."""
    if not _RESOLVERS:
        _RESOLVERS.append(_Resolvers(_SHARED[0]))
    resolvers, read, names = _RESOLVERS[0], _SHARED[0].snapshot.read, _SHARED[0].names
    out: list[Found] = []
    for path in paths:
        data = read(path) or b""
        if language(path) == "py":
            scan = pyimports.scan_file(path, data)
            uses, guard = resolvers.py.uses(path, scan), scan.main_guard
        else:
            uses, guard = resolvers.ts.uses(path, tsimports.scan_file(path, data)), False
        named = strings.strings_of(path, data, names) if names is not None else []
        out.append((path, guard, _flat(uses), _flat(named)))
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
    return Pending(snapshot, workers, resolve=False).scans()


def chunks(code: list[str], workers: int) -> list[list[str]]:
    """`code` in chunks that shrink toward the end (SHARE, SMALLEST). The files are dealt out
    first, a stride apart, so that each chunk mixes folders and languages as the whole does."""
    stride = 64
    dealt = [path for start in range(stride) for path in code[start::stride]]
    out: list[list[str]] = []
    at = 0
    while at < len(dealt):
        size = max(SMALLEST, (len(dealt) - at) // (SHARE * workers))
        out.append(dealt[at : at + size])
        at += size
    return out


class Pending:
    """A scan started on worker processes; the caller does other work, then `result()`.

    The code files are cut in chunks that the workers (a `forked.Crew`) take one at a time.
    When the caller comes back, it takes the chunks left as well, so the main process's time
    is not spent waiting while there is work left.
    """

    def __init__(
        self,
        snapshot: Snapshot,
        workers: int | None = None,
        *,
        resolve: bool = True,
        names: strings.Names | None = None,
        index: ModuleIndex | None = None,
    ) -> None:
        self.snapshot = snapshot
        # Resolve where the file is scanned (`result`), or return the scans (`scans`); with
        # `names`, look for the strings that name files in the same pass (`Scanned.strings`).
        self.work = _resolve_chunk if resolve else _scan_chunk
        self.names = names if resolve else None
        self.index = index
        self.code = [p for p in snapshot.paths if language(p) and p in snapshot]
        # As many workers as cores (this process does its own work meanwhile, then scans
        # what they have not started): measured faster than one worker fewer on 2 cores.
        count = workers or min(os.cpu_count() or 1, 4)
        chosen = workers is not None  # --jobs N: that many, whatever the repository's size
        self.crew: Crew[Any] | None = None
        self.chunks: list[list[str]] = []
        self.stolen = 0  # chunks this process scanned itself
        if count < 2 or not (chosen or self._large()) or not self.code:
            return
        _share(snapshot, self.names, self.index)  # what the forked workers see
        if resolve:  # made once here, not in each worker (and here again for stolen chunks)
            _RESOLVERS.append(_Resolvers(_SHARED[0]))
        # What exists now lives to the end: the collector skips it, here and in the workers,
        # which then never write to those pages (copy on write) to walk them.
        gc.freeze()
        self.chunks = chunks(self.code, count)
        remote = _resolve_packed if resolve else self.work
        # Not `self` in the crew's function: a cycle through it would keep the module index
        # and the names (18 MB on 21,308 files) until the collector's next full pass.
        handed = self.chunks
        self.crew = Crew(lambda i: remote(handed[i]), len(handed), count)
        if not self.crew.forked:  # no fork here: one process, as for a small repository
            self.close()
            self.crew = None

    def _large(self) -> bool:
        """Whether starting workers pays without being asked for: enough files or bytes."""
        if len(self.code) >= PARALLEL_FROM:
            return True
        return sum(len(self.snapshot.read(p) or b"") for p in self.code) >= PARALLEL_BYTES

    def _gather(self) -> list[Any]:
        if self.crew is None:
            _share(self.snapshot, self.names, self.index)
            try:
                return self.work(self.code)
            finally:
                _share(None)
        try:
            # The chunks no worker has taken yet are scanned here (largest first, and the
            # small last ones by whoever is free first); then the workers' come back.
            done = self.crew.finish(lambda i: self.work(self.chunks[i]))
            self.stolen = self.crew.here
        finally:
            self.close()
        out: list[Any] = []
        for i in range(len(self.chunks)):
            found = done[i]
            out += marshal.loads(found) if isinstance(found, bytes) else found
        return out

    def close(self) -> None:
        """Stop the workers (the caller failed) and give the collector back what the fork
        froze; `result()` does this itself."""
        if self.crew is not None:
            self.crew.close()
            gc.unfreeze()
        _share(None)

    def scans(self) -> Scans:
        found = dict(self._gather())
        results = [(p, found[p]) for p in self.code]  # one order, whoever scanned what
        py = {p: s for p, s in results if isinstance(s, pyimports.PyScan)}
        ts = {p: s for p, s in results if isinstance(s, tsimports.TsScan)}
        return Scans(py, ts)

    def result(self) -> Scanned:
        """The imports, resolved: Python's by file and line, then TS/JS's."""
        found: dict[str, Found] = {f[0]: f for f in self._gather()}
        py = [p for p in self.code if language(p) == "py"]
        ts = [p for p in self.code if language(p) == "ts"]
        uses = [Use(*use) for group in (py, ts) for p in sorted(group) for use in found[p][2]]
        guards = sorted(p for p in py if found[p][1])
        named = [Use(*use) for p in sorted(self.code) for use in found[p][3]]
        return Scanned(uses, guards, [*py, *ts], named)


def _share(
    snapshot: Snapshot | None,
    names: strings.Names | None = None,
    index: ModuleIndex | None = None,
) -> None:
    """Set (or clear) what this process and the workers it forks next read."""
    _SHARED.clear()
    _RESOLVERS.clear()  # never a resolver made for another repository or an earlier state
    if snapshot is not None:
        _SHARED.append(_Shared(snapshot, _shaping(snapshot), names, index))


def _shaping(snapshot: Snapshot) -> dict[str, pyimports.PyScan]:
    """The scans of the Python files whose text names a `sys.path` change (the only part of
    other files' scans that resolving a file's imports reads): found in the joined bytes,
    scanned here once, before any worker starts."""
    corpus, found = snapshot.corpus, set()
    for needle in SYS_PATH_NEEDLES:
        for ext in ("py", "pyi"):
            first, last = corpus.spans.get(ext, (0, 0))
            found |= {corpus.paths[i] for i in corpus.holding(needle, first, last)}
    return {path: pyimports.scan_file(path, snapshot.read(path) or b"") for path in sorted(found)}
