"""The one place that talks to Docker (through the Docker SDK)."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import docker
from docker.errors import APIError, DockerException, ImageNotFound, NotFound

from consolidate.errors import Refusal, StepFailed

# The labels docker compose puts on every container it creates.
PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
ONEOFF_LABEL = "com.docker.compose.oneoff"

NO_DAEMON_HINT = (
    "start Docker, or skip image backups with --no-image-backup "
    "(or `backup: {images: false}` in the playbook)"
)


@dataclass(frozen=True)
class ImageRef:
    repository: str
    tag: str

    @classmethod
    def parse(cls, ref: str) -> ImageRef:
        name = ref.split("@", 1)[0]
        slash = name.rfind("/")
        colon = name.rfind(":")
        if colon > slash:
            return cls(name[:colon], name[colon + 1 :])
        return cls(name, "latest")

    def __str__(self) -> str:
        return f"{self.repository}:{self.tag}"


@dataclass(frozen=True)
class ContainerInfo:
    """What the validate step needs to know about one container of a compose project."""

    name: str
    service: str  # "" when the container has no service label
    state: str  # created, running, paused, restarting, exited, dead
    health: str = ""  # healthy, unhealthy, starting; "" when the image has no healthcheck
    oneoff: bool = False  # made by `docker compose run`, not by `up`

    @property
    def running(self) -> bool:
        return self.state == "running"

    @classmethod
    def from_attrs(cls, attrs: dict[str, Any]) -> ContainerInfo:
        """From `docker inspect` data; tolerant of missing keys (older engines, odd states)."""
        labels = (attrs.get("Config") or {}).get("Labels") or {}
        state = attrs.get("State") or {}
        return cls(
            name=str(attrs.get("Name") or attrs.get("Id", "")[:12]).lstrip("/"),
            service=str(labels.get(SERVICE_LABEL, "")),
            state=str(state.get("Status", "unknown")),
            health=str((state.get("Health") or {}).get("Status", "")),
            oneoff=str(labels.get(ONEOFF_LABEL, "")).lower() == "true",
        )


def named_for(attrs: dict[str, Any], names: Collection[str]) -> bool:
    """True when a container (its `docker inspect` data) belongs to one of the services `names`.

    The compose service label decides when present: it survives `container_name:`. A container
    without the label (made by hand, or by compose v1 before labels) matches by its name: the
    name itself, or compose's `<project>-<name>-<n>` (v2) / `<project>_<name>_<n>` (v1).
    """
    labels = (attrs.get("Config") or {}).get("Labels") or {}
    name = str(attrs.get("Name") or "").lstrip("/")
    service = labels.get(SERVICE_LABEL)
    if service is not None:
        return service in names or name in names
    return any(_compose_name(n).fullmatch(name) for n in names) or name in names


def _compose_name(service: str) -> re.Pattern[str]:
    return re.compile(rf".+?(?P<sep>[-_]){re.escape(service)}(?P=sep)[0-9]+")


class Docker:
    def __init__(self, client: Any) -> None:
        self.client = client

    @classmethod
    def connect(cls, timeout: float = 10) -> Docker:
        try:
            client = docker.from_env(timeout=int(timeout))
            client.ping()
        except (DockerException, OSError) as exc:
            reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            raise Refusal(
                f"the Docker daemon is not reachable ({reason})", NO_DAEMON_HINT
            ) from None
        return cls(client)

    def image_id(self, ref: str) -> str | None:
        try:
            return str(self.client.images.get(ref).id)
        except ImageNotFound:
            return None
        except (APIError, DockerException) as exc:
            raise StepFailed(f"docker: cannot inspect image {ref}: {exc}") from None

    def tag(self, image_id: str, ref: str) -> None:
        target = ImageRef.parse(ref)
        try:
            ok = self.client.api.tag(image_id, target.repository, target.tag, force=True)
        except (APIError, DockerException) as exc:
            raise StepFailed(f"docker: cannot tag {image_id[:19]} as {ref}: {exc}") from None
        if not ok:
            raise StepFailed(f"docker: tagging {image_id[:19]} as {ref} was refused")

    def untag(self, ref: str) -> None:
        try:
            self.client.api.remove_image(ref, noprune=True)
        except ImageNotFound:
            return
        except (APIError, DockerException) as exc:
            raise StepFailed(f"docker: cannot remove tag {ref}: {exc}") from None

    def project_containers(self, project: str) -> list[ContainerInfo]:
        """Every container (running or not) that compose made for `project`, by its labels.

        Labels, not names: compose names containers `<project>-<service>-<n>` (v2) or
        `<project>_<service>_<n>` (v1), and `container_name:` overrides both.
        """
        try:
            containers = self.client.containers.list(
                all=True, filters={"label": f"{PROJECT_LABEL}={project}"}, ignore_removed=True
            )
        except (APIError, DockerException, OSError) as exc:  # OSError: the daemon went away
            raise StepFailed(
                f"docker: cannot list containers of project {project}: {exc}"
            ) from None
        infos = [ContainerInfo.from_attrs(c.attrs) for c in containers]
        return sorted(infos, key=lambda info: (info.service, info.name))

    def containers_named(self, names: Collection[str]) -> list[dict[str, Any]]:
        """`docker inspect` data of every container, in any state, of the services `names`.

        All states: a component that crashes on start sits in `restarting` or `exited`, and
        that is exactly the evidence `assess` is after. See `named_for` for the matching.
        """
        try:
            containers = self.client.containers.list(all=True, ignore_removed=True)
        except (APIError, DockerException, OSError) as exc:  # OSError: the daemon went away
            raise StepFailed(f"docker: cannot list containers: {exc}") from None
        return [dict(c.attrs) for c in containers if named_for(c.attrs, names)]

    def logs(self, container_id: str, tail: int) -> str:
        """The last `tail` lines of a container's stdout and stderr, in the order the daemon got
        them (lines of the two streams written close together can swap places).

        A container removed meanwhile has no logs (""), not an error: it raced us, nothing more.
        """
        try:
            raw = self.client.api.logs(container_id, stdout=True, stderr=True, tail=tail)
        except NotFound:
            return ""
        except (APIError, DockerException, OSError) as exc:
            raise StepFailed(f"docker: cannot read logs of {container_id[:12]}: {exc}") from None
        return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
