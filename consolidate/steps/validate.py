"""Step 7: run the playbook's commands (no shell), with timeouts; fill the report."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path, PurePosixPath
from typing import Any

from consolidate.actions.checks import RunValidation
from consolidate.actions.files import MoveFile, RemoveFile, WriteFile
from consolidate.errors import Refusal
from consolidate.playbook import Playbook
from consolidate.steps.base import Context, StepPlan
from consolidate.workspace import Workspace, safe_relpath


def plan(ctx: Context, ws: Workspace, earlier: dict[str, StepPlan]) -> StepPlan:
    commands = command_specs(ctx.git.root, ctx.playbook)
    report = earlier["docs"].facts.get("report")
    settings = {
        "commands": commands,
        "static": static_spec(ctx, ws, earlier),
        "docker": docker_spec(ctx, earlier),
        "baseline": baseline_spec(ctx) if commands else None,
    }
    action = RunValidation(json.dumps(settings), report, ws.read(report) if report else None)
    return StepPlan("validate", [action])


def command_specs(root: Path, playbook: Playbook) -> list[dict[str, Any]]:
    """The playbook's validate commands as the action runs them; refused when a program is
    not found (nothing has run yet)."""
    commands = []
    for command in playbook.validate_:
        cwd = (
            "."
            if command.cwd in ("", ".")
            else safe_relpath(root, command.cwd, what="validate cwd")
        )
        argv = command.argv()
        _check_found(root, command.name, argv[0], cwd)
        commands.append(
            {"name": command.name, "argv": argv, "timeout": command.timeout, "cwd": cwd}
        )
    return commands


def static_spec(ctx: Context, ws: Workspace, earlier: dict[str, StepPlan]) -> dict[str, Any]:
    """What the run removes and adds, for the checks of what that breaks."""
    removed: list[str] = []
    added: list[str] = []
    for name in ("migrate", "remove", "compose", "docs"):
        for action in earlier[name].actions:
            if isinstance(action, MoveFile):
                removed.append(action.src)
                added.append(action.dst)
            elif isinstance(action, RemoveFile):
                removed.append(action.path)
            elif isinstance(action, WriteFile) and action.before is None:
                added.append(action.path)
    services = earlier["compose"].facts.get("services", [])
    return {
        "removed": sorted(set(removed) - set(added)),
        "added": sorted(set(added)),
        "compose": [a.paths()[0] for a in earlier["compose"].actions],
        "services": sorted({s for _f, s in services}),
        "strict_docs": ctx.playbook.strict_docs,
        "own": sorted({p for a in earlier["docs"].actions for p in a.paths()}),
    }


def baseline_spec(ctx: Context) -> dict[str, Any] | None:
    """The commit a failing command runs again on, to tell a failure the removal brought from
    one that was already there; None when the playbook says `baseline: false`. `dirty`: the
    run started with uncommitted changes (--allow-dirty), which that commit does not have."""
    if not ctx.playbook.baseline:
        return None
    return {"commit": ctx.head.commit, "dirty": bool(ctx.git.dirty_paths())}


def docker_spec(ctx: Context, earlier: dict[str, StepPlan]) -> dict[str, Any] | None:
    checks = ctx.playbook.docker
    if checks is None:
        return None
    services = earlier["compose"].facts.get("services", [])
    project = checks.project or project_name(ctx, [f for f, _s in services])
    return {
        "project": project,
        "expect_running": checks.expect_running,
        "removed_services": sorted({s for _f, s in services}),
        "health": [h.model_dump() for h in checks.health],
    }


def project_name(ctx: Context, files: list[str]) -> str:
    """Compose's default project name: the compose file's folder, lowercased and cleaned."""
    folder = PurePosixPath(files[0]).parent if files else PurePosixPath(".")
    name = folder.name if str(folder) != "." else ctx.git.root.name
    return re.sub(r"[^a-z0-9_-]", "", name.lower())


def _check_found(root: Path, name: str, program: str, cwd: str) -> None:
    if "/" in program:
        full = root / cwd / program
        if full.is_file() and os.access(full, os.X_OK):
            return
    elif shutil.which(program):
        return
    raise Refusal(
        f"validate: command {name!r} runs {program!r}, which is not found",
        "install it, fix the playbook's `run`, or remove the command",
    )
