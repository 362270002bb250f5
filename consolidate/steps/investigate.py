"""Step 1: what the removal touches. Files, services, mentions elsewhere, git facts."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePosixPath
from typing import Any

from consolidate.actions.checks import RecordFindings
from consolidate.gitio import Git
from consolidate.globs import expand
from consolidate.steps import Context, StepPlan
from consolidate.workspace import Workspace, safe_relpath

MAX_SCAN_BYTES = 2 * 1024 * 1024
CODE = {".py", ".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".go", ".rs", ".java", ".rb"}
DOCS = {".md", ".rst", ".txt", ".adoc"}
SCRIPTS = {".sh", ".bash", ".ps1", ".psm1", ".bat", ".cmd"}
SCRIPT_NAMES = {"Makefile", "justfile", "Justfile", "package.json", "Taskfile.yml"}


def plan(ctx: Context, ws: Workspace, earlier: dict[str, StepPlan]) -> StepPlan:
    pb = ctx.playbook
    patterns = [safe_relpath(ctx.git.root, p, what="files") for p in pb.files]
    removed = expand(patterns, ws.tracked()) if patterns else []
    files = [_file_facts(ws, path) for path in removed]
    history = _history(ctx.git, removed, files, ctx.date)
    services = [(f, s) for f, names in pb.compose.items() for s in names]
    skip = {ctx.playbook_path}
    references = find_references(ws, pb.component, removed, set(pb.compose), skip=skip)
    facts: dict[str, Any] = {
        "files": files,
        "services": services,
        "references": references,
        "history": history,
    }
    summary = (
        f"{_count(len(files), 'file')} ({_count(sum(f['lines'] for f in files), 'line')}), "
        f"{_count(len(services), 'compose service')}, "
        f"{_count(len(references), 'mention')} elsewhere before the removal"
    )
    return StepPlan("investigate", [RecordFindings(summary)], [], facts)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _file_facts(ws: Workspace, path: str) -> dict[str, Any]:
    data = ws.read(path) or b""
    lines = data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    return {"path": path, "lines": lines, "bytes": len(data)}


def _history(git: Git, paths: list[str], files: list[dict[str, Any]], date: str) -> dict[str, Any]:
    per_file: dict[str, list[int]] = {p: [] for p in paths}
    authors: set[str] = set()
    stamps: list[int] = []
    for entry in git.log(paths):
        touched = [p for p in entry.paths if p in per_file]
        for p in touched:
            per_file[p].append(entry.timestamp)
        if touched:
            authors.add(entry.author)
            stamps.append(entry.timestamp)
    for f in files:
        seen = per_file.get(f["path"], [])
        f["commits"] = len(seen)
        f["first"] = _day(min(seen)) if seen else None
        f["last"] = _day(max(seen)) if seen else None
    if not stamps:
        return {"commits": 0}
    first = _day(min(stamps))
    age = (dt.date.fromisoformat(date) - dt.date.fromisoformat(first)).days
    return {
        "first": first,
        "last": _day(max(stamps)),
        "commits": len(stamps),
        "authors": sorted(authors),
        "age_days": age,
    }


def _day(stamp: int) -> str:
    return dt.datetime.fromtimestamp(stamp, dt.UTC).date().isoformat()


def find_references(
    ws: Workspace,
    component: str,
    removed: list[str],
    compose_files: set[str],
    *,
    skip: set[str] | frozenset[str] = frozenset(),
) -> list[dict[str, Any]]:
    """Lines outside the removal that name the component or a removed file."""
    names = {component} | set(removed) | _distinct_names(ws, removed)
    words = sorted(names, key=len, reverse=True)
    pattern = re.compile(
        r"(?<![\w./-])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w-])",
        re.IGNORECASE,
    )
    skip = set(removed) | set(skip)
    found: list[dict[str, Any]] = []
    for path in ws.tracked():
        if path in skip:
            continue
        data = ws.read(path)
        if not data or len(data) > MAX_SCAN_BYTES or b"\0" in data[:4096]:
            continue
        text = data.decode("utf-8", errors="replace")
        if not pattern.search(text):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if pattern.search(line):
                kind = _kind(path, compose_files)
                found.append({"path": path, "line": number, "kind": kind, "text": line.strip()})
    return found


def _distinct_names(ws: Workspace, removed: list[str]) -> set[str]:
    """Basenames of removed files that no remaining file shares (not `requirements.txt`)."""
    remaining = {PurePosixPath(p).name for p in ws.tracked() if p not in set(removed)}
    return {PurePosixPath(p).name for p in removed} - remaining


def _kind(path: str, compose_files: set[str]) -> str:
    p = PurePosixPath(path)
    if path in compose_files or ("compose" in p.name and p.suffix in (".yml", ".yaml")):
        return "compose"
    if p.suffix in CODE:
        return "code"
    if p.suffix in DOCS:
        return "docs"
    if p.suffix in SCRIPTS or p.name in SCRIPT_NAMES:
        return "script"
    return "config"
