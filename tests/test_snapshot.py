"""The snapshot reads every file once into one buffer and gives back each file's bytes."""

from __future__ import annotations

import mmap
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consolidate.analysis import forked as forked_module
from consolidate.analysis import snapshot as snapshot_module
from consolidate.analysis.forked import Forked
from consolidate.analysis.snapshot import MAX_BYTES, Corpus, Snapshot

FILES: dict[str, bytes] = {
    "a.py": b"import b\n",
    "b.py": b"",
    "pkg/c.ts": b'import "./d";\n',
    "pkg/d.ts": b"export const d = 1;\n",
    "bin/blob.dat": b"\x00\x01NUL inside\x00",
    "Dockerfile": b"FROM scratch\n",
    "notes.md": "\u00fcber \u2013 caf\u00e9\n".encode(),
    "lib/two.py": b"x = 1\ny = 2",
}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for rel, data in FILES.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    (tmp_path / "big.json").write_bytes(b"x" * (MAX_BYTES + 1))
    (tmp_path / "link.py").symlink_to("a.py")
    return tmp_path


def paths_of(tree: Path) -> list[str]:
    return sorted([*FILES, "big.json", "link.py", "gone.py"])


def test_every_file_reads_back_byte_for_byte(tree: Path) -> None:
    snap = Snapshot.take(tree, paths_of(tree))
    assert {p: snap.read(p) for p in FILES} == FILES
    assert [snap.read(p) for p in ("big.json", "link.py", "gone.py")] == [None, None, None]
    assert ("b.py" in snap, "gone.py" in snap, "big.json" in snap) == (True, False, False)
    assert snap.paths == paths_of(tree)


def test_the_buffer_is_the_corpus_a_join_would_make(tree: Path) -> None:
    taken = Snapshot.take(tree, paths_of(tree)).corpus
    joined = Corpus.join({p: d for p, d in FILES.items() if d})
    assert bytes(taken.blob) == joined.blob
    assert (taken.starts, taken.paths, taken.spans) == (joined.starts, joined.paths, joined.spans)
    hits = [taken.paths[i] for i in taken.holding(b"import", *taken.spans["ts"])]
    assert hits == ["pkg/c.ts"]


@pytest.mark.parametrize("apart", [False, True], ids=["one process", "read apart"])
@pytest.mark.parametrize("readv", [True, False], ids=["readv", "file objects"])
@pytest.mark.parametrize(
    ("path", "size"),
    [("pkg/d.ts", 3), ("notes.md", 100)],
    ids=["grown since lstat", "shrunk since lstat"],
)
def test_a_file_that_changes_size_while_read_is_read_again(
    tree: Path, monkeypatch: pytest.MonkeyPatch, path: str, size: int, readv: bool, apart: bool
) -> None:
    if apart:  # the child that reads the second half sees the same changed size
        monkeypatch.setattr(snapshot_module, "READ_APART_FROM", 1)
    if not readv:
        monkeypatch.delattr(snapshot_module.os, "readv")
    real = os.lstat

    def stale(name: str, *, dir_fd: int | None = None) -> os.stat_result:
        info = real(name, dir_fd=dir_fd)
        if name.endswith(path):  # as if its size changed after lstat: `size` bytes were there
            return os.stat_result((info.st_mode, *info[1:6], size, *info[7:]))
        return info

    monkeypatch.setattr(snapshot_module.os, "lstat", stale)
    snap = Snapshot.take(tree, paths_of(tree))
    assert {p: snap.read(p) for p in FILES} == FILES


