"""A validate command that fails after the removal, run again on the commit before it.

A careful validate command (a byte-compile of every service, a whole test suite) can fail on
something the removal never touched: a file already broken at HEAD. Without a baseline such a
removal could never commit. So a failing command runs again, with the same argv, cwd and
timeout, in a temporary checkout of the commit the run started from (`git worktree add
--detach`, git-worktree(1)), in a folder named like the repository's, so that tools naming
things after the folder (compose project names) see the same name. The checkout is removed
afterwards, also on an error or a timeout.

The two outputs are compared line by line once what differs between two checkouts of the same
code is normalised: the checkout's absolute path, and line and column numbers. When every line
of the failing run is also in the baseline's, the failure was already there and does not
block; any other line is new and blocks, and the report shows it.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from consolidate.errors import StepFailed
from consolidate.gitio import Git

PREFIX = "consolidate-baseline-"  # the temporary folder holding the checkout
ALREADY = "failed before this removal"  # the status of a failure the baseline already had
SHOWN = 20  # new lines listed in the report

# (pattern, replacement) applied in order to every line of both outputs. Positions move when
# a removal edits a file, and timings and object addresses change from one run to the next.
NUMBERS = (
    (re.compile(r"\b(line|column|col)(\s+)\d+", re.IGNORECASE), r"\1\2N"),  # Python, many
    (re.compile(r"\(\d+,\s*\d+\)"), "(N,N)"),  # tsc, MSBuild: file.ts(12,5)
    (re.compile(r":\d+(?::\d+)*(?=[:\s),\]]|$)"), ":N"),  # gcc, mypy, eslint: file:12:5:
    (re.compile(r"\b\d+(?:\.\d+)?\s?(?:ms|s|sec|seconds)\b"), "T"),  # "in 0.12s"
    (re.compile(r"\b0x[0-9a-fA-F]{6,}\b"), "0x"),  # addresses in reprs
)

Runner = Callable[[list[str], Path, float], tuple[dict[str, Any], str]]


def normaliser(root: Path, checkout: Path | None = None) -> Callable[[str], str]:
    """A function that makes a line of either run comparable: the checkout's and the
    repository's absolute paths become relative, line and column numbers placeholders."""
    prefixes: set[str] = set()
    for folder in (root, checkout):
        if folder is not None:
            prefixes |= {str(folder), str(folder.resolve())}
    ordered = sorted(prefixes, key=len, reverse=True)  # the longest first: no partial match

    def normal(line: str) -> str:
        for prefix in ordered:
            line = line.replace(prefix + "/", "").replace(prefix, ".")
        for pattern, replacement in NUMBERS:
            line = pattern.sub(replacement, line)
        return line.strip()

    return normal


def new_lines(after: str, before: str, root: Path, checkout: Path | None = None) -> list[str]:
    """The non-empty lines of `after` (as written, in order, once each) whose normalised text
    is not a line of `before`."""
    normal = normaliser(root, checkout)
    known = {normal(line) for line in before.splitlines()}
    found: dict[str, str] = {}
    for line in after.splitlines():
        key = normal(line)
        if key and key not in known and key not in found:
            found[key] = line.rstrip()
    return list(found.values())


def is_ours(path: Path, root: Path) -> bool:
    """A checkout this module made for the repository at `root` (and nobody else's)."""
    return path.parent.name.startswith(PREFIX) and path.name == root.name


def discard(git: Git, path: Path) -> None:
    """Remove a baseline checkout: its files, its folder, and git's record of it."""
    git.run("worktree", "remove", "--force", str(path), read_only=False, check=False)
    if is_ours(path, git.root):
        shutil.rmtree(path.parent, ignore_errors=True)
    git.run("worktree", "prune", read_only=False, check=False)


def remove_stale(git: Git) -> None:
    """Checkouts an interrupted run left behind (killed while a baseline ran)."""
    listed = git.run("worktree", "list", "--porcelain", check=False)
    for line in listed.splitlines():
        if line.startswith("worktree "):
            path = Path(line.removeprefix("worktree "))
            if is_ours(path, git.root):
                discard(git, path)


