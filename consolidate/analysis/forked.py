"""One computation on the other core: a forked child works while this process goes on.

An investigation ends on one core: once the scan workers and `git log` are done, the verdicts,
the history and the mentions run one after another while the other core has nothing to do.
`Forked(fn)` forks a child that computes `fn()` from what this process holds at that moment
(the snapshot's bytes, the graph: shared, not copied) and pickles its value back through a
pipe; `result()` reads it. The value is the same as `fn()` here: where there is no `fork`,
where another thread runs (a child of a threaded process may find a lock held forever), or
when the child fails, `result()` calls `fn()` in this process instead.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import threading
from collections.abc import Callable
from typing import Generic, NoReturn, TypeVar

T = TypeVar("T")
_CHUNK = 1 << 20


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
