"""setuptools: what a distribution installs to run, read from setup.cfg and setup.py.

Console scripts, GUI scripts and entry points of any group (`name = pkg.mod:func [extra]`),
`scripts` and `py_modules`, found under `package_dir` (`{"": "src"}`, `package_dir = =src`).
setup.cfg is read as INI; setup.py with `ast`, never run: a value that is not a literal (or a
module-level name bound to one) makes the folder `uncertain`. pyproject.toml's
`project.scripts` and `project.entry-points` are read by `entry_points`, under the project's
folder and `src/`; here only a `[tool.setuptools]` package-dir, py-modules or script-files
adds to them.
"""

from __future__ import annotations

import ast
import configparser
import posixpath
import re
from collections.abc import Iterator, Mapping
from typing import Any

from consolidate.analysis.frameworks.base import Found, Plugin, Project, join
from consolidate.analysis.frameworks.servers import app_files
from consolidate.analysis.uses import Root

# https://setuptools.pypa.io/en/latest/userguide/entry_point.html : `name = module:attr [extras]`
ENTRY = re.compile(r"^\s*([^=\s][^=]*?)\s*=\s*([A-Za-z_][\w.]*(?::[\w.]+)?)\s*(?:\[.*\])?\s*$")
KEYWORDS = ("entry_points", "scripts", "py_modules", "package_dir")
Items = list[tuple[str, int]]  # (as written, line)


# --- shared: a target, under the distribution's package folders ------------------------------


def _targets(project: Project, folder: str, dirs: Mapping[str, str], target: str) -> list[str]:
    """`pkg.mod:func` in a distribution at `folder` whose `package_dir` is `dirs`: pkg/mod.py
    under the folder `dirs` maps `pkg` (or the root package "") to, else under `folder`."""
    name = target.split(":")[0].strip()
    top, _, rest = name.partition(".")
    if top in dirs:
        return app_files(project, rest or "__init__", [join(folder, dirs[top])])
    return app_files(project, name, [join(folder, dirs.get("", "")), folder])


def _line_of(text: str, needle: str, start: int = 1) -> int:
    """The first line at or after `start` that contains `needle` (else `start`)."""
    for number, line in enumerate(text.splitlines()[start - 1 :], start=start):
        if needle in line:
            return number
    return start


def _list(value: str) -> list[str]:
    """A setup.cfg list: one item a line, or comma-separated."""
    return [item.strip() for item in re.split(r"[,\n]", value) if item.strip()]


# --- setup.cfg ---------------------------------------------------------------------------


def _setup_cfg(project: Project, path: str) -> Iterator[Found]:
    """https://setuptools.pypa.io/en/latest/userguide/declarative_config.html"""
    parser = project.load_ini(path)
    if parser is None:
        return
    text, folder = project.text(path) or "", posixpath.dirname(path)
    options = parser["options"] if parser.has_section("options") else {}
    dirs = _package_dirs(options.get("package_dir", ""))
    if parser.has_section("options.entry_points"):
        section = _line_of(text, "[options.entry_points]")
        for group, value in parser["options.entry_points"].items():
            for name, target in _entries(value):
                line = _line_of(text, target, section)
                via = f"{path}:{line}: {group} {name}"
                for found in _targets(project, folder, dirs, target):
                    yield Root(found, "framework", via)
    for key, emit in (("scripts", _files), ("py_modules", _modules)):
        yield from emit(project, path, folder, dirs, _cfg_keyword(parser, text, key), key)


def _cfg_keyword(parser: configparser.ConfigParser, text: str, key: str) -> Items:
    if not parser.has_option("options", key):
        return []
    section = _line_of(text, "[options]")
    return [(item, _line_of(text, item, section)) for item in _list(parser["options"][key])]


def _package_dirs(value: str) -> dict[str, str]:
    """`package_dir = =src` or lines of `pkg = lib/pkg`: {"": "src", "pkg": "lib/pkg"}."""
    found: dict[str, str] = {}
    for item in _list(value):
        name, _, folder = item.rpartition("=")
        found[name.strip()] = folder.strip()
    return found


