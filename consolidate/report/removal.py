"""The removal report: Markdown a reviewer reads on a code host."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Any

from consolidate.analysis.history import today as today
from consolidate.analysis.references import group_of
from consolidate.report.markdown_text import cell, code_span, fenced, html_text

START = "<!-- consolidate:validation -->"
END = "<!-- /consolidate:validation -->"


@dataclass(frozen=True)
class ReportData:
    component: str
    summary: str
    date: str
    playbook: str
    base_commit: str
    base_ref: str | None
    files: list[dict[str, Any]] = field(default_factory=list)  # path, lines, first, last, commits
    services: list[tuple[str, str]] = field(default_factory=list)  # (compose file, service)
    compose_comments: list[str] = field(default_factory=list)
    edits: list[str] = field(default_factory=list)
    references: list[dict[str, Any]] = field(default_factory=list)
    history: dict[str, Any] = field(default_factory=dict)
    branch: str | None = None
    tags: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    investigation: str = ""  # Markdown from `report.investigation.as_markdown`
    compose_diff: str = ""
    scripts: list[str] = field(default_factory=list)  # what changed in management scripts


def report_name(component: str) -> str:
    return f"{component.upper().replace('-', '_').replace('.', '_')}_REMOVAL_REPORT.md"


def render_report(data: ReportData) -> str:
    parts = [
        f"# {data.component} removal report\n",
        _header(data),
        f"## Why\n\n{data.summary.strip()}\n",
        _removed(data),
        data.investigation,
        _references(data),
        _history(data),
        _backups(data),
        f"## Validation\n\n{START}\nNot run yet.\n{END}\n",
        _rollback(data),
    ]
    return "\n".join(p for p in parts if p)


def _header(data: ReportData) -> str:
    base = code_span(data.base_commit[:12]) + (
        f" on {code_span(_short(data.base_ref))}" if data.base_ref else ""
    )
    return (
        f"- **Component:** {code_span(data.component)}\n- **Date:** {data.date}\n"
        f"- **Playbook:** {code_span(data.playbook)}\n- **Removed from:** {base}\n"
    )


def _removed(data: ReportData) -> str:
    out = ["## What was removed\n"]
    if data.files:
        total = sum(int(f["lines"]) for f in data.files)
        out.append(f"### Files ({len(data.files)} files, {total} lines)\n")
        out.append("| File | Lines | First commit | Last commit | Commits |")
        out.append("| --- | ---: | --- | --- | ---: |")
        for f in data.files:
            first, last = cell(f.get("first") or "-"), cell(f.get("last") or "-")
            row = (code_span(f["path"], cell=True), str(f["lines"]), first, last)
            out.append("| " + " | ".join(row) + f" | {f.get('commits', 0)} |")
        out.append("")
    if data.services:
        out.append("### Compose services\n")
        out += [f"- {code_span(service)} from {code_span(file)}" for file, service in data.services]
        out.append("")
    if data.compose_comments:
        comments = "\n".join(data.compose_comments)
        out.append(f"Comment lines that went with them:\n\n{fenced(comments, 'yaml')}\n")
    if data.compose_diff:
        diff = fenced(data.compose_diff.rstrip("\n"), "diff")
        out.append(f"### Compose diff\n\n{diff}\n")
    if data.scripts:
        out.append("### Scripts\n")
        out += [f"- {change}" for change in data.scripts]
        out.append("")
    if data.edits:
        out.append("### Other changes\n")
        out += [f"- {edit}" for edit in data.edits]
        out.append("")
    if len(out) == 1:
        out.append("Nothing.\n")
    return "\n".join(out)


GROUPS = (
    (
        "live",
        "Live code, config and scripts",
        "These still run or configure something: each should go, or say why it stays.",
    ),
    ("docs", "Docs", "These describe the repository as it is now: decide for each."),
    (
        "history",
        "History",
        "Records of earlier changes (changelogs, earlier removal reports, decision records):"
        " they stay as they are.",
    ),
)
MAX_MENTIONS = 500  # rows per group; the rest are counted, never dropped silently


def _references(data: ReportData) -> str:
    """Every line that still names the component, live first, then docs, then history, each
    under a heading with its count; says plainly when nothing live names it any more."""
    out = ["## Mentions left in the repository\n"]
    grouped: dict[str, list[dict[str, Any]]] = {key: [] for key, _, _ in GROUPS}
    for ref in data.references:
        grouped[_group(ref)].append(ref)
    if not grouped["live"]:
        out.append(f"No live code, config or script names {data.component} any more.\n")
    if not data.references:
        out.append("No docs or history mention it either.\n")
    for key, title, why in GROUPS:
        refs = grouped[key]
        if refs:
            out.append(_mention_table(f"{title} ({len(refs)})", why, refs))
    return "\n".join(out)


def _group(ref: dict[str, Any]) -> str:
    """The row's group; rows of an older JSON without one are grouped from path and kind."""
    group = ref.get("group")
    if group in ("live", "docs", "history"):
        return str(group)
    return group_of(str(ref["path"]), str(ref.get("kind", "")))


