"""The investigation as terminal tables (rich) and as Markdown for the removal report."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from consolidate.report import terminal
from consolidate.report.markdown_text import cell, code_span, mermaid_label

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

VERDICT_ORDER = {"keep": 0, "review": 1, "remove": 2}
CODE_SUFFIXES = (".py", ".pyi", ".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")


def _console(buffer: io.StringIO) -> Console:
    return terminal.console(buffer)


def _table(title: str, columns: list[str], rows: list[list[str]]) -> Table:
    return terminal.table(title, columns, rows)


def file_rows(found: dict[str, Any]) -> list[list[str]]:
    rows = sorted(found["files"], key=lambda f: (VERDICT_ORDER[f["verdict"]], f["path"]))
    return [
        [f["verdict"], f["path"], str(f["lines"]), f.get("last") or "-", f["reason"]] for f in rows
    ]


def as_text(found: dict[str, Any]) -> str:
    buffer = io.StringIO()
    console = _console(buffer)
    console.print(f"Investigation of {found['component']}\n")
    console.print(
        _table("Files", ["verdict", "path", "lines", "last commit", "why"], file_rows(found))
    )
    for row in found["files"]:
        if row["verdict"] == "keep" and row["route"]:
            console.print(f"  {row['path']} stays: " + " <- ".join(row["route"]))
    compose = [
        [c["file"], c["service"], c["image"] or "-", ", ".join(c["depended_on_by"]) or "nobody"]
        for c in found["compose"]
    ]
    console.print(
        _table("Compose services", ["file", "service", "image", "depended on by"], compose)
    )
    for project in found.get("projects", []):
        files = ", ".join(project["files"])
        console.print(f"Compose project {project['folder'] or '.'}: {files}")
    hosts = [
        [f"{h['file']}:{h['line']}", h["service"], f"{h['key']}: {h['text']}"]
        for h in found.get("hosts", [])
    ]
    if hosts:
        console.print(
            _table("Kept services that use it as a host", ["where", "service", "value"], hosts)
        )
    if found["warnings"]:
        warnings = [
            [f"{w['file']}:{w['line']}", w["service"], w["message"]] for w in found["warnings"]
        ]
        console.print(_table("Compose warnings", ["where", "service", "problem"], warnings))
    if found["uncertain"]:
        rows = [
            [f"{u['path']}:{u['line']}", u["text"], ", ".join(u["could_be"])]
            for u in found["uncertain"]
        ]
        console.print(
            _table("Imports that could mean several files", ["where", "import", "could be"], rows)
        )
    refs = [[f"{r['path']}:{r['line']}", _kind(r), r["text"][:80]] for r in found["references"]]
    console.print(_table(f"Mentions elsewhere ({len(refs)})", ["where", "kind", "text"], refs))
    console.print(history_line(found["history"]))
    return buffer.getvalue()


def history_line(facts: dict[str, Any]) -> str:
    if not facts.get("commits"):
        return "History: no commits touch these files."
    return (
        f"History: {facts['commits']} commits from {facts['first']} to {facts['last']} by "
        f"{', '.join(facts['authors'])}; {facts['age_days']} days old."
    )


def as_markdown(found: dict[str, Any], *, mentions: bool = True) -> str:
    """The investigation part of a removal report (which lists the mentions on its own)."""
    title = f"## Investigation of {code_span(found['component'])}"
    lines = [title, "", history_line(found["history"]), ""]
    lines += ["| verdict | file | lines | last commit | why |", "|---|---|---|---|---|"]
    lines += [
        f"| {v} | {code_span(p, cell=True)} | {n} | {d} | {cell(w)} |"
        for v, p, n, d, w in file_rows(found)
    ]
    lines += mermaid(found)
    kept = [r for r in found["files"] if r["verdict"] == "keep" and r["route"]]
    if kept:
        lines += ["", "Why kept files stay:", ""]
        lines += [f"- {code_span(r['path'])}: " + " <- ".join(map(_code, r["route"])) for r in kept]
    if found["compose"]:
        lines += ["", "| compose file | service | image | depended on by |", "|---|---|---|---|"]
        lines += [
            f"| {code_span(c['file'], cell=True)} | {cell(c['service'])} | "
            f"{cell(c['image'] or '-')} | {cell(', '.join(c['depended_on_by']) or 'nobody')} |"
            for c in found["compose"]
        ]
    if found["warnings"]:
        lines += ["", "Compose warnings:", ""]
        lines += [
            f"- {_where(w['file'], w['line'])} {w['service']}: {w['message']}"
            for w in found["warnings"]
        ]
    if not mentions:
        return "\n".join(lines) + "\n"
    lines += ["", f"Mentions elsewhere: {len(found['references'])}", ""]
    lines += [
        f"- {_where(r['path'], r['line'])} ({_kind(r)}) {r['text'][:100]}"
        for r in found["references"]
    ]
    return "\n".join(lines) + "\n"


def _kind(ref: dict[str, Any]) -> str:
    """The mention's kind, and `history` for a record never rewritten (CHANGELOG, an earlier
    removal report): `docs, history`."""
    return f"{ref['kind']}, history" if ref.get("group") == "history" else str(ref["kind"])


MERMAID_LIMIT = 40


def mermaid(found: dict[str, Any]) -> list[str]:
    """The component and what it imports, coloured by verdict (GitHub and GitLab draw it).
    Node ids are the rows' numbers and labels are quoted with entity codes, so no file name
    (a quote, brackets, `%%`) can break the diagram."""
    rows = [r for r in found["files"] if r["path"].endswith(CODE_SUFFIXES)][:MERMAID_LIMIT]
    ids = {r["path"]: f"n{i}" for i, r in enumerate(rows)}
    if not ids:
        return []
    out = ["", "```mermaid", "flowchart LR"]
    out += [f"  {ids[r['path']]}[{mermaid_label(r['path'])}]:::{r['verdict']}" for r in rows]
    out += [f"  {ids[a]} --> {ids[b]}" for a, b in found.get("edges", []) if a in ids and b in ids]
    out += [
        "  classDef remove fill:#fdd,stroke:#c33",
        "  classDef keep fill:#dfd,stroke:#393",
        "  classDef review fill:#ffd,stroke:#aa3",
        "```",
    ]
    if len(found["files"]) > len(rows):
        out.append(f"\n(Code files only, at most {MERMAID_LIMIT}.)")
    return out


def _where(path: str, line: int) -> str:
    return code_span(f"{path}:{line}")


def _code(step: str) -> str:
    return step if step.startswith("run by ") else code_span(step)


def orphans_text(found: dict[str, Any]) -> str:
    buffer = io.StringIO()
    console = _console(buffer)
    columns = ["path", "lines", "bytes", "first commit", "last commit"]
    rows = _orphan_rows(found["orphans"])
    title = (
        f"{len(rows)} of {found['code_files']} source files are reached by none of "
        f"{found['roots']} entry points"
    )
    console.print(_table(title, columns, rows))
    maybe = _orphan_rows(found.get("uncertain", []))
    if maybe:
        title = (
            f"{len(maybe)} more are reached only through uncertain uses (an import that could "
            "mean several files, a module or path named in a string): check them"
        )
        console.print(_table(title, columns, maybe))
    return buffer.getvalue()


def _orphan_rows(found: list[dict[str, Any]]) -> list[list[str]]:
    return [
        [o["path"], str(o["lines"]), str(o["bytes"]), o.get("first") or "-", o.get("last") or "-"]
        for o in found
    ]
