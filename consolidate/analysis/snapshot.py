"""Every tracked file's bytes, read once and kept in one buffer.

The buffer is what the framework plugins search (`Corpus`: the files' bytes NUL-separated,
grouped by extension, path order in a group), so the bytes are held once, not once per file
and again for the search. A file's bytes are a slice of it (`Snapshot.read`). Worker
processes forked after the read see the buffer without copying it: one object, whose pages
they only read, where a dict of 20,000 bytes objects had every page written by the workers'
reference counts, and so copied into each of them.

From READ_APART_FROM files on, a forked child sizes half of the files and reads those after
this process's share of them into the same (shared) memory, while this process sizes the other
half and reads its share: the time is in system calls, which two processes share. The caller
may do work of its own while the child reads (`Snapshot.reading`). The searches of the whole
buffer go through the C library's `memmem` where there is one (`Corpus.holding`).
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import mmap
import os
import stat
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from consolidate.analysis.forked import Forked

MAX_BYTES = 4 * 1024 * 1024  # larger files are data, not code or docs: not read
READ_APART_FROM = 2000  # files; below, forking a reader costs more than it saves
SEARCH_IN_C_FROM = 1 << 20  # bytes searched at once; below, `bytes.find` is as fast


def extension(path: str) -> str:
    """What follows the last `.` of the file name, or "" (`Dockerfile`)."""
    name = path.rpartition("/")[2]
    return name.rpartition(".")[2] if "." in name else ""


@dataclass(frozen=True)
class Corpus:
    """Non-empty files' bytes joined with NUL, in (extension, path) order: file i is
    `blob[starts[i]:starts[i + 1] - 1]`; `spans[extension]` is (first, last + 1) of its files."""

    blob: bytes | bytearray | mmap.mmap  # never changed
    starts: list[int]
    paths: list[str]
    spans: dict[str, tuple[int, int]]
    view: memoryview = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "view", memoryview(self.blob))

    def file(self, i: int) -> bytes:
        """The bytes of file `i`, a copy of its slice."""
        return self.view[self.starts[i] : self.starts[i + 1] - 1].tobytes()

    @classmethod
    def join(cls, files: Mapping[str, bytes]) -> Corpus:
        parts: list[bytes] = []
        starts: list[int] = []
        kept: list[str] = []
        spans: dict[str, tuple[int, int]] = {}
        offset = 0
        for path in sorted(files, key=lambda p: (extension(p), p)):
            data = files[path]
            if data:
                first, _ = spans.get(extension(path), (len(kept), 0))
                spans[extension(path)] = (first, len(kept) + 1)
                kept.append(path)
                parts.append(data)
                starts.append(offset)
                offset += len(data) + 1
        starts.append(offset)  # the end of the last file
        return cls(b"\0".join(parts), starts, kept, spans)

    @classmethod
    def laid_out(
        cls,
        buffer: bytearray | mmap.mmap,
        paths: list[str],
        sizes: Mapping[str, int],
        kinds: Mapping[str, str],
    ) -> Corpus:
        """The corpus of `paths` (in (extension, path) order, none empty, of these sizes and
        extensions) whose bytes `buffer` already holds that way."""
        starts: list[int] = []
        spans: dict[str, tuple[int, int]] = {}
        offset = 0
        for i, path in enumerate(paths):
            starts.append(offset)
            offset += sizes[path] + 1
            kind = kinds[path]
            first, _ = spans.get(kind, (i, 0))
            spans[kind] = (first, i + 1)
        starts.append(offset)
        return cls(buffer, starts, paths, spans)

    def holding(self, needle: bytes, first: int, last: int) -> Iterator[int]:
        """Which of files `first` to `last - 1` hold `needle`: one search through their
        bytes, skipping from a hit to the next file, without a Python loop per file."""
        if first >= last:
            return
        end = self.starts[last] - 1  # before the NUL after the last file
        at = self._find(needle, self.starts[first], end)
        while at >= 0:
            index = bisect.bisect_right(self.starts, at) - 1
            yield index
            at = self._find(needle, self.starts[index + 1], end)

    def _find(self, needle: bytes, start: int, end: int) -> int:
        """`blob.find(needle, start, end)`: through the C library's `memmem` where there is
        one, over SEARCH_IN_C_FROM bytes or more (twice as fast over source code: CPython's
        own search stops at every common last character of the needle)."""
        if end - start >= SEARCH_IN_C_FROM and needle and self._address is not None:
            memmem = _memmem()
            if memmem is not None:
                at = memmem(self._address + start, end - start, needle, len(needle))
                return at - self._address if at else -1
        return self.blob.find(needle, start, end)

    @functools.cached_property
    def _address(self) -> int | None:
        """Where the bytes are in memory (they never move: `view` holds them), for `memmem`;
        None for `bytes`, which gives no address without a copy, or no bytes."""
        if isinstance(self.blob, bytes) or not self.blob:
            return None
        import ctypes  # only here: a small repository's searches never need it

        return ctypes.addressof(ctypes.c_char.from_buffer(self.blob))


@functools.cache
def _memmem() -> Callable[[int, int, bytes, int], int | None] | None:
    """The C library's `memmem`, or None where there is none to call (Windows)."""
    try:
        import ctypes

        function = ctypes.CDLL(None).memmem
    except (ImportError, OSError, AttributeError, TypeError):
        return None
    function.restype = ctypes.c_void_p
    function.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t]
    return cast(Callable[[int, int, bytes, int], int | None], function)


