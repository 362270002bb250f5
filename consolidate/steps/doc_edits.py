"""The docs step's edits beyond the changelog and architecture: declared rewrites in docs
(`docs.rewrite`) and management scripts that stop naming the component (`scripts:`)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from consolidate.actions.files import WriteFile
from consolidate.edits.scripts import edit_script
from consolidate.errors import Refusal
from consolidate.steps.base import Context
from consolidate.steps.migrate import replace_in
from consolidate.workspace import Workspace, safe_relpath


@dataclass
class ScriptPlan:
    actions: list[WriteFile] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # for the report
    left: list[str] = field(default_factory=list)  # lines that still name it: a person decides


def rewrites(ctx: Context, ws: Workspace) -> list[WriteFile]:
    out = []
    for spec in ctx.playbook.docs.rewrite:
        path = safe_relpath(ctx.git.root, spec.file, what="docs.rewrite")
        action = replace_in(ws, path, spec, "docs.rewrite")
        action.simulate(ws)
        out.append(action)
    return out


def names_of(
    ctx: Context, services: Collection[tuple[str, str]], containers: Collection[str]
) -> set[str]:
    """What scripts call the component: its name, its services, their container names."""
    return {ctx.playbook.component, *(s for _f, s in services), *containers}


def script_edits(ctx: Context, ws: Workspace, names: set[str]) -> ScriptPlan:
    plan = ScriptPlan()
    for script in ctx.playbook.scripts:
        path = safe_relpath(ctx.git.root, script.file, what="scripts")
        data = ws.read(path)
        if data is None:
            raise Refusal(f"scripts: {path} does not exist", "fix the path in the playbook")
        blocks = [(b.start, b.end) for b in script.blocks]
        try:
            edit = edit_script(path, data, names, blocks)
        except ValueError as exc:
            raise Refusal(f"scripts: {path}: {exc}", "fix the playbook's scripts: entry") from None
        plan.left += [f"{path}:{line}: {text.strip()[:100]}" for line, text in edit.left]
        if edit.after == data:
            continue
        action = WriteFile(path, data, edit.after, f"{len(edit.changes)} reference(s) removed")
        action.simulate(ws)
        plan.actions.append(action)
        plan.changes += [f"`{path}:{c.line}` {c.reason}" for c in edit.changes]
    return plan
