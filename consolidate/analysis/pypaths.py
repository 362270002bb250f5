"""What folder a `sys.path.insert(0, ...)` adds: a tiny evaluator of path expressions.

People reach a folder next to `__file__` with os.path, pathlib, `+` and names assigned a line
before; this understands those and nothing else (anything else is "unknown", and the import
scanner then treats the file's absolute imports as uncertain). Only the call's arguments are
parsed with `ast`, in the few files that change `sys.path`.
"""

from __future__ import annotations

import ast
import functools
import posixpath
import re
import warnings
from dataclasses import dataclass


def added_folder(path: str, text: str, m: re.Match[str], pos: int) -> str | None:
    """The folder `sys.path.insert(0, X)` / `.append(X)` / `site.addsitedir(X)` adds, or None.

    `ast` parses only that call's arguments, in the few files that change `sys.path`."""
    depth, end = 1, m.end()
    while depth and end < min(len(text), m.end() + 2000):
        depth += (text[end] in "([{") - (text[end] in ")]}")
        end += 1
    try:
        with warnings.catch_warnings():  # "invalid escape sequence" and the like: not ours
            warnings.simplefilter("ignore")
            call = ast.parse(f"f({text[m.end() : end]}", mode="eval").body
        args = call.args if isinstance(call, ast.Call) else []
        index = 1 if m[1] == "insert" else 0
        value = _Scope(path, text, pos, 0).value(args[index])
    except (SyntaxError, ValueError, IndexError, RecursionError, _Unknown):
        return None
    if not isinstance(value, _Path):
        return None  # a literal is relative to the working folder, unknown here
    return "" if value == "." else str(value)


def folder_value(path: str, text: str, node: ast.expr, before: int) -> str | None:
    """The repository folder an expression of the file `path` evaluates to (a settings
    module's `os.path.join(BASE_DIR, "static")`), or None; `before` is where the expression
    starts in `text` (the names it uses are those assigned above it)."""
    try:
        value = _Scope(path, text, before, 0).value(node)
    except (SyntaxError, ValueError, IndexError, RecursionError, _Unknown):
        return None
    return ("" if value == "." else str(value)) if isinstance(value, _Path) else None


class _Unknown(Exception):
    """The expression is not one the evaluator understands."""


class _Path(str):
    """A repository-relative path ("." is the root), as opposed to a string literal."""


class _Ref(str):
    """A dotted name that is not a value: `os.path.join`, `Path`."""


_CONSTANTS = {"pardir": "..", "curdir": "."}
_JOIN = {"join", "joinpath", "Path", "PurePath", "PosixPath"}
_SAME = {"abspath", "realpath", "normpath", "str", "fspath", "resolve", "absolute", "expanduser"}


@dataclass(frozen=True)
class _Scope:
    """Evaluates what people write to reach a folder next to `__file__`: os.path, pathlib, `+`,
    and names assigned on one line before (`HERE = os.path.dirname(__file__)`)."""

    path: str
    text: str
    before: int
    depth: int

    def value(self, node: ast.expr) -> object:
        match node:
            case ast.Constant(value=str() | int() as constant):
                return constant
            case ast.Name(id="__file__"):
                return _Path(posixpath.normpath(self.path))
            case ast.Name(id=name):
                return _CONSTANTS.get(name) or self.assigned(name) or _Ref(name)
            case ast.Attribute(value=inner, attr="parent"):
                return _up(self.value(inner), 1)
            case ast.Subscript(
                value=ast.Attribute(value=inner, attr="parents"),
                slice=ast.Constant(value=int() as n),
            ):
                return _up(self.value(inner), n + 1)
            case ast.Attribute(value=inner, attr=attr) if isinstance(
                ref := self.value(inner), _Ref
            ):
                return _CONSTANTS.get(attr) or _Ref(f"{ref}.{attr}")
            case ast.BinOp(left=left, op=ast.Div() | ast.Add() as op, right=right):
                return _join(self.value(left), self.value(right), isinstance(op, ast.Add))
            case ast.Call(func=ast.Attribute(value=inner, attr=name), args=args) if isinstance(
                self_ := self.value(inner), _Path
            ):
                return _call(name, [self_, *map(self.value, args)])
            case ast.Call(func=func, args=args) if isinstance(ref := self.value(func), _Ref):
                return _call(ref.rpartition(".")[2], list(map(self.value, args)))
        raise _Unknown

    def assigned(self, name: str) -> object:
        """The value of the last one-line `name = ...` before the expression, 4 levels deep."""
        pattern = re.compile(rf"^[ \t]*{name}[ \t]*(?::[^=\n]*)?=(?!=)[ \t]*([^\n#]+)", re.M)
        found = None
        for found in pattern.finditer(self.text, 0, self.before):  # noqa: B007 - the last one
            pass
        if found is None or self.depth >= 4:
            return None
        scope = _Scope(self.path, self.text, found.start(), self.depth + 1)
        return scope.value(ast.parse(found[1].strip(), mode="eval").body)


def _call(name: str, args: list[object]) -> object:
    if args and name in _JOIN:
        return functools.reduce(_join, args)
    if len(args) == 1 and name == "dirname":
        return _up(args[0], 1)
    if args and name in _SAME:
        return args[0]
    raise _Unknown


def _up(value: object, count: int) -> _Path:
    if not isinstance(value, _Path):
        raise _Unknown
    return _Path(posixpath.normpath(value + "/.." * count))


def _join(left: object, right: object, concat: bool = False) -> object:
    """`left / right`, `os.path.join(left, right)` or `left + right`: a path or a literal."""
    if type(right) is not str or not isinstance(left, str) or isinstance(left, _Ref):
        raise _Unknown
    if not concat and right.startswith("/"):
        raise _Unknown  # an absolute path: outside what the repository says
    joined = left + right if concat else f"{left}/{right}"
    return _Path(posixpath.normpath(joined)) if isinstance(left, _Path) else joined
