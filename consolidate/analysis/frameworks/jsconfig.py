"""What JavaScript and TypeScript config values are, and the builtins a config may call.

The values `jsparse.read` returns: dicts for object literals, lists for arrays, `Str` (with its
line), `Regex`, numbers, booleans, None; `Alt` for "one of these" (`a ? b : c`); `Unknown`, or
`Ref` for a name the file does not define. A path built from the config's own place
(`path.resolve(__dirname, "src")`, `new URL("./src", import.meta.url)`, `` `${__dirname}/src` ``)
is a `Str` with `anchored=True`: a repository path. The builtins (`path.*`, `require.resolve`,
`fileURLToPath`, `define*` wrappers, config merges) are known by name and never run.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple, Protocol, TypeAlias

from consolidate.workspace import repo_join


@dataclass(frozen=True)
class Str:
    text: str
    line: int
    anchored: bool = False  # a repository path, not the string as written


@dataclass(frozen=True)
class Regex:
    pattern: str
    line: int


@dataclass(frozen=True)
class Unknown:
    pass


@dataclass(frozen=True)
class Ref:
    name: str  # `path.resolve`, `process.env.X`: builtins are known by name


@dataclass(frozen=True)
class Alt:
    options: tuple[Value, ...]


@dataclass(frozen=True, eq=False)
class Func:
    params: tuple[str, ...]
    start: int  # the body's first token (`{` for a block)
    block: bool
    parser: Site = field(repr=False)


Value: TypeAlias = "Str | Regex | Unknown | Ref | Alt | Func | dict[str, Value] | list[Value] | bool | float | None"
UNKNOWN = Unknown()


class Site(Protocol):
    """The file a value was read from: where it is, and how to call its functions."""

    path: str
    folder: str

    def invoke(self, func: Func, args: list[Value]) -> Value: ...


class Tok(NamedTuple):
    kind: str  # str, tpl, num, regex, name, punct, eof
    text: str
    line: int


EOF = Tok("eof", "", 0)
# Compiled at the first config read, not at import: its Unicode ranges take 10 ms to compile,
# and most repositories have no JS config.
_SCAN_PATTERN = r"""(?P<space>\s+)|(?P<comment>//[^\n]*|/\*[\s\S]*?(?:\*/|\Z))
  | (?P<str>"(?:[^"\\\n]|\\[\s\S])*"|'(?:[^'\\\n]|\\[\s\S])*') | (?P<tpl>`(?:[^`\\]|\\[\s\S])*`)
  | (?P<num>(?:\d|\.\d)[\w.]*) | (?P<name>[A-Za-z_$\u0080-\uffff][\w$\u0080-\uffff]*)
  | (?P<punct>\.\.\.|=>|\?\.(?!\d)|\?\?|[=!]==?|&&|\|\||[<>]=?|[-+*/%&|^]=?|[{}()\[\];,:.?~@#!=])
    """
_REGEX = re.compile(r"/(?![*/])(?:[^/\\\n\[]|\\.|\[(?:[^\]\\\n]|\\.)*\])+/[a-z]*")
_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\n|.)")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0", "\n": ""}
_BEFORE_VALUE = {"return", "typeof", "case", "in", "of", "new", "delete", "void", "throw"}


@cache
def _scanner() -> re.Pattern[str]:
    return re.compile(_SCAN_PATTERN, re.VERBOSE)


def tokenize(text: str, line: int = 1) -> list[Tok]:
    scan = _scanner()
    toks: list[Tok] = []
    pos = 0
    while pos < len(text):
        m = _REGEX.match(text, pos) if text[pos] == "/" and _regex_here(toks) else None
        m = m or scan.match(text, pos)
        if m is None:
            pos += 1
            continue
        kind = "regex" if m.re is _REGEX else m.lastgroup or ""
        if kind not in ("space", "comment"):
            toks.append(Tok(kind, m.group(), line))
        line += m.group().count("\n")
        pos = m.end()
    return toks


def _regex_here(toks: list[Tok]) -> bool:
    last = toks[-1] if toks else None
    if last is None or last.kind == "punct":
        return last is None or last.text not in (")", "]", "}")
    return last.kind == "name" and last.text in _BEFORE_VALUE


def unescape(quoted: str) -> str:
    def one(m: re.Match[str]) -> str:
        code = m.group(1)
        if code[0] in "ux" and len(code) > 1:
            return chr(int(code.strip("u{}x"), 16))
        return _ESCAPES.get(code, code)

    return _ESCAPE.sub(one, quoted[1:-1])


# --- tokens --------------------------------------------------------------------------------


def pairs(toks: list[Tok]) -> dict[int, int]:
    """Matching bracket positions, both ways."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for k, tok in enumerate(toks):
        if tok.kind != "punct" or tok.text not in "([{)]}":
            continue
        if tok.text in "([{":
            stack.append(k)
            continue
        while stack and toks[stack[-1]].text != {")": "(", "]": "[", "}": "{"}[tok.text]:
            stack.pop()
        if stack:
            opener = stack.pop()
            pairs[opener], pairs[k] = k, opener
    return pairs


def past(pairs: dict[int, int], k: int) -> int:
    """The index after the token at `k`, or after its bracket group when it opens one."""
    return max(pairs.get(k, k), k) + 1


def declarations(toks: list[Tok], pairs: dict[int, int]) -> tuple[dict[str, int], dict[str, int]]:
    """`const NAME = x` -> where x starts; `function NAME(` -> where `(` is. The declaration
    with the fewest brackets around it wins (the file's own over a function's local)."""
    depth = 0
    decls: dict[str, int] = {}
    funcs: dict[str, int] = {}
    found: dict[tuple[str, str], tuple[int, int]] = {}
    for k, tok in enumerate(toks[:-2]):
        depth += (tok.kind == "punct" and tok.text in "([{") - (
            tok.kind == "punct" and tok.text in ")]}"
        )
        if tok.kind != "name" or toks[k + 1].kind != "name":
            continue
        j = k + 2
        if tok.text in ("const", "let", "var"):
            while toks[k + 2].text == ":" and j < len(toks) - 1 and toks[j].text != "=":
                j = past(pairs, j)
            kind = "decl" if j < len(toks) and toks[j].text == "=" else ""
        else:
            kind = "func" if tok.text == "function" and toks[j].text == "(" else ""
        key = (kind, toks[k + 1].text)
        if kind and (key not in found or depth < found[key][0]):
            found[key] = (depth, j + 1 if kind == "decl" else j)
    for (kind, name), (_, index) in found.items():
        (decls if kind == "decl" else funcs)[name] = index
    return decls, funcs


def params(toks: list[Tok]) -> tuple[str, ...]:
    """One name per parameter; "" for a destructured one."""
    names: list[str] = []
    slot: str | None = None
    depth = 0
    for tok in toks:
        if tok.kind == "punct" and tok.text in "([{)]}":
            depth += 1 if tok.text in "([{" else -1
            slot = "" if slot is None else slot
        elif depth == 0 and tok.text == ",":
            names.append(slot or "")
            slot = None
        elif depth == 0 and slot is None and tok.kind == "name":
            slot = tok.text
    return (*names, slot) if slot is not None else tuple(names)


# --- values -----------------------------------------------------------------------------------


def settle(value: Value) -> Value:
    """A function's return value (called without arguments)."""
    for _ in range(4):
        if isinstance(value, Func):
            value = value.parser.invoke(value, [])
    return value


def alternatives(value: Value) -> list[Value]:
    if isinstance(value, Alt):
        return [v for option in value.options for v in alternatives(option)]
    return [settle(value)]


def get(value: Value, dotted: str) -> Value:
    """`value.a.b` through dicts, through alternatives and arrays of configs: every one."""
    for key in dotted.split("."):
        found = [v.get(key) for v in _configs(value) if isinstance(v, dict)]
        found = [v for v in found if v is not None]
        value = alt(*found) if found else None
    return value


def _configs(value: Value) -> Iterator[Value]:
    for option in alternatives(value):
        if isinstance(option, list):
            yield from (v for item in option for v in alternatives(item))
        else:
            yield option


def strings(value: Value, *, in_dicts: bool = True) -> list[Str]:
    """Every string inside a value: in arrays, alternatives and (`in_dicts`) dict values."""
    out: list[Str] = []
    for option in alternatives(value):
        if isinstance(option, Str):
            out.append(option)
        elif isinstance(option, list) or (isinstance(option, dict) and in_dicts):
            items = option if isinstance(option, list) else list(option.values())
            out += [s for item in items for s in strings(item, in_dicts=in_dicts)]
    return out


def unread(value: Value, depth: int = 0) -> bool:
    """Whether part of a value could not be read (a call, a name from elsewhere, a spread)."""
    if depth > 20:
        return False
    for option in alternatives(value):
        if isinstance(option, Unknown | Ref | Func):
            return True
        items = option if isinstance(option, list) else []
        items = list(option.values()) if isinstance(option, dict) else items
        if any(unread(item, depth + 1) for item in items):
            return True
    return False


def dicts(value: Value) -> list[dict[str, Value]]:
    """The objects a value is: itself, its alternatives, the items of an array of them."""
    return [v for v in _configs(value) if isinstance(v, dict)]


def alt(*values: Value) -> Value:
    return values[0] if len(values) == 1 else Alt(tuple(values))


def line_of(text: str, needle: str) -> int:
    """The line where `needle` first appears in `text` (1 when it does not)."""
    return text.count("\n", 0, max(text.find(needle), 0)) + 1


# --- builtins ---------------------------------------------------------------------------------


def number(text: str) -> Value:
    try:
        return float(text.replace("_", ""))
    except ValueError:
        return UNKNOWN


def operate(op: str, left: Value, right: Value) -> Value:
    if op == "+":
        return concat(left, right)
    if op in ("||", "??"):
        return right if isinstance(left, Unknown | Ref) or left in (None, False) else left
    return right if op == "&&" else UNKNOWN


def concat(left: Value, right: Value) -> Value:
    if not isinstance(left, Str) or not isinstance(right, Str):
        return UNKNOWN
    tail = right.text
    if not left.anchored:
        return Str(left.text + tail, left.line)
    if not left.text or not tail or tail.startswith("/"):
        joined = repo_join(left.text, tail.lstrip("/") or ".")
    else:
        joined = repo_join("", left.text + tail)  # `__dirname + "x"` is one name, as in JS
    return Str(joined, left.line, anchored=True) if joined is not None else UNKNOWN


def member(parser: Site, value: Value, key: str | None) -> Value:
    if isinstance(value, Alt):
        return Alt(tuple(member(parser, v, key) for v in value.options))
    if isinstance(value, dict) and key is not None:
        return value.get(key)
    if isinstance(value, list) and key is not None and key.isdigit():
        return value[int(key)] if int(key) < len(value) else None
    if isinstance(value, Ref) and key is not None:
        name = f"{value.name}.{key}"
        if name in ("import.meta.url", "import.meta.filename", "import.meta.dirname"):
            return Str(parser.folder if key == "dirname" else parser.path, 0, anchored=True)
        return Ref(name)
    if isinstance(value, Str) and value.anchored and key in ("pathname", "href"):
        return value
    return UNKNOWN


def call(parser: Site, callee: Value, args: list[Value]) -> Value:
    """A function of the file, or a builtin known by name: `path.*`, `require.resolve`,
    `fileURLToPath`, `define*`/`with*` wrappers, and the merges of Vite and webpack-merge."""
    if isinstance(callee, Func):
        return callee.parser.invoke(callee, args)
    name = callee.name if isinstance(callee, Ref) else ""
    last = name.rpartition(".")[2]
    first = args[0] if args else None
    if name == "require.resolve" and isinstance(first, Str) and first.text.startswith("."):
        return _path(parser, [Str(parser.folder, 0, anchored=True), first], resolve=True)
    if name == "process.cwd":
        return Str(parser.folder, 0, anchored=True)
    if last in ("resolve", "join", "normalize") and not name.startswith("require"):
        return _path(parser, args, resolve=last == "resolve")
    if last == "dirname" and isinstance(first, Str) and first.anchored:
        return Str(posixpath.dirname(first.text), first.line, anchored=True)
    if last in ("fileURLToPath", "String", "normalizePath"):
        return first
    if last.startswith(("define", "with")):
        return settle(first)
    if last in ("mergeConfig", "merge", "mergeWithRules", "mergeWithCustomize"):
        return _merge([d for arg in args for d in dicts(arg)])
    return UNKNOWN


def construct(parser: Site, callee: Value, args: list[Value]) -> Value:
    """`new URL("./src", import.meta.url)`: relative to the config's folder."""
    spec, base = [*args, None, None][:2]
    if not (isinstance(callee, Ref) and callee.name == "URL" and isinstance(spec, Str)):
        return UNKNOWN
    if not (isinstance(base, Str) and base.anchored):
        return UNKNOWN
    joined = repo_join(parser.folder if base.text == parser.path else base.text, spec.text)
    return Str(joined, spec.line, anchored=True) if joined is not None else UNKNOWN


def _path(parser: Site, args: list[Value], *, resolve: bool) -> Value:
    """`path.resolve`/`path.join`: anchored when a part is, or (resolve) from the config's
    folder, where the tool usually runs."""
    base: str | None = None
    parts: list[str] = []
    for arg in args:
        if not isinstance(arg, Str):
            return UNKNOWN
        if arg.anchored:
            base, parts = arg.text, []
        elif resolve and arg.text.startswith("/"):
            return UNKNOWN  # an absolute path on the machine that runs it
        else:
            parts.append(arg.text.lstrip("/") if parts or base is not None else arg.text)
    line = max((a.line for a in args if isinstance(a, Str)), default=0)
    rest = posixpath.join(*parts) if parts else "."
    if base is None and not resolve:
        return Str(posixpath.normpath(rest), line)
    joined = repo_join(parser.folder if base is None else base, rest)
    return Str(joined, line, anchored=True) if joined is not None else UNKNOWN


def _merge(found: list[dict[str, Value]]) -> Value:
    out: dict[str, Value] = {}
    for one in found:
        for key, value in one.items():
            before = out.get(key)
            if isinstance(before, dict) and isinstance(value, dict):
                out[key] = _merge([before, value])
            elif isinstance(before, list) and isinstance(value, list):
                out[key] = before + value
            else:
                out[key] = value
    return out if found else UNKNOWN
