"""Capabilities recognised from names: what a component imports from the repository's own
modules, and the classes and functions it defines.

A component that schedules with a class its team wrote (`from planner import TaskPlanner`)
imports no scheduling library, so library evidence alone finds nothing (issue 14: "0% of its 0
capabilities" for a component running a scheduler and a job processor from a kept module). The
names carry the intent instead: they are split into words (`TaskPlanner` -> task, planner;
`next_run` -> next, run) and matched against the keywords of `capability_map.json`. A keyword
needs a specific word (`cron*`, `*queue*`) or a pair (`task planner`), so a bare `Task` says
nothing, and names from data modules (`models`, `schemas`, `*.entity`) are skipped: a `Task`
model is a row, not a scheduler.

These rules run on the component's side only. A name is weaker evidence than a library, and a
capability the component is credited with counts as duplicated only when the rest of the
repository shows it by a library, a manifest or a definition: a weak fact here can lower the
overlap share, never raise it on its own.
"""

from __future__ import annotations

import posixpath
import re
import sys
from collections import defaultdict
from collections.abc import Collection, Iterator

from consolidate.assess.capability_data import CapabilityMap, Evidence, Keyword, line_of

WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
PY_FROM_NAMES = re.compile(
    r"^[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|(?:[^\n\\#;]|\\\n)*)", re.M
)
PY_IMPORT_LINE = re.compile(
    r"^[ \t]*import[ \t]+([\w.]+(?:[ \t]+as[ \t]+\w+)?(?:[ \t]*,[ \t]*[\w.]+(?:[ \t]+as[ \t]+\w+)?)*)",
    re.M,
)
NAME_ITEM = re.compile(r"\b([A-Za-z_]\w*)(?:\s+as\s+[A-Za-z_]\w*)?")
JS_IMPORT = re.compile(r"""\bimport\s+(?!type\b)([\w$\s{},*]+?)\s*\bfrom\s*(['"])([^'"\n]+)\2""")
JS_REQUIRE = re.compile(
    r"""\b(?:const|let|var)\s*\{([^}]*)\}\s*=\s*require\(\s*(['"])([^'"\n]+)\2\s*\)"""
)
PY_DEFINES = re.compile(r"^(class|(?:async[ \t]+)?def)[ \t]+([A-Za-z_]\w*)", re.M)
JS_DEFINES = re.compile(
    r"^[ \t]*(?:export[ \t]+)?(?:default[ \t]+)?(?:abstract[ \t]+)?"
    r"(class|(?:async[ \t]+)?function\*?)[ \t]+([A-Za-z_$][\w$]*)",
    re.M,
)
STDLIB = frozenset(sys.stdlib_module_names)


def words(name: str) -> list[str]:
    """`TaskPlanner` -> [task, planner], `next_run` -> [next, run], `HTTPQueue` -> [http, queue]."""
    return [w.lower() for w in WORD.findall(name)]


def stem_matches(stem: str, word: str) -> bool:
    core = stem.strip("*")
    if stem.startswith("*") and stem.endswith("*"):
        return core in word
    if stem.endswith("*"):
        return word.startswith(core)
    if stem.startswith("*"):
        return word.endswith(core)
    return word == core


def keyword_matches(keyword: Keyword, found: list[str], used: frozenset[int] = frozenset()) -> bool:
    """Every group matches a different word (any order): `task planner` fits `PlannerTask`."""
    if not keyword:
        return True
    first, rest = keyword[0], keyword[1:]
    for index, word in enumerate(found):
        fits = index not in used and any(stem_matches(s, word) for s in first)
        if fits and keyword_matches(rest, found, used | {index}):
            return True
    return False


def capabilities_of(name: str, cmap: CapabilityMap) -> list[str]:
    """The capabilities a name says, in the map's order, each once. A constant (`MAX_WORKERS`,
    `QUEUE_NAME`) is a setting, not behaviour: it says nothing."""
    if name.isupper():
        return []
    found = words(name)
    out: list[str] = []
    for capability, keyword in cmap.keywords:
        if capability not in out and keyword_matches(keyword, found):
            out.append(capability)
    return out


def is_data_module(module: str, cmap: CapabilityMap) -> bool:
    """`app.models`, `./task.entity`, `../dto/job`: modules of records, not behaviour."""
    return any(part.lower() in cmap.data_modules for part in re.split(r"[./\\]", module))


