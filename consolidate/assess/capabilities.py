"""What a component does, recognised from the libraries it uses, and whether the rest does it too.

`consolidate assess` asks "does a similar solution already exist?". Reading intent from code is
unreliable, but the libraries code imports and manifests declare are cheap, exact facts: a file
importing APScheduler schedules, one importing BullMQ runs a job queue. So capabilities come
from a data file (`capability_map.json`, easy to extend without touching code) mapping library
names to shared capability names, which is what lets a Python scheduler and a NestJS one count
as the same thing. A few code patterns (a repository module that is itself a job queue) are
data too. Tests are skipped: a test importing a library exercises it, it is not a solution.

What the component does is read more widely than what the rest provides (issue 14): on its side
the names it imports from the repository's own modules count (`capability_names`), and so do
commands and requests that manage other services (`capability_roles`); on the other side a
capability needs a library, a manifest line, a definition, a compose key or a script line. So
weak evidence can only add to what the component does, and a capability without a provider
elsewhere is never counted as duplicated.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Collection, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from consolidate.assess.capability_data import (
    LIFECYCLE,
    CapabilityMap,
    Evidence,
    is_test,
    line_of,
    load_map,
    parse_map,
    pypi_key,
)
from consolidate.assess.capability_names import (
    ModuleIndex,
    scan_defined_names,
    scan_js_names,
    scan_python_names,
)
from consolidate.assess.capability_roles import (
    compose_lifecycle,
    compose_services,
    is_script,
    lifecycle,
    service_names,
)

__all__ = ["LIFECYCLE", "CapabilityMap", "Evidence", "find_capabilities", "is_test", "load_map",
           "node_package", "overlap", "parse_map", "pypi_key"]  # fmt: skip

MAX_BYTES = 2 * 1024 * 1024
EXISTING_SHOWN = 20  # evidence listed per capability from outside: enough to find them all
PY_SUFFIXES = (".py",)
JS_SUFFIXES = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")

PY_IMPORT = re.compile(
    r"^[ \t]*import[ \t]+([\w.]+(?:[ \t]+as[ \t]+\w+)?(?:[ \t]*,[ \t]*[\w.]+(?:[ \t]+as[ \t]+\w+)?)*)",
    re.M,
)
PY_FROM = re.compile(r"^[ \t]*from[ \t]+([A-Za-z_][\w.]*)[ \t]+import\b", re.M)
JS_SPECIFIER = re.compile(
    r"""(?:\b(?:import|export)\b[^'";]*?\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)(['"])([^'"\n]+)\1"""
)
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
DEFINES = re.compile(r"\b(class|def|function)\s+(\w+)")


@dataclass(frozen=True)
class Side:
    """Which side a file is scanned for: the component's (names and what its code does count)
    or the rest of the repository's (libraries, manifests, definitions, compose, scripts)."""

    component: bool
    index: ModuleIndex | None = None
    services: frozenset[str] = frozenset()  # the other compose services


def python_library(module: str, cmap: CapabilityMap) -> str | None:
    """Map key of an import's top-level module, when the map knows it."""
    top = module.split(".")[0].lower()
    return top if top in cmap.python else None


def distribution_library(name: str, cmap: CapabilityMap) -> str | None:
    """Map key of a PyPI distribution: its known import name, else its name with `_`."""
    key = pypi_key(name)
    module = cmap.distributions.get(key, key.replace("-", "_"))
    return module if module in cmap.python else None


def node_package(specifier: str) -> str | None:
    """The package of a bare specifier: `@a/b/c` -> `@a/b`, `pkg/sub` -> `pkg`; None if relative."""
    if specifier.startswith((".", "/", "node:")) or "://" in specifier:
        return None
    parts = specifier.split("/")
    return "/".join(parts[:2]) if specifier.startswith("@") else parts[0]


