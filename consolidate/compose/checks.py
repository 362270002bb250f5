"""Compose files after a removal: do their references still point at something, and are they
still valid compose files?

References are checked per folder (a compose file and its overrides there are one project):
service names in depends_on / links / volumes_from / network_mode / ipc / pid / extends, and
paths in env_file, build context and bind-mount sources, and host names (`redis://oldcache`,
`oldcache:6379`, `CACHE_HOST: oldcache`, in environment, commands, healthchecks and env files)
of removed services that no service there still answers to. The schema is the compose
specification's JSON schema as check-jsonschema ships it (`vendor.compose-spec`); when a
`docker compose` or `docker-compose` binary answers, its `config --quiet` runs too, and its
result is told apart from the schema's (and from its not running: no binary).
"""

from __future__ import annotations

import json
import posixpath
import shutil
import subprocess
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from consolidate import failpoints
from consolidate.compose.hosts import HostRef, host_names, host_references
from consolidate.compose.projects import is_compose_name
from consolidate.compose.resources import volume_source
from consolidate.compose.scan import NAMESPACE_KEYS

REF_KEYS = ("depends_on", "links")


def load(root: Path, path: str) -> Any:
    try:
        text = (root / path).read_text(encoding="utf-8-sig")
        return YAML(typ="safe", pure=True).load(text)
    except (OSError, UnicodeDecodeError, YAMLError, ValueError):
        return None


def services_of(doc: Any) -> dict[str, Any]:
    services = doc.get("services") if isinstance(doc, dict) else None
    return {str(k): v for k, v in services.items()} if isinstance(services, dict) else {}


def compose_problems(
    root: Path, paths: list[str], gone_paths: set[str], gone_services: set[str]
) -> tuple[list[str], list[str]]:
    """References in every compose file that point at nothing: (those that point at what the
    removal took away, the rest, which were broken before it or depend on local files)."""
    by_folder: dict[str, dict[str, Any]] = defaultdict(dict)
    for path in paths:
        if is_compose_name(path):
            doc = load(root, path)
            if doc is not None:
                by_folder[posixpath.dirname(path)][path] = doc
    ours: list[str] = []
    others: list[str] = []
    for folder, docs in by_folder.items():
        defined = {name for doc in docs.values() for name in services_of(doc)}
        answered = {name for doc in docs.values() for name in host_names(services_of(doc))}
        for path, doc in docs.items():
            for name, service in services_of(doc).items():
                if not isinstance(service, dict):
                    continue
                for problem, target, is_path in service_problems(
                    root, folder, path, name, service, defined
                ):
                    caused = caused_by_removal(target, is_path, gone_paths, gone_services)
                    (ours if caused else others).append(problem)
            ours += host_problems(root, path, gone_services - answered)
    return ours, others


def caused_by_removal(
    target: str, is_path: bool, gone_paths: set[str], gone_services: set[str]
) -> bool:
    """Whether the removal took what a reference points at: a path is compared with the
    removed paths (a folder with what it held), a service name with the removed services,
    never one with the other (a folder `./relay` missing since before is not the removed
    service `relay`)."""
    if is_path:
        return target in gone_paths or any(g.startswith(target + "/") for g in gone_paths)
    return target in gone_services


def host_problems(root: Path, path: str, hosts: set[str]) -> list[str]:
    """Kept services (and the env files they load) that still use a removed service's name
    as a host, when no service of the folder answers to it any more."""
    data = read_file(root, path) if hosts else None
    if data is None:
        return []
    refs = host_references(path, data, hosts, lambda p: read_file(root, p))
    return list(dict.fromkeys(host_problem(ref) for ref in refs))


def host_problem(ref: HostRef) -> str:
    return (
        f"{ref.file}:{ref.line}: service {ref.service} {ref.key}: {ref.text} names {ref.host}, "
        "a removed service, as a host"
    )


def read_file(root: Path, path: str) -> bytes | None:
    try:
        return (root / path).read_bytes()
    except OSError:
        return None


def service_problems(
    root: Path, folder: str, path: str, name: str, service: dict[str, Any], defined: set[str]
) -> list[tuple[str, str, bool]]:
    """(problem, the service name or repository path it points at, whether it is a path)."""
    where = f"{path}: service {name}"
    out = [(f"{where}: {key} {target}, which no compose file here defines", target, False)
           for key, target in named_services(service) if target not in defined]  # fmt: skip
    for key, local in local_paths(service):
        if "$" in local:
            continue
        target = posixpath.normpath(posixpath.join(folder, local))
        if target.startswith("../") or not (root / target).exists():
            out.append((f"{where}: {key} {local} does not exist", target, True))
    return out


