"""A lint baseline: adopt `consolidate lint` in a repository that already has findings.

`write_baseline` records today's findings; `filter_new` keeps only the findings the baseline
does not hold, so CI fails on new problems while the old ones are worked off. A finding is
matched by its check, its file (never its line: a finding moves when lines are added above
it) and a fingerprint of its message with every number made the same (a message names lines,
dates and day counts). Each baseline entry covers one finding: two identical findings in the
baseline cover two, and a third is new.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from consolidate.errors import Refusal, write_failed

VERSION = 1
_DIGITS = re.compile(r"\d+")
_LINE = re.compile(r":\d+$")

Key = tuple[str, str, str]


def key(finding: dict[str, Any]) -> Key:
    """(check, path without its line, fingerprint of the message)."""
    path = _LINE.sub("", str(finding["where"]))
    text = _DIGITS.sub("0", str(finding["message"]))
    fingerprint = hashlib.sha256(text.encode()).hexdigest()[:16]
    return str(finding["check"]), path, fingerprint


def write_baseline(findings: Iterable[dict[str, Any]], path: Path) -> int:
    """Record `findings` at `path` (JSON, sorted, stable); the number recorded."""
    entries = sorted(
        ({"check": c, "path": p, "fingerprint": f} for c, p, f in map(key, findings)),
        key=lambda e: (e["path"], e["check"], e["fingerprint"]),
    )
    doc = {"version": VERSION, "findings": entries}
    text = json.dumps(doc, indent=2, sort_keys=True) + "\n"
    staging = path.with_name(f".{path.name}.tmp")
    try:
        staging.write_text(text, encoding="utf-8")
        os.replace(staging, path)
    except OSError as exc:
        staging.unlink(missing_ok=True)
        raise write_failed("cannot write the lint baseline", path, exc, started=False) from None
    return len(entries)


def filter_new(findings: Iterable[dict[str, Any]], baseline_path: Path) -> list[dict[str, Any]]:
    """The findings the baseline at `baseline_path` does not cover, in their order."""
    left = Counter(read_baseline(baseline_path))
    new = []
    for finding in findings:
        k = key(finding)
        if left[k] > 0:
            left[k] -= 1
        else:
            new.append(finding)
    return new


def read_baseline(path: Path) -> list[Key]:
    hint = f"write it again with `consolidate lint --write-baseline {path}`"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise Refusal(f"no lint baseline at {path}", hint) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise Refusal(f"cannot read the lint baseline {path}: {exc}", hint) from None
    entries = doc.get("findings") if isinstance(doc, dict) else None
    fields = ("check", "path", "fingerprint")
    if not isinstance(entries, list) or doc.get("version") != VERSION:
        raise Refusal(f"{path} is not a lint baseline (version {VERSION})", hint)
    if not all(
        isinstance(e, dict) and all(isinstance(e.get(f), str) for f in fields) for e in entries
    ):
        raise Refusal(f"{path}: a baseline entry lacks check, path or fingerprint", hint)
    return [(e["check"], e["path"], e["fingerprint"]) for e in entries]
