"""`consolidate investigate NAME`: the basic engine (seeds by name, references, history)."""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath
from typing import Any

from ruamel.yaml import YAML

from consolidate.gitio import Git
from consolidate.report import today
from consolidate.steps.investigate import _file_facts, _history, find_references
from consolidate.workspace import Workspace

COMPOSE_NAME = re.compile(r"^(docker-)?compose[\w.-]*\.ya?ml$")


def investigate(name: str, repo: Path) -> dict[str, Any]:
    git = Git.open(repo)
    tracked = git.tracked_files()
    ws = Workspace(git.root, tracked)
    seeds = [p for p in tracked if _names_component(p, name)]
    compose = _compose_services(ws, tracked, name)
    files = [
        _file_facts(ws, p)
        | {"verdict": "remove", "reason": "named after the component", "used_by": []}
        for p in seeds
    ]
    history = _history(git, seeds, files, today(os.environ.get("SOURCE_DATE_EPOCH")))
    references = find_references(ws, name, seeds, {c["file"] for c in compose})
    return {
        "component": name,
        "files": files,
        "references": references,
        "compose": compose,
        "history": history,
    }


def _names_component(path: str, name: str) -> bool:
    """`orchestrator.py`, `orchestrator/...`; not `ai-orchestrator.ts`, not its playbook."""
    parts = PurePosixPath(path).parts
    if parts[0] == "playbooks":
        return False
    return name in parts[:-1] or PurePosixPath(path).stem == name


def _compose_services(ws: Workspace, tracked: list[str], name: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in tracked:
        if not COMPOSE_NAME.match(PurePosixPath(path).name):
            continue
        try:
            doc = YAML(typ="safe", pure=True).load((ws.read(path) or b"").decode("utf-8-sig"))
        except Exception:
            continue
        services = (doc or {}).get("services") if isinstance(doc, dict) else None
        if not isinstance(services, dict):
            continue
        for service, body in services.items():
            body = body if isinstance(body, dict) else {}
            if name not in (service, body.get("container_name")):
                continue
            out.append(
                {
                    "file": path,
                    "service": service,
                    "image": body.get("image"),
                    "depended_on_by": _dependents(services, service),
                }
            )
    return out


def _dependents(services: dict[str, Any], target: str) -> list[str]:
    users = []
    for other, body in services.items():
        deps = body.get("depends_on") if isinstance(body, dict) else None
        if isinstance(deps, (list, dict)) and target in deps:
            users.append(str(other))
    return users


def as_text(found: dict[str, Any]) -> str:
    lines = [f"Investigation of {found['component']}", ""]
    lines.append(f"Files ({len(found['files'])}):")
    lines += [
        f"  {f['path']:<50} {f['lines']:>6} lines  {f.get('last') or '-'}" for f in found["files"]
    ]
    lines.append(f"Compose services ({len(found['compose'])}):")
    for c in found["compose"]:
        users = ", ".join(c["depended_on_by"]) or "nobody"
        lines.append(
            f"  {c['service']} in {c['file']} (image {c['image'] or '-'}; depended on by {users})"
        )
    lines.append(f"Mentions elsewhere ({len(found['references'])}):")
    lines += [
        f"  {r['path']}:{r['line']} [{r['kind']}] {r['text'][:80]}" for r in found["references"]
    ]
    h = found["history"]
    if h.get("commits"):
        lines.append(
            f"History: {h['commits']} commits from {h['first']} to {h['last']}, {h['age_days']} days old"
        )
    return "\n".join(lines) + "\n"
