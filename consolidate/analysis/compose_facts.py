"""What each compose service runs, who depends on it, and two traps in how it is set up.

The investigation engine needs the repository files a service runs (entry points: never
"unused") and the services that depend on one being removed. Reading is lenient: a compose
file that does not parse is skipped, and a path that cannot be mapped back to a tracked file
is left out, never guessed. Command and Dockerfile parsing live in `commands`, because
`entry_points` reads standalone Dockerfiles and scripts the same way; which build a service
runs, its own or another service's whose image it names, lives in `compose_builds`.

The traps: a healthcheck that only contacts another service, and a bind mount that hides the
build. A mount hides the build when it puts other repository paths at its target than the
build copied there (a parent folder over a subfolder's build, a sibling folder), or covers
what a RUN step made there (`node_modules`, a virtual environment) that no named or anonymous
volume of the service keeps. The usual hot-reload mount of the build context over the folder
it was copied to hides nothing; `-v` logs each mount checked and why it is fine.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode

from consolidate.analysis.commands import (
    ContainerPaths,
    Reader,
    command_refs,
    split_command,
    split_flag,
)
from consolidate.analysis.compose_builds import (
    Build,
    builds_of,
    copy_sources,
    interpolate,
    service_env,
)
from consolidate.analysis.compose_mounts import Mount, bind_mounts, hidden_build
from consolidate.analysis.frameworks.server_args import env_refs
from consolidate.compose.projects import is_compose_name
from consolidate.logs import get_logger
from consolidate.workspace import repo_join

log = get_logger()


@dataclass(frozen=True)
class ServiceFact:
    file: str  # the compose file
    service: str
    image: str | None
    container_name: str | None
    depended_on_by: tuple[str, ...]  # services of the same file that depend on this one
    build_context: str | None  # repository folder ("." for the root); None: no build, or outside
    dockerfile: str | None  # repository path of the Dockerfile the build uses (maybe untracked)
    entry_files: tuple[str, ...]  # tracked files the service runs
    line: int  # of the service key
    # Whose build it runs when it has none of its own (`docker-compose.yml:api`): a service of
    # the same compose project that builds the image its `image:` names.
    image_from: str | None = None
    mounts: tuple[str, ...] = ()  # repository paths bind-mounted into it ("." for the root)
    copies: tuple[str, ...] = ()  # repository paths its image's stage COPYs/ADDs ("." the root)
    env_files: tuple[str, ...] = ()  # repository paths of its env_file: entries
    # `__init__.py` of the packages of the modules it runs by name (`python -m pkg.mod`,
    # `uvicorn pkg.main:app`): Python runs them before the module.
    package_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class AntiPattern:
    file: str
    line: int
    service: str
    kind: str  # "bind mount hides build" | "healthcheck tests a dependency"
    message: str


@dataclass(frozen=True)
class ComposeFacts:
    services: tuple[ServiceFact, ...]
    warnings: tuple[AntiPattern, ...]


# --- compose -------------------------------------------------------------------------------

_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0"})
_HOST_FLAGS = frozenset({"-h", "--host", "--hostname"})
_NETCAT = frozenset({"nc", "ncat", "netcat"})
_URL_HOST = re.compile(r"[a-z][a-z0-9+.-]*://(?:[^@/\s]*@)?(\[[^\]]*\]|[^:/?#\s]+)", re.IGNORECASE)


@dataclass(frozen=True)
class _File:
    """One compose file: where it is, its services' specs and the lines of their keys."""

    path: str
    project: str | None  # the top-level `name:` as written
    specs: dict[str, dict[str, Any]]
    lines: dict[str, tuple[int, dict[str, int]]]
    tracked: frozenset[str]
    read: Reader

    @property
    def folder(self) -> str:
        return posixpath.dirname(self.path)

    def line(self, service: str, key: str | None = None) -> int:
        line, keys = self.lines.get(service, (1, {}))
        return keys.get(key, line) if key else line


def compose_facts(paths: Collection[str], read: Reader) -> ComposeFacts:
    """Every service of every tracked compose file, and the anti-patterns found on the way."""
    tracked = frozenset(paths)
    loaded = [_load(p, tracked, read) for p in sorted(p for p in tracked if is_compose_name(p))]
    files = [file for file in loaded if file is not None]
    builds = builds_of(files, tracked, read)
    services: list[ServiceFact] = []
    warnings: list[AntiPattern] = []
    for file in files:
        dependents = _dependents(file.specs)
        for name, spec in file.specs.items():
            build = builds[(file.path, name)]
            fact, found = _service(file, name, spec, dependents.get(name, ()), build)
            services.append(fact)
            warnings.extend(found)
    return ComposeFacts(tuple(services), tuple(warnings))


