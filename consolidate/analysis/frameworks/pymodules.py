"""Python names in configs, read with `ast`: a dotted name to the tracked files it means, the
string constants of an expression, the names an assignment sets, what a call calls, and the
uses a plugin yields from them. Shared by the Python framework plugins.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterable, Iterator

from consolidate.analysis.frameworks.base import Project
from consolidate.analysis.uses import Use

DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


def module_paths(project: Project, dotted: str, source: str = "") -> list[str]:
    """The tracked files importing `dotted` runs: the module and the `__init__.py` of each
    package on the way. `pkg.mod.attr` and `pkg.mod:attr` name pkg/mod.py too. Tried against
    the folders above `source` (where the process may start) and the import roots."""
    found = _modules(project, dotted, source)
    return list(dict.fromkeys(f for module, inits in found for f in (*inits, module)))


def module_files(project: Project, dotted: str, source: str = "") -> list[str]:
    """Just the module files `dotted` names (not the packages on the way)."""
    return [module for module, _ in _modules(project, dotted, source)]


def _modules(project: Project, dotted: str, source: str) -> list[tuple[str, list[str]]]:
    name, colon, _ = dotted.strip().partition(":")
    if not DOTTED.fullmatch(name):
        return []
    found = exact(project, name, source)
    if not found and "." in name and not colon:  # `pkg.mod.attr`
        return exact(project, name.rpartition(".")[0], source)
    return found


def exact(project: Project, name: str, source: str) -> list[tuple[str, list[str]]]:
    parts = name.split(".")
    found: list[tuple[str, list[str]]] = []
    for root in import_folders(project, source):
        prefix = f"{root}/" if root else ""
        base = prefix + "/".join(parts)
        module = [p for p in (f"{base}.py", f"{base}/__init__.py") if p in project.tracked]
        if module and all(module[0] != m for m, _ in found):
            inits = (prefix + "/".join(parts[:i]) + "/__init__.py" for i in range(1, len(parts)))
            found.append((module[0], [p for p in inits if p in project.tracked]))
    return found


def import_folders(project: Project, source: str) -> list[str]:
    """Where a dotted name in `source` may start: the folders above it (nearest first), then
    the repository's import roots."""
    return list(dict.fromkeys([*_ancestors(source), *project.python_roots]))


def _ancestors(path: str) -> list[str]:
    parts = path.split("/")[:-1]
    return ["/".join(parts[:i]) for i in range(len(parts), -1, -1)] if path else []


def strings(node: ast.AST | None) -> Iterator[tuple[str, int]]:
    """Every string constant in an expression, with its line."""
    for child in ast.walk(node) if node is not None else ():
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            yield child.value, child.lineno


def use(project: Project, source: str, line: int, kind: str, targets: Iterable[str]) -> list[Use]:
    """A certain use of `targets` from `source` at `line`: [] when it names only itself."""
    found = tuple(dict.fromkeys(t for t in targets if t != source))
    if not found:
        return []  # asked for every node of a walked file: most name nothing
    lines = _lines(project.text(source) or "")
    text = lines[line - 1].strip()[:200] if 0 < line <= len(lines) else ""
    return [Use(source, found, line, kind, True, text)]


@functools.lru_cache(maxsize=32)
def _lines(text: str) -> list[str]:
    """A file's lines, split once for all the uses found in it (a str keeps its hash)."""
    return text.splitlines()


MUTATORS = frozenset({"append", "insert", "extend", "update"})


def assigned(node: ast.AST) -> list[tuple[str, ast.AST | None]]:
    """(name, value) for each plain name an assignment sets (Django reads upper-case ones), or
    a statement adds to: settings build lists and dicts in steps (`X["key"] = value`,
    `X.append(value)`, `X.insert(0, value)`, `X.extend(values)`, `X.update(...)`; the value is
    then the subscript assignment's value or the call, whose arguments hold what it adds)."""
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        func = node.value.func
        if isinstance(func, ast.Attribute) and func.attr in MUTATORS:
            return [(func.value.id, node.value)] if isinstance(func.value, ast.Name) else []
        return []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, ast.AugAssign | ast.AnnAssign):
        targets = [node.target]
    else:
        return []
    value = getattr(node, "value", None)
    return [(name, value) for t in targets if (name := _target_name(t))]


def _target_name(target: ast.AST) -> str | None:
    """`X` for `X`, and for `X["a"]["b"]` (a key set inside a setting)."""
    while isinstance(target, ast.Subscript):
        target = target.value
    return target.id if isinstance(target, ast.Name) else None


def called(node: ast.Call) -> str:
    """The name a call calls: `include` for `include(...)` and `urls.include(...)`."""
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
