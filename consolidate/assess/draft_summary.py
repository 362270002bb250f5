"""The draft playbook's `summary:` and header, written from the assessment's evidence.

The summary goes into the commit message, the changelog and the removal report, so it says
what `assess` found (the triggers met, with their figures), and who still uses the
component's files. It never holds a placeholder token (`playbook.PLACEHOLDER`): the schema
refuses one, and a reviewer should not have to rewrite it.
"""

from __future__ import annotations

import re
from typing import Any

from consolidate.playbook import PLACEHOLDER

MAX_USERS = 3


def summary(assessed: dict[str, Any]) -> str:
    """One or two sentences: why it goes (or why assess says to keep it), and who uses it."""
    name = assessed["component"]
    reasons = [r for t in assessed["triggers"] if t["met"] and (r := phrase(t, assessed))]
    recommendation = assessed["recommendation"]
    if recommendation["action"] == "keep":
        first = f"assess recommends keeping it: {'; '.join(keep_reasons(assessed))}."
        if reasons:
            first += f" Removed anyway: {'; '.join(reasons)}."
    elif reasons:  # the changelog writes "`name` (...): <summary>": no "Remove name" again
        joined = "; ".join(reasons)
        first = f"{joined[:1].upper()}{joined[1:]}."
    else:
        first = f"{name} is not needed any more."
    return clean(f"{first} {users(assessed['investigation'])}")


def keep_reasons(assessed: dict[str, Any]) -> list[str]:
    return [str(r) for r in assessed["recommendation"]["reasons"]] or ["no trigger is met"]


def header(assessed: dict[str, Any]) -> list[str]:
    """Comment lines for the top of the draft: the recommendation when it is to keep it."""
    if assessed["recommendation"]["action"] != "keep":
        return []
    out = [f"# assess recommends keeping {assessed['component']}, for these reasons:"]
    out += [f"#   - {clean(r)}" for r in keep_reasons(assessed)]
    out.append("# Drafted anyway: run it only if you disagree with the assessment.")
    return out


DAYS = re.compile(r"(\d+) days ago")


def phrase(trigger: dict[str, Any], assessed: dict[str, Any]) -> str:
    """A trigger that is met, as a phrase with its figure: "untouched for 385 days"."""
    name, evidence = trigger["name"], [str(e) for e in trigger["evidence"]]
    first = evidence[0] if evidence else ""
    if name.startswith("functional duplication"):
        target = assessed["recommendation"].get("target")
        where = f" (mostly in {target})" if target else ""
        return f"{assessed.get('overlap_percent', first)}% of what it does already exists{where}"
    if name.startswith("orphaned"):
        days = DAYS.search(first)
        return f"its files are untouched for {days[1]} days" if days else first
    if name.startswith("health check"):
        return f"its health check only tests a dependency ({first.split(': ')[0]})"
    if name.startswith("persistent import errors"):
        return f"it has import errors ({first})"
    if name.startswith("zero production"):
        return "no production file imports or runs it"
    return f"{name} ({first})" if first else name


def users(found: dict[str, Any]) -> str:
    """Who still uses the component's files: nothing, or the kept files and their users."""
    kept = [r for r in found["files"] if r["verdict"] != "remove"]
    # A package's `__init__.py` stays with its modules: naming the modules says enough.
    kept = [r for r in kept if not r["path"].endswith("__init__.py")] or kept
    if not kept:
        return "Nothing outside it uses its files."
    shown = [f"{r['path']} ({r['reason']})" for r in kept[:MAX_USERS]]
    more = f" and {len(kept) - MAX_USERS} more" if len(kept) > MAX_USERS else ""
    return f"Kept because something else uses them: {', '.join(shown)}{more}."


def clean(text: str) -> str:
    """One line, without a placeholder token (a file named TODO.md is written `todo.md`)."""
    return PLACEHOLDER.sub(lambda m: m[0].lower(), " ".join(text.split()))
