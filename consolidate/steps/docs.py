"""Step 6: CHANGELOG entry, ARCHITECTURE "Removed components", and the removal report."""

from __future__ import annotations

from typing import Any

from consolidate.actions.files import WriteFile
from consolidate.analysis.references import find_references
from consolidate.assess.assessment import quick_triggers
from consolidate.edits.markdown import add_changelog_entry, add_removed_component
from consolidate.report.assessment import why
from consolidate.report.investigation import as_markdown
from consolidate.report.removal import ReportData, render_report, report_name
from consolidate.steps.base import Context, StepPlan
from consolidate.steps.doc_edits import names_of, rewrites, script_edits
from consolidate.workspace import Workspace, safe_relpath


def plan(ctx: Context, ws: Workspace, earlier: dict[str, StepPlan]) -> StepPlan:
    pb = ctx.playbook
    step = StepPlan("docs")
    found = earlier["investigate"].facts
    backup = earlier["backup"].facts
    services = earlier["compose"].facts.get("services", [])
    explicit = pb.docs.model_fields_set
    rewritten = rewrites(ctx, ws)
    scripts = script_edits(ctx, ws, names_of(ctx, services, []))
    step.actions += [*rewritten, *scripts.actions]
    step.notes += [f"{line} still names {pb.component}: decide by hand" for line in scripts.left]
    entry = _changelog_entry(ctx, found, services)
    for key, edit, text in (
        ("changelog", add_changelog_entry, entry),
        ("architecture", add_removed_component, _architecture_entry(ctx, backup)),
    ):
        raw = getattr(pb.docs, key)
        if raw is None:
            continue
        path = safe_relpath(ctx.git.root, raw, what=f"docs.{key}")
        before = ws.read(path)
        if before is None and key not in explicit:
            step.notes.append(f"no {path}; set docs.{key} in the playbook to create one")
            continue
        after = edit((before or b"").decode("utf-8"), text).encode("utf-8")
        if after != before:
            _add(step, ws, WriteFile(path, before, after, f"record the removal in {key}"))
    report = safe_relpath(
        ctx.git.root, pb.docs.report or report_name(pb.component), what="docs.report"
    )
    written = {a.paths()[0] for a in step.actions} | {report, ctx.playbook_path}
    removed = [f["path"] for f in found["files"]]
    left = find_references(
        ws.tracked(), ws.read, pb.component, removed, set(pb.compose), skip=written
    )
    step.notes += [
        f"{r['path']}:{r['line']} still mentions {pb.component} ({r['kind']})" for r in left
    ]
    text = render_report(
        _report_data(ctx, found, backup, earlier, services, left, rewritten, scripts.changes)
    )
    _add(step, ws, WriteFile(report, ws.read(report), text.encode("utf-8"), "removal report"))
    step.facts["report"] = report
    return step


def _add(step: StepPlan, ws: Workspace, action: WriteFile) -> None:
    action.simulate(ws)
    step.actions.append(action)


def _changelog_entry(ctx: Context, found: dict[str, Any], services: list[Any]) -> str:
    parts = []
    if found["files"]:
        n = len(found["files"])
        parts.append(f"{n} file" + ("" if n == 1 else "s"))
    if services:
        parts.append(", ".join(f"compose service `{s}`" for _f, s in services))
    what = f" ({'; '.join(parts)})" if parts else ""
    return f"`{ctx.playbook.component}`{what}: {_one_line(ctx.playbook.summary)}"


def _architecture_entry(ctx: Context, backup: dict[str, Any]) -> str:
    where = f" Backup: branch `{backup['branch']}`." if backup.get("branch") else ""
    return f"**{ctx.playbook.component}**, removed {ctx.date}. {_one_line(ctx.playbook.summary)}{where}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


SHORT_SUMMARY = 12  # words


def _read_disk(ctx: Context) -> Any:
    def read(path: str) -> bytes | None:
        full = ctx.git.root / path
        return full.read_bytes() if full.is_file() and not full.is_symlink() else None

    return read


def _report_data(
    ctx: Context,
    found: dict[str, Any],
    backup: dict[str, Any],
    earlier: dict[str, StepPlan],
    services: list[Any],
    left: list[dict[str, Any]],
    rewrites: list[WriteFile],
    scripts: list[str],
) -> ReportData:
    edits = [a.describe() for a in earlier["migrate"].actions]
    edits += [a.describe() for a in rewrites]
    summary = ctx.playbook.summary
    if len(summary.split()) < SHORT_SUMMARY:  # say why from the evidence, not from nothing
        rows = {**found, "files": found.get("verdicts", found["files"])}
        triggers = quick_triggers(rows, ctx.git.tracked_files(), _read_disk(ctx), ctx.date)
        summary = f"{summary.strip()}\n\n{why(triggers)}"
    return ReportData(
        component=ctx.playbook.component,
        summary=summary,
        date=ctx.date,
        playbook=ctx.playbook_path,
        base_commit=ctx.head.commit,
        base_ref=ctx.head.ref,
        files=found["files"],
        services=[(f, s) for f, s in services],
        compose_comments=earlier["compose"].facts.get("comments", []),
        edits=edits,
        references=left,
        history=found["history"],
        branch=backup.get("branch"),
        tags=backup.get("tags", []),
        warnings=backup.get("warnings", []),
        compose_diff="\n".join(a.diff() for a in earlier["compose"].actions),
        scripts=scripts,
        investigation=as_markdown(
            {**found, "files": found.get("verdicts", found["files"])}, mentions=False
        ),
    )