def scan_python(path: str, text: str, cmap: CapabilityMap) -> Iterator[Evidence]:
    for m in PY_IMPORT.finditer(text):
        for item in m.group(1).split(","):
            lib = python_library(item.split()[0], cmap) if item.strip() else None
            if lib:
                yield from library(
                    cmap.python[lib], path, line_of(text, m.start()), f"imports {lib}"
                )
    for m in PY_FROM.finditer(text):
        lib = python_library(m.group(1), cmap)
        if lib:
            yield from library(cmap.python[lib], path, line_of(text, m.start()), f"imports {lib}")


def scan_js(path: str, text: str, cmap: CapabilityMap) -> Iterator[Evidence]:
    for m in JS_SPECIFIER.finditer(text):
        pkg = node_package(m.group(2))
        if pkg and pkg.lower() in cmap.node:
            line = line_of(text, m.start(2))
            yield from library(cmap.node[pkg.lower()], path, line, f"imports {pkg}")


def scan_patterns(path: str, text: str, cmap: CapabilityMap) -> Iterator[Evidence]:
    for capability, rx in cmap.patterns:
        for m in rx.finditer(text):
            found = DEFINES.search(m.group(0))
            if found:
                kind, name = found.groups()
                what = f"defines class {name}" if kind == "class" else f"defines {name}()"
            else:
                what = f"uses `{m.group(0).strip()}`"
            yield Evidence(capability, path, line_of(text, m.start()), what)


def library(caps: Collection[str], path: str, line: int, what: str) -> Iterator[Evidence]:
    for capability in caps:
        yield Evidence(capability, path, line, what)


def manifest_line(text: str, name: str) -> int:
    """Where a manifest names a dependency, so the evidence points at it; 0 when not found."""
    rx = re.compile(rf"""(?<![\w@/.-]){re.escape(name)}(?=["'\s=<>~!\[;@^,]|$)""", re.I | re.M)
    m = rx.search(text, max(text.find("ependencies"), 0))  # past a description naming it
    return line_of(text, m.start()) if m else 0


def scan_requirements(path: str, text: str, cmap: CapabilityMap) -> Iterator[Evidence]:
    name = path.rsplit("/", 1)[-1]
    for number, raw in enumerate(text.splitlines(), 1):
        line = re.sub(r"(^|\s)#.*", "", raw)
        m = REQUIREMENT.match(line)
        lib = distribution_library(m.group(1), cmap) if m else None
        if m and lib:
            yield from library(
                cmap.python[lib], path, number, f"declares {m.group(1).lower()} in {name}"
            )


def scan_pyproject(path: str, text: str, cmap: CapabilityMap) -> Iterator[Evidence]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return
    project = data.get("project")
    deps = project.get("dependencies") if isinstance(project, dict) else None
    names = (
        [m.group(1) for d in deps if isinstance(d, str) and (m := REQUIREMENT.match(d))]
        if isinstance(deps, list)
        else []
    )
    tool = data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    pdeps = poetry.get("dependencies") if isinstance(poetry, dict) else None
    names += [n for n in pdeps if n.lower() != "python"] if isinstance(pdeps, dict) else []
    for name in names:
        lib = distribution_library(name, cmap)
        if lib:
            where = manifest_line(text, name)
            yield from library(
                cmap.python[lib], path, where, f"declares {name.lower()} in pyproject.toml"
            )


def scan_package_json(path: str, text: str, cmap: CapabilityMap) -> Iterator[Evidence]:
    try:
        data = json.loads(text)
    except ValueError:
        return
    if not isinstance(data, dict):
        return
    for field in ("dependencies", "peerDependencies"):
        deps = data.get(field)
        for name in deps if isinstance(deps, dict) else ():
            caps = cmap.node.get(str(name).lower())
            if caps:
                where = manifest_line(text, str(name))
                yield from library(caps, path, where, f"declares {name} in package.json")


Scanner = Callable[[str, str, CapabilityMap], Iterator[Evidence]]


