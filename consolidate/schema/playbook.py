"""The playbook's JSON Schema, so an editor completes keys, explains them and marks mistakes.

Built from the pydantic models of `consolidate.playbook` (keys as a playbook writes them:
`validate`, `from`, `with`), with a description on every key. The loader has rules a schema
cannot state, or that an editor would judge differently (no YAML aliases, nesting and size
caps, patterns that compile in Python's dialect, no placeholder summary, paths that stay
inside the repository, time limits on patterns): the descriptions say them and the loader and
the run keep enforcing them. The schema is never stricter than the loader.

The dialect is draft 2020-12, but only keywords draft 7 also knows are used, because
yaml-language-server (VS Code's YAML extension, and the editors that run it) validates with
draft 7. `playbooks/playbook.schema.json` is this schema as written by `write_schema`; a test
keeps the two equal.
"""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath
from typing import Any

from consolidate.playbook import MAX_BYTES, MAX_DEPTH, NAME_RE, Playbook

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "urn:consolidate:playbook"
SCHEMA_FILE = "playbook.schema.json"
SCHEMA_PATH = PurePosixPath("playbooks") / SCHEMA_FILE

INSIDE = "relative to the repository root; a path that leaves it is refused when the run plans"
RUNS = (
    "run by the `regex` package for at most `regex_timeout` seconds per file; the loader refuses "
    "one that does not compile"
)
PATTERN = f"a regular expression in Python's `re` syntax, `^` and `$` at each line, {RUNS}"
LINE = f"a regular expression in Python's `re` syntax, searched in each line, {RUNS}"

ROOT = (
    "A consolidate playbook: what removing one component declares (see docs/playbooks.md). "
    "The loader also refuses, beyond this schema: a file that is not UTF-8 or is larger than "
    f"{MAX_BYTES // 1024} KiB, YAML aliases and merge keys (`*name`, `<<`), nesting deeper "
    f"than {MAX_DEPTH} levels and repeated keys; paths are checked against the repository "
    "when the run plans."
)

DESCRIPTIONS: dict[str, dict[str, str]] = {
    "Playbook": {
        "component": "The component's name: letters, digits, '.', '_' and '-', starting with a "
        "letter or digit; at most 100 characters.",
        "summary": "Why the component goes, in a sentence; it goes into the commit message, the "
        "changelog and the report. The loader refuses an empty summary, one that holds an "
        "upper-case TODO, FIXME, TBD or XXX, and an earlier draft's placeholder.",
        "files": "Files to delete: paths, folders or globs (`**` crosses folders, `*` does "
        f"not), {INSIDE}. Tracked files only.",
        "compose": "Compose file -> the services to remove from it, with every reference to "
        f"them; `[]` cuts only references to removed services. File paths are {INSIDE}.",
        "keep_volumes": "true keeps the named volumes the removed services leave unused.",
        "migrate": "Edits made before files are removed, in order; each item is exactly one of "
        "`move` or `replace`.",
        "backup": "What is saved before anything changes, for a rollback.",
        "docs": "Documentation the docs step updates; set a key to null to skip it.",
        "scripts": "Management scripts and config files that stop naming the component; only "
        "the lines about it change, every other byte stays.",
        "validate": "Commands that must pass after the removal, before the commit; no shell "
        "runs them.",
        "baseline": "true: a validate failure that the commit before had too does not block; "
        "false: every failure blocks.",
        "docker": "Checks of the running stack in the validate step; absent or null: none.",
        "strict_docs": "true: a Markdown link to a removed file fails validate.",
        "on_failure": "After a failed step: `stop` keeps the journal so you fix the cause and "
        "run again to resume; `rollback` undoes the run (as --rollback-on-failure does).",
        "regex_timeout": "Seconds each pattern (migrate `replace`, `docs.rewrite`, script "
        "`blocks`) may run on one file; one that runs longer is refused while the run plans, "
        "nothing changed.",
    },
    "MoveOp": {"move": "Move a tracked file to a new path; the target must not exist."},
    "MoveSpec": {
        "from": f"The tracked file to move, {INSIDE}.",
        "to": f"Where it goes, {INSIDE}.",
    },
    "ReplaceOp": {"replace": "Replace the matches of a pattern in one file."},
    "ReplaceSpec": {
        "file": f"The file to edit, {INSIDE}.",
        "pattern": f"What to find: {PATTERN}.",
        "with": "The replacement; `\\1` and `\\g<name>` insert groups.",
        "count": "How many matches to replace, from the top; 0 replaces every match.",
    },
    "Backup": {
        "branch": "Create the branch backup/<component>-removal-<YYYY-MM-DD> at HEAD.",
        "images": "Tag each image a removed service uses as <repository>:backup-<YYYY-MM-DD>.",
    },
    "Docs": {
        "changelog": "The changelog that gets a Removed entry, relative to the repository "
        "root; null skips it; a path given here is created if missing.",
        "architecture": "The architecture overview that gets the removal, relative to the "
        "repository root; null skips it.",
        "report": "Where the removal report is written; null (the default) writes "
        "<COMPONENT>_REMOVAL_REPORT.md at the repository root.",
        "rewrite": "Declared replacements in docs (a container count, say), run as migrate "
        "`replace` is.",
    },
    "Script": {
        "file": f"The script or config file, {INSIDE}; a missing or binary file is refused.",
        "blocks": "Pairs of patterns: each block from a line matching `start` to the next "
        "matching `end` goes whole; a `start` that matches no line is refused.",
    },
    "Block": {
        "start": f"The block's first line: {LINE}.",
        "end": f"The block's last line: {LINE}.",
    },
    "DockerChecks": {
        "project": "The compose project name; default: the compose file's folder name.",
        "expect_running": "How many containers of the project must be running afterwards.",
        "health": "HTTP checks of the services that stay.",
    },
    "Health": {
        "url": "An http:// or https:// URL, fetched with GET.",
        "expect": "A regular expression (Python `re` syntax) the body must contain; empty: any "
        "body. The loader refuses one that does not compile.",
        "status": "The status codes that pass; empty: any 2xx.",
        "timeout": "Seconds to wait for the answer (at most 600).",
    },
    "Command": {
        "name": "The command's name in logs and the report.",
        "run": "A string split as a shell would split it (no shell runs it), or a list taken "
        "as the argument vector; it may not be empty.",
        "timeout": "Seconds before the command is killed (default 600, at most 24 hours).",
        "cwd": f"The folder it runs in, {INSIDE}.",
    },
}

