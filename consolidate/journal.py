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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from consolidate.errors import Refusal, StepFailed

FORMAT = 1


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
        return dict(body)

    def save(self, body: dict[str, Any]) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        doc = {"format": FORMAT, "checksum": _checksum(body), "body": body}
        atomic_write(self.journal_path, json.dumps(doc, indent=1, sort_keys=True).encode())

    def archive(self, run_id: str) -> Path:
        """Move a finished run's journal to history/ and drop its blobs."""
        self.history_dir.mkdir(parents=True, exist_ok=True)
        target = self.history_dir / f"{run_id}.json"
        os.replace(self.journal_path, target)
        fsync_dir(self.history_dir)
        fsync_dir(self.dir)
        if self.blob_dir.exists():
            for blob in self.blob_dir.iterdir():
                blob.unlink()
            self.blob_dir.rmdir()
        return target

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        self.dir.mkdir(parents=True, exist_ok=True)
        path = self.dir / "lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
                raise Refusal(
                    f"another consolidate process (pid {holder}) is working on this repository",
                    "wait for it to finish, then run again",
                ) from None
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
            yield
        finally:
            os.close(fd)


def _checksum(body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(canonical).hexdigest()


def atomic_write(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write to a temporary name beside `path`, fsync, rename over it, fsync the folder."""
    tmp = temp_name(path)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if mode is None else mode)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if mode is not None:
                os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise StepFailed(f"cannot write {path}: {exc.strerror or exc}") from None


def temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.consolidate-tmp")


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