def _load(path: str, tracked: frozenset[str], read: Reader) -> _File | None:
    """The file's services, or None when it cannot be read or is not YAML with services."""
    raw = read(path)
    if raw is None:
        return None
    text = raw.decode("utf-8-sig", errors="replace")
    try:  # any parse error: a file compose cannot run runs nothing
        data = YAML(typ="safe", pure=True).load(text)
        lines = _key_lines(YAML().compose(text))
    except Exception:
        return None
    specs = data.get("services") if isinstance(data, dict) else None
    if not isinstance(specs, dict):
        return None
    kept = {str(k): v for k, v in specs.items() if isinstance(v, dict)}
    project = data.get("name")
    return _File(path, None if project is None else str(project), kept, lines, tracked, read)


def _key_lines(root: Node | None) -> dict[str, tuple[int, dict[str, int]]]:
    """1-based line of each service key and of that service's own keys."""
    services = _child(root, "services")
    lines: dict[str, tuple[int, dict[str, int]]] = {}
    for key, value in services.value if isinstance(services, MappingNode) else []:
        if isinstance(key, ScalarNode):
            keys = {
                str(k.value): k.start_mark.line + 1
                for k, _ in (value.value if isinstance(value, MappingNode) else [])
                if isinstance(k, ScalarNode)
            }
            lines[str(key.value)] = (key.start_mark.line + 1, keys)
    return lines


def _child(node: Node | None, name: str) -> Node | None:
    if not isinstance(node, MappingNode):
        return None
    return next((v for k, v in node.value if isinstance(k, ScalarNode) and k.value == name), None)


def _dependents(specs: dict[str, dict[str, Any]]) -> dict[str, tuple[str, ...]]:
    """For each service, the services of the file that start after it or share its insides."""
    found: dict[str, list[str]] = {}
    for name, spec in specs.items():
        for dependency in (_dependencies(spec) & set(specs)) - {name}:
            found.setdefault(dependency, []).append(name)
    return {name: tuple(sorted(users)) for name, users in found.items()}


def _dependencies(spec: dict[str, Any]) -> set[str]:
    """depends_on (list or mapping), links, volumes_from, and `service:` network/pid/ipc."""
    names: set[str] = set()
    for key in ("depends_on", "links", "volumes_from"):
        value = spec.get(key)
        items = list(value) if isinstance(value, dict | list) else []
        names.update(
            str(item).split(":")[0] for item in items if not str(item).startswith("container:")
        )
    for key in ("network_mode", "pid", "ipc"):
        value = spec.get(key)
        if isinstance(value, str) and value.startswith("service:"):
            names.add(value.removeprefix("service:"))
    return names


def _service(
    file: _File, name: str, spec: dict[str, Any], dependents: tuple[str, ...], build: Build
) -> tuple[ServiceFact, list[AntiPattern]]:
    """One service's facts; its build (its own or the one it reuses) and its mounts also
    decide what its warnings are."""
    own = build.owner is None and build.context is not None
    mounts = bind_mounts(spec.get("volumes"), file.folder)
    runs, packages = _entry_files(file, spec, build, mounts)
    fact = ServiceFact(
        file=file.path,
        service=name,
        image=_text(spec.get("image")),
        container_name=_text(spec.get("container_name")),
        depended_on_by=dependents,
        build_context=(build.context or ".") if own else None,
        dockerfile=build.dockerfile if build.owner is None else None,
        entry_files=runs,
        package_files=packages,
        line=file.line(name),
        image_from=build.owner,
        mounts=tuple(dict.fromkeys(m.repo or "." for m in mounts if m.repo is not None)),
        copies=copy_sources(build),
        env_files=_env_files(spec.get("env_file"), file.folder),
    )
    warnings = [*_hidden_builds(file, name, spec, mounts, build), *_health(file, name, spec)]
    return fact, warnings


