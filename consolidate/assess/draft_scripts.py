"""The draft playbook's `scripts:`: every script or config file that names the component.

A file is drafted when it is a kind of script the docs step edits or reports on (PowerShell,
shell, Makefile, justfile, package.json, systemd units, CI workflows, `.env`-style files) and
one of its lines names the component, one of its services, a container name (compose
`container_name:`, or the defaults `<project>_<service>` and `<project>-<service>-1`, where the
project is the compose file's folder lower-cased: https://docs.docker.com/compose/how-tos/project-name/)
or an image only the removed services use. Files the removal deletes, compose files (they are
under `compose:`), docs and history files are never drafted.

The word rule: the name joined to another word by `-` or `.` is another name (`conductor-ui`,
`web.conductor`); joined by `_` it is this component's (`CONDUCTOR_ENABLED`, `shop_conductor`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from consolidate.analysis.references import history_file
from consolidate.compose.checks import load, services_of
from consolidate.compose.projects import is_compose_name

Reader = Callable[[str], bytes | None]
MAX_BYTES = 2 * 1024 * 1024
SHEBANG = re.compile(rb"#!\s*\S*(?:/|\benv\s+(?:-\S+\s+)*)(?:ba|da)?sh(?:\s|$)")
NAMES = {"Makefile", "makefile", "GNUmakefile", "justfile", "Justfile", ".justfile"}
NAMES |= {"package.json", ".gitlab-ci.yml", ".env"}
SUFFIXES = {".ps1", ".psm1", ".sh", ".bash", ".mk", ".just", ".service", ".env"}


@dataclass(frozen=True)
class ScriptHit:
    path: str
    lines: tuple[int, ...]  # 1-based lines that name it
    names: tuple[str, ...]  # which names, as written in the file

    def why(self) -> str:
        shown = ", ".join(str(n) for n in self.lines[:5])
        more = f" and {len(self.lines) - 5} more" if len(self.lines) > 5 else ""
        which = ", ".join(self.names[:3])
        return f"names {which} on line{'s' if len(self.lines) > 1 else ''} {shown}{more}"


def script_kind(path: str, root: Path) -> bool:
    """A file of one of the drafted kinds (an extensionless file by its sh/bash shebang)."""
    p = PurePosixPath(path)
    name = p.name
    if name in NAMES or p.suffix.lower() in SUFFIXES or name.startswith(".env."):
        return True
    if path.startswith(".github/workflows/") and p.suffix in (".yml", ".yaml"):
        return True
    return not p.suffix and not name.startswith(".") and bool(SHEBANG.match(head(root / path)))


def head(full: Path) -> bytes:
    """The first bytes of a file (its shebang), without reading a large file whole."""
    try:
        with full.open("rb") as stream:
            return stream.read(200)
    except OSError:
        return b""


def word_pattern(names: Iterable[str]) -> re.Pattern[str]:
    """Each name as a whole word, case-insensitive: not next to a letter or digit, and not
    joined by `-` or `.` to another word; `_` joins it to this component's identifiers."""
    alternatives = "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True))
    return re.compile(
        rf"(?<![A-Za-z0-9])(?<![A-Za-z0-9_][-.])(?:{alternatives})(?![A-Za-z0-9])(?![-.][A-Za-z0-9_])",
        re.IGNORECASE,
    )


def component_names(assessed: dict[str, Any], tracked: Collection[str], root: Path) -> set[str]:
    """The component, its services, their container names and images only they use."""
    found = assessed["investigation"]
    gone = {(c["file"], c["service"]) for c in found["compose"]}
    names = {found["component"], *(s for _f, s in gone)}
    images: dict[str, set[tuple[str, str]]] = {}
    for path in sorted(p for p in tracked if is_compose_name(p)):
        doc = load(root, path)
        for service, spec in services_of(doc).items():
            spec = spec if isinstance(spec, dict) else {}
            if isinstance(spec.get("image"), str):
                images.setdefault(spec["image"], set()).add((path, service))
            if (path, service) in gone:
                names |= container_names(path, service, spec, root)
    names |= {image for image, users in images.items() if users <= gone}
    return {n for n in names if n}


def container_names(path: str, service: str, spec: dict[str, Any], root: Path) -> set[str]:
    if isinstance(spec.get("container_name"), str):
        return {spec["container_name"]}
    folder = PurePosixPath(path).parent
    project = (folder.name if str(folder) != "." else root.name).lower()
    project = re.sub(r"[^a-z0-9_-]", "", project)
    return {f"{project}_{service}", f"{project}-{service}-1"} if project else set()


def script_hits(
    assessed: dict[str, Any], tracked: Collection[str], root: Path, read: Reader
) -> list[ScriptHit]:
    """The drafted script and config files that name the component, in path order."""
    found = assessed["investigation"]
    removed = {r["path"] for r in found["files"] if r["verdict"] == "remove"}
    compose = set(found.get("compose_files", {})) | {c["file"] for c in found["compose"]}
    pattern = word_pattern(component_names(assessed, tracked, root))
    out = []
    for path in sorted(tracked):
        skipped = path in removed or path in compose or is_compose_name(path)
        if skipped or history_file(path) or path.startswith("playbooks/"):
            continue
        if not script_kind(path, root):
            continue
        hit = hit_in(path, read(path), pattern)
        if hit is not None:
            out.append(hit)
    return out


def hit_in(path: str, data: bytes | None, pattern: re.Pattern[str]) -> ScriptHit | None:
    if not data or len(data) > MAX_BYTES or b"\0" in data[:4096]:
        return None
    lines: list[int] = []
    names: dict[str, None] = {}
    for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), 1):
        matches = [m[0] for m in pattern.finditer(line)]
        if matches:
            lines.append(number)
            names.update(dict.fromkeys(matches))
    return ScriptHit(path, tuple(lines), tuple(names)) if lines else None
