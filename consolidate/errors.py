"""The tool's own errors. Each one is a single line a person can act on.

The CLI maps them to exit codes in one place (`cli.py`): a `Refusal` means nothing was
changed (exit 2); a `StepFailed` means a step failed after the run started and the journal
was kept (exit 1).
"""

from __future__ import annotations

import errno
from typing import Any


class ConsolidateError(Exception):
    """Base of every error the tool reports to a person."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        # What a command had done when it failed (a run's journal), for its --json document.
        self.result: dict[str, Any] | None = None

    def line(self) -> str:
        return f"{self.message}: {self.hint}" if self.hint else self.message


class Refusal(ConsolidateError):
    """Bad input or a precondition that does not hold; nothing was changed."""

    exit_code = 2


class PlaybookError(Refusal):
    """The playbook does not validate."""


class ComposeRefusal(Refusal):
    """A compose edit that cannot be made safely."""


class StepFailed(ConsolidateError):
    """A step failed after the run started; the journal was kept."""

    exit_code = 1


def write_failed(what: str, path: object, exc: OSError, *, started: bool) -> WriteFailed:
    """An OS error while writing (a full disk, a read-only or failing device, no permission) as
    one line naming the path and the next step, never a traceback (issue 15).

    `started`: a run's journal is on disk, so the repository may be half changed (exit 1, the
    journal is kept for rollback); otherwise nothing was changed (exit 2)."""
    message = f"{what} {path}: {exc.strerror or exc}"
    fix = _FIXES.get(exc.errno or 0, "fix the cause")
    if started:
        hint = f"{fix}, then `consolidate rollback` (or `consolidate run` again to resume)"
    else:
        hint = f"nothing was changed; {fix}, then run again"
    return WriteFailed(message, hint, started=started)


class WriteFailed(StepFailed):
    """An OS error while writing. Exit 1 when a run is under way (the journal is kept for
    rollback); exit 2, like a `Refusal`, when no journal was written yet: nothing changed."""

    def __init__(self, message: str, hint: str, *, started: bool) -> None:
        super().__init__(message, hint)
        self.exit_code = 1 if started else 2


_FIXES = {
    errno.ENOSPC: "free space",
    errno.EDQUOT: "free space (the disk quota is full)",
    errno.EROFS: "make the file system writable",
    errno.EACCES: "fix the permissions",
    errno.EPERM: "fix the permissions",
    errno.EIO: "check the disk",
}
