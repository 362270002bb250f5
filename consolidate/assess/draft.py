"""`consolidate plan NAME`: a draft playbook written from the investigation.

Files with the verdict `remove` go under `files:` (a folder whose every tracked file goes
becomes `folder/**`), the component's services under `compose:`; kept and review files and
the references are comments, for a person to decide. The draft is loaded back through the
playbook schema before it is written, so it always validates.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection
from pathlib import Path, PurePosixPath
from typing import Any

from consolidate.errors import Refusal
from consolidate.playbook import load_playbook

MAX_COMMENTED = 40


def folded(paths: list[str], tracked: Collection[str]) -> list[str]:
    """Paths, with every folder whose tracked files all go written as `folder/**`."""
    going = set(paths)
    by_folder: dict[str, list[str]] = defaultdict(list)
    for path in tracked:
        for parent in PurePosixPath(path).parents:
            if str(parent) != ".":
                by_folder[str(parent)].append(path)
    whole = sorted(f for f, files in by_folder.items() if set(files) <= going)
    tops = [f for f in whole if not any(f.startswith(o + "/") for o in whole if o != f)]
    out = [f"{f}/**" for f in tops]
    out += [p for p in sorted(going) if not any(p.startswith(f + "/") for f in tops)]
    return out


def render(found: dict[str, Any], tracked: Collection[str]) -> str:
    name = found["component"]
    remove = [f["path"] for f in found["files"] if f["verdict"] == "remove"]
    lines = [
        f"# Draft playbook for removing {name}, written by `consolidate plan {name}`.",
        f"# Read it, decide on everything marked TODO, then: consolidate run {name} --dry-run",
        "",
        f"component: {name}",
        "summary: TODO say why it goes (recorded in the commit message and the changelog)",
        "",
        "# Only the component reaches these files (verdict: remove).",
        "files:",
        *[f"  - {json.dumps(p)}" for p in folded(remove, tracked)],
    ]
    if not remove:
        lines[-1] = "files: []"
    lines += kept_comments(found)
    lines += compose_lines(found)
    lines += host_comments(found)
    lines += reference_comments(found)
    lines += ["", "backup: {branch: true, images: true}", ""]
    return "\n".join(lines)


def kept_comments(found: dict[str, Any]) -> list[str]:
    out = []
    for row in found["files"]:
        if row["verdict"] != "remove":
            out.append(f"#   {row['verdict']}: {row['path']}: {row['reason']}")
    if out:
        return ["# Not listed, because something outside the component uses them:", *out]
    return []


def compose_lines(found: dict[str, Any]) -> list[str]:
    """Every file of the component's compose project that defines one of its services or
    refers to one: the files `run` edits and checks (a file with `[]` loses references only)."""
    services: dict[str, list[str]] = defaultdict(list)
    for row in found["compose"]:
        services[row["file"]].append(row["service"])
    for path, defined in found.get("compose_files", {}).items():
        services[path] += [s for s in defined if s not in services[path]]
    if not services:
        return []
    out = ["", "# Services to remove, with every reference to them.", "compose:"]
    out += [f"  {json.dumps(f)}: {json.dumps(s)}" for f, s in services.items()]
    return out


def host_comments(found: dict[str, Any]) -> list[str]:
    hosts = found.get("hosts", [])
    if not hosts:
        return []
    out = [
        "",
        f"# Kept services that reach a removed service by its host name ({len(hosts)}): after the",
        "# removal that name resolves to nothing, and validation fails on each line until a",
        "# migrate: replace gives it a new host or the service goes too.",
    ]
    out += [
        f"#   {h['file']}:{h['line']} service {h['service']} {h['key']}: {h['text']}" for h in hosts
    ]
    return out


def reference_comments(found: dict[str, Any]) -> list[str]:
    refs = found["references"]
    if not refs:
        return []
    out = ["", f"# Mentions elsewhere ({len(refs)}): TODO decide which need a migrate: edit."]
    out += [
        f"#   {r['path']}:{r['line']} ({r['kind']}) {r['text'][:90]}" for r in refs[:MAX_COMMENTED]
    ]
    if len(refs) > MAX_COMMENTED:
        out.append(f"#   ... and {len(refs) - MAX_COMMENTED} more (consolidate investigate)")
    return out


def write_draft(
    found: dict[str, Any], tracked: Collection[str], target: Path, *, force: bool
) -> Path:
    if target.exists() and not force:
        raise Refusal(f"{target} already exists", "pass --force to overwrite it, or --output")
    text = render(found, tracked)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.draft")
    temporary.write_text(text, encoding="utf-8")
    try:
        load_playbook(temporary)
    finally:
        temporary.unlink()
    target.write_text(text, encoding="utf-8")
    return target
