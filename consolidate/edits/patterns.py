"""Playbook regexes run with a time limit, so a pattern that backtracks without end fails in
seconds with one line instead of hanging the run.

The standard `re` module cannot be interrupted; the `regex` package (a drop-in for `re`: the
same syntax in its default VERSION0, the same `\\1` and `\\g<name>` replacements) takes a
`timeout` in seconds on every matching call and raises `TimeoutError` when it passes
(https://pypi.org/project/regex/, "Timeout"). The limit is per file: `Clock` shares one budget
among the many searches a file's lines need.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import regex

from consolidate.errors import Refusal

DEFAULT_TIMEOUT = 2.0  # seconds per file; the playbook's `regex_timeout` changes it


class PatternTimeout(Refusal):
    """A playbook pattern ran past its time limit on one file; nothing was changed."""


def timed_out(where: str, pattern: str, path: str, limit: float) -> PatternTimeout:
    return PatternTimeout(
        f"{where}: pattern {pattern!r} took more than {limit:g} s on {path}; "
        "simplify it or raise regex_timeout in the playbook"
    )


def compile_pattern(pattern: str, flags: int = 0) -> regex.Pattern[str]:
    """The pattern in the dialect it runs in; raises `regex.error` for a bad one."""
    return regex.compile(pattern, flags)


def subn(
    pattern: str, repl: str, text: str, *, count: int, limit: float, where: str, path: str
) -> tuple[str, int]:
    """`re.subn(pattern, repl, text, count, re.MULTILINE)`, stopped after `limit` seconds."""
    try:
        result: tuple[str, int] = regex.subn(
            pattern, repl, text, count=count, flags=regex.MULTILINE, timeout=limit
        )
    except TimeoutError:
        raise timed_out(where, pattern, path, limit) from None
    return result


class Clock:
    """One file's budget for many searches: each gets the time that is left."""

    def __init__(self, limit: float, where: str, path: str) -> None:
        self.limit, self.where, self.path = limit, where, path
        self.deadline = time.monotonic() + limit

    def search(self, pattern: regex.Pattern[str], text: str) -> bool:
        left = self.deadline - time.monotonic()
        try:
            if left <= 0:
                raise TimeoutError
            return pattern.search(text, timeout=left) is not None
        except TimeoutError:
            raise timed_out(self.where, pattern.pattern, self.path, self.limit) from None

    def any(self, pattern: regex.Pattern[str], texts: Iterable[str]) -> bool:
        return any(self.search(pattern, t) for t in texts)
