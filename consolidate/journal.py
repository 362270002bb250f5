"""The run's journal, kept inside the git directory (never in the work tree).

`.git/consolidate/journal.json` holds the plan and the state of every action; it is replaced
atomically (temporary file, fsync, rename, fsync of the folder) at each change, and carries a
checksum so a damaged file is detected rather than acted on. `blobs/` holds the bytes undo
needs (content-addressed). `lock` is held with flock for as long as a run or a rollback runs,
so a killed process cannot leave a stale lock behind.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from consolidate.errors import Refusal, write_failed

FORMAT = 1
# What a journal says while a process works on it; with the lock free, that process died.
AT_WORK = ("running", "rolling-back")
# The journals this process has read or written: while one is on disk a run is under way, so a
# write error leaves the repository maybe half changed (exit 1) rather than untouched (exit 2).
_ON_DISK: set[Path] = set()


def run_under_way() -> bool:
    """Whether this process has seen its run's journal on disk (read, or written)."""
    return bool(_ON_DISK)


def status(git_dir: Path) -> dict[str, Any]:
    """The journal's state, and whether a live process is at work on it: a journal that says
    "running" or "rolling-back" while no process holds the lock was left by a killed process.
    Here rather than in the runner, so `consolidate status` loads neither the steps nor the
    playbook's models."""
    store = Store(git_dir)
    journal = store.load()
    if journal is None:
        return {"status": "none", "message": "no run recorded in this repository"}
    holder = store.lock_holder()
    if holder is None and journal["status"] in AT_WORK:
        # The lock was free: read again, so a run that ended just before the probe shows its end.
        journal = store.load() or journal
        holder = store.lock_holder()
    interrupted = holder is None and journal["status"] in AT_WORK
    return {
        "status": journal["status"],
        "journal": journal,
        "lock_holder": holder,
        "interrupted": interrupted,
    }


