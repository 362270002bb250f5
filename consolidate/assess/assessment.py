"""`consolidate assess NAME`: should this component exist at all? Answered with evidence.

The guide's decision framework (does a similar solution exist, how much duplicates it, what
does keeping it cost) and its five triggers for consolidation: functional duplication over
50%, orphaned for more than 30 days, persistent import errors, a health check that says
healthy while the component is broken, zero production dependencies. Built on the
investigation engine; the running stack is consulted when a Docker daemon answers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection
from typing import Any

from consolidate.analysis.frameworks.base import Project
from consolidate.analysis.investigation import Engine, investigate
from consolidate.analysis.names import quick_docker
from consolidate.analysis.pyimports import decode
from consolidate.analysis.pyresolve import STDLIB
from consolidate.assess.capabilities import overlap
from consolidate.compose.checks import load, services_of
from consolidate.gitio import Git

DUPLICATION = 50
ORPHAN_DAYS = 30
IMPORT = re.compile(
    r"^\s*(?:from\s+([A-Za-z_][\w]*)[\w.]*\s+import\b|import\s+([A-Za-z_]\w*))", re.M
)


def assess(
    git: Git,
    name: str,
    *,
    date: str,
    docker: Callable[[], Any] | None = None,
    compose: str | None = None,
) -> dict[str, Any]:
    """The assessment of `name`; a name nothing has is refused by the investigation, which
    asks Docker for a container or image of that name only when `docker` is given (`plan`
    assesses from the repository alone)."""
    engine = Engine(git, narrow=True)  # the investigation reads its candidates' history
    names_in = None if docker is None else quick_docker
    found = investigate(git, name, date=date, engine=engine, compose=compose, docker=names_in)
    mine = [r["path"] for r in found["files"] if r["seed"] or r["verdict"] != "keep"]
    seeds_kept = [r for r in found["files"] if r["seed"] and r["verdict"] == "keep"]
    services = [c["service"] for c in found["compose"]]
    capability = overlap(mine, engine.paths, engine.snapshot.read, services)
    containers = containers_of(docker, services)
    triggers = [
        duplication(capability),
        orphaned(found, date),
        import_errors(engine, mine, containers, found),
        health(found),
        production(found, seeds_kept),
    ]
    result = {
        "component": name,
        "capabilities": capability["capabilities"],
        "overlap": capability["overlap"],
        "overlap_percent": capability["overlap_percent"],
        "duplicated": capability["duplicated"],
        "triggers": triggers,
        "overhead": overhead(git, found, containers),
        "containers": containers,
        "investigation": found,
    }
    result["recommendation"] = recommend(result)
    return result


def quick_triggers(
    found: dict[str, Any], paths: Collection[str], read: Callable[[str], bytes | None], date: str
) -> list[dict[str, Any]]:
    """The triggers an investigation already answers (no Docker, no second read)."""
    mine = [r["path"] for r in found["files"] if r["seed"] or r["verdict"] != "keep"]
    seeds_kept = [r for r in found["files"] if r["seed"] and r["verdict"] == "keep"]
    services = [c["service"] for c in found.get("compose", [])]
    return [
        duplication(overlap(mine, paths, read, services)),
        orphaned(found, date),
        health(found),
        production(found, seeds_kept),
    ]


def containers_of(docker: Callable[[], Any] | None, services: list[str]) -> list[dict[str, Any]]:
    if docker is None or not services:
        return []
    from consolidate.assess.container_facts import component_containers

    try:
        client = docker()
    except Exception:  # no daemon: the assessment is made from the repository alone
        return []
    return [vars(c) | {"errors": list(c.errors)} for c in component_containers(client, services)]


def trigger(name: str, met: bool, evidence: list[str]) -> dict[str, Any]:
    return {"name": name, "met": met, "evidence": evidence}


def cite(evidence: dict[str, Any]) -> str:
    """`what (path:line)`; a manifest-level fact has no line."""
    where = f"{evidence['path']}:{evidence['line']}" if evidence["line"] else evidence["path"]
    return f"{evidence['what']} ({where})"


def duplication(capability: dict[str, Any]) -> dict[str, Any]:
    """Met when more than half of the component's capabilities exist elsewhere; the evidence
    names each duplicated one with a line on both sides, and the ones found nowhere else."""
    rows = capability["overlap"]
    evidence = [
        f"{o['capability']}: here {cite(o['in_component'][0])}; already {cite(o['existing'][0])}"
        for o in rows
        if o["existing"] and o["in_component"]
    ]
    alone = [o["capability"] for o in rows if not o["existing"]]
    if alone:
        evidence.append(f"not found elsewhere: {', '.join(alone)}")
    percent = capability["overlap_percent"]
    evidence.insert(0, f"{percent}% of its {len(capability['capabilities'])} capabilities exist")
    return trigger("functional duplication over 50%", percent > DUPLICATION, evidence)


def orphaned(found: dict[str, Any], date: str) -> dict[str, Any]:
    lasts = [r["last"] for r in found["files"] if r["verdict"] != "keep" and r.get("last")]
    if not lasts:
        return trigger("orphaned for more than 30 days", False, ["no commits touch its files"])
    last = max(lasts)
    days = (dt.date.fromisoformat(date) - dt.date.fromisoformat(last)).days
    return trigger(
        "orphaned for more than 30 days",
        days > ORPHAN_DAYS,
        [f"its files last changed {last}, {days} days ago"],
    )


def import_errors(
    engine: Engine, mine: list[str], containers: list[dict[str, Any]], found: dict[str, Any]
) -> dict[str, Any]:
    """Met by a running container's import errors, imports nothing can satisfy, and imports
    that only resolve by a name match after the file put a missing folder on `sys.path`."""
    evidence = [
        f"container {c['name']}: {c['state']}, {c['restarts']} restarts; {error}"
        for c in containers
        for error in c["errors"][-3:]
    ]
    evidence += unresolvable(engine, mine)
    evidence += [
        f"{e['path']}:{e['line']}: {e['text']}: {e['reason']}"
        for e in found["import_errors"]
        if e["path"] in mine
    ]
    return trigger("persistent import errors", bool(evidence), evidence or ["none found"])


def unresolvable(engine: Engine, mine: list[str]) -> list[str]:
    """Imports in the component's Python files that no repository file, standard library
    module or declared dependency can satisfy. A distribution installs modules by names of
    its own (`djangorestframework` installs `rest_framework`): a module counts as provided
    when its name and a declared name hold one another, or a well-known alias matches; when
    unsure, it is provided (no evidence of an error)."""
    local = {p.rsplit("/", 1)[-1].removesuffix(".py") for p in engine.paths if p.endswith(".py")}
    local |= {part for p in engine.paths for part in p.split("/")[:-1]}
    declared = declared_names(engine)
    out = []
    for path in mine:
        if not path.endswith(".py"):
            continue
        text = decode(engine.snapshot.read(path) or b"")
        for match in IMPORT.finditer(text):
            module = match.group(1) or match.group(2)
            known = module in STDLIB or module in local or module == "__future__"
            if not known and not provided(module, declared):
                line = text.count("\n", 0, match.start()) + 1
                out.append(f"{path}:{line}: imports {module}, which nothing here provides")
    return out


# Top-level modules whose distribution's name shares no part with them.
MODULE_ALIASES = {
    "pil": "pillow", "yaml": "pyyaml", "bs4": "beautifulsoup4", "cv2": "opencv",
    "sklearn": "scikit-learn", "skimage": "scikit-image", "dateutil": "python-dateutil",
    "jwt": "pyjwt", "attr": "attrs", "dotenv": "python-dotenv", "crypto": "pycryptodome",
    "openssl": "pyopenssl", "mysqldb": "mysqlclient", "magic": "python-magic",
    "zmq": "pyzmq", "serial": "pyserial", "usb": "pyusb", "gi": "pygobject",
    "google": "google", "multipart": "python-multipart", "jose": "python-jose",
    "slugify": "python-slugify", "ldap": "python-ldap", "win32api": "pywin32",
}  # fmt: skip


def _bare(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


# What distributions' names start with and their modules' names often do not (`drf-flex-fields`
# installs `rest_flex_fields`, `python-jose` installs `jose`).
NAME_PREFIXES = ("python", "django", "flask", "drf", "py")


def provided(module: str, declared: set[str]) -> bool:
    """Whether a declared distribution may install `module` (see `unresolvable`)."""
    wanted = {_bare(module), _bare(MODULE_ALIASES.get(module.lower(), module))}
    names = declared | {d.removeprefix(p) for d in declared for p in NAME_PREFIXES}
    return any(
        w == d or (min(len(w), len(d)) > 3 and (w in d or d in w)) for w in wanted for d in names
    )


def declared_names(engine: Engine) -> set[str]:
    """Every Python and npm dependency any manifest of the repository declares
    (requirements files, pyproject.toml, setup.cfg, setup.py, Pipfile), bare."""
    project = Project(frozenset(engine.paths), engine.snapshot.read)
    return {_bare(name) for name in project.dependencies}


def health(found: dict[str, Any]) -> dict[str, Any]:
    services = {c["service"] for c in found["compose"]}
    weak = [
        f"{w['file']}:{w['line']}: {w['message']}"
        for w in found["warnings"]
        if w["service"] in services and w["kind"] == "healthcheck tests a dependency"
    ]
    return trigger("health check reports healthy while broken", bool(weak), weak or ["none"])


def production(found: dict[str, Any], seeds_kept: list[dict[str, Any]]) -> dict[str, Any]:
    """Met when no production file imports or runs the component's files (the verdicts).
    A compose `depends_on` only orders start-up; it is shown, not counted."""
    users = [f"{r['path']} is used by {', '.join(r['used_by'][:3])}" for r in seeds_kept]
    order = [
        f"compose: {', '.join(c['depended_on_by'])} start after {c['service']} (start-up order only)"
        for c in found["compose"]
        if c["depended_on_by"]
    ]
    evidence = users or ["no production file imports or runs it"]
    return trigger("zero production dependencies", not users, evidence + order)


def overhead(git: Git, found: dict[str, Any], containers: list[dict[str, Any]]) -> dict[str, Any]:
    resources: dict[str, Any] = {}
    checks = 0
    for row in found["compose"]:
        doc = load(git.root, row["file"])
        spec = services_of(doc).get(row["service"], {}) if doc is not None else {}
        deploy = spec.get("deploy") if isinstance(spec, dict) else None
        if isinstance(deploy, dict) and isinstance(deploy.get("resources"), dict):
            resources[row["service"]] = deploy["resources"]
        checks += isinstance(spec, dict) and isinstance(spec.get("healthcheck"), dict)
    files = [r for r in found["files"] if r["verdict"] != "keep"]
    return {
        "services": [c["service"] for c in found["compose"]],
        "containers": [c["name"] for c in containers],
        "resources": resources,
        "lines": sum(int(r["lines"]) for r in files),
        "files": len(files),
        "health_checks": checks,
        "docs_mentions": sum(1 for r in found["references"] if r["kind"] == "docs"),
    }


def recommend(result: dict[str, Any]) -> dict[str, Any]:
    met = {t["name"]: t for t in result["triggers"] if t["met"]}
    reasons = [f"{name}: {t['evidence'][0]}" for name, t in met.items()]
    if "zero production dependencies" not in met:
        blocking = next(
            t for t in result["triggers"] if t["name"] == "zero production dependencies"
        )
        return {"action": "keep", "target": None, "reasons": blocking["evidence"] + reasons}
    if "functional duplication over 50%" in met:
        return {"action": "consolidate", "target": target(result["overlap"]), "reasons": reasons}
    if len(met) >= 2:
        return {"action": "remove", "target": None, "reasons": reasons}
    return {"action": "keep", "target": None, "reasons": reasons or ["no trigger is met"]}


# Plumbing everything shares, and lifecycle management, which compose and scripts provide by
# configuration: none of them is a place to move the component's code into.
GENERIC = {"database client", "http client", "orm", "cache", "metrics", "tracing", "auth",
           "error tracking", "email", "lifecycle management"}  # fmt: skip


def target(rows: Collection[dict[str, Any]]) -> str | None:
    """The existing solution to consolidate into: where most of the overlap already lives,
    counting what the component is for (scheduling, a queue) before plumbing it shares with
    everything (a database client)."""
    specific = [r for r in rows if r["capability"] not in GENERIC and r["existing"]]
    counts: dict[str, int] = {}
    for row in specific or list(rows):
        for evidence in row["existing"]:
            counts[evidence["path"]] = counts.get(evidence["path"], 0) + 1
    return max(sorted(counts), key=lambda p: counts[p]) if counts else None
