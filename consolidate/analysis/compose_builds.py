"""Which image a compose service runs: its own build, or the build of a service it reuses.

Compose tags the image a service builds with its `image:` or, without one, with
`<project>-<service>` (`<project>_<service>` before Compose v2), the project being the top-level
`name:` or else the folder of the compose file; `build: {tags: [...]}` adds more tags. A service with no `build:` whose `image:` is such
a tag runs that build: its files come from the builder's context and Dockerfile stage. Only
services of one compose project are matched, the same file and the compose files of its folder;
the folder of a root compose file is the repository's, whose name is not known here.
`service_env` is the environment the container starts with (the image's ENV, env_file,
environment), which decides where Python looks for the modules a command names.
https://docs.docker.com/reference/cli/docker/compose/build/
https://docs.docker.com/reference/compose-file/build/#tags
https://docs.docker.com/compose/how-tos/project-name/
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from consolidate.analysis.commands import Reader, Stage, parse_dockerfile
from consolidate.workspace import repo_join

Specs = dict[str, dict[str, Any]]
Key = tuple[str, str]  # (compose file, service)

_VARIABLE = re.compile(r"\$\{(\w+)(?:(:?[-?+])([^}]*))?\}|\$(\w+)")
_NOT_IN_PROJECT_NAME = re.compile(r"[^a-z0-9_-]")
_DOCKER_HUB = ("docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/")


@dataclass(frozen=True)
class Build:
    """The image a service runs, as far as the repository says: where its files come from."""

    context: str | None  # repository folder ("" for the root); None: no build, or outside
    dockerfile: str | None  # repository path of the Dockerfile (maybe untracked)
    stage: Stage  # the stage the service runs
    owner: str | None = None  # `file:service` whose build this is, when the service reuses it


class ComposeFile(Protocol):
    @property
    def path(self) -> str: ...

    @property
    def project(self) -> str | None: ...  # the top-level `name:` as written

    @property
    def specs(self) -> Specs: ...


def interpolate(text: str) -> str | None:
    """`text` with `${VAR:-default}` filled in; None when it needs a variable's value."""
    unresolved = False

    def fill(match: re.Match[str]) -> str:
        nonlocal unresolved
        if (match[1] or match[4]) == "PWD":
            return "."
        if match[2] in (":-", "-"):
            return match[3]
        unresolved = True
        return ""

    filled = _VARIABLE.sub(fill, text.replace("$$", "\0")).replace("\0", "$")
    return None if unresolved else filled


def read_build(folder: str, build: object, tracked: frozenset[str], read: Reader) -> Build:
    """The context, Dockerfile and stage of `build:` in a compose file in `folder`."""
    spec: dict[str, Any] = build if isinstance(build, dict) else {"context": build}
    raw = spec.get("context", ".")
    written = interpolate(raw) if isinstance(raw, str) and "://" not in raw else None
    context = None if written is None else repo_join(folder, written)
    if context is None:
        return Build(None, None, Stage(""))
    inline = spec.get("dockerfile_inline")
    name = interpolate(str(spec.get("dockerfile") or "Dockerfile"))
    dockerfile = None if isinstance(inline, str) or name is None else repo_join(context, name)
    text = inline if isinstance(inline, str) else _read_text(read, tracked, dockerfile)
    stages = parse_dockerfile(text, context, tracked)
    target = spec.get("target")
    stage = next((s for s in stages if target and s.name == target), None)
    return Build(context, dockerfile, stage or (stages[-1] if stages else Stage("")))


def _read_text(read: Reader, tracked: frozenset[str], path: str | None) -> str:
    raw = read(path) if path is not None and path in tracked else None
    return raw.decode("utf-8", "replace") if raw else ""


def copy_sources(build: Build) -> tuple[str, ...]:
    """Repository paths the stage's COPY/ADD lines read ("." for the root), first seen first."""
    return tuple(dict.fromkeys(source or "." for source in build.stage.sources))


def _reused_builds(files: Iterable[ComposeFile]) -> dict[Key, Key]:
    """Each service without a build whose image another service of its project builds, and
    that builder: of the same file first, then of the folder's other files in order."""
    projects: dict[str, list[ComposeFile]] = {}
    for file in files:
        projects.setdefault(posixpath.dirname(file.path), []).append(file)
    found: dict[Key, Key] = {}
    for group in projects.values():
        for file in group:
            tags = _built_images([file, *(f for f in group if f is not file)], group)
            for name, spec in file.specs.items():
                image = _image_key(spec.get("image"))
                if spec.get("build") is None and image in tags:
                    found[(file.path, name)] = tags[image]
    return found