# Rules of the loader that a schema states the same way: never stricter than the loader.
TIGHTER: dict[tuple[str | int, ...], dict[str, Any]] = {
    ("properties", "component"): {"pattern": NAME_RE.pattern},
    ("properties", "summary"): {"pattern": r"\S"},
    ("$defs", "Command", "properties", "run", "anyOf", 0): {"pattern": r"\S"},
    ("$defs", "Command", "properties", "run", "anyOf", 1): {"minItems": 1},
}


def playbook_schema() -> dict[str, Any]:
    """The playbook's JSON Schema, self-contained (every `$ref` points inside it)."""
    schema = Playbook.model_json_schema(by_alias=True)
    for model, keys in DESCRIPTIONS.items():
        node = schema if model == "Playbook" else schema["$defs"][model]
        properties = node["properties"]
        for key, text in keys.items():
            properties[key]["description"] = text
    for path, extra in TIGHTER.items():
        _at(schema, path).update(extra)
    return {"$schema": DIALECT, "$id": SCHEMA_ID, **schema, "description": ROOT}


def _at(schema: dict[str, Any], path: tuple[str | int, ...]) -> dict[str, Any]:
    node: Any = schema
    for part in path:
        node = node[part]
    if not isinstance(node, dict):
        raise TypeError(f"{'/'.join(map(str, path))} is not a schema object")
    return node


def schema_text() -> str:
    """The schema as written to disk: sorted keys, two-space indent, a final newline."""
    return json.dumps(playbook_schema(), indent=2, sort_keys=True) + "\n"


def write_schema(repo_root: Path) -> Path:
    """Write `playbooks/playbook.schema.json` under `repo_root` (atomically); return its path."""
    target = repo_root / SCHEMA_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{SCHEMA_FILE}.{os.getpid()}.tmp")
    try:
        staging.write_bytes(schema_text().encode("utf-8"))
        os.replace(staging, target)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    return target


def modeline(schema: str = SCHEMA_FILE) -> str:
    """The comment that points yaml-language-server at the schema (relative to the file)."""
    return f"# yaml-language-server: $schema={schema}"
