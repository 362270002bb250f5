"""`consolidate lint`: the prevention checklist, on every compose file of the repository.

- a bind mount that hides what the build put in the image;
- a health check that only tests a dependency (a Redis ping, a Postgres query);
- `depends_on: {x: {condition: service_healthy}}` when x has no health check;
- a service whose command names a file its build context does not have;
- source files no entry point reaches, untouched for more than 30 days.

Each finding is one line with file and line. Exit 1 when there is any, so it can run in CI
and as a pre-commit hook (`.pre-commit-hooks.yaml`).

The repository's configuration (`analysis/project_config.py`) turns checks off (`disable`, by
name or id) and leaves files out (`ignore`); `consolidate: ignore[ID]` on a line silences that
one check on that line; `lint_baseline.py` keeps only the findings a baseline does not hold.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import shlex
from typing import Any

from consolidate.analysis.investigation import Engine, find_orphans
from consolidate.analysis.project_config import ProjectConfig, load_config, suppressed
from consolidate.compose.checks import load, services_of
from consolidate.compose.projects import is_compose_name
from consolidate.errors import Refusal
from consolidate.gitio import Git

ORPHAN_DAYS = 30
FILE_TOKEN = re.compile(r"[\w./-]+\.(?:py|js|mjs|cjs|ts|sh)$")
# Every check by name (the `check` of a finding) and id (short, for `disable` and
# `consolidate: ignore[ID]`); a check not listed here has its name, slugged, as its id.
CHECKS = {
    "bind mount hides build": "bind-mount-hides-build",
    "healthcheck tests a dependency": "healthcheck-tests-dependency",
    "waits for a health check that does not exist": "missing-healthcheck",
    "entry file missing": "entry-file-missing",
    "orphan source file": "orphan",
}
ORPHAN = "orphan source file"


def check_id(name: str) -> str:
    return CHECKS.get(name) or re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def lint(git: Git, *, date: str, engine: Engine | None = None) -> dict[str, Any]:
    if engine is None:  # the orphan check is the only one that needs the history
        orphan_check = ORPHAN not in disabled_checks(load_config(git.root))
        engine = Engine(git, history=orphan_check)
    disabled = disabled_checks(engine.config)
    findings = [
        {**f, "id": check_id(f["check"])}
        for f in all_findings(git, engine, date, orphans=ORPHAN not in disabled)
    ]
    kept = [f for f in findings if not silenced(f, engine, disabled)]
    return {"findings": kept, "compose_files": len({f.file for f in engine.compose.services})}


def disabled_checks(config: ProjectConfig) -> set[str]:
    """The names of the checks `disable` turns off; a name or id lint does not know is an
    error, so a typo does not leave a check silently on."""
    by_id = {check_id(name): name for name in CHECKS}
    out = set()
    for written in config.disable:
        name = written if written in CHECKS else by_id.get(written.strip().lower())
        if name is None:
            close = difflib.get_close_matches(written, [*by_id, *CHECKS], n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(by_id)}"
            raise Refusal(f"{config.source}: disable: unknown lint check {written!r}", hint)
        out.add(name)
    return out


def silenced(finding: dict[str, Any], engine: Engine, disabled: set[str]) -> bool:
    """Turned off by `disable`, in a file `ignore` leaves out, or named by a
    `consolidate: ignore[ID]` on the finding's own line."""
    path, _, line = finding["where"].rpartition(":")
    if not line.isdigit():
        path, line = finding["where"], ""
    if finding["check"] in disabled or engine.config.ignores(path):
        return True
    raw = engine.snapshot.read(path) if line else None
    lines = raw.decode("utf-8-sig", errors="replace").splitlines() if raw is not None else []
    here = suppressed(lines[int(line) - 1]) if 0 < int(line or 0) <= len(lines) else set()
    return bool(here & {finding["id"], finding["check"].lower()})


def all_findings(git: Git, engine: Engine, date: str, *, orphans: bool) -> list[dict[str, Any]]:
    findings: list[dict[str, Any]] = []
    for warning in engine.compose.warnings:
        findings.append(
            {"check": warning.kind, "where": f"{warning.file}:{warning.line}",
             "message": warning.message}
        )  # fmt: skip
    for path in sorted(p for p in engine.paths if is_compose_name(p)):
        doc = load(git.root, path)
        if doc is not None:
            findings += healthy_without_healthcheck(path, services_of(doc))
    findings += missing_entry_files(engine)
    return findings + (old_orphans(git, engine, date) if orphans else [])


def healthy_without_healthcheck(path: str, services: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for name, service in services.items():
        deps = service.get("depends_on") if isinstance(service, dict) else None
        if not isinstance(deps, dict):
            continue
        for target, spec in deps.items():
            waits = isinstance(spec, dict) and spec.get("condition") == "service_healthy"
            other = services.get(str(target))
            if not (waits and isinstance(other, dict)):
                continue
            check = other.get("healthcheck")
            if not isinstance(check, dict) or check.get("disable") is True:
                out.append(
                    {"check": "waits for a health check that does not exist", "where": path,
                     "message": f"service {name} waits for {target} to be healthy, but {target} "
                     "has no healthcheck in this file (unless its image declares one)"}
                )  # fmt: skip
    return out


def missing_entry_files(engine: Engine) -> list[dict[str, Any]]:
    """A service that builds, runs a file by name, and its context has no such file."""
    out = []
    for fact in engine.compose.services:
        if fact.build_context is None or fact.entry_files:
            continue
        doc = load(engine.git.root, fact.file)
        spec = services_of(doc).get(fact.service) if doc is not None else None
        command = spec.get("command") if isinstance(spec, dict) else None
        words = command if isinstance(command, list) else _split(command)
        named = [w for w in words if isinstance(w, str) and FILE_TOKEN.search(w)]
        if named:
            out.append(
                {"check": "entry file missing", "where": f"{fact.file}:{fact.line}",
                 "message": f"service {fact.service} runs {named[0]}, which is not in its build "
                 f"context {fact.build_context or '.'} or a bind mount"}
            )  # fmt: skip
    return out


def _split(command: Any) -> list[str]:
    if not isinstance(command, str):
        return []
    try:
        return shlex.split(command)
    except ValueError:
        return command.split()


def old_orphans(git: Git, engine: Engine, date: str) -> list[dict[str, Any]]:
    today = dt.date.fromisoformat(date)
    out = []
    for row in find_orphans(git, date=date, engine=engine)["orphans"]:
        last = row.get("last")
        if last and (today - dt.date.fromisoformat(last)).days > ORPHAN_DAYS:
            days = (today - dt.date.fromisoformat(last)).days
            out.append(
                {"check": "orphan source file", "where": row["path"],
                 "message": f"no entry point reaches it; last changed {last} ({days} days ago)"}
            )  # fmt: skip
    return out


def as_text(found: dict[str, Any]) -> str:
    if not found["findings"]:
        return f"lint: no findings in {found['compose_files']} compose file(s) and the sources\n"
    lines = [f"{f['where']}: {f['check']}: {f['message']}" for f in found["findings"]]
    return "\n".join(lines) + f"\nlint: {len(lines)} finding(s)\n"