def _built_images(files: Sequence[ComposeFile], project: Sequence[ComposeFile]) -> dict[str, Key]:
    """The tags compose gives the images the services of `files` build, the first one wins."""
    tags: dict[str, Key] = {}
    for file in files:
        names = _project_names(file, project)
        for name, spec in file.specs.items():
            for key in (_image_key(t) for t in _tags_written(name, spec, names)):
                if key is not None:
                    tags.setdefault(key, (file.path, name))
    return tags


def _tags_written(service: str, spec: dict[str, Any], projects: list[str]) -> list[object]:
    """The tags of the image a service builds: `image:` or the default names, and build.tags."""
    build, image = spec.get("build"), spec.get("image")
    if build is None:
        return []
    extra = build.get("tags") if isinstance(build, dict) else None
    written = [image] if image is not None else [f"{p}{s}{service}" for p in projects for s in "-_"]
    return [*written, *(extra if isinstance(extra, list) else [])]


def _project_names(file: ComposeFile, project: Sequence[ComposeFile]) -> list[str]:
    """The file's own `name:`, else one of its folder's other compose files (they run as one
    project), else the folder's name; a root file has no folder name to fall back on."""
    own = _project_name(file.project)
    if own:
        return [own]
    named = [n for n in (_project_name(f.project) for f in project) if n]
    folder = posixpath.basename(posixpath.dirname(file.path))
    return list(dict.fromkeys(named)) or ([_normalise(folder)] if folder else [])


def _project_name(written: str | None) -> str | None:
    filled = interpolate(written) if written is not None else None
    return _normalise(filled) if filled else None


def _normalise(name: str) -> str:
    """As compose does: lowercase, only a-z 0-9 _ -, no leading _ or -."""
    return _NOT_IN_PROJECT_NAME.sub("", name.lower()).lstrip("_-")


def _image_key(image: object) -> str | None:
    """An image reference as Docker reads it: Docker Hub prefixes dropped, `:latest` implied."""
    text = interpolate(str(image)) if image is not None else None
    if not text:
        return None
    prefix = next((p for p in _DOCKER_HUB if text.startswith(p)), "")
    text = text.removeprefix(prefix)
    if "@" not in text and ":" not in text.rsplit("/", 1)[-1]:
        text += ":latest"
    return text


def builds_of(
    files: Collection[ComposeFile], tracked: frozenset[str], read: Reader
) -> dict[Key, Build]:
    """The build every service runs: its own, or the one it reuses (with its owner)."""
    builds = {
        (f.path, name): read_build(posixpath.dirname(f.path), spec.get("build"), tracked, read)
        for f in files
        for name, spec in f.specs.items()
    }
    for key, (path, name) in _reused_builds(files).items():
        owner = builds[(path, name)]
        builds[key] = Build(owner.context, owner.dockerfile, owner.stage, f"{path}:{name}")
    return builds


def service_env(
    spec: dict[str, Any],
    folder: str,
    image_env: dict[str, str],
    tracked: frozenset[str],
    read: Reader,
) -> dict[str, str]:
    """The environment a service's container starts with, as far as the repository says: the
    image's ENV, then its `env_file:` files in order, then `environment:` (list or mapping).
    A value that needs an unset variable keeps the parts that do not (`/a:${PYTHONPATH}`).
    https://docs.docker.com/reference/compose-file/services/#environment"""
    env = dict(image_env)
    files = spec.get("env_file")
    for entry in files if isinstance(files, list) else [files]:
        written = entry.get("path") if isinstance(entry, dict) else entry
        path = repo_join(folder, interpolate(written) or "") if isinstance(written, str) else None
        env.update(_dotenv(_read_text(read, tracked, path)))
    for name, raw in _pairs(spec.get("environment")):
        filled = _fill(str(raw)) if raw is not None else None
        if filled is not None:
            env[str(name)] = filled
    return env


def _pairs(value: object) -> list[tuple[object, object]]:
    """`environment:` as a mapping, or a list of `NAME=value` (a bare `NAME` passes the host's)."""
    if isinstance(value, dict):
        return list(value.items())
    items = [str(item) for item in value] if isinstance(value, list) else []
    return [(item.partition("=")[0], item.partition("=")[2]) for item in items if "=" in item]


def _dotenv(text: str) -> dict[str, str]:
    """`NAME=value` lines of an env file (`export ` and quotes allowed, comments skipped)."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        name, equals, value = line.strip().removeprefix("export ").partition("=")
        if equals and name.strip() and not name.startswith("#"):
            found[name.strip()] = value.strip().strip("'\"")
    return found


def _fill(value: str) -> str | None:
    whole = interpolate(value)
    if whole is not None:
        return whole
    parts = [interpolate(part) for part in value.split(":")]
    kept = [part for part in parts if part]
    return ":".join(kept) if kept else None
