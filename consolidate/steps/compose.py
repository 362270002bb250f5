"""Step 5: remove the named services from the project's compose files, byte-exact.

The playbook names compose files and services; `compose.project` follows `include:`, cuts
references in every project file, drops what only the removed services used, and refuses
when a compose file the playbook does not name still refers to them.
"""

from __future__ import annotations

from pathlib import Path

from consolidate.actions.files import WriteFile
from consolidate.compose.project import plan_project
from consolidate.steps.base import Context, StepPlan
from consolidate.workspace import Workspace, safe_relpath


def plan(ctx: Context, ws: Workspace, earlier: dict[str, StepPlan]) -> StepPlan:
    step = StepPlan("compose")
    named = {
        safe_relpath(ctx.git.root, raw, what="compose file"): list(services)
        for raw, services in ctx.playbook.compose.items()
    }
    if not named:
        step.facts = {"services": [], "comments": [], "resources": [], "files": []}
        return step
    project = plan_project(
        ws.read,
        ws.tracked(),
        named,
        keep_volumes=ctx.playbook.keep_volumes,
        original=lambda path: on_disk(ctx.git.root / path),
    )
    comments: list[str] = []
    resources: list[tuple[str, str]] = []
    for edit in project.edits:
        what = ", ".join(edit.services_removed) or "references to removed services"
        action = WriteFile(edit.path, edit.before, edit.after, f"remove {what}")
        action.simulate(ws)
        step.actions.append(action)
        comments += list(edit.removed_comments)
        resources += [(edit.path, r) for r in edit.resources_removed]
        step.notes += [f"{edit.path}: remove {r}" for r in edit.resources_removed]
        step.notes += [f"{edit.path}: comment removed: {c!r}" for c in edit.removed_comments]
    step.notes += project.notes
    step.facts = {
        "services": project.services,
        "comments": comments,
        "resources": resources,
        "files": project.files,
    }
    return step


def on_disk(full: Path) -> bytes | None:
    """A file as it is before the removal (an included file the removal deletes)."""
    return full.read_bytes() if full.is_file() and not full.is_symlink() else None
