"""Top-level volumes, networks, configs and secrets: which ones only the removed services use.

Works on plain data with merge keys applied (`locate.to_data`), so a volume a service
gets through `<<: *common` counts as used. When a staying service names a resource in a way
that cannot be read without the environment (`${DATA_VOLUME}:/data`) or takes its settings
from another file (`extends: {file: ...}`), nothing of that kind is removed: a volume holds
data, and "in doubt, it is in use".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

KINDS = ("volumes", "networks", "configs", "secrets")
SINGULAR = {"volumes": "volume", "networks": "network", "configs": "config", "secrets": "secret"}
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
IMPLICIT = {"networks": {"default"}}  # used by every service that names no network


@dataclass
class Usage:
    """Resource names by kind, and the kinds that cannot be read for sure (with why)."""

    names: dict[str, set[str]] = field(default_factory=lambda: {k: set() for k in KINDS})
    unsure: dict[str, str] = field(default_factory=dict)

    def add(self, other: Usage) -> None:
        for kind in KINDS:
            self.names[kind] |= other.names[kind]
        for kind, why in other.unsure.items():
            self.unsure.setdefault(kind, why)


@dataclass(frozen=True)
class Doomed:
    """What goes (kind -> names), and what a person should know was kept."""

    names: dict[str, frozenset[str]]
    kept: tuple[str, ...]


def listed(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return list(value)
    return value if isinstance(value, list) else []


def note(usage: Usage, kind: str, value: Any, service: str) -> None:
    if not isinstance(value, str):
        return
    if "$" in value:
        usage.unsure.setdefault(kind, f"service {service} names a {SINGULAR[kind]} as {value!r}")
    else:
        usage.names[kind].add(value)


def volume_source(entry: Any) -> Any:
    """The named volume a `volumes:` entry mounts, in short or long syntax; None for a bind."""
    if isinstance(entry, dict):
        kind = entry.get("type", "volume")
        return entry.get("source") if kind == "volume" else None
    if not isinstance(entry, str):
        return None
    parts = re.sub(r"\$\{[^}]*\}", "${}", entry).split(":")  # `${X:-.}` holds a colon
    if len(parts) < 2:
        return None  # an anonymous volume: `- /data`
    source = parts[0]
    if len(source) == 1 and source.isalpha():
        return None  # a Windows drive, as compose reads it: C:\data:/data
    if source.startswith((".", "~", "/")) or "/" in source or "\\" in source:
        return None
    if "$" in source:
        return entry  # `${DATA_VOLUME}:/data`: could be any volume
    return source if NAME.fullmatch(source) else None


def service_usage(name: str, service: Any) -> Usage:
    usage = Usage()
    if not isinstance(service, dict):
        return usage
    for entry in listed(service.get("volumes")):
        note(usage, "volumes", volume_source(entry), name)
    networks = service.get("networks")
    for network in listed(networks):
        note(usage, "networks", network, name)
    if networks is None and "network_mode" not in service:
        usage.names["networks"].add("default")
    build = service.get("build")
    secrets = listed(service.get("secrets"))
    secrets += listed(build.get("secrets")) if isinstance(build, dict) else []
    for kind, entries in (("configs", listed(service.get("configs"))), ("secrets", secrets)):
        for entry in entries:
            note(usage, kind, entry.get("source") if isinstance(entry, dict) else entry, name)
    extends = service.get("extends")
    if isinstance(extends, dict) and extends.get("file"):
        for kind in KINDS:
            usage.unsure.setdefault(kind, f"service {name} extends a service in {extends['file']}")
    return usage


def usage_of(doc: Any, gone: Iterable[str]) -> tuple[Usage, Usage]:
    """(what the removed services use, what the staying ones use) in one compose document."""
    removed, staying = Usage(), Usage()
    services = doc.get("services") if isinstance(doc, dict) else None
    gone = set(gone)
    for name, service in (services or {}).items() if isinstance(services, dict) else []:
        (removed if name in gone else staying).add(service_usage(str(name), service))
    return removed, staying


def doomed(removed: Usage, staying: Usage, *, keep_volumes: bool) -> Doomed:
    """Resources the removed services use and no staying service does."""
    names: dict[str, frozenset[str]] = {}
    kept: list[str] = []
    for kind in KINDS:
        candidates = sorted(removed.names[kind] - staying.names[kind] - IMPLICIT.get(kind, set()))
        if kind == "volumes" and keep_volumes:
            kept += [f"volume {n} kept: the playbook sets keep_volumes" for n in candidates]
        elif kind in staying.unsure:
            why = staying.unsure[kind]
            kept += [f"{SINGULAR[kind]} {n} kept: {why}" for n in candidates]
        else:
            names[kind] = frozenset(candidates)
    return Doomed(names, tuple(kept))


def defined(doc: Any, kind: str) -> list[str]:
    """The resources of `kind` a compose document declares at the top level."""
    value = doc.get(kind) if isinstance(doc, dict) else None
    return [str(k) for k in value] if isinstance(value, dict) else []
