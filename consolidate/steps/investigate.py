"""Step 1: what the removal touches, and whether it is safe.

The investigation engine judges every file the playbook deletes and everything they import.
A file the playbook deletes that something outside the removal still imports or runs stops
the plan (that is the outage this tool exists to prevent); a file only tests or scripts
reach, and a file only the component uses that the playbook does not list, are noted.
"""

from __future__ import annotations

from typing import Any

from consolidate.actions.checks import RecordFindings
from consolidate.analysis import cache
from consolidate.analysis.investigation import investigate
from consolidate.errors import Refusal
from consolidate.globs import expand
from consolidate.steps.base import Context, StepPlan
from consolidate.workspace import Workspace, safe_relpath

MARKED = "marked `consolidate: keep`"  # the reason `analysis/graph.py` gives a marked file


def plan(ctx: Context, ws: Workspace, earlier: dict[str, StepPlan]) -> StepPlan:
    pb = ctx.playbook
    patterns = [safe_relpath(ctx.git.root, p, what="files") for p in pb.files]
    removed = expand(patterns, ws.tracked()) if patterns else []
    services = [(f, s) for f, names in pb.compose.items() for s in names]
    asked = {
        "name": pb.component,
        "files": removed,
        "services": services,
        "skip": [ctx.playbook_path],
        "planned": removed,
    }
    found = cache.cached(
        ctx.git,
        "run",
        asked,
        ctx.date,
        lambda: investigate(
            ctx.git,
            pb.component,
            date=ctx.date,
            files=removed,
            services=services,
            skip={ctx.playbook_path},
            planned=removed,
        ),
    )
    rows = {row["path"]: row for row in found["files"]}
    notes = [] if not ctx.delete_in_use else in_use_warnings(removed, rows)
    if not ctx.delete_in_use:
        refuse_kept(removed, rows)
    notes += [
        f"{p} is used only by tests or scripts ({rows[p]['reason'].split(': ', 1)[-1]}); "
        "it goes: check that is what you want"
        for p in removed
        if rows[p]["verdict"] == "review"
    ]
    notes += [
        f"{r['path']}: only the component uses it, but the playbook does not delete it"
        for r in found["files"]
        if r["verdict"] == "remove" and r["path"] not in set(removed)
    ]
    notes += [f"{w['file']}:{w['line']} {w['service']}: {w['message']}" for w in found["warnings"]]
    facts: dict[str, Any] = {
        **found,
        "files": [rows[p] for p in removed],
        "verdicts": found["files"],
        "services": services,
    }
    summary = (
        f"{_count(len(removed), 'file')} ({_count(sum(rows[p]['lines'] for p in removed), 'line')}), "
        f"{_count(len(services), 'compose service')}, "
        f"{_count(len(found['references']), 'mention')} elsewhere before the removal"
    )
    return StepPlan("investigate", [RecordFindings(summary)], notes, facts)


def in_use_warnings(removed: list[str], rows: dict[str, dict[str, Any]]) -> list[str]:
    return [
        f"{p} is still in use ({rows[p]['reason']}) and goes anyway (--delete-in-use); "
        "validate checks what that breaks"
        for p in removed
        if rows[p]["verdict"] == "keep"
    ]


def refuse_kept(removed: list[str], rows: dict[str, dict[str, Any]]) -> None:
    kept = [rows[p] for p in removed if rows[p]["verdict"] == "keep"]
    if not kept:
        return
    # A file a person marked outweighs one the investigation found in use: say so first.
    first = next((r for r in kept if r["reason"].startswith(MARKED)), kept[0])
    more = f" (and {len(kept) - 1} more)" if kept[1:] else ""
    if first["reason"].startswith(MARKED):
        raise Refusal(
            f"investigate: {first['path']} is {first['reason']}{more}",
            "take it out of files: in the playbook, delete the marker if the file may go, or "
            "pass --delete-in-use",
        )
    chain = " <- ".join(first["route"]) if first["route"] else first["reason"]
    raise Refusal(
        f"investigate: {first['path']} is still in use: {first['reason']}{more}; {chain}",
        "take it out of files: in the playbook, remove what uses it as well, or pass "
        "--delete-in-use if the investigation is wrong (consolidate investigate shows why)",
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
