"""The path a JavaScript expression builds, read statically: literals, `+` and templates,
`__dirname`, `import.meta.url`, `path.join`/`resolve`/`dirname`, `new URL(x, import.meta.url)`,
`fileURLToPath`, `process.cwd()`. Nothing runs. What cannot be known is `None`; a value of
which only the leading folder is known (`path.join(__dirname, "jobs", name)`) is not `exact`.
https://nodejs.org/api/path.html, https://nodejs.org/api/esm.html#importmeta,
https://nodejs.org/api/modules.html#__dirname
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, replace
from typing import TypeAlias

_TOKEN = re.compile(
    r"""
    (?P<skip>\s+|//[^\n]*|/\*[\s\S]*?\*/)
  | (?P<str>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<tpl>`(?:[^`\\]|\\[\s\S])*`)
  | (?P<name>[A-Za-z_$][\w$]*)
  | (?P<op>\?\.|\?\?|\|\||&&|[()\[\]{},.+?:])
  | (?P<other>[\s\S])
    """,
    re.VERBOSE,
)
_OPEN, _CLOSE = "([{", ")]}"
_MAX_TOKENS = 400


@dataclass(frozen=True)
class Val:
    text: str
    anchored: bool = False  # a repository path (it came from __dirname, import.meta.url...)
    exact: bool = True  # False: `text` is known only up to its last "/": a folder
    url: bool = False  # a file's URL: a relative URL is resolved against its folder


Value: TypeAlias = "Val | list[Value] | None"


@dataclass(frozen=True)
class Scope:
    file: str  # the file the expression is in
    package: str  # its package's folder: the working directory of `node` run there


def call_args(text: str, start: int, scope: Scope) -> list[Value]:
    """The values of a call's arguments; `start` is just after its `(`."""
    return _Parser(_tokens(text, start), scope).args(")")


def construct(name: str, args: list[Value], scope: Scope) -> Value:
    """`new URL(relative, import.meta.url)`: the file the URL names, as a repository path."""
    if name != "URL" or len(args) < 2:
        return None
    relative, base = args[0], args[1]
    if not isinstance(relative, Val) or not isinstance(base, Val) or not base.anchored:
        return None
    if relative.anchored:
        return relative
    folder = posixpath.dirname(base.text) if base.url else base.text
    if relative.text.startswith("/"):
        folder = scope.package  # the site or project root
    return Val(_concat(folder, relative.text.lstrip("/")), True, relative.exact)


def _tokens(text: str, start: int) -> list[tuple[str, str]]:
    """Tokens up to the `)` that closes the call (not included)."""
    out: list[tuple[str, str]] = []
    depth = 0
    for match in _TOKEN.finditer(text, start):
        kind = match.lastgroup or "other"
        token = match[0]
        if kind == "skip":
            continue
        if token in _OPEN:
            depth += 1
        elif token in _CLOSE:
            depth -= 1
            if depth < 0:
                break
        out.append((kind, token))
        if len(out) > _MAX_TOKENS:
            break
    out.append(("op", ")"))
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], scope: Scope) -> None:
        self.tokens = tokens
        self.i = 0
        self.scope = scope

    def peek(self, ahead: int = 0) -> tuple[str, str]:
        at = self.i + ahead
        return self.tokens[at] if at < len(self.tokens) else ("end", "")

    def take(self) -> str:
        token = self.peek()[1]
        self.i += 1
        return token

    def args(self, close: str) -> list[Value]:
        out: list[Value] = []
        while self.peek()[1] != close and self.peek()[0] != "end":
            at = self.i
            out.append(self.expr())
            if self.peek()[1] == ",":
                self.take()
            elif self.peek()[1] != close:
                self.skip()
            if self.i == at:
                self.take()
        self.take()
        return out

    def skip(self) -> None:
        """Past an expression this reader does not model, to the next `,` or closing bracket."""
        depth = 0
        while self.peek()[0] != "end":
            token = self.peek()[1]
            if depth == 0 and (token in (",", ":") or token in _CLOSE):
                return
            depth += (token in _OPEN) - (token in _CLOSE)
            self.take()

    def expr(self) -> Value:
        """A sum of terms; `c ? a : b` and `a || b` (or `??`) are either, `a && b` is b."""
        value = self.term()
        while self.peek()[1] == "+":
            self.take()
            value = _plus(value, self.term())
        token = self.peek()[1]
        if token == "?":
            self.take()
            first = self.expr()
            second = self.expr() if self.take() == ":" else None
            return [first, second]
        if token in ("||", "??", "&&"):
            self.take()
            other = self.expr()
            return other if token == "&&" else [value, other]
        if token not in (",", ":", *_CLOSE):
            self.skip()  # an operator this reader does not model
            return None
        return value

    def term(self) -> Value:
        kind, token = self.peek()
        value: Value = None
        if kind == "str":
            self.take()
            value = Val(re.sub(r"\\(.)", r"\1", token[1:-1]))
        elif kind == "tpl":
            self.take()
            value = self.template(token[1:-1])
        elif token == "[":
            self.take()
            value = self.args("]")
        elif token == "(":
            self.take()
            value = self.expr()
            if self.peek()[1] == ")":
                self.take()
        elif token == "new":
            self.take()
            name = self.dotted()
            value = construct(name, self.args(")"), self.scope) if self.opens() else None
        elif kind == "name":
            name = self.dotted()
            value = self.call(name, self.args(")")) if self.opens() else self.name(name)
        else:
            return None
        return self.postfix(value)

    def opens(self) -> bool:
        if self.peek()[1] == "(":
            self.take()
            return True
        return False

    def dotted(self) -> str:
        parts = [self.take()] if self.peek()[0] == "name" else []
        while self.peek()[1] in (".", "?.") and self.peek(1)[0] == "name":
            self.take()
            parts.append(self.take())
        return ".".join(parts)

    def postfix(self, value: Value) -> Value:
        """`.href`, `.pathname`, `.toString()` keep a URL's path; other members lose it."""
        while self.peek()[1] in (".", "?.", "("):
            if self.take() == "(":
                self.args(")")
                continue
            member = self.take()
            if member not in ("href", "pathname", "toString"):
                value = None
        return value

    def template(self, body: str) -> Value:
        value: Value = Val("")
        for literal, expression in _template_parts(body):
            value = _plus(value, Val(literal))
            if expression is not None:
                inner = _Parser(_tokens(expression + ")", 0), self.scope).expr()
                value = _plus(value, inner)
        return value

    def name(self, name: str) -> Value:
        file = self.scope.file
        if name in ("__dirname", "import.meta.dirname"):
            return Val(posixpath.dirname(file), True)
        if name in ("__filename", "import.meta.filename"):
            return Val(file, True)
        if name == "import.meta.url":
            return Val(file, True, url=True)
        return None

    def call(self, name: str, args: list[Value]) -> Value:
        short = name.removeprefix("path.").removeprefix("posix.").removeprefix("url.")
        first = args[0] if args else None
        if short in ("join", "resolve"):
            return _join(args, resolve=short == "resolve")
        if short == "dirname" and isinstance(first, Val) and first.exact:
            return replace(first, text=posixpath.dirname(first.text), url=False)
        if short in ("fileURLToPath", "String", "decodeURI", "decodeURIComponent"):
            return replace(first, url=False) if isinstance(first, Val) else None
        if name in ("require.resolve", "import.meta.resolve") and isinstance(first, Val):
            if first.anchored or not first.text.startswith("."):
                return first
            folder = posixpath.dirname(self.scope.file)
            return Val(_concat(folder, first.text), True, first.exact)
        if name == "process.cwd":
            return Val(self.scope.package, True)
        return None


def _template_parts(body: str) -> list[tuple[str, str | None]]:
    """`a${x}b` -> [("a", "x"), ("b", None)]; nested braces in `${}` are counted."""
    parts: list[tuple[str, str | None]] = []
    at = 0
    while (start := body.find("${", at)) >= 0:
        depth, end = 1, start + 2
        while end < len(body) and depth:
            depth += {"{": 1, "}": -1}.get(body[end], 0)
            end += 1
        parts.append((body[at:start], body[start + 2 : end - 1]))
        at = end
    parts.append((body[at:], None))
    return parts


def _plus(left: Value, right: Value) -> Value:
    """String concatenation: once a part is unknown, only what comes before it is known."""
    if not isinstance(left, Val):
        return None
    if not left.exact:
        return left
    if not isinstance(right, Val):
        return Val(left.text, left.anchored, exact=False)
    anchored = left.anchored or (right.anchored and not left.text)
    return Val(left.text + right.text, anchored, right.exact)


def _join(args: list[Value], *, resolve: bool) -> Value:
    """`path.join`/`path.resolve`: an unknown part leaves the folder before it known; for
    `resolve` an absolute part starts over."""
    value: Val | None = None
    for arg in args:
        if not isinstance(arg, Val):
            return None if value is None else _folder_only(value)
        if value is None or (resolve and (arg.anchored or arg.text.startswith("/"))):
            value = replace(arg, url=False)
        elif not value.exact:
            return value
        else:
            value = Val(_concat(value.text, arg.text), value.anchored, arg.exact)
    return value


def _folder_only(value: Val) -> Val:
    if not value.exact:
        return value
    return Val(value.text.rstrip("/") + "/", value.anchored, exact=False)


def _concat(folder: str, relative: str) -> str:
    """Join without normalising, so that a known folder prefix (`jobs/`) keeps its slash."""
    if not folder:
        return relative
    return folder.rstrip("/") + "/" + relative.lstrip("/")
