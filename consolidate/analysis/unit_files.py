"""Commands a machine runs from installed files: systemd units' `Exec*=` lines and crontab
entries (`crontab`, `*.cron`, `*.crontab`, files of a `cron.d/` folder). Both name installed
(absolute) paths, so an absolute path is matched to the tracked file with the longest common
path ending; a relative one is tried from the file's folder and the repository root.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection, Iterable, Iterator
from typing import Protocol

from consolidate.analysis.commands import Ref, command_refs
from consolidate.globs import folders_of

_SYSTEMD_EXEC = re.compile(
    r"\s*(Exec(?:Start|StartPre|StartPost|Reload|Stop|StopPost|Condition))=(.*)"
)
# https://man7.org/linux/man-pages/man5/crontab.5.html: five time fields or an `@` nickname,
# then (in /etc/crontab and cron.d) a user, then the command.
_CRON_SCHEDULE = re.compile(r"\s*(?:@\w+|(?:[\d*,/\-A-Za-z]+\s+){5})")

Run = tuple[str, str, str]  # (the file run, the unit or crontab that runs it, which line)


class Place(Protocol):
    @property
    def tracked(self) -> frozenset[str]: ...

    def text(self, path: str) -> str | None: ...

    def under(self, bases: Iterable[str], refs: Iterable[Ref], *, code: bool) -> list[str]: ...


def systemd_runs(repo: Place) -> Iterator[Run]:
    units = sorted(p for p in repo.tracked if p.endswith(".service"))
    folders = {parent for p in repo.tracked for parent in folders_of(p)} if units else set()
    for path in units:
        lines = (repo.text(path) or "").splitlines()
        bases = [posixpath.dirname(path), "", *_unit_workdirs(lines, folders)]
        for match in filter(None, map(_SYSTEMD_EXEC.match, lines)):
            refs = command_refs(match[2].strip().lstrip("@-:+!|"))
            yield from ((f, path, match[1]) for f in _files(repo, bases, refs, code=False))


def is_crontab(path: str) -> bool:
    name = posixpath.basename(path)
    folder = posixpath.basename(posixpath.dirname(path))
    return name == "crontab" or name.endswith((".cron", ".crontab")) or folder == "cron.d"


def cron_runs(repo: Place) -> Iterator[Run]:
    for path in sorted(p for p in repo.tracked if "cron" in p and is_crontab(p)):
        bases = [posixpath.dirname(path), ""]
        for number, line in enumerate((repo.text(path) or "").splitlines(), start=1):
            schedule = _CRON_SCHEDULE.match(line)
            if line.lstrip().startswith("#") or schedule is None:
                continue  # a comment or an environment line (`SHELL=/bin/bash`)
            refs = command_refs(line[schedule.end() :])
            yield from ((f, path, f"line {number}") for f in _files(repo, bases, refs, code=False))


def _files(repo: Place, bases: list[str], refs: list[Ref], *, code: bool) -> list[str]:
    installed = (by_ending(a, repo.tracked) for ref in refs for a in ref if a[:1] == "/")
    return list(dict.fromkeys([*filter(None, installed), *repo.under(bases, refs, code=code)]))


def _unit_workdirs(lines: list[str], folders: Collection[str]) -> Iterator[str]:
    """Tracked folders that a unit's WorkingDirectory= (an installed path) may be."""
    for line in lines:
        key, _, value = line.strip().partition("=")
        folder = (
            by_ending(value.strip().lstrip("-"), folders) if key == "WorkingDirectory" else None
        )
        if folder:
            yield folder


def by_ending(absolute: str, known: Collection[str]) -> str | None:
    """The longest ending of `absolute` that is in `known` (`/opt/app/x.py` -> `app/x.py`)."""
    parts = absolute.strip("/").split("/")
    return next((e for i in range(len(parts)) if (e := "/".join(parts[i:])) in known), None)
