"""A removal across every compose file of a project, not just the one the playbook names.

The playbook names compose files (`compose.yaml`, `docker-compose.override.yml`, ...) and the
services to remove. This module follows their `include:` entries, removes the services from
whichever of those files define them, cuts references to them in all of them, drops the
top-level resources only they used across the whole project, and looks through the other
compose files of the repository: a reference to a removed service from a file the playbook
does not name (an override file, an `extends: {file: ...}`) fails the plan, naming the line.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from consolidate.compose.locate import Parsed, parse
from consolidate.compose.projects import find_projects, includes, is_compose_name, project_of
from consolidate.compose.resources import Usage, doomed, usage_of
from consolidate.compose.scan import Mention, extends_target, mentions
from consolidate.errors import ComposeRefusal

if TYPE_CHECKING:
    from consolidate.compose.edit import ComposeEdit

Reader = Callable[[str], bytes | None]


@dataclass
class ProjectEdit:
    edits: list[ComposeEdit] = field(default_factory=list)
    services: list[tuple[str, str]] = field(default_factory=list)  # (file, service) removed
    files: list[str] = field(default_factory=list)  # named files, then what they include
    notes: list[str] = field(default_factory=list)


@dataclass
class Project:
    """The files a removal edits, the included files it deletes, and which entries name them."""

    parsed: dict[str, Parsed] = field(default_factory=dict)
    deleted: dict[str, Parsed] = field(default_factory=dict)
    dropped: dict[str, list[str]] = field(default_factory=dict)  # file -> include paths as written

    def all(self) -> dict[str, Parsed]:
        return {**self.parsed, **self.deleted}


def plan_project(
    read: Reader,
    tracked: Iterable[str],
    named: dict[str, list[str]],
    *,
    keep_volumes: bool,
    original: Reader | None = None,
) -> ProjectEdit:
    """Edits for every file of the project; raises ComposeRefusal before anything is written.

    `read` shows the work tree as the earlier steps leave it; `original` as it is now, so an
    included file that the removal deletes can still be read for the services it defines.
    """
    result = ProjectEdit()
    project = load_project(read, original or read, list(named), result)
    gone = {s for services in named.values() for s in services}
    for path, item in project.deleted.items():
        result.notes += [f"service {s} goes with {path}" for s in item.blocks if s not in gone]
        gone |= set(item.blocks)
    owners = owning_files(project.all(), named)
    removed, staying = Usage(), check_unnamed(read, tracked, project.all(), gone, result)
    check_cross_file_extends(project, gone)
    for path, item in project.all().items():
        by_removed, by_staying = usage_of(item.data(), gone, path=path, read=read)
        removed.add(by_removed)
        staying.add(by_staying)
    verdict = doomed(removed, staying, keep_volumes=keep_volumes)
    result.notes += list(verdict.kept)
    from consolidate.compose.edit import remove_services  # the investigation never edits

    for path in project.parsed:
        mine = owners.get(path, [])
        data = read(path) or b""
        edit = remove_services(
            data,
            mine,
            path=path,
            also=gone - set(mine),
            resources=verdict.names,
            deleted_includes=project.dropped.get(path, []),
        )
        result.services += [(path, s) for s in edit.services_removed]
        if edit.after != data:
            result.edits.append(edit)
    result.services += [(p, s) for p, item in project.deleted.items() for s in item.blocks]
    return result


def load_project(read: Reader, original: Reader, named: list[str], result: ProjectEdit) -> Project:
    """The named files and, transitively, the local files their `include:` pulls in."""
    project = Project()
    todo: list[tuple[str, str | None, str]] = [(path, None, path) for path in named]
    while todo:
        path, parent, raw = todo.pop(0)
        if path in project.all():
            continue
        data, before = read(path), original(path)
        if data is None and before is not None and parent is not None:
            project.deleted[path] = parse(before, path)
            project.dropped.setdefault(parent, []).append(raw)
            result.notes.append(f"{parent} includes {path}, which this removal deletes")
            continue
        if data is None:
            raise missing(path, parent, deleted=before is not None)
        project.parsed[path] = parse(data, path)
        result.files.append(path)
        targets, skipped = includes(project.parsed[path])
        result.notes += [f"{path} includes {r!r}: not followed (not a local file)" for r in skipped]
        todo += [(target, path, raw) for raw, target in targets]
    return project


def missing(path: str, parent: str | None, *, deleted: bool) -> ComposeRefusal:
    if deleted:
        return ComposeRefusal(
            f"compose file {path} is deleted by the playbook's files:",
            "take it out of compose: (its services go with the file)",
        )
    if parent is None:
        return ComposeRefusal(f"compose file {path} does not exist", "fix the path in the playbook")
    return ComposeRefusal(
        f"compose file {path}, included by {parent}, does not exist",
        f"fix the include in {parent}",
    )


def owning_files(parsed: dict[str, Parsed], named: dict[str, list[str]]) -> dict[str, list[str]]:
    """Which project files define each removed service; each must be found where named."""
    owners: dict[str, list[str]] = {}
    for path, item in parsed.items():
        for service in item.blocks:
            if any(service in services for services in named.values()):
                owners.setdefault(path, []).append(service)
    for path, services in named.items():
        reach = reachable(path, parsed)
        for service in services:
            if not any(service in owners.get(p, []) for p in reach):
                known = sorted({s for p in reach for s in parsed[p].blocks})
                raise ComposeRefusal(
                    f"service {service} is not in {path}"
                    + (" nor in the files it includes" if len(reach) > 1 else ""),
                    f"it has: {', '.join(known) or 'none'}",
                )
    return owners


def reachable(path: str, parsed: dict[str, Parsed]) -> list[str]:
    """`path` and the project files it includes, directly or not."""
    seen, todo = [path], [path]
    while todo:
        for _raw, target in includes(parsed[todo.pop()])[0]:
            if target in parsed and target not in seen:
                seen.append(target)
                todo.append(target)
    return seen


def check_cross_file_extends(project: Project, gone: set[str]) -> None:
    """A staying service that extends a removed one from another project file."""
    for path, item in project.parsed.items():
        for found in mentions(item, gone, local=False):
            target = extends_target(path, found)
            if target in project.all():
                raise ComposeRefusal(
                    f"{path}:{found.line}: {found.text}, which is being removed from {target}",
                    f"remove {found.service} as well, or copy what it needs from that service",
                )


def check_unnamed(
    read: Reader,
    tracked: Iterable[str],
    parsed: dict[str, Parsed],
    gone: set[str],
    result: ProjectEdit,
) -> Usage:
    """Fail on a reference to a removed service from a compose file the playbook did not name.

    Returns what the services of the project's other files (overrides) use, so a volume an
    override still mounts is not dropped from the main file.
    """
    staying = Usage()
    folders = {posixpath.dirname(path) for path in parsed}
    projects = find_projects(list(tracked), read)
    ours = {project_of(projects, path) for path in parsed} - {None}
    found: list[str] = []
    checked = 0
    for path in sorted(tracked):
        if path in parsed or not is_compose_name(path):
            continue
        data = read(path)
        if data is None:
            continue
        try:
            other = parse(data, path)
        except ComposeRefusal as exc:
            result.notes.append(f"{path} not checked for references: {exc.message}")
            continue
        checked += 1
        same_project = (
            posixpath.dirname(path) in folders
            or project_of(projects, path) in ours
            or any(target in parsed for _raw, target in includes(other)[0])
        )
        for mention in mentions(other, gone, local=same_project):
            target = extends_target(path, mention)
            if target in parsed or (same_project and mention.file is None):
                found.append(f"{path}:{mention.line}: {mention.text}")
        if same_project:
            staying.add(usage_of(other.data(), gone, path=path, read=read)[1])
    if found:
        more = f" (and {len(found) - 1} more: {', '.join(found[1:4])})" if found[1:] else ""
        file = found[0].split(":")[0]
        raise ComposeRefusal(
            f"compose: {found[0]}, but the playbook does not name {file}{more}",
            f"add it under compose: in the playbook ({file}: [] to cut only the references)",
        )
    result.notes.append(
        f"checked {checked} other compose file(s): none refers to a removed service"
    )
    return staying


def files_to_name(
    read: Reader, files: Iterable[str], services: Iterable[str]
) -> dict[str, list[str]]:
    """What a playbook's `compose:` must say to remove `services` from a project of `files`:
    each file that defines one of them (with those it defines) or refers to one (with none),
    so that `plan_project` finds every reference in a file it was given."""
    gone = set(services)
    out: dict[str, list[str]] = {}
    for path in files:
        data = read(path)
        try:
            parsed = parse(data, path) if data is not None else None
        except ComposeRefusal:
            continue
        if parsed is None:
            continue
        defined = [s for s in parsed.blocks if s in gone]
        if defined or mentions(parsed, gone, local=True):
            out[path] = defined
    return out


__all__ = ["Mention", "ProjectEdit", "files_to_name", "is_compose_name", "plan_project"]
