"""Step 4: delete the playbook's files and globs (tracked files only, git rm semantics)."""

from __future__ import annotations

import os
import stat

from consolidate.actions.files import RemoveFile, read_state
from consolidate.globs import compile_glob, expand
from consolidate.steps.base import Context, StepPlan
from consolidate.workspace import Workspace, safe_relpath


def plan(ctx: Context, ws: Workspace, earlier: dict[str, StepPlan]) -> StepPlan:
    step = StepPlan("remove")
    root = ctx.git.root
    patterns = [safe_relpath(root, p, what="files") for p in ctx.playbook.files]
    if not patterns:
        return step
    for path in expand(patterns, ws.tracked()):
        full = root / path
        before = ws.read(path) if path in ws.changed() else read_state(full)
        if before is None:
            continue
        mode = os.lstat(full).st_mode if os.path.lexists(full) else stat.S_IFREG | 0o644
        action = RemoveFile(path, before, mode)
        action.simulate(ws)
        step.actions.append(action)
    regexes = [compile_glob(p.rstrip("/")) for p in patterns]
    kept = [
        p for p in ctx.git.untracked_files(ignored=False) if any(r.fullmatch(p) for r in regexes)
    ]
    step.notes += [
        f"untracked {p} is left in place (consolidate removes tracked files only)" for p in kept
    ]
    return step