def _mention_table(heading: str, why: str, refs: list[dict[str, Any]]) -> str:
    """One group's rows; a group over `MAX_MENTIONS` rows says how many more it has."""
    out = [f"### {heading}\n", f"{why}\n"]
    out += ["| File | Line | Kind | Text |", "| --- | ---: | --- | --- |"]
    for ref in refs[:MAX_MENTIONS]:
        where = code_span(str(ref["path"]), cell=True)
        text = code_span(str(ref.get("text", "")).strip()[:100], cell=True)
        out.append(f"| {where} | {ref['line']} | {cell(str(ref['kind']))} | {text} |")
    if len(refs) > MAX_MENTIONS:
        more = len(refs) - MAX_MENTIONS
        out.append(f"\n... and {more} more line{'s' if more > 1 else ''} not shown here.")
    return "\n".join(out) + "\n"


def _history(data: ReportData) -> str:
    h = data.history
    if not h.get("commits"):
        return ""
    return (
        "## History\n\n"
        f"- First commit: {h.get('first')}\n- Last commit: {h.get('last')}\n"
        f"- Commits: {h.get('commits')}\n- Authors: {', '.join(h.get('authors', []))}\n"
        f"- Age: {h.get('age_days')} days\n"
    )


def _backups(data: ReportData) -> str:
    out = ["## Backups\n"]
    if data.branch:
        out.append(f"- Branch {code_span(data.branch)} at {code_span(data.base_commit[:12])}")
    out += [f"- Docker image tag {code_span(tag)}" for tag in data.tags]
    out += [f"- Warning: {w}" for w in data.warnings]
    if len(out) == 1:
        out.append("- None (backups were turned off)")
    return "\n".join(out) + "\n"


def _rollback(data: ReportData) -> str:
    lines = [
        "## Roll back\n",
        "While the run's journal exists (until the next run), undo everything, branch and",
        "tags included:\n",
        "```sh\nconsolidate rollback --yes\n```\n",
    ]
    if data.branch:
        restore = code_span(f"git checkout {data.branch} -- <path>")
        lines.append(f"Later, restore the files from the backup branch: {restore}.\n")
    return "\n".join(lines)


def _short(ref: str) -> str:
    return ref.removeprefix("refs/heads/")


def fill_validation(text: str, results: list[dict[str, Any]]) -> str:
    head, sep, rest = text.partition(START)
    _, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        return text
    return f"{head}{START}\n{validation_table(results)}{END}{tail}"


def validation_table(results: list[dict[str, Any]]) -> str:
    if not results:
        return "No validation commands were declared.\n"
    out = ["| Check | Command | Result | Seconds |", "| --- | --- | --- | ---: |"]
    for r in results:
        command = shlex.join(r["argv"])
        shown = code_span(command, cell=True) if command else "(built in)"
        out.append(f"| {cell(r['name'])} | {shown} | {_mark(r)} | {r['seconds']:.2f} |")
    out.append("")
    for r in results:
        output = fenced(r.get("output", "").rstrip() or "(no output)", "text")
        summary = f"<summary>{html_text(r['name'])}: output</summary>"
        out.append(f"<details>{summary}\n\n{output}\n</details>\n")
    return "\n".join(out)


def validation_summary(results: list[dict[str, Any]]) -> str:
    if not results:
        return "- no validation commands declared"
    return "\n".join(f"- {r['name']}: {_mark(r)}" for r in results)


def _mark(result: dict[str, Any]) -> str:
    """The Result column: a row's `note` ("not available") stands in for its status."""
    if result.get("note"):
        return str(result["note"])
    if result["status"] == "passed":
        return "passed"
    code = result.get("exit")
    return f"**{result['status']}**" + (f" (exit {code})" if code is not None else "")