def scanners(path: str) -> list[Scanner]:
    """What to look for in a file, by its name; empty for files that say nothing."""
    name = path.rsplit("/", 1)[-1]
    if "node_modules" in path.split("/") or is_test(path):
        return []
    if path.endswith(PY_SUFFIXES):
        return [scan_python, scan_patterns]
    if path.endswith(JS_SUFFIXES) and not path.endswith(".d.ts"):
        return [scan_js, scan_patterns]
    if name == "package.json":
        return [scan_package_json]
    if name == "pyproject.toml":
        return [scan_pyproject]
    if name.endswith(".txt") and (
        name.startswith("requirements") or "/requirements/" in f"/{path}"
    ):
        return [scan_requirements]
    return []


def side_scanners(path: str, side: Side) -> list[Scanner]:
    """Beyond libraries: names on the component's side, lifecycle management on both."""
    if "node_modules" in path.split("/") or is_test(path):
        return []
    code = path.endswith(PY_SUFFIXES) or (path.endswith(JS_SUFFIXES) and not path.endswith(".d.ts"))
    out: list[Scanner] = []
    if code and side.component:
        out.append(scan_defined_names)
        if path.endswith(PY_SUFFIXES) and side.index is not None:
            index = side.index
            out.append(lambda p, t, c: scan_python_names(p, t, c, index))
        elif not path.endswith(PY_SUFFIXES):
            out.append(scan_js_names)
    if code or is_script(path):
        services = side.services
        out.append(lambda p, t, c: lifecycle(p, t, component=side.component, services=services))
    return out


def find_capabilities(
    paths: Collection[str],
    read: Callable[[str], bytes | None],
    files: Collection[str],
    side: Side | None = None,
) -> list[Evidence]:
    """Evidence in `files` (a subset of `paths`), one per capability, file and fact, in order.
    Without a `side`, libraries, manifests and code patterns only."""
    cmap = load_map()
    known = set(paths)
    seen: set[tuple[str, str, str]] = set()
    found: list[Evidence] = []
    for path in sorted(set(files) & known):
        todo = scanners(path) + (side_scanners(path, side) if side else [])
        data = read(path) if todo else None
        if data is None or len(data) > MAX_BYTES:
            continue
        text = data.decode("utf-8", errors="replace")
        for scanner in todo:
            for ev in scanner(path, text, cmap):
                if (ev.capability, ev.path, ev.what) not in seen:
                    seen.add((ev.capability, ev.path, ev.what))
                    found.append(ev)
    return found


def overlap(
    component_files: Collection[str],
    paths: Collection[str],
    read: Callable[[str], bytes | None],
    services: Collection[str] = (),
) -> dict[str, Any]:
    """The component's capabilities and, for each, where the rest of the repository has it too.

    `services` are the component's compose services: what compose does for them goes with
    them, so only the other services' health checks and `depends_on` count as existing.
    `overlap_percent` is the share of the component's capabilities also found outside it: the
    "functional duplication" the assessment weighs; `duplicated` names them.
    """
    mine = set(component_files)
    own = frozenset(services)
    compose = compose_services(paths, read)
    others = frozenset(service_names(compose) - own)
    inside = find_capabilities(paths, read, mine, Side(True, ModuleIndex(paths), others))
    rest = [p for p in paths if p not in mine]
    outside = find_capabilities(paths, read, rest, Side(False, None, others))
    outside += [
        ev
        for path, node in compose.items()
        if path not in mine
        for ev in compose_lifecycle(path, node, own)
    ]
    inside.sort(key=lambda ev: (ev.path, ev.line))  # stable: one line's facts keep their order
    outside.sort(key=lambda ev: (ev.path, ev.line))
    capabilities = sorted({ev.capability for ev in inside})
    rows: list[dict[str, Any]] = []
    for cap in capabilities:
        existing = [asdict(ev) for ev in outside if ev.capability == cap]
        rows.append(
            {
                "capability": cap,
                "in_component": [asdict(ev) for ev in inside if ev.capability == cap],
                "existing": existing[:EXISTING_SHOWN],
                "existing_count": len(existing),
            }
        )
    duplicated = [row["capability"] for row in rows if row["existing_count"]]
    percent = round(100 * len(duplicated) / len(capabilities)) if capabilities else 0
    return {
        "capabilities": capabilities,
        "overlap": rows,
        "overlap_percent": percent,
        "duplicated": duplicated,
    }
