"""Step 5: remove the named services from the named compose files, byte-exact."""

from __future__ import annotations

from consolidate.actions.files import WriteFile
from consolidate.compose_edit import remove_services
from consolidate.errors import Refusal
from consolidate.steps import Context, StepPlan
from consolidate.workspace import Workspace, safe_relpath


def plan(ctx: Context, ws: Workspace, earlier: dict[str, StepPlan]) -> StepPlan:
    step = StepPlan("compose")
    removed: list[tuple[str, str]] = []
    comments: list[str] = []
    for raw, services in ctx.playbook.compose.items():
        path = safe_relpath(ctx.git.root, raw, what="compose file")
        data = ws.read(path)
        if data is None:
            raise Refusal(f"compose: {path} does not exist", "fix the file name in the playbook")
        edit = remove_services(data, services, path=path)
        action = WriteFile(path, data, edit.after, f"remove services {', '.join(services)}")
        action.simulate(ws)
        step.actions.append(action)
        removed += [(path, s) for s in edit.services_removed]
        comments += list(edit.removed_comments)
        step.notes += [
            f"{path}: comment removed: {c.strip()!r}"
            for c in edit.removed_comments
        ]
    step.facts = {"services": removed, "comments": comments}
    return step
