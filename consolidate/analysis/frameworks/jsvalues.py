"""Static values of JavaScript and TypeScript expressions in configs, never executed.

A config names files with literal strings, `__dirname + '/migrations/*.js'`, template literals,
`path.join(__dirname, 'src', 'db')`, arrays and ternaries of those. `JsFile` tokenizes a file
once, finds object properties by key (`migrations: [...]`) and evaluates what follows them:

- a string is text; `__dirname` (or `import.meta.dirname`) is `DIR`, the file's own folder; a
  part that cannot be known (a variable, `process.env.X`, a call) is `UNKNOWN`, so a caller
  can say where a glob starts even when it cannot finish it;
- an array, or the alternatives of `a ? b : c` and `a || b`, is a tuple;
- a class, an import, an object, a number or a function is `Opaque`: not a path at all.

A `const` in the same file is followed; an imported or declared name is `Opaque` (the import
scanner already sees the import).
"""

from __future__ import annotations

import posixpath
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field

from consolidate.analysis.frameworks.base import Project
from consolidate.analysis.frameworks.jstokens import Token, tokenize, unquote

DIR = "\x00"  # the folder of the file being read (`__dirname`)
UNKNOWN = "\x01"  # a part no static reading can know


@dataclass(frozen=True)
class Opaque:
    what: str  # "class or import", "object", "number", "function", ...


Value = str | Opaque | tuple["Value", ...]


@dataclass(frozen=True)
class Property:
    key: str
    line: int
    value: Value
    start: int  # token index of the value
    end: int  # token index after the value


_PATH_CALLS = {"join", "resolve", "dirname", "fileURLToPath", "normalize"}
_CONSTANTS = {"undefined", "null", "true", "false", "this"}


