"""The docs step's edits beyond the changelog and architecture: declared rewrites in docs
(`docs.rewrite`) and management scripts that stop naming the component (`scripts:`)."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from consolidate.actions.files import WriteFile
from consolidate.analysis.references import history_file
from consolidate.compose.edit import service_names
from consolidate.edits.envfile import candidates, is_env_file
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
    removed: list[str] = field(default_factory=list)  # targets and scripts that went


def rewrites(ctx: Context, ws: Workspace) -> list[WriteFile]:
    out = []
    for spec in ctx.playbook.docs.rewrite:
        path = safe_relpath(ctx.git.root, spec.file, what="docs.rewrite")
        action = replace_in(ws, path, spec, "docs.rewrite", ctx.playbook.regex_timeout)
        action.simulate(ws)
        out.append(action)
    return out


def names_of(
    ctx: Context, services: Collection[tuple[str, str]], containers: Collection[str]
) -> set[str]:
    """What scripts call the component: its name, its services, their container names."""
    return {ctx.playbook.component, *(s for _f, s in services), *containers}


def script_edits(ctx: Context, ws: Workspace, names: set[str]) -> ScriptPlan:
    """The playbook's `scripts:` entries, edited in order; `.env`-style files last, so the
    variables a kept file still reads are searched in the scripts as they will be."""
    plan = ScriptPlan()
    entries = [
        (safe_relpath(ctx.git.root, s.file, what="scripts"), s) for s in ctx.playbook.scripts
    ]
    for path, _script in entries:
        data = ws.read(path)
        if data is None:
            raise Refusal(f"scripts: {path} does not exist", "fix the path in the playbook")
        if b"\0" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise Refusal(
                f"scripts: {path} is a binary file (a NUL byte in its first 8 KiB)",
                "list only text scripts and config under scripts:",
            )
    others = kept_services(ctx, ws, names)
    for path, script in sorted(entries, key=lambda e: is_env_file(e[0])):
        data = ws.read(path) or b""
        keep = still_read(ws, candidates(data, names, others)) if is_env_file(path) else set()
        blocks = [(b.start, b.end) for b in script.blocks]
        try:
            edit = edit_script(
                path,
                data,
                names,
                blocks,
                keep=keep,
                others=others,
                limit=ctx.playbook.regex_timeout,
            )
        except ValueError as exc:
            raise Refusal(f"scripts: {path}: {exc}", "fix the playbook's scripts: entry") from None
        plan.left += [f"{path}:{line}: {text.strip()[:100]}" for line, text in edit.left]
        if edit.after == data:
            continue
        action = WriteFile(path, data, edit.after, f"{len(edit.changes)} reference(s) removed")
        action.simulate(ws)
        plan.actions.append(action)
        plan.changes += [f"`{path}:{c.line}` {c.reason}" for c in edit.changes]
        plan.removed += [name for name in edit.removed if name not in plan.removed]
    return plan


def kept_services(ctx: Context, ws: Workspace, names: set[str]) -> set[str]:
    """The services the playbook's compose files keep: a script block that names one of them
    is shared, and a variable named after one is theirs."""
    found: set[str] = set()
    for raw in ctx.playbook.compose:
        path = safe_relpath(ctx.git.root, raw, what="compose")
        data = ws.read(path)
        try:
            found.update(service_names(data, path=path) if data else [])
        except Refusal:  # a compose file the compose step could not read refuses there
            continue
    return found - names


DOC_SUFFIXES = (".md", ".markdown", ".rst", ".txt", ".adoc")
MAX_SEARCHED = 2_000_000  # bytes: a larger file is data, not a reader of variables


def still_read(ws: Workspace, variables: set[str]) -> set[str]:
    """The variables some kept file still reads after the removal: a whole-word mention in a
    tracked file of the work tree as planned, but `.env`-style files (they define, not read),
    docs and history (they describe)."""
    if not variables:
        return set()
    pattern = re.compile(
        rf"(?<![A-Za-z0-9_])(?:{'|'.join(map(re.escape, sorted(variables)))})(?![A-Za-z0-9_])"
    )
    found: set[str] = set()
    for path in ws.tracked():
        if is_env_file(path) or path.lower().endswith(DOC_SUFFIXES) or history_file(path):
            continue
        data = ws.read(path)
        if not data or len(data) > MAX_SEARCHED or b"\0" in data[:8192]:
            continue
        found.update(pattern.findall(data.decode("utf-8", "replace")))
    return found
