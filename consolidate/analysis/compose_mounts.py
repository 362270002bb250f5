"""Bind mounts of a compose service, and what one hides of the image the service builds.

A mount hides the build when it puts other repository paths at its target than the build
copied there (a parent folder over a subfolder's build, a sibling folder), or covers what a RUN
step made there (`node_modules`, a virtual environment) that no named or anonymous volume of
the service keeps. The usual hot-reload mount of the build context over the folder it was
copied to hides nothing. Which RUN steps make what is the short list `_NODE_INSTALLS` and
`_made_by` below; a tool not listed makes nothing here, so it gives no finding.
"""

from __future__ import annotations

import functools
import posixpath
import re
from dataclasses import dataclass

from consolidate.analysis.commands import Stage, container_join, split_command
from consolidate.analysis.compose_builds import interpolate
from consolidate.workspace import repo_join


@dataclass(frozen=True)
class Mount:
    source: str  # as written
    target: str
    repo: str | None  # repository folder; None when outside the repository


def bind_mounts(volumes: object, folder: str) -> list[Mount]:
    """Bind mounts, short (`./src:/app:ro`) or long syntax; named volumes are not mounts."""
    mounts: list[Mount] = []
    for entry in volumes if isinstance(volumes, list) else []:
        if isinstance(entry, str):
            parts = entry.split(":")
            source, target = (parts[0], parts[1]) if len(parts) >= 2 else ("", "")
        elif isinstance(entry, dict) and entry.get("type", "bind") == "bind":
            source, target = str(entry.get("source", "")), str(entry.get("target", ""))
        else:
            continue
        host, inside = interpolate(source), interpolate(target)
        if not host or not inside or not host.startswith((".", "/", "~")):
            continue
        repo = repo_join(folder, host) if host.startswith(".") else None
        mounts.append(Mount(source, container_join("/", inside), repo))
    return mounts


def hidden_build(
    mount: Mount, stage: Stage, volumes: object, tracked: frozenset[str]
) -> tuple[str | None, str]:
    """What the mount hides of the build, as the end of a message that starts with the mount
    (None when nothing), and why it hides nothing otherwise."""
    if mount.target == "/":
        return None, "a mount over / is not judged"
    shown = mount.source if mount.repo is None else _shown(mount.repo, tracked)
    copied = _copied(mount, stage, tracked)
    other = _not_mounted(mount, copied)
    kept = _kept_paths(volumes)
    made = [(p, c) for p, c in _run_made(stage) if p.startswith(mount.target + "/")]
    over = [(path, command) for path, command in made if not _kept(path, kept)]
    if other:
        source, path = next(iter(other.items()))
        named = _shown(source, tracked) + (f" to {path}" if path != mount.target else "")
        more = f" (and {len(other) - 1} more)" if len(other) > 1 else ""
        return (
            f"{shown} at {mount.target}, where the build copied {named}{more}; the container "
            f"runs {shown} there instead, so the build's files are never used"
        ), ""
    if over:
        path, command = over[0]
        return (
            f"{shown} over {path}, which the build made with `{command}`, so the container never "
            f"sees it; keep it with a volume (`- {path}`) or make it outside {mount.target}"
        ), ""
    why = f"{shown} is what the build copied to" if copied else "the build copied nothing to"
    why += f" {mount.target}"
    inside = ", ".join(path for path, _ in made)
    return None, why + (f"; volumes keep {inside}, which the build made there" if inside else "")


def _not_mounted(mount: Mount, copied: list[tuple[str, str]]) -> dict[str, str]:
    """What the build copied that the mount does not put in the same place: repository path
    -> container path. A file COPY is recorded at two paths (`COPY a.txt x`: x may be a file
    or a folder); it is in place when the mount has it at either, and named inside the target."""
    fine = {source for path, source in copied if _same(mount, path, source)}
    other: dict[str, str] = {}
    for path, source in copied:
        if source not in fine and other.get(source, mount.target) == mount.target:
            other[source] = path
    return other


def _copied(mount: Mount, stage: Stage, tracked: frozenset[str]) -> list[tuple[str, str]]:
    """(container path, repository path) of what the build copied at or under the mount's
    target, folders first: a folder copied above the target counts with its subfolder there.
    Sources the repository does not have (untracked, generated) are left out, never guessed."""
    found: list[tuple[str, str]] = []
    for target, source, folder in stage.copies:
        if target == mount.target or target.startswith(mount.target + "/"):
            found.append((target, source))
        elif folder and mount.target.startswith(target.rstrip("/") + "/"):
            below = repo_join(source, mount.target[len(target.rstrip("/")) + 1 :])
            found.extend([] if below is None else [(mount.target, below)])
    known = [(path, source) for path, source in found if _known(source, tracked)]
    return list(dict.fromkeys(sorted(known, key=lambda c: (c[1] in tracked, c[0]))))


