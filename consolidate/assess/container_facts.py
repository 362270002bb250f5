"""What the Docker daemon knows about a component's containers, as evidence for `assess`.

A health check can stay green while the process behind it logs `ImportError` for weeks (a real
orchestrator did so for 45 days). So besides state, restart count and health, this module
reads the recent logs and pulls out the lines that say the code cannot even load: import
errors, and the final exception line of each Python traceback.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from consolidate.dockerio import SERVICE_LABEL, Docker

TRACEBACK = "Traceback (most recent call last):"
# The lines between two tracebacks of one chained exception (`raise ... from`, or an error
# raised while handling another); the chain's last exception is the one that ended the process.
_CHAIN_MARKERS = (
    "During handling of the above exception, another exception occurred:",
    "The above exception was the direct cause of the following exception:",
)
# How a traceback's final line looks: `Name`, `pkg.Name` or `Name: message`.
_EXCEPTION_LINE = re.compile(r"[A-Za-z_][\w.]*(?::.*)?")
# Error lines that stand on their own, outside a traceback (logged by a framework, or the
# traceback's head fell outside the tail of the log): Python import errors, and node's.
_STANDALONE_ERROR = re.compile(
    r"\b(?:ModuleNotFoundError|ImportError): "
    r"|\bError(?: \[ERR_MODULE_NOT_FOUND\])?: Cannot find (?:module|package) "
)


@dataclass(frozen=True)
class ContainerFacts:
    """One container of the component, as `assess` reports it."""

    name: str
    service: str | None  # the compose service label; None for a container made by hand
    state: str  # created, running, paused, restarting, exited, dead
    restarts: int  # RestartCount: how often the daemon restarted it
    health: str | None  # healthy, unhealthy, starting; None when the image has no healthcheck
    errors: tuple[str, ...]  # see `error_lines`
    log_lines: int  # how many log lines were looked at

    @classmethod
    def from_inspect(cls, attrs: dict[str, Any], log_text: str) -> ContainerFacts:
        """From `docker inspect` data and the container's recent logs; tolerant of missing keys."""
        labels = (attrs.get("Config") or {}).get("Labels") or {}
        state = attrs.get("State") or {}
        health = (state.get("Health") or {}).get("Status")
        service = labels.get(SERVICE_LABEL)
        return cls(
            name=str(attrs.get("Name") or str(attrs.get("Id", ""))[:12]).lstrip("/"),
            service=None if service is None else str(service),
            state=str(state.get("Status", "unknown")),
            restarts=int(attrs.get("RestartCount") or 0),
            health=str(health) if health else None,
            errors=tuple(error_lines(log_text)),
            log_lines=len(log_text.splitlines()),
        )


def component_containers(
    docker: Docker, names: Collection[str], *, tail: int = 500
) -> list[ContainerFacts]:
    """Every container (any state) of the services `names`, with errors from its last logs.

    Matched by compose service label, or by name (`<project>-<name>-<n>` too): see
    `dockerio.named_for`. Sorted by service, then name, so reports are stable.
    """
    facts = [
        ContainerFacts.from_inspect(attrs, docker.logs(str(attrs.get("Id", "")), tail))
        for attrs in docker.containers_named(names)
    ]
    return sorted(facts, key=lambda fact: (fact.service or "", fact.name))


def error_lines(log_text: str, limit: int = 10) -> list[str]:
    """The distinct error lines of a log, at most `limit`, newest last.

    A traceback counts once, as its final exception line (the last of a chain), because that
    line names the error; frames only say where. A line repeated (a crash loop prints the same
    traceback on every restart) is reported once, at its newest position, so the few slots
    show different errors; the restart count already says how often it happened.
    """
    newest: dict[str, int] = {}
    for position, line in enumerate(_errors(log_text.splitlines())):
        newest.pop(line, None)
        newest[line] = position
    found = list(newest)
    return found[-limit:] if limit > 0 else []


def _errors(lines: Iterable[str]) -> Iterator[str]:
    """Error lines in log order: one per traceback, plus standalone import errors."""
    scan = _TracebackScan()
    for raw in lines:
        yield from scan.feed(raw.rstrip())
    yield from scan.finish()


class _TracebackScan:
    """A small state machine over log lines that collapses each traceback to its last line.

    `in_frames`: inside a traceback, before its exception line (frames are indented).
    `pending`: a traceback's exception line, held back while a chained traceback may follow.
    """

    def __init__(self) -> None:
        self.in_frames = False
        self.pending: str | None = None
        self.chained = False

    def feed(self, line: str) -> Iterator[str]:
        text = line.strip()
        if TRACEBACK in text:
            if self.in_frames:  # a header before the previous one reached its exception line
                yield from self._cut_short()
            elif not self.chained:
                yield from self._flush()
            self.in_frames, self.chained = True, False
        elif self.in_frames:
            yield from self._in_traceback(line, text)
        elif self.pending is not None and (not text or text in _CHAIN_MARKERS):
            self.chained = self.chained or bool(text)
        else:
            yield from self._flush()
            yield from self._standalone(text)

    def finish(self) -> Iterator[str]:
        if self.in_frames:  # the log ends inside a traceback
            yield from self._cut_short()
        yield from self._flush()

    def _in_traceback(self, line: str, text: str) -> Iterator[str]:
        if not text or line[:1].isspace():
            return  # a frame, a source line, or a caret under it
        self.in_frames = False
        if _EXCEPTION_LINE.fullmatch(text):
            self.pending = text
            return
        yield from self._cut_short()  # not an exception line: some other output broke in
        yield from self._standalone(text)

    def _cut_short(self) -> Iterator[str]:
        """A traceback without its exception line: report the chain's last one, or the header."""
        yield self.pending or TRACEBACK
        self.in_frames, self.pending, self.chained = False, None, False

    def _flush(self) -> Iterator[str]:
        if self.pending is not None:
            yield self.pending
        self.pending, self.chained = None, False

    @staticmethod
    def _standalone(text: str) -> Iterator[str]:
        if _STANDALONE_ERROR.search(text):
            yield text
