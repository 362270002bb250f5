"""Actions on work-tree files: write, remove, move. Each checks what it finds before it acts."""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from consolidate.actions.base import Action, Env, Receipt, UndoView
from consolidate.actions.base import read_state as read_state  # re-exported: checks uses it
from consolidate.errors import StepFailed
from consolidate.journal import atomic_write
from consolidate.workspace import prune_parents as prune_parents  # checks uses it


def sha(data: bytes | None) -> str:
    return "-" if data is None else hashlib.sha256(data).hexdigest()


def unified_diff(path: str, before: bytes | None, after: bytes | None) -> str:
    old = _lines(before)
    new = _lines(after)
    a = f"a/{path}" if before is not None else "/dev/null"
    b = f"b/{path}" if after is not None else "/dev/null"
    body = difflib.unified_diff(old, new, a, b, lineterm="")
    return "\n".join(line.rstrip("\r\n") if i < 2 else line for i, line in enumerate(body))


def _lines(data: bytes | None) -> list[str]:
    if data is None:
        return []
    if b"\0" in data[:8000]:
        return [f"(binary, {len(data)} bytes)\n"]
    text = data.decode("utf-8", errors="replace")
    lines = [line.rstrip("\r\n") for line in text.splitlines(keepends=True)]
    if text and not text.endswith(("\n", "\r")):
        lines[-1] += "\n\\ No newline at end of file"
    return lines


def conflict(env: Env, path: str, why: str) -> None:
    if env.force:
        return
    raise StepFailed(
        f"{path} {why}",
        "keep your change and finish by hand, or run `consolidate rollback --force` to overwrite it",
    )


def _make_parents(root: Path, path: str) -> list[str]:
    created: list[str] = []
    parent = (root / path).parent
    missing = []
    while not parent.exists() and parent != root:
        missing.append(parent)
        parent = parent.parent
    for folder in reversed(missing):
        folder.mkdir()
        created.append(str(folder.relative_to(root)))
    return created


def _absent_parents(root: Path, path: str) -> list[str]:
    missing: list[str] = []
    parent = (root / path).parent
    while parent != root and not parent.exists():
        missing.append(str(parent.relative_to(root)))
        parent = parent.parent
    return missing


def _remove_empty(root: Path, folders: list[str]) -> None:
    for folder in sorted(folders, key=lambda f: f.count("/"), reverse=True):
        with contextlib.suppress(OSError):
            (root / folder).rmdir()


def _restore_folders(root: Path, folders: list[str]) -> None:
    for folder in reversed(folders):
        (root / folder).mkdir(exist_ok=True)


@dataclass(frozen=True)
class WriteFile(Action):
    """Replace a file's bytes (or create it when `before` is None)."""

    kind: ClassVar[str] = "write-file"
    path: str
    before: bytes | None
    after: bytes
    reason: str = ""

    def describe(self) -> str:
        verb = "create" if self.before is None else "edit"
        return f"{verb} {self.path}" + (f" ({self.reason})" if self.reason else "")

    def diff(self) -> str:
        return unified_diff(self.path, self.before, self.after)

    def paths(self) -> tuple[str, ...]:
        return (self.path,)

    def simulate(self, ws: object) -> None:
        ws.write(self.path, self.after)  # type: ignore[attr-defined]

    def apply(self, env: Env) -> Receipt:
        full = env.root / self.path
        current = read_state(full)
        if current != self.before and current != self.after:
            raise StepFailed(f"{self.path} changed since the plan was made", "run again to re-plan")
        mode = stat.S_IMODE(full.stat().st_mode) if current is not None else _new_mode()
        created = _make_parents(env.root, self.path)
        atomic_write(full, self.after, mode, scratch=env.store.scratch_dir)
        return {"created_dirs": created}

    def settle(self, env: Env) -> Receipt | None:
        full = env.root / self.path
        if read_state(full) == self.after:
            return {"created_dirs": []}
        return None

    def undo(self, env: Env, receipt: Receipt) -> None:
        full = env.root / self.path
        current = read_state(full)
        if current == self.before:
            return
        if current != self.after:
            conflict(env, self.path, "changed after consolidate wrote it")
        if self.before is None:
            full.unlink(missing_ok=True)
            _remove_empty(env.root, list(receipt.get("created_dirs", [])))
            return
        atomic_write(
            full, self.before, stat.S_IMODE(full.stat().st_mode), scratch=env.store.scratch_dir
        )

    def undo_conflicts(self, view: UndoView, receipt: Receipt | None) -> list[str]:
        """Mirrors `undo`: neither the bytes before nor those written is a conflict."""
        current = view.read(self.path)
        if current == self.before:
            return []
        view.write(self.path, self.before)
        return [] if current == self.after else [self.path]


