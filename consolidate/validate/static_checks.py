"""Checks of what a removal could break, on the work tree after it, before any command runs.

- Imports: every import in a remaining Python or TS/JS file that resolved to a repository file
  before the removal must still resolve after it (file:line and the import when not).
- Compose: every reference (depends_on, links, volumes_from, network_mode, extends, env_file,
  build context, bind-mount source) still points at something that exists; edited compose
  files pass the compose specification's JSON schema (the copy check-jsonschema ships) and,
  where a compose binary exists, its `config --quiet` (a row of its own, which says "not
  available" when no binary answers, so a reader never takes a check that did not run for
  one that passed).
- Docs: relative Markdown links to removed files (warnings, failures with `strict_docs`).

Each check gives one result row like a validation command: name, status, output, seconds.
"""

from __future__ import annotations

import posixpath
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from consolidate.analysis.scan import Snapshot, language, scan_files
from consolidate.analysis.uses import Use
from consolidate.compose.checks import compose_problems, config_problems, schema_problems

MD_LINK = re.compile(r"\[[^\]\n]*\]\(\s*<?([^)\s>#?]+)")
MAX_LISTED = 50
NO_COMPOSE = (
    "not available: neither `docker compose` nor `docker-compose` answers here, so"
    " `compose config` did not run; install Docker Compose to have it run"
)


def row(name: str, problems: list[str], started: float, *, warn: bool = False) -> dict[str, Any]:
    status = "passed" if not problems else ("warning" if warn else "failed")
    shown = problems[:MAX_LISTED] + (
        [f"... and {len(problems) - MAX_LISTED} more"] if len(problems) > MAX_LISTED else []
    )
    return {
        "name": name,
        "argv": [],
        "status": status,
        "exit": None,
        "output": "\n".join(shown),
        "seconds": round(time.monotonic() - started, 2),
    }


def run_static(
    root: Path,
    tracked: list[str],
    spec: dict[str, Any],
    original: Callable[[str], bytes | None] = lambda _path: None,
) -> list[dict[str, Any]]:
    """The static checks' result rows. `tracked` is git's list (the index, before the commit);
    `spec` says what the run removed and added and which compose files it edited."""
    removed = set(spec.get("removed", []))
    added = list(spec.get("added", []))
    before = sorted(set(tracked) | removed)
    after = sorted(p for p in (set(tracked) - removed) | set(added) if (root / p).is_file())
    gone = [p for p in before if p not in set(after)]
    rows = [dangling_imports(root, before, after, gone)]
    started = time.monotonic()
    services = set(spec.get("services", []))
    ours, others = compose_problems(root, after, set(gone), services)
    rows.append(row("compose references", ours, started))
    if others:
        rows.append(row("compose references not about this removal", others, started, warn=True))
    started = time.monotonic()
    edited = [p for p in spec.get("compose", []) if p in set(after)]
    if edited:
        new, old = schema_problems(root, edited, original)
        rows.append(row("compose schema", new, started))
        if old:
            rows.append(row("compose schema (as before the removal)", old, started, warn=True))
        rows += config_rows(root, edited, original)
    started = time.monotonic()
    own = set(spec.get("own", []))  # the report and changelog this run wrote name removed files
    links = markdown_links(root, [p for p in after if p not in own], set(gone))
    strict = bool(spec.get("strict_docs"))
    rows.append(row("links to removed files", links, started, warn=not strict))
    return rows


def config_rows(
    root: Path, edited: list[str], original: Callable[[str], bytes | None]
) -> list[dict[str, Any]]:
    """`compose config` of the edited files: passed or failed with its problems, or skipped
    and noted "not available" when no compose binary answers."""
    started = time.monotonic()
    check = config_problems(root, edited, original)
    result = row("compose config", check.new, started)
    if check.binary is None:
        # like a skipped command, 0 seconds: it did not run (and the report stays the same)
        result.update(status="skipped", note="not available", output=NO_COMPOSE, seconds=0.0)
        return [result]
    if not check.new:
        result["output"] = f"{check.binary} config --quiet: no problem in {', '.join(edited)}"
    rows = [result]
    if check.old:
        rows.append(row("compose config (as before the removal)", check.old, started, warn=True))
    return rows


def dangling_imports(
    root: Path, before: list[str], after: list[str], gone: list[str]
) -> dict[str, Any]:
    started = time.monotonic()
    snapshot = Snapshot.take(root, [p for p in after if language(p)])
    scans = scan_files(snapshot)
    read: Callable[[str], bytes | None] = snapshot.read
    was = scans.resolve(before, read)
    now = {key(u) for u in scans.resolve(after, read) if u.targets}
    removed = set(gone)
    problems = []
    for use in was:
        lost = [t for t in use.targets if t in removed]
        if lost and (use.certain or key(use) not in now):
            problems.append(f"{use.source}:{use.line}: {use.text} (it meant {', '.join(lost)})")
    return row("imports of removed files", sorted(set(problems)), started)


def key(use: Use) -> tuple[str, int, str]:
    return (use.source, use.line, use.text)


def markdown_links(root: Path, after: list[str], gone: set[str]) -> list[str]:
    """Relative Markdown links that point at a removed file or folder."""
    problems = []
    for path in after:
        if not path.endswith((".md", ".markdown")):
            continue
        text = (root / path).read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            for match in MD_LINK.finditer(line):
                target = match.group(1)
                if "://" in target or target.startswith(("/", "mailto:")):
                    continue
                normal = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
                hit = normal in gone or any(g.startswith(normal + "/") for g in gone)
                if hit and not (root / normal).exists():
                    problems.append(f"{path}:{number}: links to removed {target}")
    return problems