class Store:
    def __init__(self, git_dir: Path) -> None:
        self.dir = git_dir / "consolidate"
        self.journal_path = self.dir / "journal.json"
        self.blob_dir = self.dir / "blobs"
        self.history_dir = self.dir / "history"

    # ---- blobs ---------------------------------------------------------------------
    def put_blob(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        path = self.blob_dir / digest
        if not path.exists():
            self.blob_dir.mkdir(parents=True, exist_ok=True)
            atomic_write(path, data)
        return digest

    def get_blob(self, digest: str) -> bytes:
        path = self.blob_dir / digest
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise Refusal(
                f"the journal's copy {digest[:12]} is missing from {self.blob_dir}",
                "the journal cannot be trusted; restore from the backup branch by hand",
            ) from None
        if hashlib.sha256(data).hexdigest() != digest:
            raise Refusal(f"the journal's copy {path} is damaged", "restore from the backup branch")
        return data

    # ---- the journal ---------------------------------------------------------------
    def exists(self) -> bool:
        return self.journal_path.exists()

    def load(self) -> dict[str, Any] | None:
        try:
            raw = self.journal_path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            outer = json.loads(raw)
            body = outer["body"]
            ok = outer["checksum"] == _checksum(body) and outer.get("format") == FORMAT
        except (ValueError, KeyError, TypeError):
            ok = False
        if not ok:
            raise Refusal(
                f"the journal {self.journal_path} is damaged (checksum or format mismatch)",
                "nothing was done; inspect it, or move it away to forget the run "
                "(the backup branch still holds the original commit)",
            )
        _ON_DISK.add(self.journal_path)
        return dict(body)

    def save(self, body: dict[str, Any]) -> None:
        """Replace the journal atomically: when the write fails (a full disk), the previous
        journal stays as it was, so `consolidate rollback` can run once there is room."""
        started = self.journal_path.exists()  # the first save of a run: nothing changed yet
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise write_failed("cannot create", self.dir, exc, started=started) from None
        doc = {"format": FORMAT, "checksum": _checksum(body), "body": body}
        data = json.dumps(doc, indent=1, sort_keys=True).encode()
        atomic_write(self.journal_path, data, started=started)
        _ON_DISK.add(self.journal_path)

    def archive(self, run_id: str) -> Path:
        """Move a finished run's journal to history/ and drop its blobs."""
        self.history_dir.mkdir(parents=True, exist_ok=True)
        target = self.history_dir / f"{run_id}.json"
        os.replace(self.journal_path, target)
        _ON_DISK.discard(self.journal_path)
        fsync_dir(self.history_dir)
        fsync_dir(self.dir)
        if self.blob_dir.exists():
            for blob in self.blob_dir.iterdir():
                blob.unlink()
            self.blob_dir.rmdir()
        self.command_path.unlink(missing_ok=True)
        return target

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold `lock` with flock(2) for the run's lifetime: the kernel drops it when the process
        dies, however it dies, so `lock_holder` tells a live run from a killed one. The fd is
        close-on-exec (PEP 446), so a validate command never inherits the lock."""
        self.dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if not _flock(fd, fcntl.LOCK_EX, tries=LOCK_TRIES):
                holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
                raise Refusal(
                    f"another consolidate process (pid {holder}) is working on this repository",
                    "wait for it to finish, then run again",
                )
            with contextlib.suppress(OSError):  # the pid is for people; the flock is the lock
                os.ftruncate(fd, 0)
                os.pwrite(fd, str(os.getpid()).encode(), 0)
            self.clear_scratch()
            yield
        finally:
            os.close(fd)

    @property
    def command_path(self) -> Path:
        """The validate command running now, or last (see validate/commands.py)."""
        return self.dir / "command.json"

    @property
    def scratch_dir(self) -> Path:
        """Temporary files of writes to the work tree (see `atomic_write`)."""
        return self.dir / "scratch"

    def clear_scratch(self) -> None:
        """Temporary files a killed process left; only the lock holder calls it."""
        if self.scratch_dir.is_dir():
            for leftover in self.scratch_dir.iterdir():
                with contextlib.suppress(OSError):
                    leftover.unlink()

    @property
    def lock_path(self) -> Path:
        return self.dir / "lock"

    def lock_holder(self) -> str | None:
        """The pid written by the process that holds the lock now ("?" when unreadable), or None
        when no process holds it. A shared non-blocking flock succeeds only when no live process
        holds the exclusive one; it is dropped at once (`locked` retries briefly to allow for it).
        A pid written by a dead process is never taken as alive: the kernel released its lock."""
        try:
            fd = os.open(self.lock_path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        try:
            if _flock(fd, fcntl.LOCK_SH, tries=1):
                return None
            return os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
        finally:
            os.close(fd)


# A `status` probe holds the lock shared for microseconds; a run that meets it waits this many
# times LOCK_WAIT seconds before it refuses as if another run held it.
LOCK_TRIES = 20
LOCK_WAIT = 0.025


def _flock(fd: int, kind: int, *, tries: int) -> bool:
    """Take a flock without blocking, retrying `tries` times; False when another holds it."""
    for attempt in range(tries):
        try:
            fcntl.flock(fd, kind | fcntl.LOCK_NB)
            return True
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
        if attempt + 1 < tries:
            time.sleep(LOCK_WAIT)
    return False


def _checksum(body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(canonical).hexdigest()


def atomic_write(
    path: Path,
    data: bytes,
    mode: int | None = None,
    *,
    started: bool | None = None,
    scratch: Path | None = None,
) -> None:
    """Write to a temporary file, fsync, rename over `path`, fsync the folder.

    The temporary file is beside `path`, or in `scratch` (the journal's folder, for files in
    the work tree: the tool leaves no file of its own there, and a user file of any name is
    never touched); on another file system than `scratch`, a new unique name beside `path`.
    On an OS error (ENOSPC, EIO, EROFS, EACCES, ...) the temporary file is removed and `path`
    keeps its previous bytes; the error is one line naming `path` and the next step.
    `started` says whether a run is under way (default: this process has a journal on disk)."""
    tmp = temp_name(path) if scratch is None else _unique(scratch, path.name)
    try:
        try:
            _write_temp(tmp, data, mode, exclusive=scratch is not None)
            os.replace(tmp, path)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            tmp.unlink()
            tmp = _unique(path.parent, f".{path.name}")
            _write_temp(tmp, data, mode, exclusive=True)
            os.replace(tmp, path)
        fsync_dir(path.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        under_way = run_under_way() if started is None else started
        raise write_failed("cannot write", path, exc, started=under_way) from None


def _write_temp(tmp: Path, data: bytes, mode: int | None, *, exclusive: bool) -> None:
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(tmp, flags, 0o600 if mode is None else mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if mode is not None:
            os.fchmod(fd, mode)
        os.fsync(fd)
    finally:
        os.close(fd)


def _unique(folder: Path, stem: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{stem}.{uuid.uuid4().hex[:12]}.consolidate-tmp"


def temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.consolidate-tmp")


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