class Baseline:
    """The commit before the removal, checked out on first need and removed on close.

    `spec` is the validate plan's {"commit", "dirty"}, or None when the playbook says
    `baseline: false` (every failure blocks)."""

    def __init__(
        self, git: Git, spec: dict[str, Any] | None, progress: Callable[[str], None]
    ) -> None:
        self.git = git
        self.commit = str(spec["commit"]) if spec else ""
        self.dirty = bool(spec and spec.get("dirty"))
        self.progress = progress
        self.holder: Path | None = None
        self.problem = ""

    def __enter__(self) -> Baseline:
        if self.commit:
            remove_stale(self.git)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.holder is not None:
            discard(self.git, self.holder / self.git.root.name)
            self.holder = None

    def checkout(self) -> Path | None:
        """The checkout of the commit (made once), or None when git could not make it."""
        if self.holder is None and not self.problem:
            self.holder = Path(tempfile.mkdtemp(prefix=PREFIX))
            path = self.holder / self.git.root.name
            add = ("worktree", "add", "--detach", "--quiet", str(path), self.commit)
            try:  # no hooks: a post-checkout hook is the repository's, not ours to run
                self.git.run(*add, read_only=False)
            except StepFailed as exc:
                self.problem = "git worktree add failed: " + exc.message.partition(": ")[2]
        if self.problem or self.holder is None:
            return None
        return self.holder / self.git.root.name

    def judge(
        self, command: dict[str, Any], result: dict[str, Any], output: str, run: Runner
    ) -> dict[str, Any]:
        """A failed command's row, judged against the same command on the commit before the
        removal: `ALREADY` (does not block) or still failed, with a note on top of its output."""
        if not self.commit or result["status"] != "failed":
            return result
        short = self.commit[:12]
        self.progress(f"validate: {command['name']} failed; running it on {short} to compare")
        checkout = self.checkout()
        if checkout is None:
            note = f"Could not run it on {short}, the commit before the removal: {self.problem}"
            return annotate(result, note, {"commit": self.commit, "status": "not run"})
        before, before_output = run(
            command["argv"], checkout / command["cwd"], float(command["timeout"])
        )
        new = new_lines(output, before_output, self.git.root, checkout)
        record = {"commit": self.commit, "status": before["status"], "new": new[:SHOWN]}
        record["new_count"] = len(new)
        if before["status"] == "failed" and not new:
            note = (
                f"Already failing before this removal: the same command failed on {short}, "
                "the commit before it, with every line of this output (paths and line "
                "numbers aside). It does not block."
            )
            return annotate({**result, "status": ALREADY}, note + self.dirty_note(), record)
        return annotate(result, self.blocking_note(before, new) + self.dirty_note(), record)

    def blocking_note(self, before: dict[str, Any], new: list[str]) -> str:
        short = self.commit[:12]
        if before["status"] == "passed":
            head = f"New since the removal: it passed on {short}, the commit before it."
        elif before["status"] == "failed":
            head = (
                f"New since the removal: {len(new)} line(s) not in the output of the same "
                f"command on {short}, the commit before it."
            )
        else:
            head = (
                f"Not compared: on {short}, the commit before the removal, the same command"
                f" ended with {before['status']!r}."
            )
        listed = [f"  {line}" for line in new[:SHOWN]]
        more = [f"  ... and {len(new) - SHOWN} more"] if len(new) > SHOWN else []
        return "\n".join([head, *listed, *more])

    def dirty_note(self) -> str:
        if not self.dirty:
            return ""
        return (
            f"\nThe baseline is HEAD ({self.commit[:12]}) without the uncommitted changes "
            "the run started with (--allow-dirty)."
        )


def annotate(result: dict[str, Any], note: str, record: dict[str, Any]) -> dict[str, Any]:
    """The row with the baseline's verdict above the command's own output."""
    output = str(result.get("output", ""))
    return {**result, "output": f"{note}\n\nOutput:\n{output}", "baseline": record}
