"""Top-level volumes, networks, configs and secrets: which ones only the removed services use.

Works on plain data with merge keys applied (`locate.to_data`), so a volume a service
gets through `<<: *common` counts as used. When a staying service names a resource in a way
that cannot be read without the environment (`${DATA_VOLUME}:/data`), nothing of that kind is
removed: a volume holds data, and "in doubt, it is in use". A service that takes its settings
from another file (`extends: {file: ...}`) uses what the service it extends there uses
(followed through that one's own `extends`); when that file cannot be read, every kind is in
doubt, and the note says why.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from consolidate.compose.locate import parse
from consolidate.compose.scan import relative_to
from consolidate.errors import ComposeRefusal

Reader = Callable[[str], bytes | None]

KINDS = ("volumes", "networks", "configs", "secrets")
SINGULAR = {"volumes": "volume", "networks": "network", "configs": "config", "secrets": "secret"}
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
IMPLICIT = {"networks": {"default"}}  # used by every service that names no network
MAX_EXTENDS = 50  # links followed in one extends chain


@dataclass(frozen=True)
class Origin:
    """The repository path of a compose document and how to read its neighbours."""

    path: str
    read: Reader


class Unreadable(Exception):
    """An extended service that cannot be looked at; the message says why."""


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


def service_usage(name: str, service: Any, origin: Origin | None = None) -> Usage:
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
        usage.add(extended_usage(name, extends, origin))
    return usage


def extended_usage(name: str, extends: dict[Any, Any], origin: Origin | None) -> Usage:
    """What a service takes from the service it `extends` in another file.

    Compose copies the extended service's settings into the extending one, volumes, networks,
    configs and secrets included
    (https://docs.docker.com/compose/how-tos/multiple-compose-files/extends/),
    so what that service uses counts as used here, and so does what it extends in turn (a
    `file:` there read relative to the file that names it). Without a way to read the file,
    or when it cannot be read, every kind is in doubt.
    """
    file = str(extends["file"])
    why = f"service {name} extends a service in {file}"
    if origin is None:
        return in_doubt(why)
    try:
        return follow(origin, file, extends.get("service"), set())
    except Unreadable as exc:
        return in_doubt(f"{why}, which cannot be read ({exc})")


def in_doubt(why: str) -> Usage:
    usage = Usage()
    for kind in KINDS:
        usage.unsure[kind] = why
    return usage


def follow(origin: Origin, file: str, service: Any, seen: set[tuple[str, str]]) -> Usage:
    """The usage of `service` in `file` (written in `origin`), through its extends chain."""
    services = services_in(origin, file)
    target = relative_to(origin.path, file) or file
    usage = Usage()
    while True:
        if not isinstance(service, str) or not isinstance(services.get(service), dict):
            raise Unreadable(f"{target} defines no service {service}")
        if (target, service) in seen or len(seen) >= MAX_EXTENDS:
            raise Unreadable(f"the extends chain through {target} loops")
        seen.add((target, service))
        base = services[service]
        usage.add(service_usage(f"{service} in {target}", {**base, "extends": None}))
        extends = base.get("extends")
        if isinstance(extends, dict) and extends.get("file"):
            inner = Origin(target, origin.read)
            usage.add(follow(inner, str(extends["file"]), extends.get("service"), seen))
            return usage
        if extends is None:
            return usage
        service = extends.get("service") if isinstance(extends, dict) else extends


def services_in(origin: Origin, file: str) -> dict[Any, Any]:
    """The services of the compose file `file` names, as plain data."""
    target = relative_to(origin.path, file)
    data = origin.read(target) if target else None
    if target is None or data is None:
        raise Unreadable(f"{target or file} is not a file of this repository")
    try:
        doc = parse(data, target, locate=False).data()
    except ComposeRefusal as exc:
        raise Unreadable(exc.message) from None
    services = doc.get("services") if isinstance(doc, dict) else None
    if not isinstance(services, dict):
        raise Unreadable(f"{target} has no services mapping")
    return services


def usage_of(
    doc: Any, gone: Iterable[str], *, path: str | None = None, read: Reader | None = None
) -> tuple[Usage, Usage]:
    """(what the removed services use, what the staying ones use) in one compose document.

    `path` (the document's repository path) and `read` let an `extends: {file: ...}` be
    followed; without them such a service makes every kind unsure, as before.
    """
    removed, staying = Usage(), Usage()
    services = doc.get("services") if isinstance(doc, dict) else None
    gone = set(gone)
    origin = Origin(path, read) if path is not None and read is not None else None
    for name, service in (services or {}).items() if isinstance(services, dict) else []:
        (removed if name in gone else staying).add(service_usage(str(name), service, origin))
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
