"""`consolidate lint` and `consolidate orphans` as SARIF 2.1.0 logs, for code scanning.

A SARIF viewer (GitHub code scanning among them) shows each result on the file and line it
names and follows it from commit to commit by its fingerprint. So two things here are fixed
on purpose:

- rule ids come from a table, not from a check's name in the text output: renaming a check
  does not close every alert and open new ones;
- the fingerprint hashes the rule, the path and the message with its numbers blanked, never
  the line: a finding that moves down its file, or whose "40 days ago" becomes "41 days ago",
  stays the same alert.

Pure: the documents `lint()` and `find_orphans()` return go in, a dict comes out. No clock,
no absolute path unless the caller passes one, results sorted: the same findings give the
same bytes.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from consolidate.assess.lint import ORPHAN_DAYS

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT = "consolidateFindingHash/v1"
SRCROOT = "%SRCROOT%"
WHERE = re.compile(r"(?P<path>.+):(?P<line>[1-9]\d*)")
# A number that stands alone (a count, a date, a line, "40 days"); digits inside a name
# (`api1`, `python3`) are part of the name and stay.
NUMBER = re.compile(r"\b\d+\b")


@dataclass(frozen=True)
class Rule:
    id: str
    short: str  # shortDescription: what was found
    help: str  # what to do about it
    level: str  # defaultConfiguration.level


Finding = tuple[Rule, str, int | None, str]  # rule, path, line, message

LINT_RULES: dict[str, Rule] = {
    "bind mount hides build": Rule(
        "bind-mount-hides-build",
        "A bind mount hides what the service's build put in the image",
        "The container runs the files of the host folder, not the image that was built and "
        "tested. Mount only what must change at run time, or drop the mount.",
        "warning",
    ),
    "healthcheck tests a dependency": Rule(
        "healthcheck-tests-a-dependency",
        "A health check tests a dependency, not the service itself",
        "The check says whether the dependency is up, not whether this service works. Test "
        "the service's own port or process.",
        "warning",
    ),
    "waits for a health check that does not exist": Rule(
        "waits-for-missing-healthcheck",
        "depends_on waits for service_healthy on a service with no health check",
        "Unless its image declares one, the dependency never becomes healthy and the waiting "
        "service never starts. Give the dependency a healthcheck, or wait for service_started.",
        "warning",
    ),
    "entry file missing": Rule(
        "missing-entry-file",
        "A service runs a file its build context does not have",
        "The command names a file that is neither in the build context nor in a bind mount: "
        "the container fails at start. Fix the path, or remove the service.",
        "warning",
    ),
    "orphan source file": Rule(
        "old-orphan",
        f"A source file no entry point reaches, unchanged for more than {ORPHAN_DAYS} days",
        "Nothing runs it. `consolidate investigate` shows why; `consolidate plan` drafts its "
        "removal.",
        "warning",
    ),
}
ORPHAN_RULES: dict[str, Rule] = {
    "orphans": Rule(
        "orphan",
        "A source file no entry point reaches",
        "No import chain from an entry point (a compose command, a script, a test, a "
        "framework's convention) reaches it. Check it and remove it, or declare what runs it.",
        "note",
    ),
    "uncertain": Rule(
        "uncertain-orphan",
        "A source file only uncertain uses reach",
        "Only an import that could mean several files, or a module or path named in a string, "
        "reaches it. Check that use before removing the file.",
        "note",
    ),
}


def lint_sarif(
    found: dict[str, Any], version: str, *, root_uri: str | None = None
) -> dict[str, Any]:
    """The SARIF log of `lint()`'s findings; a check the table does not know gets a rule of
    its own, named after it."""
    findings: list[Finding] = [
        (_lint_rule(f["check"]), *_split_where(str(f["where"])), str(f["message"]))
        for f in found["findings"]
    ]
    return _log(version, list(LINT_RULES.values()), findings, root_uri)


def orphans_sarif(
    found: dict[str, Any], version: str, *, root_uri: str | None = None
) -> dict[str, Any]:
    """The SARIF log of `find_orphans()`: one `note` per orphan and per uncertain orphan."""
    findings: list[Finding] = [
        (rule, str(row["path"]), None, _orphan_message(key, row))
        for key, rule in ORPHAN_RULES.items()
        for row in found.get(key, [])
    ]
    return _log(version, list(ORPHAN_RULES.values()), findings, root_uri)


def _log(
    version: str, known: list[Rule], findings: list[Finding], root_uri: str | None
) -> dict[str, Any]:
    by_id = {rule.id: rule for rule in known}
    for rule in sorted({f[0] for f in findings}, key=lambda r: (r.id, r.short)):
        by_id.setdefault(rule.id, rule)  # two unknown checks of one slug share its rule
    rules = list(by_id.values())
    index = {rule.id: i for i, rule in enumerate(rules)}
    ordered = sorted(findings, key=lambda f: (f[1], f[2] or 0, f[0].id, f[3]))
    seen: Counter[str] = Counter()
    results = []
    for rule, path, line, message in ordered:
        digest = fingerprint(rule.id, path, message)
        seen[digest] += 1
        results.append(
            _result(rule, index[rule.id], path, line, message, f"{digest}:{seen[digest]}")
        )
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "consolidate",
                "version": version,
                "rules": [_rule(rule) for rule in rules],
            }
        },
    }
    if root_uri is not None:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": root_uri.rstrip("/") + "/"}}
    run["results"] = results
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def fingerprint(rule_id: str, path: str, message: str) -> str:
    """What stays when the finding moves: its rule, its file and its words, numbers blanked
    (a line, a count of days, a date). Occurrences of the same hash are numbered `:1`, `:2`
    in the log, so two alike findings in one file stay two alerts."""
    text = "\0".join([rule_id, path, NUMBER.sub("0", message)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def slug(check: str) -> str:
    """A rule id for a check the table does not know: its name in lower-case kebab-case."""
    return re.sub(r"[^a-z0-9]+", "-", check.lower()).strip("-") or "unknown-check"


def _lint_rule(check: str) -> Rule:
    if check in LINT_RULES:
        return LINT_RULES[check]
    known = {rule.id for rule in LINT_RULES.values()}
    rule_id = slug(check) if slug(check) not in known else f"{slug(check)}-check"
    return Rule(rule_id, check, f"consolidate lint reports: {check}.", "warning")


def _split_where(where: str) -> tuple[str, int | None]:
    match = WHERE.fullmatch(where)
    if match is None:
        return where, None
    return match["path"], int(match["line"])


def _orphan_message(key: str, row: dict[str, Any]) -> str:
    reached = (
        "No entry point reaches this file"
        if key == "orphans"
        else "Only uncertain uses reach this file"
    )
    lines = int(row.get("lines") or 0)
    size = f"{lines} line{'' if lines == 1 else 's'}, {row.get('bytes', 0)} bytes"
    dates = f"first committed {row.get('first') or '-'}, last changed {row.get('last') or '-'}"
    return f"{reached} ({size}; {dates})."


def _rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "shortDescription": {"text": rule.short},
        "help": {"text": rule.help},
        "defaultConfiguration": {"level": rule.level},
    }


def _result(
    rule: Rule, index: int, path: str, line: int | None, message: str, hashed: str
) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri(path), "uriBaseId": SRCROOT}}
    if line is not None:
        physical["region"] = {"startLine": line}
    return {
        "ruleId": rule.id,
        "ruleIndex": index,
        "level": rule.level,
        "message": {"text": message},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {FINGERPRINT: hashed},
    }


def uri(path: str) -> str:
    """A repository-relative POSIX path as a relative URI reference (`my file.py` is
    `my%20file.py`)."""
    return quote(path.replace("\\", "/").removeprefix("./"), safe="/")
