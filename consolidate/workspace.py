"""The planning view of the work tree: the files as they are, plus what earlier steps plan.

Steps plan against a `Workspace`, so a step sees the work tree as the steps before it will
leave it, while nothing on disk changes.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path, PurePosixPath

from consolidate.errors import Refusal

_GONE = None


class Workspace:
    def __init__(self, root: Path, tracked: list[str]) -> None:
        self.root = root
        self._tracked = set(tracked)
        self._overlay: dict[str, bytes | None] = {}

    def read(self, path: str) -> bytes | None:
        if path in self._overlay:
            return self._overlay[path]
        full = self.root / path
        if full.is_symlink() or not full.is_file():
            return None
        return full.read_bytes()

    def exists(self, path: str) -> bool:
        if path in self._overlay:
            return self._overlay[path] is not _GONE
        return os.path.lexists(self.root / path)

    def is_tracked(self, path: str) -> bool:
        return path in self._tracked

    def tracked(self) -> list[str]:
        return sorted(self._tracked)

    def write(self, path: str, data: bytes) -> None:
        self._overlay[path] = data
        self._tracked.add(path)

    def remove(self, path: str) -> None:
        self._overlay[path] = _GONE
        self._tracked.discard(path)

    def move(self, src: str, dst: str) -> None:
        data = self.read(src)
        self.remove(src)
        self._overlay[dst] = data
        self._tracked.add(dst)

    def changed(self) -> dict[str, bytes | None]:
        return dict(self._overlay)


def safe_relpath(root: Path, raw: str, *, what: str) -> str:
    """A repository-relative POSIX path that stays inside the repository, or a Refusal."""
    if not raw or raw.startswith("/") or PurePosixPath(raw).is_absolute():
        raise Refusal(
            f"{what} {raw!r} is not a path relative to the repository", "drop the leading /"
        )
    parts = PurePosixPath(raw).parts
    if ".." in parts:
        raise Refusal(f"{what} {raw!r} leaves the repository", "name paths inside the repository")
    rel = str(PurePosixPath(*[p for p in parts if p != "."])) if parts else ""
    if not rel or rel.startswith(".git/") or rel == ".git":
        raise Refusal(f"{what} {raw!r} is not a file of the work tree")
    parent = (root / rel).parent.resolve()
    if not parent.is_relative_to(root.resolve()):
        raise Refusal(f"{what} {raw!r} goes through a link that leaves the repository")
    return rel


def resolves_inside(root: Path, rel: str) -> bool:
    """True when following `rel` (links included) stays inside the repository."""
    return (root / rel).resolve().is_relative_to(root.resolve())


def repo_join(folder: str, relative: str) -> str | None:
    """`relative` from repository folder `folder` ("" is the root); None when it leaves."""
    joined = posixpath.normpath(posixpath.join(folder, relative))
    if joined == ".":
        return ""
    if joined == ".." or joined.startswith(("../", "/")):
        return None
    return joined


def prune_parents(root: Path, path: str) -> list[str]:
    """Remove folders left empty by removing `path`; return them, deepest first."""
    pruned: list[str] = []
    parent = (root / path).parent
    while parent != root:
        try:
            parent.rmdir()
        except OSError:
            break
        pruned.append(str(parent.relative_to(root)))
        parent = parent.parent
    return pruned
