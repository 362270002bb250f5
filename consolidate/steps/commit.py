"""Step 8: one commit of exactly what the run changed."""

from __future__ import annotations

from consolidate.actions.refs import CommitChanges
from consolidate.steps.base import Context, StepPlan
from consolidate.workspace import Workspace


def plan(ctx: Context, ws: Workspace, earlier: dict[str, StepPlan]) -> StepPlan:
    pb = ctx.playbook
    paths = sorted({p for step in earlier.values() for a in step.actions for p in a.paths()})
    removed = [a.paths()[0] for a in earlier["remove"].actions]
    services = earlier["compose"].facts.get("services", [])
    lines = [" ".join(pb.summary.split()), ""]
    if removed:
        lines.append("Removed files:")
        lines += [f"- {p}" for p in removed]
    if services:
        lines.append("Removed compose services:")
        lines += [f"- {s} ({f})" for f, s in services]
    warnings = earlier["docs"].facts.get("warnings", [])
    if warnings:
        lines.append("Warnings:")
        lines += [f"- {w}" for w in warnings]
    if earlier["backup"].facts.get("branch"):
        lines.append(f"Backup branch: {earlier['backup'].facts['branch']}")
    subject = f"Remove {pb.component}"
    action = CommitChanges(tuple(paths), subject, "\n".join(lines), ctx.head.ref, ctx.head.commit)
    return StepPlan("commit", [action] if paths else [], [] if paths else ["nothing to commit"])