class ModuleIndex:
    """The repository's Python files by every dotted tail of their module name, so an import
    written against a `sys.path` entry (`from scheduler import ...` for `backend/lib/scheduler.py`)
    still finds its file."""

    def __init__(self, paths: Collection[str]) -> None:
        self.paths = frozenset(paths)
        self.by_tail: dict[str, list[str]] = defaultdict(list)
        for path in sorted(self.paths):
            if not path.endswith(".py"):
                continue
            parts = path.removesuffix(".py").split("/")
            if parts[-1] == "__init__":
                parts = parts[:-1]
            for start in range(len(parts)):
                self.by_tail[".".join(parts[start:])].append(path)

    def resolve(self, module: str, level: int, importer: str, cmap: CapabilityMap) -> str | None:
        """The repository file `module` names from `importer`; None for a library."""
        folder = posixpath.dirname(importer)
        if level:
            for _ in range(level - 1):
                folder = posixpath.dirname(folder)
            base = posixpath.join(folder, *module.split(".")) if module else folder
            for candidate in (f"{base}.py", f"{base}/__init__.py"):
                if candidate in self.paths:
                    return candidate
            return None
        top = module.split(".")[0]
        found = self.by_tail.get(module, [])
        near = [p for p in found if posixpath.dirname(p) == folder or "/" not in p]
        if top in STDLIB or top.lower() in cmap.python:
            return near[0] if near else None  # only a file next to it shadows the library
        ranked = near or sorted(found, key=len)
        return ranked[0] if ranked else None


def scan_python_names(
    path: str, text: str, cmap: CapabilityMap, index: ModuleIndex
) -> Iterator[Evidence]:
    """Names imported from repository modules, and attributes used of a module imported whole."""
    for m in PY_FROM_NAMES.finditer(text):
        level, module = len(m.group(1)), m.group(2)
        source = index.resolve(module, level, path, cmap)
        if source is None or is_data_module(module, cmap):
            continue
        names = re.sub(r"#[^\n]*", lambda c: " " * len(c[0]), m.group(3))
        for item in NAME_ITEM.finditer(names):
            line = line_of(text, m.start(3) + item.start(1))
            what = f"imports {item.group(1)} from {source}"
            for capability in capabilities_of(item.group(1), cmap):
                yield Evidence(capability, path, line, what)
    for imported in PY_IMPORT_LINE.finditer(text):
        for entry in imported.group(1).split(","):
            module, _, alias = (part.strip() for part in entry.strip().partition(" as "))
            source = index.resolve(module, 0, path, cmap)
            if source is None or is_data_module(module, cmap) or ("." in module and not alias):
                continue
            at = line_of(text, imported.start())
            yield from module_uses(path, text, cmap, (module, alias or module), source, at)


def module_uses(
    path: str, text: str, cmap: CapabilityMap, names: tuple[str, str], source: str, line: int
) -> Iterator[Evidence]:
    """`import job_queue` says it by its name; `import jobs` by what it uses: `jobs.JobQueue`.
    `names` is the module as written and the name it is bound to (`import x as y`)."""
    module, bound = names
    what = f"imports {source}" + (f" as {bound}" if bound != module else "")
    for capability in capabilities_of(module.rsplit(".", 1)[-1], cmap):
        yield Evidence(capability, path, line, what)
    seen: set[str] = set()
    for use in re.finditer(rf"(?<![\w.]){re.escape(bound)}\.([A-Za-z_]\w*)", text):
        attribute = use.group(1)
        if attribute in seen:
            continue
        seen.add(attribute)
        what = f"uses {bound}.{attribute} from {source}"
        for capability in capabilities_of(attribute, cmap):
            yield Evidence(capability, path, line_of(text, use.start()), what)


def is_repository_specifier(specifier: str) -> bool:
    return specifier.startswith((".", "/", "@/", "~/"))


def scan_js_names(path: str, text: str, cmap: CapabilityMap) -> Iterator[Evidence]:
    """Names imported (or destructured from `require`) from the repository's own modules.
    Type-only imports say nothing about what runs."""
    found = [(m.group(1), m.start(1), m.group(3)) for m in JS_IMPORT.finditer(text)]
    found += [
        ("{" + m.group(1) + "}", m.start(1) - 1, m.group(3)) for m in JS_REQUIRE.finditer(text)
    ]
    for clause, start, specifier in found:
        if not is_repository_specifier(specifier) or is_data_module(specifier, cmap):
            continue
        for name, offset in clause_names(clause):
            what = f"imports {name} from {specifier}"
            for capability in capabilities_of(name, cmap):
                yield Evidence(capability, path, line_of(text, start + offset), what)


def clause_names(clause: str) -> Iterator[tuple[str, int]]:
    """(imported name, offset) of `Default, { A, type B, C as D }`; a namespace says nothing."""
    brace = clause.find("{")
    default = clause[: brace if brace >= 0 else len(clause)]
    item = re.match(r"\s*([A-Za-z_$][\w$]*)", default)
    if item and not default.lstrip().startswith("*"):
        yield item.group(1), item.start(1)
    if brace < 0:
        return
    for m in re.finditer(r"(type\s+)?([A-Za-z_$][\w$]*)(?:\s+as\s+[\w$]+)?", clause[brace:]):
        if not m.group(1):
            yield m.group(2), brace + m.start(2)


def scan_defined_names(path: str, text: str, cmap: CapabilityMap) -> Iterator[Evidence]:
    """Classes and top-level functions the component defines, by their names."""
    rx = PY_DEFINES if path.endswith(".py") else JS_DEFINES
    for m in rx.finditer(text):
        kind, name = m.group(1), m.group(2)
        what = f"defines class {name}" if kind == "class" else f"defines {name}()"
        for capability in capabilities_of(name, cmap):
            yield Evidence(capability, path, line_of(text, m.start()), what)