@dataclass(frozen=True)
class RemoveFile(Action):
    """Delete a tracked file (git rm semantics: the commit stages the deletion)."""

    kind: ClassVar[str] = "remove-file"
    path: str
    before: bytes
    mode: int

    def describe(self) -> str:
        return f"delete {self.path} ({_count_lines(self.before)} lines)"

    def diff(self) -> str:
        return unified_diff(self.path, self.before, None)

    def paths(self) -> tuple[str, ...]:
        return (self.path,)

    def simulate(self, ws: object) -> None:
        ws.remove(self.path)  # type: ignore[attr-defined]

    def apply(self, env: Env) -> Receipt:
        full = env.root / self.path
        current = read_state(full)
        if current is None:
            return {"pruned": _absent_parents(env.root, self.path)}
        if current != self.before:
            raise StepFailed(f"{self.path} changed since the plan was made", "run again to re-plan")
        full.unlink()
        return {"pruned": prune_parents(env.root, self.path)}

    def settle(self, env: Env) -> Receipt | None:
        full = env.root / self.path
        if read_state(full) is None:
            return {"pruned": _absent_parents(env.root, self.path)}
        return None

    def undo(self, env: Env, receipt: Receipt) -> None:
        full = env.root / self.path
        current = read_state(full)
        if current == self.before:
            return
        if current is not None:
            conflict(env, self.path, "was created again after consolidate removed it")
            full.unlink()
        _restore_folders(env.root, list(receipt.get("pruned", [])))
        full.parent.mkdir(parents=True, exist_ok=True)
        if self.before.startswith(b"link:") and stat.S_ISLNK(self.mode):
            os.symlink(self.before[5:].decode(), full)
        else:
            atomic_write(full, self.before, stat.S_IMODE(self.mode), scratch=env.store.scratch_dir)

    def undo_conflicts(self, view: UndoView, receipt: Receipt | None) -> list[str]:
        """Mirrors `undo`: a file back at the removed path, with other bytes, is a conflict."""
        current = view.read(self.path)
        if current == self.before:
            return []
        view.write(self.path, self.before)
        return [] if current is None else [self.path]


@dataclass(frozen=True)
class MoveFile(Action):
    """Move a file within the work tree (git mv semantics)."""

    kind: ClassVar[str] = "move-file"
    src: str
    dst: str

    def describe(self) -> str:
        return f"move {self.src} -> {self.dst}"

    def paths(self) -> tuple[str, ...]:
        return (self.src, self.dst)

    def simulate(self, ws: object) -> None:
        ws.move(self.src, self.dst)  # type: ignore[attr-defined]

    def apply(self, env: Env) -> Receipt:
        src, dst = env.root / self.src, env.root / self.dst
        if os.path.lexists(dst):
            raise StepFailed(f"cannot move {self.src}: {self.dst} already exists")
        if not os.path.lexists(src):
            raise StepFailed(f"cannot move {self.src}: it is gone", "run again to re-plan")
        created = _make_parents(env.root, self.dst)
        os.rename(src, dst)
        return {"created_dirs": created, "pruned": prune_parents(env.root, self.src)}

    def settle(self, env: Env) -> Receipt | None:
        src, dst = env.root / self.src, env.root / self.dst
        if os.path.lexists(dst) and not os.path.lexists(src):
            return {"created_dirs": [], "pruned": _absent_parents(env.root, self.src)}
        return None

    def undo(self, env: Env, receipt: Receipt) -> None:
        src, dst = env.root / self.src, env.root / self.dst
        if os.path.lexists(src) and not os.path.lexists(dst):
            return
        if os.path.lexists(src):
            conflict(env, self.src, "exists again; it would be overwritten")
        if not os.path.lexists(dst):
            conflict(env, self.dst, "was removed after consolidate moved it there")
            return  # forced: nothing is left to move back
        _restore_folders(env.root, list(receipt.get("pruned", [])))
        os.replace(dst, src)
        _remove_empty(env.root, list(receipt.get("created_dirs", [])))

    def undo_conflicts(self, view: UndoView, receipt: Receipt | None) -> list[str]:
        """Mirrors `undo`: the source path taken again, or the moved file gone, is a conflict."""
        src, dst = view.read(self.src), view.read(self.dst)
        if src is not None and dst is None:
            return []
        view.write(self.src, dst if dst is not None else src)
        view.write(self.dst, None)
        return [p for p, bad in ((self.src, src is not None), (self.dst, dst is None)) if bad]


def _count_lines(data: bytes) -> int:
    return data.count(b"\n") + (0 if not data or data.endswith(b"\n") else 1)


def _new_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
