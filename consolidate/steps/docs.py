"""Step 6: CHANGELOG entry, ARCHITECTURE "Removed components", docs that stop listing the
removed services, and the removal report."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from typing import Any

from consolidate.actions.files import WriteFile
from consolidate.analysis.compose_facts import compose_facts
from consolidate.analysis.references import (
    MAX_SCAN_BYTES,
    find_references,
    history_file,
    service_mentions,
)
from consolidate.assess.assessment import quick_triggers
from consolidate.edits.doc_lists import edit_doc
from consolidate.edits.doc_sections import cut_path_rows, cut_sections
from consolidate.edits.markdown import add_changelog_entry, add_removed_component
from consolidate.report.assessment import why
from consolidate.report.investigation import as_markdown
from consolidate.report.removal import ReportData, render_report, report_name
from consolidate.steps.base import Context, StepPlan
from consolidate.steps.doc_edits import names_of, rewrites, script_edits
from consolidate.workspace import Workspace, resolves_inside, safe_relpath


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
    report = safe_relpath(
        ctx.git.root, pb.docs.report or report_name(pb.component), what="docs.report"
    )
    records = {report, ctx.playbook_path}
    gone = _gone_names(ctx, earlier, services, scripts.removed)
    lists = _list_edits(ctx, ws, services, gone, skip=records | _record_paths(ctx))
    own: dict[str, set[int]] = {}  # lines of the run's own entries, which name it on purpose
    for key, edit, text in (
        ("changelog", add_changelog_entry, entry),
        ("architecture", add_removed_component, _architecture_entry(ctx, backup)),
    ):
        raw = getattr(pb.docs, key)
        if raw is None:
            continue
        path = safe_relpath(ctx.git.root, raw, what=f"docs.{key}")
        if _skip_link(ctx, step, path, key):
            lists.pop(path, None)
            continue
        before = ws.read(path)
        if before is None and key not in explicit:
            step.notes.append(f"no {path}; set docs.{key} in the playbook to create one")
            continue
        listed = lists.pop(path, None)
        base = listed.after if listed else (before or b"")
        after = edit(base.decode("utf-8"), text).encode("utf-8")
        why = "; ".join([f"record the removal in {key}", *(listed.changes if listed else [])])
        if after != before:
            record = WriteFile(path, before, after, why)
            _add(step, ws, record)
            rewritten += [record] if listed else []
            own[path] = _added_lines(base, after)
    for path, listed in lists.items():
        action = WriteFile(path, listed.before, listed.after, "; ".join(listed.changes))
        _add(step, ws, action)
        rewritten.append(action)
    # Every edited file is scanned as the run leaves it, so what it still says is listed,
    # but for the run's own changelog and architecture entries; the report and the playbook
    # are not scanned.
    removed = [f["path"] for f in found["files"]]
    left = [
        ref
        for ref in find_references(
            ws.tracked(),
            ws.read,
            pb.component,
            removed,
            set(pb.compose),
            skip=records,
            containers=gone.containers,
            images=gone.images,
            also=gone.also,
            history=_record_paths(ctx),
        )
        if ref["line"] not in own.get(ref["path"], set())
    ]
    step.notes += [
        f"{r['path']}:{r['line']} still mentions {pb.component} ({r['kind']})" for r in left
    ]
    if _skip_link(ctx, step, report, "report"):
        return step
    data = _report_data(ctx, found, backup, earlier, services, left, rewritten, scripts.changes)
    data.warnings.extend(step.facts.get("warnings", []))
    text = render_report(data)
    _add(step, ws, WriteFile(report, ws.read(report), text.encode("utf-8"), "removal report"))
    step.facts["report"] = report
    return step


def _skip_link(ctx: Context, step: StepPlan, path: str, key: str) -> bool:
    """A doc tracked as a symlink is never written: writing through it would change a file
    outside the repository (or another file than the one named), and replacing it would turn
    the link into a copy. The run goes on; the skip is a warning in the step's notes and its
    `warnings` fact (the output, the report and the commit message show them), never quiet."""
    full = ctx.git.root / path
    if not full.is_symlink():
        return False
    target = os.readlink(full)
    if resolves_inside(ctx.git.root, path):
        why = f"it is a symlink to {target}; set docs.{key} to that file to update it"
    else:
        why = f"it is a symlink to a file outside the repository ({target})"
    warning = f"{path} was skipped ({key} not written): {why}"
    step.notes.append(warning)
    step.facts.setdefault("warnings", []).append(warning)
    return True


@dataclass(frozen=True)
class _Listed:
    before: bytes
    after: bytes
    changes: list[str]  # "line 12: table row of `x` removed"


@dataclass(frozen=True)
class _Gone:
    """Names the removal takes away besides the component's: container names, images only
    the removed services used, other removed services, volumes and networks only they used."""

    containers: list[str]
    images: list[str]
    also: list[str]
    known: set[str]  # every compose service of the repository
    paths: set[str]  # files the run deletes, and `folder/` for a folder that goes whole


def _gone_names(
    ctx: Context, earlier: dict[str, StepPlan], services: list[Any], targets: list[str]
) -> _Gone:
    tracked = ctx.git.tracked_files()
    facts = compose_facts(tracked, _read_disk(ctx)).services
    removed = [(f, s) for f, s in services]
    containers, images = service_mentions(facts, removed, ctx.git.root.name)
    resources = [r.split()[-1] for _p, r in earlier["compose"].facts.get("resources", [])]
    others = [s for _f, s in removed if s != ctx.playbook.component]
    also = list(dict.fromkeys([*others, *resources, *targets]))
    files = {a.paths()[0] for a in earlier["remove"].actions}
    return _Gone(containers, images, also, {f.service for f in facts}, gone_paths(tracked, files))


def gone_paths(tracked: list[str], files: set[str]) -> set[str]:
    """The files the run deletes, and each folder (`folder/`) whose every file goes."""
    folders: dict[str, bool] = {}
    for path in tracked:
        parts = path.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            folder = "/".join(parts[:depth])
            folders[folder] = folders.get(folder, True) and path in files
    return files | {f"{folder}/" for folder, every in folders.items() if every}


def _list_edits(
    ctx: Context, ws: Workspace, services: list[Any], gone: _Gone, *, skip: set[str]
) -> dict[str, _Listed]:
    """Docs that stop listing the removed services: table rows, list items and elements,
    and the count next to them (`consolidate.edits.doc_lists`), sections about the component
    (`doc_sections`), one edit per file. History (`history_file`) and the run's own records
    are never rewritten."""
    names = names_of(ctx, services, [*gone.containers, *gone.also])
    needles = [n.lower().encode() for n in names]
    headed = {ctx.playbook.component, *(s for _f, s in services)}
    out: dict[str, _Listed] = {}
    for path in ws.tracked():
        if not path.lower().endswith(DOC_SUFFIXES) or path in skip or history_file(path):
            continue
        data = ws.read(path)
        if not data or len(data) > MAX_SCAN_BYTES or not any(n in data.lower() for n in needles):
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        edit = edit_doc(text, names, services=gone.known)
        after, cuts = cut_sections(edit.after, headed)
        after, rows = cut_path_rows(after, gone.paths)
        changes = [f"line {c.line}: {c.what}" for c in edit.changes]
        changes += [f"section '{c.heading}' ({c.lines} lines) removed" for c in cuts]
        changes += [f"table row of a deleted path removed: {c.heading}" for c in rows]
        if changes:
            out[path] = _Listed(data, after.encode("utf-8"), changes)
    return out


def _added_lines(before: bytes, after: bytes) -> set[int]:
    """1-based numbers of the lines `after` has that `before` has not."""
    old, new = (data.decode("utf-8", errors="replace").splitlines() for data in (before, after))
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    ops = matcher.get_opcodes()
    return {j + 1 for tag, _i1, _i2, j1, j2 in ops if tag != "equal" for j in range(j1, j2)}


def _record_paths(ctx: Context) -> set[str]:
    """The changelog: a record of what happened, even under an unusual name."""
    raw = ctx.playbook.docs.changelog
    return {safe_relpath(ctx.git.root, raw, what="docs.changelog")} if raw else set()


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
DOC_SUFFIXES = (".md", ".markdown")


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
        warnings=list(backup.get("warnings", [])),
        compose_diff="\n".join(a.diff() for a in earlier["compose"].actions),
        scripts=scripts,
        investigation=as_markdown(
            {**found, "files": found.get("verdicts", found["files"])}, mentions=False
        ),
    )
