"""NestJS: `nest start` and `nest build` run the entry file `nest-cli.json` names.

The entry is `<sourceRoot>/<entryFile>.ts` (defaults `src` and `main`), relative to the folder
of nest-cli.json; a monorepo lists more applications under `projects`, each with its own
`sourceRoot` and `entryFile` (libraries are imported, not run). Modules, controllers and
providers are ordinary imports from there. A NestJS package without nest-cli.json still starts
from `src/main.ts`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any

from consolidate.analysis.frameworks.base import Found, Plugin, Project, join
from consolidate.analysis.frameworks.jsvalues import line_of, package_folders
from consolidate.analysis.uses import Root

# nest-cli.json properties (sourceRoot, entryFile, projects, type):
# https://docs.nestjs.com/cli/monorepo#cli-properties
DOCS = "https://docs.nestjs.com/cli/monorepo"
DEFAULT_SOURCE_ROOT = "src"
DEFAULT_ENTRY = "main"
ENTRY_SUFFIXES = (".ts", ".js", ".mts", ".cts", ".mjs", ".cjs")


def find(project: Project) -> Iterator[Found]:
    configured = set()
    for path in project.named("nest-cli.json"):
        configured.add(posixpath.dirname(path))
        data = project.load_json(path)
        if isinstance(data, dict):
            yield from _config_roots(project, path, data)
    for folder in package_folders(project, ("@nestjs/core",)):
        if folder not in configured:
            base = join(folder, f"{DEFAULT_SOURCE_ROOT}/{DEFAULT_ENTRY}")
            for entry in _entries(project, base):
                yield Root(entry, "convention", f"{entry}: NestJS default entry file")


def _config_roots(project: Project, path: str, data: dict[str, Any]) -> Iterator[Root]:
    folder = posixpath.dirname(path)
    text = project.text(path) or ""
    apps: list[tuple[str, dict[str, Any], int]] = [("", data, line_of(text, '"sourceRoot"'))]
    projects = data.get("projects")
    for name, app in projects.items() if isinstance(projects, dict) else []:
        if isinstance(app, dict) and app.get("type", "application") != "library":
            apps.append((f"projects.{name} ", app, line_of(text, f'"{name}"')))
    for label, app, line in apps:
        root = _text(app, "root", "")
        default_root = join(root, DEFAULT_SOURCE_ROOT) if label else DEFAULT_SOURCE_ROOT
        source_root = _text(app, "sourceRoot", default_root)
        entry_file = _text(app, "entryFile", DEFAULT_ENTRY)
        base = posixpath.normpath(join(folder, join(source_root, entry_file)))
        entries = _entries(project, base)
        if not entries and (label or "sourceRoot" in data or "entryFile" in data):
            project.warn(path, line, f"{label}entry file {base}.ts is not a tracked file")
        for entry in entries:
            via = f"{path}:{line}: {label}sourceRoot/entryFile (nest start)"
            yield Root(entry, "framework", via)


def _entries(project: Project, base: str) -> list[str]:
    suffix = posixpath.splitext(base)[1]
    if suffix in ENTRY_SUFFIXES and base in project.tracked:
        return [base]
    return [base + s for s in ENTRY_SUFFIXES if base + s in project.tracked]


def _text(table: dict[str, Any], key: str, default: str) -> str:
    value = table.get(key)
    return value if isinstance(value, str) else default


PLUGINS = (
    Plugin(
        name="nestjs",
        docs=DOCS,
        find=find,
        enablers=("@nestjs/core", "@nestjs/cli"),
        config=("nest-cli.json",),
    ),
)