def _entry_files(
    file: _File, spec: dict[str, Any], build: Build, mounts: list[Mount]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What the container runs, and the `__init__.py` of the packages of the modules it runs
    by name (Python runs them first), as compose decides it: `entrypoint:` replaces the image's
    ENTRYPOINT and drops its CMD; `command:` replaces the CMD. A service that reuses another's
    build runs that image with its own command, mounts and working_dir. Modules a command or
    FLASK_APP names are looked for in the working folder, then in PYTHONPATH's folders."""
    stage, workdir = build.stage, spec.get("working_dir")
    paths = ContainerPaths(
        workdir if isinstance(workdir, str) else stage.workdir,
        tuple((m.target, m.repo, True) for m in mounts if m.repo is not None),
        tuple(stage.copies),
        build.context,
    )
    entrypoint, command = spec.get("entrypoint"), spec.get("command")
    if entrypoint is None:
        entrypoint = stage.entrypoint
        command = stage.cmd if command is None else command
    env = service_env(spec, file.folder, stage.env, file.tracked, file.read)
    found: dict[bool, list[str]] = {True: [], False: []}
    for ref in command_refs(entrypoint, env) + command_refs(command, env) + env_refs(env):
        package = all(a.endswith("/__init__.py") for a in ref)
        files = found[package]
        files.extend(p for p in paths.resolve(ref, file.tracked) if p not in files)
    return tuple(found[False]), tuple(p for p in found[True] if p not in found[False])


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _env_files(value: object, folder: str) -> tuple[str, ...]:
    """`env_file:` as a string, a list of strings or a list of `{path: ...}`, inside the
    repository ("." for the root)."""
    entries = value if isinstance(value, list) else [value]
    written = [e.get("path") if isinstance(e, dict) else e for e in entries]
    filled = [interpolate(w) for w in written if isinstance(w, str)]
    paths = [repo_join(folder, f) for f in filled if f]
    return tuple(dict.fromkeys(p or "." for p in paths if p is not None))


def _hidden_builds(
    file: _File, name: str, spec: dict[str, Any], mounts: list[Mount], build: Build
) -> Iterator[AntiPattern]:
    """Bind mounts that replace what the build put at their target with something else;
    `-v` says why each other mount over the build is fine."""
    for mount in mounts if build.context is not None else []:
        hidden, why = hidden_build(mount, build.stage, spec.get("volumes"), file.tracked)
        where = f"{mount.source}:{mount.target}"
        if hidden is None:
            log.debug(
                "bind mount hides no build", file=file.path, service=name, mount=where, why=why
            )
            continue
        message = f"service {name}: bind mount {where} puts {hidden}"
        line = file.line(name, "volumes")
        yield AntiPattern(file.path, line, name, "bind mount hides build", message)


def _health(file: _File, name: str, spec: dict[str, Any]) -> Iterator[AntiPattern]:
    """A healthcheck that only contacts other hosts says whether they are up, not this one."""
    check = spec.get("healthcheck")
    hosts = _health_hosts(check.get("test") if isinstance(check, dict) else None, file.specs)
    own = {name, *(str(spec[k]) for k in ("container_name", "hostname") if spec.get(k))}
    if not hosts or hosts & (own | _LOCAL_HOSTS):
        return
    named = ", ".join(f"service {h}" if h in file.specs else f"host {h}" for h in sorted(hosts))
    message = (
        f"service {name}: the healthcheck only contacts {named}, so it reports whether that "
        f"dependency is up, not whether {name} works; check {name} itself (its port or process)"
    )
    yield AntiPattern(
        file.path, file.line(name, "healthcheck"), name, "healthcheck tests a dependency", message
    )


def _health_hosts(test: object, services: Collection[str]) -> set[str]:
    """Hosts a healthcheck test contacts (test: a string, or CMD / CMD-SHELL / NONE list)."""
    commands: list[list[str]] = []
    if isinstance(test, str):
        commands = split_command(test)
    elif isinstance(test, list) and test:
        kind, *rest = [str(word) for word in test]
        if kind == "CMD-SHELL":
            commands = split_command(" ".join(rest))
        elif kind == "CMD":
            commands = [rest]
    return {host for words in commands for host in _command_hosts(words, services, 0)}


def _command_hosts(words: list[str], services: Collection[str], depth: int) -> Iterator[str]:
    """`-h`/`--host` values, URL hosts, and service names as arguments (`nc -z redis 6379`)."""
    expanded = [part for word in words for part in split_flag(word)]
    for i, word in enumerate(expanded):
        previous = expanded[i - 1] if i else ""
        url = _URL_HOST.match(word)
        if i and previous in _HOST_FLAGS:
            yield word.lower()
        elif url:
            yield url[1].strip("[]").lower()
        elif " " in word and depth < 3:
            for sub in split_command(word):
                yield from _command_hosts(sub, services, depth + 1)
        elif i and word.split(":")[0] in services and _is_host_argument(previous, expanded[0]):
            yield word.split(":")[0]


def _is_host_argument(previous: str, program: str) -> bool:
    """A service name after a flag is usually that flag's value (`-U postgres`), except for
    netcat, whose flags take no value (`nc -z redis 6379`)."""
    return not previous.startswith("-") or posixpath.basename(program) in _NETCAT