def test_without_opening_relative_to_a_folder_the_buffer_is_the_same(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the OS opens no file relative to a folder's descriptor, full paths read the same
    bytes, in the same layout."""
    relative = Snapshot.take(tree, paths_of(tree)).corpus
    monkeypatch.setattr(snapshot_module.os, "supports_dir_fd", set())
    whole = Snapshot.take(tree, paths_of(tree)).corpus
    assert (whole.blob, whole.paths, whole.spans) == (relative.blob, relative.paths, relative.spans)


def test_no_files_and_only_empty_files(tmp_path: Path) -> None:
    assert Snapshot.take(tmp_path, []).corpus.starts == [0]
    for name in ("a.py", "b.ts"):
        (tmp_path / name).write_bytes(b"")
    snap = Snapshot.take(tmp_path, ["a.py", "b.ts"])
    assert (snap.read("a.py"), snap.read("b.ts"), snap.corpus.paths) == (b"", b"", [])
    assert list(snap.corpus.holding(b"x", 0, 0)) == []


def test_without_readv_the_buffer_is_the_same(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the OS has no `readv` (Windows), Python file objects read the same bytes."""
    with_readv = Snapshot.take(tree, paths_of(tree)).corpus
    monkeypatch.delattr(snapshot_module.os, "readv")
    taken = Snapshot.take(tree, paths_of(tree))
    without = taken.corpus
    assert bytes(without.blob) == bytes(with_readv.blob)
    assert (without.starts, without.paths) == (with_readv.starts, with_readv.paths)
    assert {p: taken.read(p) for p in FILES} == FILES


@pytest.mark.skipif(not hasattr(os, "fork"), reason="reads apart only where it can fork")
@pytest.mark.parametrize("child", ["reads", "is not started"])
def test_read_apart_the_buffer_is_the_same(
    tree: Path, monkeypatch: pytest.MonkeyPatch, child: str
) -> None:
    """From READ_APART_FROM files on, a forked child sizes and reads the second half into
    shared memory: the same bytes, layout and facts; and the same where no child can be
    started (another thread runs), this process then reading both halves."""
    alone = Snapshot.take(tree, paths_of(tree))
    monkeypatch.setattr(snapshot_module, "READ_APART_FROM", 1)
    if child == "is not started":
        monkeypatch.setattr(forked_module.threading, "active_count", lambda: 2)
    apart = Snapshot.take(tree, paths_of(tree))
    assert isinstance(apart.corpus.blob, mmap.mmap) and isinstance(alone.corpus.blob, bytearray)
    assert apart.corpus.blob[:] == bytes(alone.corpus.blob)
    assert (apart.corpus.starts, apart.corpus.paths, apart.corpus.spans) == (
        alone.corpus.starts,
        alone.corpus.paths,
        alone.corpus.spans,
    )
    assert {p: apart.read(p) for p in paths_of(tree)} == {p: alone.read(p) for p in paths_of(tree)}
    assert [apart.file_facts(p) for p in FILES] == [alone.file_facts(p) for p in FILES]
    assert apart.file_facts("lib/two.py") == {"path": "lib/two.py", "lines": 2, "bytes": 11}


WORDS = [b"import", b"from", b"sys.path", b"a", b"\xc3\xa9", b"--ds", b"x\ny"]


@given(
    files=st.lists(st.lists(st.sampled_from([*WORDS, b" ", b"\n"]), max_size=12), max_size=8),
    needle=st.sampled_from(WORDS),
)
def test_a_search_in_c_finds_what_bytes_find_finds(files: list[list[bytes]], needle: bytes) -> None:
    """Over SEARCH_IN_C_FROM bytes the corpus is searched with the C library's `memmem`: the
    same files, as the files' own bytes say, in a buffer as the snapshot lays it out."""
    data = {f"f{i}.py": b"".join(parts) for i, parts in enumerate(files)}
    joined = Corpus.join(data)
    corpus = Corpus(bytearray(joined.blob), joined.starts, joined.paths, joined.spans)
    first, last = corpus.spans.get("py", (0, 0))
    expected = [i for i in range(first, last) if needle in corpus.file(i)]
    assert list(corpus.holding(needle, first, last)) == expected
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(snapshot_module, "SEARCH_IN_C_FROM", 0)
        assert list(corpus.holding(needle, first, last)) == expected


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the C library is glibc's")
def test_the_search_in_c_is_there_and_taken(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot_module, "SEARCH_IN_C_FROM", 0)
    corpus = Snapshot.take(tree, paths_of(tree)).corpus
    called: list[bytes] = []
    memmem = snapshot_module._memmem()
    assert memmem is not None and corpus._address is not None

    def spy(at: int, size: int, needle: bytes, length: int) -> int | None:
        called.append(needle)
        return memmem(at, size, needle, length)

    monkeypatch.setattr(snapshot_module, "_memmem", lambda: spy)
    hits = [corpus.paths[i] for i in corpus.holding(b"import", *corpus.spans["ts"])]
    assert hits == ["pkg/c.ts"] and called == [b"import"] * 2  # a hit, then none after it


@pytest.mark.skipif(not hasattr(os, "fork"), reason="reads apart only where it can fork")
def test_work_inside_reading_runs_while_the_child_reads(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`Snapshot.reading`: this process reads its share, the child the rest while the body
    of the `with` runs; the snapshot is `take`'s once it ends, and a failure inside it leaves
    no child behind."""
    monkeypatch.setattr(snapshot_module, "READ_APART_FROM", 1)
    started: list[Forked[set[str]]] = []
    real = snapshot_module.Forked

    def spy(fn: Callable[[], set[str]]) -> Forked[set[str]]:
        started.append(real(fn))
        return started[-1]

    monkeypatch.setattr(snapshot_module, "Forked", spy)
    with Snapshot.reading(tree, paths_of(tree), share=0.25) as reading:
        assert len(started) == 2 and started[-1].pid  # sizes, then the fill: running
        with pytest.raises(RuntimeError, match="once the `with` has ended"):
            reading.snapshot  # noqa: B018
    assert started[-1].pid == 0  # reaped
    running: list[int] = []  # `take`'s `meanwhile` runs there too, the child reading
    taken = Snapshot.take(tree, paths_of(tree), meanwhile=lambda: running.append(started[-1].pid))
    assert running and running[0] and started[-1].pid == 0
    assert reading.snapshot.corpus.blob[:] == taken.corpus.blob[:]
    assert {p: reading.snapshot.read(p) for p in FILES} == FILES
    with pytest.raises(KeyError), Snapshot.reading(tree, paths_of(tree)):
        raise KeyError("a failure while the child reads")
    assert started[-1].pid == 0  # stopped and reaped