class Snapshot:
    """The tracked files of `root` as they were read: `read(path)` is None for a file that
    was not (deleted since `git ls-files`, unreadable, larger than MAX_BYTES, not a file)."""

    def __init__(self, root: Path, paths: list[str], data: Mapping[str, bytes]) -> None:
        self.root = root
        self.paths = paths
        self.corpus = Corpus.join(data)
        self.index = {path: i for i, path in enumerate(self.corpus.paths)}
        self.empty = {path for path, content in data.items() if not content}

    def read(self, path: str) -> bytes | None:
        i = self.index.get(path)
        if i is None:
            return b"" if path in self.empty else None
        return self.corpus.file(i)

    def __contains__(self, path: str) -> bool:
        return path in self.index or path in self.empty

    def file_facts(self, path: str) -> dict[str, Any]:
        """`path`, its lines (a last line without a newline counts) and its bytes: counted in
        the buffer, without a copy of the file (0 and 0 for a file that was not read)."""
        i = self.index.get(path)
        if i is None:
            return {"path": path, "lines": 0, "bytes": 0}
        blob, start, end = self.corpus.blob, self.corpus.starts[i], self.corpus.starts[i + 1] - 1
        if isinstance(blob, mmap.mmap):  # which has no `count`: count in a copy of the file
            lines = self.corpus.file(i).count(b"\n")
        else:
            lines = blob.count(b"\n", start, end)
        lines += blob[end - 1] != 0x0A  # none is empty
        return {"path": path, "lines": lines, "bytes": end - start}

    @classmethod
    def take(
        cls,
        root: Path,
        paths: list[str],
        *,
        meanwhile: Callable[[], object] | None = None,
        share: float = 0.5,
    ) -> Snapshot:
        """Read `paths` straight into one buffer, sized from `lstat`: the bytes are never held
        twice (a file that changes size meanwhile is read again on its own). `meanwhile()`
        runs while a child reads what follows this process's `share` (`reading`)."""
        with cls.reading(root, paths, share=share) as reading:
            if meanwhile is not None:
                meanwhile()
        return reading.snapshot

    @classmethod
    @contextlib.contextmanager
    def reading(cls, root: Path, paths: list[str], *, share: float = 0.5) -> Iterator[Reading]:
        """`take`, with what runs inside the `with` done while a forked child reads the
        files after this process's `share` of them (from READ_APART_FROM files on; after
        the read otherwise); `snapshot` of what it gives holds the result once it has ended."""
        base, reading = str(root), Reading()
        apart = len(paths) >= READ_APART_FROM and hasattr(os, "fork")
        with _folder(base) as at:
            sizes = _sizes_apart(base, paths, at) if apart else _sizes(base, paths, at)
            kinds = {p: extension(p) for p in sizes if sizes[p]}
            order = sorted(kinds, key=lambda p: (kinds[p], p))
            # Zeros: the NULs between files, as `Corpus.join` puts them (none after the last).
            length = max(sum(sizes[p] + 1 for p in order) - 1, 0)
            # Shared with a reader child (anonymous memory is shared across `fork`, zeros).
            buffer = mmap.mmap(-1, length) if apart and length else bytearray(length)
            view = memoryview(buffer)
            if apart:
                with _filling_apart(view, base, order, sizes, at, share) as moved:
                    yield reading
            else:
                moved = _fill(view, base, order, sizes, at)
                yield reading
            view.release()
        if moved:  # rare: fall back to one read per file
            reading.taken = cls(root, paths, _read_each(base, sizes))
            return
        snapshot = reading.taken = cls.__new__(cls)
        snapshot.root, snapshot.paths = root, paths
        snapshot.empty = {p for p in sizes if not sizes[p]}
        snapshot.corpus = Corpus.laid_out(buffer, order, sizes, kinds)
        snapshot.index = {path: i for i, path in enumerate(order)}


class Reading:
    """What `Snapshot.reading` gives: the snapshot, once its `with` has ended."""

    taken: Snapshot | None = None

    @property
    def snapshot(self) -> Snapshot:
        if self.taken is None:
            raise RuntimeError("the snapshot is there once the `with` has ended")
        return self.taken


