"""One computation on the other core: a forked child works while this process goes on.

An investigation ends on one core: once the scan workers and `git log` are done, the verdicts,
the history and the mentions run one after another while the other core has nothing to do.
`Forked(fn)` forks a child that computes `fn()` from what this process holds at that moment
(the snapshot's bytes, the graph: shared, not copied) and pickles its value back through a
pipe; `result()` reads it. The value is the same as `fn()` here: where there is no `fork`,
where another thread runs (a child of a threaded process may find a lock held forever), or
when the child fails, `result()` calls `fn()` in this process instead.

`Crew` shares numbered pieces of work between forked children and this process: each takes
the next piece nobody has taken, so whoever is free works (the scan's chunks, `scan.Pending`).
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Generic, NoReturn, TypeVar

T = TypeVar("T")
R = TypeVar("R")
_CHUNK = 1 << 20
_TOKEN = 4  # bytes of a piece's number in the pipe that hands the pieces out
# Numbers written at once: 512 bytes, the least PIPE_BUF, so a write the pipe has no room for
# fails whole and never cuts a number in two.
_TOKENS_AT_ONCE = 128


class Forked(Generic[T]):
    """`fn()`, started in a child now; its value from `result()`, or `close()` to drop it.
    With `nice`, the child runs that much below this process's priority: it has what the
    others leave of the cores."""

    def __init__(self, fn: Callable[[], T], *, nice: int = 0) -> None:
        self.fn = fn
        self.pid = 0  # the child's, while it is not reaped
        self.fd = -1  # the pipe's end this process reads
        if not hasattr(os, "fork") or threading.active_count() > 1:
            return
        try:
            read_end, write_end = os.pipe()
        except OSError:  # no descriptor left: do it here, later
            return
        try:
            pid = os.fork()
        except OSError:  # no memory or process left for a child: do it here, later
            os.close(read_end)
            os.close(write_end)
            return
        if pid == 0:  # the child: compute, hand the value over, leave without clean-up
            os.close(read_end)
            _child(fn, write_end, nice)
        os.close(write_end)
        self.pid, self.fd = pid, read_end

    def result(self) -> T:
        """`fn()`'s value: the child's, or computed here when the child gave none."""
        if not self.pid:
            return self.fn()
        chunks = []
        try:
            while chunk := os.read(self.fd, _CHUNK):
                chunks.append(chunk)
        finally:
            ended = self._reap()
        if ended == 0 and chunks:
            value: T = pickle.loads(b"".join(chunks))
            return value
        return self.fn()

    def close(self) -> None:
        """Stop the child if it still runs (the caller failed before it asked) and reap it."""
        if self.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            self._reap()

    def _reap(self) -> int:
        """Close the pipe, wait for the child; its exit code."""
        os.close(self.fd)
        _, status = os.waitpid(self.pid, 0)
        self.pid, self.fd = 0, -1
        return os.waitstatus_to_exitcode(status)


class Crew(Generic[T]):
    """Pieces `0 .. pieces-1`, worked on by `count` forked children (`remote(i)`) and, in
    `finish`, by this process (`here(i)`). The pieces' numbers wait in a pipe, each read by
    one process only, so each piece is taken once, by whoever is free first: a child while
    this process does other work, then this process too, with no queue to feed.

    A child keeps its values until no piece is left, then hands them all over at once: a
    value sent after each piece waits in a full pipe until this process, busy, reads it (the
    worker pools of the standard library do so, and their workers stood idle 0.05-0.1 s
    after each large chunk of the scan). A piece nobody gave a value for (a child failed,
    could not be forked, or its number did not fit in the pipe) is done here."""

    def __init__(self, remote: Callable[[int], T], pieces: int, count: int) -> None:
        self.pieces = pieces
        self.members: list[Forked[list[tuple[int, T]]]] = []
        self.here = 0  # pieces this process did
        self.fd = -1  # the pipe's end the pieces' numbers are read from
        if count < 1 or not hasattr(os, "fork"):
            return
        try:
            read_end, write_end = os.pipe()
        except OSError:
            return
        try:
            _hand_out(write_end, pieces)
        finally:
            os.close(write_end)  # once the numbers are read, readers see the end
        self.fd = read_end
        self.members = [Forked(lambda: _take(read_end, remote)) for _ in range(count)]

    @property
    def forked(self) -> bool:
        """Whether any child is at work."""
        return any(member.pid for member in self.members)

    def finish(self, here: Callable[[int], R]) -> dict[int, T | R]:
        """Every piece's value: this process takes the pieces left, then the children's."""
        done: dict[int, T | R] = {}
        try:
            if self.fd >= 0:
                for piece in _taken(self.fd):
                    done[piece] = here(piece)
                    self.here += 1
            for member in self.members:  # one not forked takes what is left: nothing
                done.update(member.result())
            for piece in range(self.pieces):
                if piece not in done:
                    done[piece] = here(piece)
                    self.here += 1
        finally:
            self.close()
        return done

    def close(self) -> None:
        """Stop the children still at work (the caller failed) and reap them."""
        for member in self.members:
            member.close()
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def _hand_out(fd: int, pieces: int) -> None:
    """Write the pieces' numbers to the pipe, as many as it holds without waiting."""
    os.set_blocking(fd, False)
    numbers = [piece.to_bytes(_TOKEN, "little") for piece in range(pieces)]
    for start in range(0, pieces, _TOKENS_AT_ONCE):
        try:
            os.write(fd, b"".join(numbers[start : start + _TOKENS_AT_ONCE]))
        except BlockingIOError:  # the pipe is full: the rest is done by this process
            return


def _taken(fd: int) -> Iterator[int]:
    """The numbers of the pieces this process takes, until none is left."""
    while len(token := os.read(fd, _TOKEN)) == _TOKEN:
        yield int.from_bytes(token, "little")


def _take(fd: int, remote: Callable[[int], T]) -> list[tuple[int, T]]:
    return [(piece, remote(piece)) for piece in _taken(fd)]


def _child(fn: Callable[[], object], fd: int, nice: int) -> NoReturn:
    code = 1
    try:
        if nice and hasattr(os, "nice"):
            os.nice(nice)
        gc.disable()  # a collection would write to every shared page it walks
        data = pickle.dumps(fn(), protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        code = 0
    except BaseException:
        pass
    finally:
        os._exit(code)  # no atexit handlers, no flushing of the parent's buffers