@dataclass
class JsFile:
    """One JS/TS file: its tokens, its `const` bindings and the names it imports or declares."""

    path: str
    text: str
    tokens: list[Token] = field(init=False)
    pairs: list[int] = field(init=False)
    bindings: dict[str, int] = field(init=False, default_factory=dict)  # name -> value index
    declared: dict[str, Opaque | str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.tokens = tokenize(self.text)[0]
        self.pairs = bracket_pairs(self.tokens)
        self._index_names()

    def line(self, index: int) -> int:
        pos = self.tokens[index].pos if index < len(self.tokens) else len(self.text)
        return self.text.count("\n", 0, pos) + 1

    def properties(
        self, keys: Collection[str], start: int = 0, end: int | None = None
    ) -> Iterator[Property]:
        """`key: value` (and `key,` shorthand for a const) of object literals in a token range."""
        tokens, stop = self.tokens, len(self.tokens) if end is None else end
        for i in range(start, stop - 1):
            token = tokens[i]
            key = unquote(token.text) if token.kind == "string" else token.text
            if token.kind not in ("name", "string") or key not in keys:
                continue
            if i == 0 or tokens[i - 1].text not in ("{", ","):
                continue
            after = tokens[i + 1].text
            if after == ":":
                value, j = Evaluator(self).expression(i + 2)
                yield Property(key, self.line(i), value, i + 2, j)
            elif after in (",", "}") and token.kind == "name" and key in self.bindings:
                yield Property(key, self.line(i), Evaluator(self).variable([key]), i, i + 1)

    def _index_names(self) -> None:
        tokens = self.tokens
        for i, token in enumerate(tokens[:-1]):
            if token.text in ("const", "let", "var") and tokens[i + 1].kind == "name":
                j = _skip_type(tokens, self.pairs, i + 2)
                if j < len(tokens) and tokens[j].text == "=":
                    self.bindings.setdefault(tokens[i + 1].text, j + 1)
            elif token.text in ("const", "let", "var") and tokens[i + 1].text == "{":
                self._destructured(i + 1)
            elif (
                token.text in ("class", "function", "enum", "interface")
                and tokens[i + 1].kind == "name"
            ):
                self.declared[tokens[i + 1].text] = Opaque("class or import")
            elif token.text == "import" and tokens[i + 1].text not in ("(", "."):
                self._imported(i + 1)

    def _destructured(self, i: int) -> None:
        close = self.pairs[i]
        rhs = self.tokens[close + 2].text if close + 2 < len(self.tokens) else ""
        module = rhs in ("require", "import", "await")
        for token in self.tokens[i:close]:
            if token.kind == "name":
                self.declared.setdefault(
                    token.text, Opaque("class or import") if module else UNKNOWN
                )

    def _imported(self, i: int) -> None:
        while i < len(self.tokens) and self.tokens[i].text not in ("from", ";", "("):
            if self.tokens[i].kind == "name":
                self.declared[self.tokens[i].text] = Opaque("class or import")
            i += 1


def _skip_type(tokens: list[Token], pairs: list[int], i: int) -> int:
    """Past a `: Type` annotation, to the `=` (or wherever the declaration goes on)."""
    if i >= len(tokens) or tokens[i].text != ":":
        return i
    while i < len(tokens) and tokens[i].text not in ("=", ";"):
        i = pairs[i] + 1 if tokens[i].text in ("(", "[", "{") else i + 1
    return i


def bracket_pairs(tokens: list[Token]) -> list[int]:
    """For each opening bracket, the index of the one that closes it (the last token when
    none does); one pass, so finding a closing bracket is a lookup."""
    pairs = list(range(len(tokens)))
    stack: list[int] = []
    for j, token in enumerate(tokens):
        if token.kind == "punct" and token.text in ("(", "[", "{"):
            stack.append(j)
        elif token.kind == "punct" and token.text in (")", "]", "}") and stack:
            pairs[stack.pop()] = j
    for j in stack:
        pairs[j] = len(tokens) - 1
    return pairs


class Evaluator:
    """Recursive descent over one expression: ternary, `||`/`??`, `+`, calls, literals."""

    def __init__(self, file: JsFile, tokens: list[Token] | None = None, depth: int = 0) -> None:
        self.file = file
        self.tokens = file.tokens if tokens is None else tokens
        self.pairs = file.pairs if tokens is None else bracket_pairs(tokens)
        self.depth = depth

    def closing(self, i: int) -> int:
        return self.pairs[i] if i < len(self.pairs) else len(self.tokens)

    def at(self, i: int) -> str:
        return self.tokens[i].text if i < len(self.tokens) else ""

    def expression(self, i: int) -> tuple[Value, int]:
        value, i = self._either(i)
        if self.at(i) == "?":
            yes, i = self.expression(i + 1)
            no, i = self.expression(i + 1) if self.at(i) == ":" else (UNKNOWN, i)
            return (yes, no), i
        return value, i

    def _either(self, i: int) -> tuple[Value, int]:
        value, i = self._sum(i)
        while self.at(i) in ("||", "??", "&&"):
            operator = self.at(i)
            other, i = self._sum(i + 1)
            value = other if operator == "&&" else (value, other)
        return value, i

    def _sum(self, i: int) -> tuple[Value, int]:
        value, i = self._postfix(i)
        while self.at(i) in ("+", "-", "*", "/", "%", "===", "!==", "==", "!=", "<", ">"):
            operator = self.at(i)
            other, i = self._postfix(i + 1)
            value = concat(value, other) if operator == "+" else Opaque("number")
        return value, i

    def _postfix(self, i: int) -> tuple[Value, int]:
        token = self.tokens[i] if i < len(self.tokens) else Token("punct", "", 0)
        if token.text in ("...", "await", "!", "typeof", "void"):
            return self._postfix(i + 1)
        if token.text == "new":
            value, i = self._postfix(i + 1)
            return Opaque("object"), i
        if (
            token.kind == "name"
            and token.text not in ("function", "async")
            and self.at(i + 1) != "=>"
        ):
            names, i = [token.text], i + 1
            while self.at(i) in (".", "?.") and i + 1 < len(self.tokens):
                names.append(self.at(i + 1))
                i += 2
            if self.at(i) == "(":
                args, i = self._items(i)
                value = self.call(names, args)
            else:
                value = self.variable(names)
        else:
            value, i = self._primary(i)
        return self._suffixes(value, i)

    def _suffixes(self, value: Value, i: int) -> tuple[Value, int]:
        while True:
            text = self.at(i)
            if text in (".", "?.") and i + 1 < len(self.tokens):
                value, i = UNKNOWN if isinstance(value, str) else value, i + 2
            elif text in ("(", "["):
                i = self.closing(i) + 1
                value = UNKNOWN if not isinstance(value, Opaque) else value
            elif text == "!":
                i += 1
            elif text in ("as", "satisfies"):
                i = self._skip_type_expression(i + 1)
            else:
                return value, i

    def _skip_type_expression(self, i: int) -> int:
        """Past `as const`, `satisfies Knex.Config`, `as Array<string>`."""
        while self.at(i) in ("(", "[", "{", "<", ".", "|", "&", ">") or (
            i < len(self.tokens) and self.tokens[i].kind == "name"
        ):
            i = self.closing(i) + 1 if self.at(i) in ("(", "[", "{") else i + 1
        return i

    def _primary(self, i: int) -> tuple[Value, int]:
        token = self.tokens[i] if i < len(self.tokens) else Token("punct", "", 0)
        if token.kind == "string":
            return unquote(token.text), i + 1
        if token.kind == "template":
            return self._template(token), i + 1
        if token.kind == "number":
            return Opaque("number"), i + 1
        if token.text == "[":
            return self._array(i)
        if token.text == "(":
            close = self.closing(i)
            if self.at(close + 1) == "=>":
                return self._function(close + 2)
            value, _ = self.expression(i + 1)
            return value, close + 1
        if token.text == "{":
            return Opaque("object"), self.closing(i) + 1
        if token.kind == "name" and self.at(i + 1) == "=>":
            return self._function(i + 2)
        if token.text in ("function", "async"):
            j = next((k for k in range(i, len(self.tokens)) if self.at(k) in ("{", "=>")), i)
            return self._function(j + 1 if self.at(j) == "=>" else j)
        return UNKNOWN, i + 1

    def _function(self, i: int) -> tuple[Value, int]:
        if self.at(i) == "{":
            return Opaque("function"), self.closing(i) + 1
        _, i = self.expression(i)
        return Opaque("function"), i

    def _array(self, i: int) -> tuple[Value, int]:
        items, i = self._items(i)
        return tuple(items), i

    def _items(self, i: int) -> tuple[list[Value], int]:
        """The comma-separated values inside brackets at `i` (`...spread` arrays flattened)."""
        close = self.closing(i)
        items: list[Value] = []
        i += 1
        while i < close:
            spread = self.at(i) == "..."
            value, i = self.expression(i + 1 if spread else i)
            items.extend(value if spread and isinstance(value, tuple) else [value])
            i = self._after_comma(i, close)
        return items, close + 1

    def _after_comma(self, i: int, close: int) -> int:
        """Past the next `,` before `close`, jumping over brackets the expression left."""
        while i < close and self.at(i) != ",":
            i = self.closing(i) + 1 if self.at(i) in ("(", "[", "{") else i + 1
        return i + 1

    def _template(self, token: Token) -> Value:
        out = ""
        for part in token.parts:
            value = (
                part
                if isinstance(part, str)
                else Evaluator(self.file, list(part), self.depth).expression(0)[0]
            )
            out += value if isinstance(value, str) else UNKNOWN
        return out

    def call(self, names: list[str], args: list[Value]) -> Value:
        name = names[-1]
        if names[0] in ("require", "import") and len(names) == 1:
            return Opaque("class or import")
        if names == ["process", "cwd"]:
            return "."
        if name not in _PATH_CALLS or not all(isinstance(a, str) for a in args):
            return UNKNOWN
        texts = [a for a in args if isinstance(a, str)]
        if name in ("fileURLToPath", "normalize"):
            return texts[0] if texts else UNKNOWN
        if name == "dirname":
            return texts[0].rsplit("/", 1)[0] if texts and "/" in texts[0] else UNKNOWN
        if name == "resolve":
            absolute = [k for k, t in enumerate(texts) if t.startswith((DIR, "/"))]
            texts = texts[absolute[-1] :] if absolute else texts
        return "/".join(t for t in texts if t) or "."

    def variable(self, names: list[str]) -> Value:
        dotted = ".".join(names)
        if dotted in ("__dirname", "import.meta.dirname"):
            return DIR
        if names[0] in _CONSTANTS:
            return Opaque(names[0])
        if len(names) > 1:
            return UNKNOWN
        if names[0] in self.file.bindings and self.depth < 8:
            start = self.file.bindings[names[0]]
            return Evaluator(self.file, None, self.depth + 1).expression(start)[0]
        return self.file.declared.get(names[0], UNKNOWN)


def concat(left: Value, right: Value) -> Value:
    if isinstance(left, str) and isinstance(right, str):
        return left + right
    if isinstance(left, str) or isinstance(right, str):
        return (left if isinstance(left, str) else UNKNOWN) + (
            right if isinstance(right, str) else UNKNOWN
        )
    return UNKNOWN


def leaves(value: Value) -> Iterator[str | Opaque]:
    """Every string or opaque value inside nested arrays and alternatives."""
    if isinstance(value, tuple):
        for item in value:
            yield from leaves(item)
    else:
        yield value


# --- Node packages -------------------------------------------------------------------------
def package_folders(project: Project, names: Collection[str]) -> list[str]:
    """The folders of the package.json files that depend on any of `names` (any kind)."""
    found = []
    for path in project.named("package.json"):
        data = project.load_json(path, warn=False)
        for key in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"):
            table = data.get(key) if isinstance(data, dict) else None
            if isinstance(table, dict) and set(names) & {str(k).lower() for k in table}:
                found.append(posixpath.dirname(path))
                break
    return found


def package_folder(project: Project, path: str) -> str:
    """The folder of the nearest package.json above `path` (Node's working directory when a
    package's scripts run), or the folder of `path` when there is none."""
    folder = posixpath.dirname(path)
    while True:
        if posixpath.join(folder, "package.json").lstrip("/") in project.tracked:
            return folder
        if not folder:
            return posixpath.dirname(path)
        folder = posixpath.dirname(folder)


def js_file(project: Project, path: str) -> JsFile | None:
    text = project.text(path)
    return None if text is None else JsFile(path, text)


def line_text(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line - 1].strip()[:200] if 0 < line <= len(lines) else ""


def line_of(text: str, needle: str, start: int = 0) -> int:
    """The 1-based line of the first `needle` at or after character `start` (1 if absent)."""
    found = text.find(needle, start)
    return text.count("\n", 0, found) + 1 if found >= 0 else 1
