"""What a component is: its compose project, its services, its own files, and what it shares.

A service name is unique only inside its compose project (`compose.projects`), so a component
lives in one project: the one the playbook's `compose:` keys or `--compose FILE` pick, or the
only project with a service of that name. A name that several projects use is ambiguous, and
the investigation refuses rather than guess. Then:

- its services are those of that project (a same-named service elsewhere is another component);
- its seeds are the files it names, the files its services run, and files named after it,
  except those inside another project's folder;
- a kept service of its project that uses one of its services as a host is listed;
- what a kept service builds from, copies into its image, mounts or reads as an env file is
  an entry point of that service (`build_inputs`), so the verdict is `keep`, naming it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from consolidate.analysis.compose_facts import ServiceFact
from consolidate.compose.hosts import host_references
from consolidate.compose.projects import ComposeProject, owner, project_of
from consolidate.errors import Refusal

MAX_LISTED = 6
Reader = Callable[[str], bytes | None]


@dataclass
class Component:
    name: str
    projects: list[ComposeProject] = field(default_factory=list)  # empty: no compose service
    services: list[ServiceFact] = field(default_factory=list)

    @property
    def removed(self) -> set[tuple[str, str]]:
        return {(s.file, s.service) for s in self.services}

    def owns(self, path: str, projects: Iterable[ComposeProject]) -> bool:
        """Whether a file named after the component belongs to it: not inside the folder of a
        project other than the component's own."""
        home = owner(projects, path)
        return home is None or not self.projects or home in self.projects


def choose(
    name: str,
    facts: Sequence[ServiceFact],
    projects: Sequence[ComposeProject],
    *,
    services: Collection[tuple[str, str]] | None = None,
    compose: str | None = None,
    files: Collection[str] = (),
) -> Component:
    """The component `name`: from a playbook's (file, service) pairs when given (a playbook
    without compose services lives in the projects whose folders hold its `files`), else the
    services of that name (or container name) in the project `compose` picks or the only one."""
    if services is not None:
        picked = _projects_of(projects, (f for f, _ in services))
        if not services:
            homes = (owner(projects, path) for path in files)
            picked = list(dict.fromkeys(home for home in homes if home is not None))
        names = {s for _f, s in services}
        chosen = [f for f in facts if f.service in names and _in(projects, f.file, picked)]
        return Component(name, picked, chosen)
    matching = [f for f in facts if name in (f.service, f.container_name)]
    if compose is not None:
        project = project_of(projects, posixpath.normpath(compose))
        if project is None:
            raise Refusal(
                f"--compose {compose}: not a tracked compose file",
                "give the path of a compose file from the repository root",
            )
        picked = [project]
    else:
        picked = _projects_of(projects, (f.file for f in matching))
        if len(picked) > 1:
            raise ambiguous(name, picked)
    return Component(name, picked, [f for f in matching if _in(projects, f.file, picked)])


def ambiguous(name: str, projects: list[ComposeProject]) -> Refusal:
    shown = ", ".join(p.label() for p in projects[:MAX_LISTED])
    more = f" and {len(projects) - MAX_LISTED} more" if projects[MAX_LISTED:] else ""
    return Refusal(
        f"{name} names services in {len(projects)} compose projects: {shown}{more}",
        "pick one with --compose FILE (investigate, plan, assess) or the playbook's compose: keys "
        "(run); nothing was changed",
    )


def _projects_of(projects: Sequence[ComposeProject], files: Iterable[str]) -> list[ComposeProject]:
    out: list[ComposeProject] = []
    for path in files:
        project = project_of(projects, path)
        if project is not None and project not in out:
            out.append(project)
    return out


def _in(projects: Sequence[ComposeProject], path: str, picked: list[ComposeProject]) -> bool:
    return project_of(projects, path) in picked


def host_rows(read: Reader, component: Component) -> list[dict[str, Any]]:
    """Where kept services of the component's project use one of its services as a host
    (`redis://oldcache:6379`): after the removal that name resolves to nothing."""
    names = {s.service for s in component.services}
    rows: list[dict[str, Any]] = []
    for project in component.projects if names else []:
        for path in project.files:
            data = read(path)
            refs = host_references(path, data, names, read) if data is not None else []
            rows += [vars(ref) for ref in refs if vars(ref) not in rows]
    return rows