def named_services(service: dict[str, Any]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for key in REF_KEYS:
        entries = service.get(key)
        if isinstance(entries, dict | list):
            found += [(key, str(e).split(":")[0]) for e in entries if isinstance(e, str)]
    for entry in service.get("volumes_from") or []:
        if isinstance(entry, str) and not entry.startswith("container:"):
            found.append(("volumes_from", entry.removeprefix("service:").split(":")[0]))
    for key in NAMESPACE_KEYS:
        value = service.get(key)
        if isinstance(value, str) and value.startswith("service:"):
            found.append((key, value[len("service:") :]))
    extends = service.get("extends")
    if isinstance(extends, str):
        found.append(("extends", extends))
    elif isinstance(extends, dict) and "file" not in extends and extends.get("service"):
        found.append(("extends", str(extends["service"])))
    return found


def local_paths(service: dict[str, Any]) -> list[tuple[str, str]]:
    """(key, path as written) for env_file, build context and bind-mount sources."""
    found: list[tuple[str, str]] = []
    env_files = service.get("env_file")
    for entry in env_files if isinstance(env_files, list) else [env_files]:
        path = entry.get("path") if isinstance(entry, dict) else entry
        optional = isinstance(entry, dict) and entry.get("required") is False
        if isinstance(path, str) and not optional:
            found.append(("env_file", path))
    build = service.get("build")
    context = build.get("context", ".") if isinstance(build, dict) else build
    if isinstance(context, str) and "://" not in context and not context.startswith("git@"):
        found.append(("build context", context))
    for entry in service.get("volumes") or []:
        source = bind_source(entry)
        if source:
            found.append(("bind mount", source))
    return found


def bind_source(entry: Any) -> str | None:
    if isinstance(entry, dict):
        source = entry.get("source")
        return source if entry.get("type") == "bind" and isinstance(source, str) else None
    if not isinstance(entry, str) or volume_source(entry) is not None:
        return None
    source = entry.split(":")[0] if ":" in entry else ""
    return source if source.startswith((".", "..")) else None


@cache
def compose_schema() -> dict[str, Any]:
    text = (
        resources.files("check_jsonschema.builtin_schemas.vendor")
        .joinpath("compose-spec.json")
        .read_text(encoding="utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema


def schema_problems(
    root: Path, paths: list[str], original: Callable[[str], bytes | None]
) -> tuple[list[str], list[str]]:
    """Edited compose files against the compose specification: (problems the edit brought,
    problems the file had before it). Both sides are the full error lists: a list cut before
    the comparison would turn an old error that the cut had hidden at HEAD into a "new" one
    (the caller cuts what it shows)."""
    new: list[str] = []
    old: list[str] = []
    for path in paths:
        doc = load(root, path)
        if doc is None:
            new.append(f"{path}: does not parse")
            continue
        before = set(spec_errors(path, parse_bytes(original(path))))
        failpoints.hit("validate:compose-check")
        for problem in spec_errors(path, doc):
            (old if problem in before else new).append(problem)
    return new, old


@dataclass(frozen=True)
class ConfigCheck:
    """`compose config --quiet` over edited compose files: the binary that ran it (None when
    no compose binary answers, so it did not run), the problems the edit brought and those
    the files had before it."""

    binary: str | None
    new: list[str]
    old: list[str]


def config_problems(
    root: Path, paths: list[str], original: Callable[[str], bytes | None]
) -> ConfigCheck:
    """`compose config` of each edited file that parses, now and as it was before."""
    binary = compose_binary()
    if binary is None:
        return ConfigCheck(None, [], [])
    new: list[str] = []
    old: list[str] = []
    for path in paths:
        if load(root, path) is None:
            continue  # the schema check says it does not parse
        before = set(compose_config_of(root, path, original(path)))
        for problem in compose_config(root, path):
            (old if problem in before else new).append(problem)
    return ConfigCheck(" ".join([Path(binary[0]).name, *binary[1:]]), new, old)


def parse_bytes(data: bytes | None) -> Any:
    try:
        return YAML(typ="safe", pure=True).load(data.decode("utf-8-sig")) if data else None
    except (UnicodeDecodeError, YAMLError, ValueError):
        return None


def spec_errors(path: str, doc: Any) -> list[str]:
    from jsonschema.validators import validator_for

    if doc is None:
        return []
    schema = compose_schema()
    validator = validator_for(schema)(schema)
    out = []
    for error in sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.path]):
        where = "/".join(str(p) for p in error.absolute_path) or "(top)"
        out.append(f"{path}: {where}: {error.message[:200]}")
    return out


def compose_config_of(root: Path, path: str, data: bytes | None) -> list[str]:
    """`compose config` of a file's earlier bytes, written to a temporary folder (never the
    work tree) and read with the file's own folder as the project directory, so relative
    `env_file`, `extends.file` and build contexts resolve as they do for the file itself."""
    if data is None or compose_binary() is None:
        return []
    full = root / path
    with tempfile.TemporaryDirectory(prefix="consolidate-compose-") as scratch:
        twin = Path(scratch) / full.name
        twin.write_bytes(data)
        return [p.replace(scratch, str(full.parent)) for p in compose_config(root, path, twin)]


def compose_binary() -> list[str] | None:
    docker = shutil.which("docker")
    if docker and _answers([docker, "compose", "version"]):
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy and _answers([legacy, "version"]) else None


def _answers(argv: list[str]) -> bool:
    try:
        return subprocess.run(argv, capture_output=True, timeout=20, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def compose_config(root: Path, path: str, twin: Path | None = None) -> list[str]:
    """`compose config --quiet` of `path`, or of `twin` (other bytes for it) read as if it
    stood at `path`."""
    binary = compose_binary()
    if binary is None:
        return []
    full = root / path
    argv = [*binary, "-f", full.name, "config", "--quiet"]
    if twin is not None:
        argv[len(binary) : len(binary) + 2] = ["-f", str(twin), "--project-directory", "."]
    try:
        done = subprocess.run(
            argv, cwd=full.parent, capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [f"{path}: {' '.join(binary)} config did not finish ({exc})"]
    if done.returncode == 0:
        return []
    first = (done.stderr or done.stdout).strip().splitlines()[:1]
    return [f"{path}: {' '.join(binary[-2:])} config: {first[0] if first else 'failed'}"]
