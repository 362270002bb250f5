"""What must hold before a run starts. Each failure is a Refusal: nothing was changed."""

from __future__ import annotations

from consolidate.errors import Refusal
from consolidate.gitio import Git, Head


def check_fresh_start(git: Git, *, allow_dirty: bool) -> Head:
    head = git.head()
    if head is None:
        raise Refusal("the repository has no commits", "commit the current state first")
    if head.ref is None:
        raise Refusal("HEAD is detached", "check out a branch first (git switch -c NAME)")
    operation = git.in_progress()
    if operation:
        raise Refusal(f"{operation} is in progress", "finish or abort it first")
    submodules = git.submodules()
    if submodules:
        raise Refusal(
            f"the repository has submodules ({', '.join(submodules[:3])})",
            "consolidate cannot restore submodule state; run it inside the submodule instead",
        )
    dirty = git.dirty_paths()
    if dirty and not allow_dirty:
        shown = ", ".join(dirty[:3]) + (f" and {len(dirty) - 3} more" if len(dirty) > 3 else "")
        raise Refusal(
            f"the work tree has uncommitted changes ({shown})",
            "commit or stash them, or pass --allow-dirty",
        )
    problem = git.identity_problem()
    if problem:
        raise Refusal(problem, "set them with `git config user.name` / `git config user.email`")
    return head