@contextlib.contextmanager
def _folder(base: str) -> Iterator[int | None]:
    """A descriptor of the repository's folder, to open its files by their paths in it (the
    kernel does not walk the folders above it again for each one: 12 ms less on 21,000
    files); None where the OS opens no file relative to a folder, or it cannot be opened."""
    at = None
    if os.open in os.supports_dir_fd and os.stat in os.supports_dir_fd:
        with contextlib.suppress(OSError):
            at = os.open(base, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | os.O_CLOEXEC)
    try:
        yield at
    finally:
        if at is not None:
            os.close(at)


def _sizes(base: str, paths: list[str], at: int | None) -> dict[str, int]:
    """The size of each of `paths` that is a file (not a link) of at most MAX_BYTES."""
    sizes: dict[str, int] = {}
    for path in paths:
        try:
            info = os.lstat(path if at is not None else f"{base}/{path}", dir_fd=at)
        except OSError:
            continue  # deleted since `git ls-files`: nothing to scan
        if stat.S_ISREG(info.st_mode) and info.st_size <= MAX_BYTES:
            sizes[path] = info.st_size
    return sizes


def _sizes_apart(base: str, paths: list[str], at: int | None) -> dict[str, int]:
    """`_sizes`, the second half found by a forked child meanwhile."""
    rest = paths[len(paths) // 2 :]
    other = Forked(lambda: _size_list(base, rest, at))
    try:
        sizes = _sizes(base, paths[: len(paths) - len(rest)], at)
        sizes.update((p, size) for p, size in zip(rest, other.result(), strict=True) if size >= 0)
    finally:
        other.close()
    return sizes


def _size_list(base: str, paths: list[str], at: int | None) -> list[int]:
    """`_sizes` as a list, -1 where it has no entry: it crosses a pipe faster than a dict."""
    found = _sizes(base, paths, at)
    return [found.get(p, -1) for p in paths]


@contextlib.contextmanager
def _filling_apart(
    view: memoryview,
    base: str,
    order: list[str],
    sizes: Mapping[str, int],
    at: int | None,
    share: float,
) -> Iterator[set[str]]:
    """`_fill`: this process reads the first `share` of the files (by a guess at the cost: a
    page per file, plus its bytes), and a forked child the rest into the same (shared)
    memory, `view`, while the `with` runs; the set it gives is `_fill`'s once it has ended."""
    costs = [sizes[p] + 4096 for p in order]
    mine, spent, middle = sum(costs) * share, 0, 0
    while middle < len(order) and spent < mine:
        spent += costs[middle]
        middle += 1
    offset = sum(sizes[p] + 1 for p in order[:middle])
    other = Forked(lambda: _fill(view[offset:], base, order[middle:], sizes, at))
    try:
        moved = _fill(view[:offset], base, order[:middle], sizes, at)
        yield moved
        moved |= other.result()
    finally:
        other.close()


def _fill(
    view: memoryview, base: str, order: list[str], sizes: Mapping[str, int], at: int | None
) -> set[str]:
    """Read each of `order` into its place in `view` (its size, then one NUL); return those
    whose size is not the one `lstat` gave (changed meanwhile) or that could not be read.

    Where the OS has `readv`, a file is read with bare descriptor calls, one `readv` into its
    slice and one spare byte (a file that grew fills it): a third less time than a Python file
    object per file, on 20,000 files."""
    if not hasattr(os, "readv"):  # Windows
        return _fill_with_files(view, base, order, sizes)
    moved: set[str] = set()
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)
    spare, offset = bytearray(1), 0
    for path in order:
        size = sizes[path]
        try:
            fd = os.open(path if at is not None else f"{base}/{path}", flags, dir_fd=at)
            try:
                if os.readv(fd, [view[offset : offset + size], spare]) != size:
                    moved.add(path)
            finally:
                os.close(fd)
        except OSError:
            moved.add(path)
        offset += size + 1
    return moved


def _fill_with_files(
    view: memoryview, base: str, order: list[str], sizes: Mapping[str, int]
) -> set[str]:
    """`_fill` through Python file objects."""
    moved: set[str] = set()
    offset = 0
    for path in order:
        size = sizes[path]
        try:
            with open(f"{base}/{path}", "rb") as handle:
                if handle.readinto(view[offset : offset + size]) != size or handle.read(1):
                    moved.add(path)
        except OSError:
            moved.add(path)
        offset += size + 1
    return moved


def _read_each(base: str, sizes: Mapping[str, int]) -> dict[str, bytes]:
    data: dict[str, bytes] = {}
    for path in sizes:
        try:
            with open(f"{base}/{path}", "rb") as handle:
                data[path] = handle.read(MAX_BYTES + 1)
        except OSError:
            continue  # unreadable: nothing to scan
        if len(data[path]) > MAX_BYTES:
            del data[path]  # it grew past the limit
    return data
