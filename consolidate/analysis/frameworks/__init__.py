"""Framework knowledge: one module per framework or tool, each a `Plugin` (see `base`).

The analysis core never names a framework: it asks every enabled plugin what the framework
loads (entry files, convention folders, modules and paths named in configs) and adds those
roots and uses to the graph. Adding a framework is adding one module here that defines
`PLUGINS` (a tuple of `Plugin`), and one fixture test: `plugins()` finds every module of this
package. May import: `analysis.uses`, `analysis.commands`, the shared top-level modules.
"""

from __future__ import annotations

import importlib
import pkgutil
import posixpath
from dataclasses import dataclass, field
from functools import cache

from consolidate.analysis.frameworks.base import UNREADABLE, Plugin, Project, Reader, Warning_
from consolidate.analysis.snapshot import Corpus
from consolidate.analysis.uses import Root, Use


@cache
def plugins() -> tuple[Plugin, ...]:
    """Every plugin of every module in this package, in module-name order."""
    found: list[Plugin] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name != "base":
            module = importlib.import_module(f"{__name__}.{info.name}")
            found += list(getattr(module, "PLUGINS", ()))
    return tuple(found)


@dataclass
class Loaded:
    """What the enabled plugins found."""

    roots: list[Root] = field(default_factory=list)
    uses: list[Use] = field(default_factory=list)
    warnings: list[Warning_] = field(default_factory=list)
    enabled: list[str] = field(default_factory=list)


def load(paths: frozenset[str] | list[str], read: Reader, corpus: Corpus | None = None) -> Loaded:
    """What every enabled plugin finds; `corpus` is `read`'s bytes joined, when at hand."""
    project = Project(frozenset(paths), read, corpus=corpus)
    out = Loaded()
    for plugin in plugins():
        if not plugin.enabled(project):
            continue
        out.enabled.append(plugin.name)
        for found in plugin.find(project):
            if isinstance(found, Root):
                out.roots.append(found)
            else:
                out.uses.append(found)
    check_manifests(project)
    out.warnings = list(dict.fromkeys(project.warnings))
    for warning in out.warnings:  # what a config that does not read might load: `review`
        if warning.kind != UNREADABLE:
            continue
        via = f"{warning.file}:{warning.line}: {warning.message}"
        out.roots += project.uncertain(posixpath.dirname(warning.file), via)
    return out


def check_manifests(project: Project) -> None:
    """Every package.json and pyproject.toml, read once more for its warning: one that does
    not parse hides what its package runs, whether or not a plugin needed it."""
    for path in project.named("package.json"):
        project.load_json(path)
    for path in project.named("pyproject.toml"):
        project.load_toml(path)
