"""pytest: plugin modules a test run loads because a module or an ini file names them.

`pytest_plugins = ["myapp.testing.fixtures_db"]` (a string or a sequence) in a conftest.py, a
test module or a plugin is a use of those modules; `-p myapp.testing.plugin` in `addopts` of
pytest.ini, tox.ini, setup.cfg or pyproject.toml loads it like a test (not production). Plugins
registered as `[project.entry-points.pytest11]` are entry points already (`entry_points`).
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from typing import Any

from consolidate.analysis.frameworks.base import Found, Plugin, Project
from consolidate.analysis.frameworks.pymodules import assigned, module_paths, strings, use
from consolidate.analysis.uses import Root

DOCS = "https://docs.pytest.org/en/stable/how-to/plugins.html"
# https://docs.pytest.org/en/stable/reference/customize.html#configuration-file-formats:
# the ini sections pytest reads its options from, per file.
INI_SECTIONS = {"pytest.ini": "pytest", "tox.ini": "pytest", "setup.cfg": "tool:pytest"}


# https://docs.pytest.org/en/stable/how-to/plugins.html#requiring-loading-plugins-in-a-test-module-or-conftest-file
# `pytest_plugins` at module level of a conftest.py or test module loads those modules as
# plugins (a plugin module may require more plugins the same way).
def _variable_uses(project: Project) -> Iterator[Found]:
    for path in project.holding([b"pytest_plugins"], (".py",)):
        tree = project.load_python(path)
        for node in tree.body if tree else ():
            if any(name == "pytest_plugins" for name, _ in assigned(node)):
                value = getattr(node, "value", None)
                for name, line in strings(value):
                    files = module_paths(project, name, path)
                    yield from use(project, path, line, "pytest_plugins", files)


# https://docs.pytest.org/en/stable/how-to/writing_plugins.html#plugin-discovery-order-at-tool-startup
# `-p name` loads the plugin module `name` (`-p no:name` blocks one: plugins.html,
# "Deactivating / unregistering a plugin by name"); in `addopts` it applies to every run.
def _option_roots(project: Project) -> Iterator[Root]:
    for path in project.sorted:
        name = path.rpartition("/")[2]
        if name == "pyproject.toml":
            options = _pyproject_addopts(project, path)
        elif name in INI_SECTIONS:
            options = _ini_addopts(project, path, INI_SECTIONS[name])
        else:
            continue
        for plugin in _plugins(options):
            line = _line_of(project, path, plugin)
            via = f"{path}:{line}: addopts -p {plugin}"
            for file in module_paths(project, plugin, path):
                yield Root(file, "framework", via, production=False)


def _pyproject_addopts(project: Project, path: str) -> str:
    data = project.load_toml(path)
    table: Any = data.get("tool", {})
    table = table.get("pytest", {}) if isinstance(table, dict) else {}
    table = table.get("ini_options", {}) if isinstance(table, dict) else {}
    options = table.get("addopts", "") if isinstance(table, dict) else ""
    return " ".join(map(shlex.quote, options)) if isinstance(options, list) else str(options)


def _ini_addopts(project: Project, path: str, section: str) -> str:
    if "addopts" not in (project.text(path) or ""):
        return ""
    parser = project.load_ini(path)
    if parser is None or not parser.has_section(section):
        return ""
    return parser.get(section, "addopts", fallback="")


def _plugins(options: str) -> list[str]:
    """The module names of `-p NAME`, `-pNAME` and `-p=NAME`, not `-p no:NAME`."""
    try:
        words = shlex.split(options)
    except ValueError:
        words = options.split()
    found: list[str] = []
    for i, word in enumerate(words):
        if word == "-p" and i + 1 < len(words):
            found.append(words[i + 1])
        elif word.startswith("-p") and len(word) > 2 and not word.startswith("-p-"):
            found.append(word[2:].lstrip("="))
    return [name for name in found if not name.startswith("no:")]


def _line_of(project: Project, path: str, plugin: str) -> int:
    lines = (project.text(path) or "").splitlines()
    return next((i for i, line in enumerate(lines, 1) if plugin in line and "-p" in line), 1)


def find(project: Project) -> Iterator[Found]:
    yield from _variable_uses(project)
    yield from _option_roots(project)


PLUGINS = (
    Plugin(
        "pytest",
        DOCS,
        find,
        enablers=("pytest",),
        config=("conftest.py", "pytest.ini", "test_*.py", "*_test.py"),
    ),
)
