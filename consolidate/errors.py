"""The tool's own errors. Each one is a single line a person can act on.

The CLI maps them to exit codes in one place (`cli.py`): a `Refusal` means nothing was
changed (exit 2); a `StepFailed` means a step failed after the run started and the journal
was kept (exit 1).
"""

from __future__ import annotations


class ConsolidateError(Exception):
    """Base of every error the tool reports to a person."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

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