def _same(mount: Mount, path: str, source: str) -> bool:
    """Whether the mount puts `source` at container `path` itself."""
    if mount.repo is None:
        return False
    inside = "." if path == mount.target else path[len(mount.target) + 1 :]
    return repo_join(mount.repo, inside) == source


def _known(path: str, tracked: frozenset[str]) -> bool:
    return path == "" or path in tracked or path in _folders(tracked)


@functools.lru_cache(maxsize=4)
def _folders(tracked: frozenset[str]) -> frozenset[str]:
    """Every folder that holds a tracked file, at any depth."""
    return frozenset(p[:i] for p in tracked for i, c in enumerate(p) if c == "/")


def _shown(path: str, tracked: frozenset[str]) -> str:
    """A repository path as written in a message: a file as it is, a folder with a slash."""
    return "./" if path == "" else path if path in tracked else path + "/"


# What a RUN step leaves in the folder it runs in, which a bind mount of the source folder then
# hides: JavaScript package installs make node_modules/, Python tools a virtual environment.
# Tools that install elsewhere (pip, `npm -g`, poetry's default cache folder) are not listed.
_NODE_INSTALLS = {
    "npm": ("install", "i", "add", "ci"),
    "pnpm": ("install", "i", "add"),
    "yarn": ("", "install", "add"),
    "bun": ("install", "i", "add"),
}
_ELSEWHERE = frozenset({"-g", "--global", "--prefix", "--modules-folder", "--dir"})
_TRUE = ("1", "true", "yes", "on")


def _run_made(stage: Stage) -> list[tuple[str, str]]:
    """(container path, command) of what the stage's RUN steps made, in its WORKDIR or after
    `cd DIR` (the stage's last WORKDIR: the model does not keep one per RUN)."""
    env, found = dict(stage.env), []
    for run in stage.runs:
        cwd = stage.workdir
        exec_form = [str(word) for word in run] if isinstance(run, list) else []
        commands = split_command(run) if isinstance(run, str) else [exec_form]
        for words in commands:
            if len(words) == 2 and words[0] == "cd" and "$" not in words[1]:
                cwd = container_join(cwd, words[1])
            made = _made_by(words, env)
            found.extend([] if made is None else [(container_join(cwd, made), " ".join(words))])
    return found


def _made_by(words: list[str], env: dict[str, str]) -> str | None:
    """The folder (relative to where it runs) one simple command installs into, if listed;
    `poetry config virtualenvs.in-project true` sets `env` for the commands after it.
    https://docs.npmjs.com/cli/commands/npm-ci, https://docs.astral.sh/uv/concepts/projects/config/,
    https://python-poetry.org/docs/configuration/#virtualenvsin-project"""
    local, words = dict(env), list(words)
    while words and ("=" in words[0] or words[0] == "env"):
        name, _, value = words.pop(0).partition("=")
        local.update({name: value} if value or name != "env" else {})
    program = posixpath.basename(words[0]) if words else ""
    args = [w for w in words[1:] if not w.startswith("-")]
    sub = args[0] if args else ""
    if sub in _NODE_INSTALLS.get(program, ()) and not _ELSEWHERE & {w.split("=")[0] for w in words}:
        return "node_modules"
    if re.fullmatch(r"python[\d.]*", program) and words[1:3] == ["-m", "venv"]:
        return args[1] if len(args) > 1 else None
    if program == "virtualenv":
        return sub or None
    if program == "uv" and sub == "venv":
        return args[1] if len(args) > 1 else ".venv"
    if program == "uv" and sub == "sync":
        return local.get("UV_PROJECT_ENVIRONMENT", ".venv")
    if program == "poetry" and args[:3] == ["config", "virtualenvs.in-project", "true"]:
        env["POETRY_VIRTUALENVS_IN_PROJECT"] = "true"
    in_project = {"poetry": "POETRY_VIRTUALENVS_IN_PROJECT", "pipenv": "PIPENV_VENV_IN_PROJECT"}
    flag = local.get(in_project.get(program, ""), "").lower()
    return ".venv" if sub in ("install", "sync") and flag in _TRUE else None


def _kept_paths(volumes: object) -> list[str]:
    """Container paths of the service's named and anonymous volumes (`/app/node_modules`,
    `deps:/app/.venv`): a new volume starts with what the image has there, so it stays."""
    found: list[str] = []
    for entry in volumes if isinstance(volumes, list) else []:
        if isinstance(entry, str):
            parts = entry.split(":")
            named = len(parts) > 1 and not parts[0].startswith((".", "/", "~", "$"))
            target = parts[0] if len(parts) == 1 else parts[1] if named else ""
        elif isinstance(entry, dict) and entry.get("type") == "volume":
            target = str(entry.get("target", ""))
        else:
            continue
        inside = interpolate(target)
        found.extend([container_join("/", inside)] if inside and inside.startswith("/") else [])
    return found


def _kept(path: str, kept: list[str]) -> bool:
    return any(path == k or path.startswith(k + "/") for k in kept)
