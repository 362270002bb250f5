"""`consolidate assess` as text for a terminal and as Markdown for a report."""

from __future__ import annotations

from typing import Any


def as_text(found: dict[str, Any]) -> str:
    return as_markdown(found).replace("**", "")


def as_markdown(found: dict[str, Any]) -> str:
    rec = found["recommendation"]
    action = rec["action"] + (f" into {rec['target']}" if rec.get("target") else "")
    lines = [f"## Assessment of `{found['component']}`", "", f"**Recommendation: {action}**", ""]
    lines += [f"- {reason}" for reason in rec["reasons"]]
    lines += ["", "| trigger | met | evidence |", "|---|---|---|"]
    for t in found["triggers"]:
        evidence = "; ".join(t["evidence"][:3]).replace("|", "\\|")
        lines.append(f"| {t['name']} | {'yes' if t['met'] else 'no'} | {evidence} |")
    lines += ["", f"Capability overlap: {found['overlap_percent']}%", ""]
    if found["overlap"]:
        lines += ["| capability | in the component | already elsewhere |", "|---|---|---|"]
        for row in found["overlap"]:
            here = cited(row["in_component"], 2, len(row["in_component"]))
            there = cited(row["existing"], 3, row.get("existing_count", len(row["existing"])))
            lines.append(f"| {row['capability']} | {here} | {there} |")
    cost = found["overhead"]
    lines += [
        "",
        f"Overhead: {cost['files']} files ({cost['lines']} lines), services "
        f"{', '.join(cost['services']) or 'none'}, {cost['health_checks']} health check(s), "
        f"{cost['docs_mentions']} mention(s) in docs"
        + (f", resources {cost['resources']}" if cost["resources"] else "")
        + (f", containers {', '.join(cost['containers'])}" if cost["containers"] else ""),
    ]
    for container in found["containers"]:
        lines.append(
            f"- container {container['name']}: {container['state']}, "
            f"{container['restarts']} restarts, health {container['health'] or '-'}"
        )
    return "\n".join(lines) + "\n"


def cited(evidence: list[dict[str, Any]], shown: int, total: int) -> str:
    """Evidence as `path:line` (what), the first `shown`, then how many more; `-` for none."""
    out = []
    for e in evidence[:shown]:
        where = f"{e['path']}:{e['line']}" if e["line"] else e["path"]
        out.append(f"`{where}` ({e['what']})".replace("|", "\\|"))
    if total > shown:
        out.append(f"and {total - shown} more")
    return ", ".join(out) or "-"


def why(triggers: list[dict[str, Any]]) -> str:
    """A summary for a removal report, from the triggers that are met."""
    met = [t for t in triggers if t["met"]]
    parts = [f"{t['name']} ({t['evidence'][0]})" for t in met]
    return "Assessment: " + ("; ".join(parts) if parts else "no trigger is met") + "."
