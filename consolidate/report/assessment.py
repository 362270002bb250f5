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
            here = ", ".join(f"`{e['path']}` ({e['what']})" for e in row["in_component"][:2])
            there = ", ".join(f"`{e['path']}` ({e['what']})" for e in row["existing"][:3])
            lines.append(f"| {row['capability']} | {here or '-'} | {there or '-'} |")
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


def why(triggers: list[dict[str, Any]]) -> str:
    """A summary for a removal report, from the triggers that are met."""
    met = [t for t in triggers if t["met"]]
    parts = [f"{t['name']} ({t['evidence'][0]})" for t in met]
    return "Assessment: " + ("; ".join(parts) if parts else "no trigger is met") + "."
