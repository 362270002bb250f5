"""Whether a component name names anything, and the close names when it does not (issue 16).

`investigate`, `assess` and `plan` of a name nothing uses used to exit 0 with empty tables,
and `assess` even recommended "keep". A name is known when the investigation finds something
for it (a tracked file or folder named so, or a compose service), when any compose file has a
service or `container_name` of that name, or, when a Docker daemon answers, when a container
or an image has it. Otherwise the refusal suggests the closest of the repository's names;
case, `-` and `_` do not count as differences.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Iterable
from typing import TYPE_CHECKING, Any, Protocol

from consolidate.analysis.compose_facts import ServiceFact
from consolidate.errors import ConsolidateError, Refusal

if TYPE_CHECKING:
    from consolidate.dockerio import Docker

DOCKER_TIMEOUT = 2  # seconds: a daemon that does not answer by then is skipped
MAX_SUGGESTED = 3
CUTOFF = 0.75  # difflib's ratio: `orchestrater` and `orchestrator` are 0.92


class DockerNames(Protocol):
    """What the name check asks the Docker adapter (`dockerio.Docker`)."""

    def containers_named(self, names: Collection[str]) -> list[dict[str, Any]]: ...

    def image_id(self, ref: str) -> str | None: ...


Connect = Callable[[], DockerNames]


def quick_docker() -> Docker:
    """The Docker adapter, imported only when a name is unknown to the repository (the SDK
    costs a noticeable part of a start-up)."""
    from consolidate.dockerio import Docker

    return Docker.connect(timeout=DOCKER_TIMEOUT)


def require_known(
    name: str,
    paths: Iterable[str],
    services: Collection[ServiceFact],
    *,
    docker: Connect | None,
) -> None:
    """Refuse `name` when nothing is named so: the investigation found nothing for it (the
    caller knows), and neither a compose service nor a container or image has that name. A
    file or folder of that name the investigation left out (it lies in another compose
    project's folder than the one `--compose` picked) counts as known, as before."""
    known = candidates(paths, services)
    if name in known:
        return
    answered = in_docker(name, docker)
    if answered:
        return
    close = suggestions(name, known)
    if close:
        raise Refusal(f"no component named {name}; did you mean {spoken(close)}?")
    what, listing = (
        "file, folder or compose service",
        "`git ls-files`, `docker compose config --services`",
    )
    if answered is False:  # a daemon answered
        what = "file, folder, compose service, container or image"
        listing += ", `docker ps -a`"
    raise Refusal(f"no {what} is named {name}", f"list them with {listing}; nothing was changed")


def candidates(paths: Iterable[str], services: Iterable[ServiceFact]) -> set[str]:
    """The names the investigation would find something for: every folder, every file's name
    before its first dot (outside `playbooks/`, as for seeds), every compose service and
    container name."""
    names: set[str] = set()
    for path in paths:
        parts = path.split("/")
        if parts[0] != "playbooks":
            names.update(parts[:-1])
            names.add(parts[-1].split(".")[0])
    for service in services:
        names.add(service.service)
        names.add(service.container_name or "")
    names.discard("")
    return names


def suggestions(name: str, known: Collection[str]) -> list[str]:
    """The closest known names, best first; `Task_Hub` finds `task-hub`."""
    by_key: dict[str, str] = {}
    for candidate in sorted(known):
        by_key.setdefault(_key(candidate), candidate)
    close = difflib.get_close_matches(_key(name), by_key, n=MAX_SUGGESTED, cutoff=CUTOFF)
    return [by_key[key] for key in close]


def spoken(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def in_docker(name: str, docker: Connect | None) -> bool | None:
    """Whether a container or an image is named `name`; None when no daemon was asked or none
    answered (the check then rests on the repository alone)."""
    if docker is None:
        return None
    try:
        client = docker()
    except (ConsolidateError, OSError):
        return None
    try:
        return bool(client.containers_named([name])) or client.image_id(name) is not None
    except ConsolidateError:  # a name the daemon cannot parse as a reference, or it went away
        return False


def _key(name: str) -> str:
    return name.lower().replace("_", "-")
