"""Step 7: run the playbook's commands (no shell), with timeouts; fill the report."""

from __future__ import annotations

import json
import os
import shutil

from consolidate.actions.checks import RunValidation
from consolidate.errors import Refusal
from consolidate.steps import Context, StepPlan
from consolidate.workspace import Workspace, safe_relpath


def plan(ctx: Context, ws: Workspace, earlier: dict[str, StepPlan]) -> StepPlan:
    commands = []
    for command in ctx.playbook.validate_:
        cwd = (
            "."
            if command.cwd in ("", ".")
            else safe_relpath(ctx.git.root, command.cwd, what="validate cwd")
        )
        argv = command.argv()
        _check_found(ctx, command.name, argv[0], cwd)
        commands.append(
            {"name": command.name, "argv": argv, "timeout": command.timeout, "cwd": cwd}
        )
    report = earlier["docs"].facts.get("report")
    action = RunValidation(json.dumps(commands), report, ws.read(report) if report else None)
    return StepPlan("validate", [action])


def _check_found(ctx: Context, name: str, program: str, cwd: str) -> None:
    if "/" in program:
        full = ctx.git.root / cwd / program
        if full.is_file() and os.access(full, os.X_OK):
            return
    elif shutil.which(program):
        return
    raise Refusal(
        f"validate: command {name!r} runs {program!r}, which is not found",
        "install it, fix the playbook's `run`, or remove the command",
    )