def _entries(value: str) -> Iterator[tuple[str, str]]:
    for line in value.splitlines():
        match = ENTRY.match(line)
        if match:
            yield match[1], match[2]


# --- setup.py ----------------------------------------------------------------------------


def _setup_py(project: Project, path: str) -> Iterator[Found]:
    """`setup(entry_points=..., scripts=..., py_modules=..., package_dir=...)`, by `ast`.
    https://setuptools.pypa.io/en/latest/references/keywords.html"""
    tree = project.load_python(path) if "setup" in (project.text(path) or "") else None
    call = next((n for n in ast.walk(tree) if _is_setup(n)), None) if tree else None
    if not isinstance(call, ast.Call):
        return
    folder, names = posixpath.dirname(path), _literal_names(tree)
    values: dict[str, Any] = {}
    for keyword in (k for k in call.keywords if k.arg in KEYWORDS):
        value = _literal(keyword.value, names)
        if value is None:
            yield from project.uncertain(folder, f"{path}:{keyword.value.lineno}: {keyword.arg}")
        values[str(keyword.arg)] = (value, _string_lines(keyword.value, names))
    dirs_value = values.get("package_dir", ({}, {}))[0]
    dirs = {str(k): str(v) for k, v in dirs_value.items()} if isinstance(dirs_value, dict) else {}
    entry, lines = values.get("entry_points", (None, {}))
    for group, name, target in _entry_points(entry):
        via = f"{path}:{lines.get(target, call.lineno)}: {group} {name}"
        for found in _targets(project, folder, dirs, target):
            yield Root(found, "framework", via)
    for key, emit in (("scripts", _files), ("py_modules", _modules)):
        items, lines = values.get(key, ([], {}))
        listed = [(str(i), lines.get(i, call.lineno)) for i in items if isinstance(i, str)]
        yield from emit(project, path, folder, dirs, listed if isinstance(items, list) else [], key)


def _is_setup(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id == "setup") or (
        isinstance(func, ast.Attribute) and func.attr == "setup"
    )


def _literal_names(tree: ast.Module | None) -> dict[str, ast.expr]:
    """Module-level `NAME = <expression>`, to read `entry_points=ENTRY_POINTS`."""
    found: dict[str, ast.expr] = {}
    for node in tree.body if tree else []:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                found[target.id] = node.value
    return found


def _literal(node: ast.expr, names: Mapping[str, ast.expr]) -> Any:
    if isinstance(node, ast.Name) and node.id in names:
        node = names[node.id]
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def _string_lines(node: ast.expr, names: Mapping[str, ast.expr]) -> dict[str, int]:
    """The line of each string in a value: the whole string, and each `name = target` line
    of it by its target."""
    if isinstance(node, ast.Name) and node.id in names:
        node = names[node.id]
    found: dict[str, int] = {}
    for child in ast.walk(node):
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            found.setdefault(child.value, child.lineno)
            for offset, line in enumerate(child.value.splitlines()):
                match = ENTRY.match(line)
                if match:
                    found.setdefault(match[2], child.lineno + offset)
    return found


def _entry_points(value: object) -> Iterator[tuple[str, str, str]]:
    """(group, name, target) from a dict of lists (or of INI-like strings), or an INI string."""
    if isinstance(value, str):
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read_string(value)
        except configparser.Error:
            return
        value = {g: [f"{k} = {v}" for k, v in parser[g].items()] for g in parser.sections()}
    for group, items in value.items() if isinstance(value, dict) else []:
        lines = items.splitlines() if isinstance(items, str) else items
        for item in lines if isinstance(lines, list | tuple) else []:
            match = ENTRY.match(item) if isinstance(item, str) else None
            if match:
                yield str(group), match[1], match[2]


# --- what both list ----------------------------------------------------------------------


