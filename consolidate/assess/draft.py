"""`consolidate plan NAME`: a draft playbook written from the assessment.

A draft a reviewer can run as it stands, every entry with a comment saying why: the summary
from the assessment's evidence (`draft_summary`), files with the verdict `remove` under
`files:` (a folder whose every tracked file goes becomes `folder/**`), the component's
services under `compose:`, the scripts and config that name it under `scripts:`
(`draft_scripts`), and the checks found in the repository under `validate:`
(`draft_validate`). Kept and review files, host names and other mentions are comments, for a
person to decide. Its first line points editors at the playbook's JSON Schema
(`playbooks/playbook.schema.json`, see docs/editor.md). The draft is loaded back through the
playbook schema before it is written, so it always validates.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Callable, Collection
from pathlib import Path, PurePosixPath
from typing import Any

from consolidate.assess.draft_scripts import ScriptHit, script_hits
from consolidate.assess.draft_summary import header, summary
from consolidate.assess.draft_validate import Repo, commands
from consolidate.errors import Refusal
from consolidate.gitio import Git
from consolidate.playbook import load_playbook
from consolidate.schema.playbook import SCHEMA_FILE, SCHEMA_PATH, modeline

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


def render(
    assessed: dict[str, Any], tracked: Collection[str], root: Path, schema: str = SCHEMA_FILE
) -> str:
    """The draft from `assess`'s result (its `investigation` is what goes and what stays);
    `schema` is the path of the playbook schema from the draft's folder."""
    found = assessed["investigation"]
    name = found["component"]
    read = disk_reader(root)
    rows = {r["path"]: r for r in found["files"]}
    remove = [p for p, r in rows.items() if r["verdict"] == "remove"]
    hits = script_hits(assessed, tracked, root, read)
    lines = [
        modeline(schema),
        *header(assessed),
        f"# Draft playbook for removing {name}, written by `consolidate plan {name}`.",
        f"# Read it, change what you disagree with, then: consolidate run {name} --dry-run",
        "",
        f"component: {name}",
        "# From the assessment: the triggers met, and who still uses its files.",
        f"summary: {json.dumps(summary(assessed))}",
        "",
        "# Only the component reaches these files (verdict: remove).",
        "files:",
        *[f"  - {json.dumps(p)}  # {file_reason(p, rows)}" for p in folded(remove, tracked)],
    ]
    if not remove:
        lines[-1] = "files: []"
    lines += kept_comments(found)
    lines += compose_lines(found)
    lines += script_lines(hits)
    lines += validate_lines(found, Repo(frozenset(set(tracked) - set(remove)), root, read), hits)
    lines += host_comments(found)
    lines += reference_comments(found)
    lines += [
        "",
        "# A backup branch and image tags, for a rollback.",
        "backup: {branch: true, images: true}",
        "",
    ]
    return "\n".join(lines)


def schema_from(target: Path, root: Path) -> str:
    """The repository's `playbooks/playbook.schema.json` as seen from the draft's folder."""
    try:
        return Path(
            os.path.relpath(root.resolve() / SCHEMA_PATH, target.resolve().parent)
        ).as_posix()
    except ValueError:  # another drive
        return (root / SCHEMA_PATH).as_posix()


def disk_reader(root: Path) -> Callable[[str], bytes | None]:
    def read(path: str) -> bytes | None:
        full = root / path
        return full.read_bytes() if full.is_file() and not full.is_symlink() else None

    return read


def file_reason(entry: str, rows: dict[str, dict[str, Any]]) -> str:
    if entry.endswith("/**"):
        folder = entry.removesuffix("**")
        count = sum(1 for p in rows if p.startswith(folder))
        return f"every tracked file under it goes ({count})"
    return str(rows[entry]["reason"])


def script_lines(hits: list[ScriptHit]) -> list[str]:
    """`scripts:` entries: each file that names the component, with the lines that do."""
    if not hits:
        return []
    out = ["", "# Scripts and config that name it: the docs step cuts those mentions.", "scripts:"]
    for hit in hits:
        out += [f"  # {hit.why()}", f"  - file: {json.dumps(hit.path)}"]
    return out


def validate_lines(found: dict[str, Any], repo: Repo, hits: list[ScriptHit]) -> list[str]:
    """`validate:` commands found here; one that cannot run here is commented out."""
    drafted = commands(found, repo, [h.path for h in hits])
    if not drafted:
        return []
    runnable = any(d.missing is None for d in drafted)
    out = [
        "",
        "# Checks run after the removal, before the commit.",
        "validate:" if runnable else "validate: []",
    ]
    for command in drafted:
        out += command.lines()
    return out


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
    gone = ", ".join(dict.fromkeys(row["service"] for row in found["compose"]))
    for path, defined in services.items():
        why = f"defines {', '.join(defined)}" if defined else f"refers to {gone}: references go"
        out.append(f"  {json.dumps(path)}: {json.dumps(defined)}  # {why}")
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
    out = ["", f"# Mentions elsewhere ({len(refs)}): decide which need a migrate: edit."]
    out += [
        f"#   {r['path']}:{r['line']} ({r['kind']}) {r['text'][:90]}" for r in refs[:MAX_COMMENTED]
    ]
    if len(refs) > MAX_COMMENTED:
        out.append(f"#   ... and {len(refs) - MAX_COMMENTED} more (consolidate investigate)")
    return out


def write_draft(assessed: dict[str, Any], git: Git, target: Path, *, force: bool) -> Path:
    """Write the draft for `assess`'s result, once it loads as a playbook."""
    if target.exists() and not force:
        raise Refusal(f"{target} already exists", "pass --force to overwrite it, or --output")
    text = render(assessed, git.tracked_files(), git.root, schema_from(target, git.root))
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="consolidate-draft-") as scratch:
        temporary = Path(scratch) / target.name  # checked outside the work tree
        temporary.write_text(text, encoding="utf-8")
        load_playbook(temporary)
    target.write_text(text, encoding="utf-8")
    return target
