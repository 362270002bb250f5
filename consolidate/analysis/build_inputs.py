"""What kept compose services build from, copy into their images, mount or read: live files.

A file a kept service's image is built from is in use even when no code imports it. Which
files count depends on what the removal shares with that service:

- its Dockerfile, its env files, and single files it copies or mounts always count;
- a folder it builds from, copies or mounts counts whole when a removed service also builds
  from, copies or mounts it: a shared build input (removing `jupyterhub` must not take
  `jupyterhub/`, from which `jupyterhub-user` builds too);
- any other folder says nothing about the files in it: a service that builds from `./backend`
  does not keep a dead module of `backend/` alive (imports and commands decide that), and a
  worker that runs the API's image takes its own script with it, not the API's code.

A folder as wide as the compose file's own, or the repository, is never shared.
"""

from __future__ import annotations

import bisect
import posixpath
from collections.abc import Collection, Iterable, Sequence

from consolidate.analysis.compose_facts import ServiceFact
from consolidate.analysis.uses import Root


def shared_inputs(
    facts: Iterable[ServiceFact], removed: Collection[tuple[str, str]], tracked: Sequence[str]
) -> dict[str, list[Root]]:
    """Each tracked file a kept service needs to build or run, with how, as entry points."""
    ordered = sorted(tracked)
    facts = list(facts)
    builders = {f"{f.file}:{f.service}": f for f in facts}
    going = [f for f in facts if (f.file, f.service) in removed]
    theirs = {folder for f in going for folder in _folders(f)}
    out: dict[str, list[Root]] = {}
    for fact in facts:
        if (fact.file, fact.service) in removed:
            continue
        for path, how, folder in _inputs(fact, builders.get(fact.image_from or "")):
            files = _under(ordered, path)
            if folder is not None and files != [path] and not _shared(folder, theirs):
                continue
            via = f"{fact.file}: service {fact.service} {how}"
            for found in files:
                out.setdefault(found, []).append(Root(found, "build", via, fact.service))
    return out


def _inputs(
    fact: ServiceFact, builder: ServiceFact | None
) -> Iterable[tuple[str, str, str | None]]:
    """(path, how, the folder when `path` is one) of each input. A service that runs the image
    another service builds (`image_from`) needs that build as much as its builder does."""
    build = builder or fact
    runs = f"runs the image of service {builder.service}, built " if builder else "builds "
    if build.dockerfile:
        yield build.dockerfile, f"{runs}with {build.dockerfile}", None
    for env_file in fact.env_files:
        yield env_file, f"reads env_file {env_file}", None
    wide = {"", ".", posixpath.dirname(fact.file)}
    if build.build_context and build.build_context not in wide:
        yield build.build_context, f"{runs}from {build.build_context}/", build.build_context
    for source in fact.copies:
        if source not in wide and source != build.build_context:
            yield source, f"copies {source} into its image", source
    for source in fact.mounts:
        if source not in wide:
            yield source, f"mounts {source}", source


def _folders(fact: ServiceFact) -> Iterable[str]:
    """The narrow folders a service builds from, copies or mounts itself (the copies of an
    image it only runs are its builder's)."""
    wide = {"", ".", posixpath.dirname(fact.file)}
    copies = () if fact.image_from else fact.copies
    for folder in (fact.build_context or "", *copies, *fact.mounts):
        if folder not in wide:
            yield folder


def _shared(folder: str, theirs: Iterable[str]) -> bool:
    return any(_overlap(folder, other) for other in theirs)


def _overlap(a: str, b: str) -> bool:
    return a == b or a.startswith(b + "/") or b.startswith(a + "/")


def _under(tracked: list[str], path: str) -> list[str]:
    """`path` itself when tracked, and the tracked files inside folder `path`."""
    prefix = path + "/"
    inside = []
    for item in tracked[bisect.bisect_left(tracked, prefix) :]:
        if not item.startswith(prefix):
            break
        inside.append(item)
    at = bisect.bisect_left(tracked, path)
    return ([path] if at < len(tracked) and tracked[at] == path else []) + inside