def _files(
    project: Project, path: str, folder: str, dirs: Mapping[str, str], items: Items, key: str
) -> Iterator[Found]:
    """`scripts`: files installed as commands, relative to the distribution's folder."""
    for item, line in items:
        script = join(folder, item)
        if script in project.tracked:
            yield Root(script, "framework", f"{path}:{line}: {key} {item}")


def _modules(
    project: Project, path: str, folder: str, dirs: Mapping[str, str], items: Items, key: str
) -> Iterator[Found]:
    """`py_modules`: top-level modules the distribution installs."""
    for item, line in items:
        for found in _targets(project, folder, dirs, item):
            yield Root(found, "framework", f"{path}:{line}: {key} {item}")


# --- pyproject.toml ----------------------------------------------------------------------


def _pyproject(project: Project, path: str) -> Iterator[Found]:
    """`[tool.setuptools]` package-dir, py-modules and script-files; the entry points of
    `[project]` under a package-dir that is not the folder or `src/`.
    https://setuptools.pypa.io/en/latest/userguide/pyproject_config.html"""
    data = project.load_toml(path)
    tool = data.get("tool", {}).get("setuptools", {}) if isinstance(data.get("tool"), dict) else {}
    if not isinstance(tool, dict) or not tool:
        return
    text, folder = project.text(path) or "", posixpath.dirname(path)
    raw_dirs = tool.get("package-dir")
    dirs = {str(k): str(v) for k, v in raw_dirs.items()} if isinstance(raw_dirs, dict) else {}
    if dirs:
        yield from _pyproject_entries(project, path, text, folder, dirs, data.get("project"))
    for key, emit in (("script-files", _files), ("py-modules", _modules)):
        items = tool.get(key)
        listed = [(str(i), _line_of(text, f'"{i}"')) for i in items or [] if isinstance(i, str)]
        yield from emit(project, path, folder, dirs, listed if isinstance(items, list) else [], key)


def _pyproject_entries(
    project: Project, path: str, text: str, folder: str, dirs: Mapping[str, str], table: object
) -> Iterator[Found]:
    table = table if isinstance(table, dict) else {}
    groups = {"console_scripts": table.get("scripts"), "gui_scripts": table.get("gui-scripts")}
    extra = table.get("entry-points")
    groups |= extra if isinstance(extra, dict) else {}
    for group, entries in groups.items():
        for name, target in entries.items() if isinstance(entries, dict) else []:
            if isinstance(target, str):
                via = f"{path}:{_line_of(text, target)}: {group} {name}"
                for found in _targets(project, folder, dirs, target):
                    yield Root(found, "framework", via)


def _build_backend(project: Project, path: str) -> Iterator[Found]:
    """An in-tree build backend: `[build-system] build-backend = "backend"` found in the
    folders `backend-path` lists, which every build of the distribution imports
    (https://peps.python.org/pep-0517/#in-tree-build-backends)."""
    table = project.load_toml(path, warn=False).get("build-system")
    if not isinstance(table, dict):
        return
    backend, paths = table.get("build-backend"), table.get("backend-path")
    if not (isinstance(backend, str) and isinstance(paths, list)):
        return
    folder, text = posixpath.dirname(path), project.text(path) or ""
    roots = [join(folder, p) for p in paths if isinstance(p, str)]
    via = f"{path}:{_line_of(text, 'build-backend')}: build-system.build-backend {backend}"
    for found in project.module_files(backend, roots):
        yield Root(found, "framework", via, production=False)


def find(project: Project) -> Iterator[Found]:
    for path in project.named("setup.cfg"):
        yield from _setup_cfg(project, path)
    for path in project.named("setup.py"):
        yield from _setup_py(project, path)
    for path in project.named("pyproject.toml"):
        yield from _pyproject(project, path)
        yield from _build_backend(project, path)


PLUGINS = (
    Plugin(
        name="setuptools",
        docs="https://setuptools.pypa.io/en/latest/userguide/entry_point.html",
        find=find,
        enablers=("setuptools",),
        config=("setup.cfg", "setup.py", "pyproject.toml"),
    ),
)
