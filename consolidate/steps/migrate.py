"""Step 3: the playbook's declared moves and text replacements, in order."""

from __future__ import annotations

from consolidate.actions.files import MoveFile, WriteFile
from consolidate.edits.patterns import subn
from consolidate.errors import Refusal
from consolidate.playbook import MoveOp, ReplaceOp, ReplaceSpec
from consolidate.steps.base import Context, StepPlan
from consolidate.workspace import Workspace, safe_relpath


def plan(ctx: Context, ws: Workspace, earlier: dict[str, StepPlan]) -> StepPlan:
    step = StepPlan("migrate")
    root = ctx.git.root
    for op in ctx.playbook.migrate:
        action: MoveFile | WriteFile
        if isinstance(op, MoveOp):
            src = safe_relpath(root, op.move.from_, what="migrate move")
            dst = safe_relpath(root, op.move.to, what="migrate move")
            if not ws.is_tracked(src):
                raise Refusal(f"migrate: cannot move {src}: git does not track it")
            if ws.exists(dst):
                raise Refusal(f"migrate: cannot move {src} to {dst}: {dst} exists")
            action = MoveFile(src, dst)
        elif isinstance(op, ReplaceOp):
            path = safe_relpath(root, op.replace.file, what="migrate replace")
            action = replace_in(ws, path, op.replace, "migrate", ctx.playbook.regex_timeout)
        action.simulate(ws)
        step.actions.append(action)
    return step


def replace_in(ws: Workspace, path: str, spec: ReplaceSpec, where: str, limit: float) -> WriteFile:
    """A declared regex replacement (migrate, docs.rewrite); a pattern that matches nothing is
    a mistake in the playbook, not something to skip quietly, and one that runs past `limit`
    seconds on the file is refused (`PatternTimeout`) rather than left to hang the run."""
    data = ws.read(path)
    if data is None:
        raise Refusal(f"{where}: cannot replace in {path}: no such file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Refusal(f"{where}: {path} is not UTF-8 text", "edit it by hand") from None
    new, count = subn(
        spec.pattern, spec.with_, text, count=spec.count, limit=limit, where=where, path=path
    )
    if count == 0:
        raise Refusal(
            f"{where}: pattern {spec.pattern!r} matches nothing in {path}",
            "fix the pattern or drop the replacement",
        )
    return WriteFile(path, data, new.encode("utf-8"), f"{count} replacement(s) of {spec.pattern!r}")
