"""JavaScript and TypeScript config files, read without running them.

`read(text, path)` is what a config exports (`export default`, `module.exports =`, or a whole
JSON text), `defineConfig(...)` and other `define*` wrappers unwrapped, an exported function
replaced by what it returns; the values are those of `jsconfig`. Names are looked up in the
file's `const`/`let`/`var` and `function` declarations, and a function the file defines is
called with the arguments given. A recursive-descent reader of expressions over the file's
tokens: what it cannot read is `Unknown`, never an error.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from functools import lru_cache

from consolidate.analysis.frameworks.jsblocks import returns
from consolidate.analysis.frameworks.jsconfig import (
    EOF,
    UNKNOWN,
    Func,
    Ref,
    Regex,
    Str,
    Tok,
    Unknown,
    Value,
    alt,
    call,
    construct,
    declarations,
    dicts,
    member,
    number,
    operate,
    pairs,
    params,
    past,
    settle,
    tokenize,
    unescape,
)
from consolidate.analysis.frameworks.jstemplate import template

MAX_DEPTH = 60
_BINARY = {"+", "-", "*", "/", "%", "===", "!==", "==", "!=", "<", ">", "<=", ">=", "|", "&"}
_BINARY |= {"^", "in", "instanceof", "||", "??", "&&"}
_STOP = {")", "]", "}", ",", ";", ":", "=>"}


@lru_cache(maxsize=256)
def read(text: str, path: str) -> Value:
    """What the config at `path` exports, functions called and `define*` wrappers unwrapped."""
    return settle(_Parser(tokenize(text), path).exported())


def key_values(text: str, path: str, key: str) -> list[Value]:
    """Every value written as `key: value` (or `{ key }`) anywhere in the file."""
    return list(_Parser(tokenize(text), path).key_values(key))


class _Parser:
    """A recursive-descent reader of JavaScript expressions over one file's tokens. A
    template's `${...}` gets a parser of its own that shares the file's names and scopes."""

    def __init__(self, toks: list[Tok], path: str, file: _Parser | None = None) -> None:
        self.toks, self.path, self.folder = toks, path, posixpath.dirname(path)
        self.file = file or self
        self.i = 0
        self.pairs = pairs(toks)
        self.decls, self.funcs = declarations(toks, self.pairs) if file is None else ({}, {})
        self.cache: dict[str, Value] = {}
        self.active: set[str] = set()
        self.scopes: list[dict[str, Value]] = file.scopes if file else []
        self.depth: list[int] = file.depth if file else [0]

    def peek(self, ahead: int = 0) -> Tok:
        at = self.i + ahead
        return self.toks[at] if at < len(self.toks) else EOF

    def take(self) -> Tok:
        self.i += 1
        return self.peek(-1)

    def accept(self, text: str) -> bool:
        tok = self.peek()
        if tok.text == text and tok.kind in ("punct", "name"):
            self.i += 1
            return True
        return False

    def skip(self) -> None:
        self.i = past(self.pairs, self.i)

    def skip_to(self, closer: str) -> None:
        """Past what could not be read, up to the next `,` (taken) or `closer` (left)."""
        while self.peek() is not EOF and self.peek().text not in (",", closer):
            self.skip()
        self.accept(",")

    def at(self, index: int) -> Value:
        saved, self.i = self.i, index
        try:
            return self.expr()
        finally:
            self.i = saved

    def exported(self) -> Value:
        found: Value = UNKNOWN
        texts = [t.text for t in self.toks]
        for k, text in enumerate(texts):
            if text == "export" and texts[k + 1 : k + 2] in (["default"], ["="]):
                found = self.at(k + 2)
            elif text == "module" and texts[k + 1 : k + 4] == [".", "exports", "="]:
                found = self.at(k + 4)
        if found == UNKNOWN and texts[:1] in (["{"], ["["]):
            found = self.at(0)  # JSON
        return found

    def key_values(self, key: str) -> Iterator[Value]:
        toks = self.toks
        for k in range(1, len(toks) - 1):
            tok, before, after = toks[k], toks[k - 1].text, toks[k + 1].text
            word = unescape(tok.text) if tok.kind == "str" else tok.text
            if word == key and before in ("{", ",") and tok.kind in ("str", "name"):
                if after == ":":
                    yield self.at(k + 2)
                elif after in (",", "}") and tok.kind == "name":
                    yield self.file.lookup(key)

    # --- expressions ---------------------------------------------------------------------
    def expr(self) -> Value:
        self.depth[0] += 1
        try:
            if self.depth[0] > MAX_DEPTH:
                self.skip()
                return UNKNOWN
            value = self.unary()
            while (op := self.peek()).kind in ("punct", "name") and op.text in _BINARY:
                self.take()
                value = operate(op.text, value, self.unary())
            if self.accept("?"):
                yes = self.expr()
                self.accept(":")
                value = alt(yes, self.expr())
            return value
        finally:
            self.depth[0] -= 1

    def unary(self) -> Value:
        tok = self.peek()
        if tok.kind in ("punct", "name") and tok.text in ("!", "-", "+", "~", "typeof", "void"):
            self.take()
            self.unary()
            return UNKNOWN
        if tok.kind == "name" and tok.text in ("await", "new"):
            self.take()
            if tok.text == "await":
                return self.unary()
            callee = self.postfix(self.primary(), calls=False)
            return construct(self, callee, self.args() if self.peek().text == "(" else [])
        return self.postfix(self.primary())

    def postfix(self, value: Value, *, calls: bool = True) -> Value:
        while (tok := self.peek()).kind in ("punct", "name", "tpl"):
            if tok.text in (".", "?."):
                self.take()
                if self.peek().kind == "name":
                    value = member(self, value, self.take().text)
            elif tok.text == "[" and tok.kind == "punct":
                self.take()
                key = self.expr()
                self.accept("]")
                value = member(self, value, key.text if isinstance(key, Str) else None)
            elif tok.text == "(" and calls:
                value = call(self, value, self.args())
            elif tok.text == "!" and self.peek(1).text != "=":
                self.take()  # TypeScript's non-null assertion
            elif tok.text in ("as", "satisfies") and tok.kind == "name":
                self.take()
                self.skip_type()
            elif tok.kind == "tpl":
                self.take()
                value = UNKNOWN
            else:
                break
        return value

    def args(self) -> list[Value]:
        self.take()
        return self.items(")")

    def items(self, closer: str) -> list[Value]:
        out: list[Value] = []
        while self.peek() is not EOF and self.peek().text != closer:
            if self.accept(","):
                continue
            if self.accept("..."):
                spread = self.expr()
                out += spread if isinstance(spread, list) else [UNKNOWN]
            else:
                out.append(self.expr())
            if not self.accept(","):
                self.skip_to(closer)
        self.accept(closer)
        return out

    def primary(self) -> Value:
        tok = self.peek()
        if tok is EOF or (tok.kind == "punct" and tok.text in _STOP):
            return UNKNOWN
        if tok.kind == "name":
            return self.name()
        if tok.kind == "punct" and tok.text == "(" and self.arrow_ahead():
            return self.function()
        self.take()
        if tok.kind == "str":
            return Str(unescape(tok.text), tok.line)
        if tok.kind == "tpl":
            return template(tok, lambda toks: _Parser(toks, self.path, self.file).expr())
        if tok.kind == "num":
            return number(tok.text)
        if tok.kind == "regex":
            return Regex(tok.text[1:].rpartition("/")[0], tok.line)
        if tok.text == "(":
            value = self.expr()
            while self.accept(","):
                value = self.expr()
            self.accept(")")
            return value
        if tok.text == "[":
            return self.items("]")
        return self.object() if tok.text == "{" else UNKNOWN

    def name(self) -> Value:
        text = self.take().text
        if text in ("true", "false", "null", "undefined"):
            return {"true": True, "false": False}.get(text)
        if text == "async" and self.peek().text in ("(", "function"):
            return self.function() if self.peek().text == "(" else self.primary()
        if text == "function":
            if self.peek().kind == "name":
                self.take()
            return self.function()
        if text == "class":
            while self.peek() is not EOF and self.peek().text != "{":
                self.take()
            self.skip()
            return UNKNOWN
        if self.accept("=>"):
            return self.body((text,))
        return self.file.lookup(text)

    def object(self) -> dict[str, Value]:
        obj: dict[str, Value] = {}
        while self.peek() is not EOF and self.peek().text != "}":
            if self.accept(","):
                continue
            if self.accept("..."):
                spread = self.expr()
                for known in dicts(spread):
                    obj.update(known)
                if not dicts(spread):
                    obj["..."] = UNKNOWN  # a spread of something unknown
            elif (entry := self.prop())[0] is not None:
                obj[entry[0] or ""] = entry[1]
            if not self.accept(","):
                self.skip_to("}")
        self.accept("}")
        return obj

    def prop(self) -> tuple[str | None, Value]:
        if self.peek().text in ("async", "get", "set") and self.peek(1).text not in ":,(}":
            self.take()
        tok = self.take()
        key: str | None = None
        if tok.kind == "punct" and tok.text == "[":
            computed = self.expr()
            self.accept("]")
            key = computed.text if isinstance(computed, Str) else None
        elif tok.kind in ("name", "num", "str"):
            key = unescape(tok.text) if tok.kind == "str" else tok.text
        self.accept("?")
        if self.accept(":"):
            return key, self.expr()
        if self.peek().text == "(":
            return key, self.function()
        return key, self.file.lookup(key) if key and tok.kind == "name" else UNKNOWN

    # --- functions -----------------------------------------------------------------------
    def function(self) -> Func:
        """At `(`: the parameters, a return type, `=>` or not, and the body."""
        end = past(self.pairs, self.i)
        names = params(self.toks[self.i + 1 : end - 1])
        self.i = end
        if self.accept(":"):
            while self.peek() is not EOF and self.peek().text not in ("=>", "{"):
                self.skip()
        self.accept("=>")
        return self.body(names)

    def arrow_ahead(self) -> bool:
        """At `(`: whether an arrow function starts here (`(a, b) =>`, `(): Config =>`)."""
        k = past(self.pairs, self.i)
        if self.peek(k - self.i).text == ":":
            while k < len(self.toks) and self.toks[k].text not in ("=>", "{", ",", ";", ")"):
                k = past(self.pairs, k)
        return self.peek(k - self.i).text == "=>"

    def body(self, params: tuple[str, ...]) -> Func:
        start = self.i
        if self.peek().text == "{":
            self.skip()
            return Func(params, start, True, self)
        self.scopes.append(dict.fromkeys(params, UNKNOWN))
        try:
            self.expr()  # only passed over here: it is read when called
        finally:
            self.scopes.pop()
        return Func(params, start, False, self)

    def invoke(self, func: Func, args: list[Value]) -> Value:
        if len(self.scopes) > 8:
            return UNKNOWN
        self.scopes.append(
            {p: args[k] if k < len(args) else UNKNOWN for k, p in enumerate(func.params)}
        )
        try:
            if not func.block:
                return self.at(func.start)
            found = [self.at(k + 1) for k in returns(self.toks, self.pairs, func.start)]
            return alt(*found) if found else None
        finally:
            self.scopes.pop()

    def lookup(self, name: str) -> Value:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        if name in self.cache:
            return self.cache[name]
        if name in self.decls and name not in self.active:
            self.active.add(name)
            try:
                value = self.at(self.decls[name])
            finally:
                self.active.discard(name)
            if isinstance(value, Unknown):
                value = Ref(name)  # `const path = require("path")`: known by its name
            if not self.scopes:
                self.cache[name] = value
            return value
        if name in self.funcs:
            saved, self.i = self.i, self.funcs[name]
            try:
                return self.function()
            finally:
                self.i = saved
        if name in ("__dirname", "__filename"):
            return Str(self.folder if name == "__dirname" else self.path, 0, anchored=True)
        return Ref(name)

    def skip_type(self) -> None:
        """Past a TypeScript type after `as` or `satisfies` (`Config`, `const`, `A.B<C>[]`)."""
        while self.peek().kind in ("name", "str") or self.peek().text in ("(", "{", "["):
            if self.peek().kind in ("name", "str"):
                self.take()
            else:
                self.skip()
            if self.peek().text == "<":
                while self.peek() is not EOF and self.take().text != ">":
                    pass
            if not (self.accept(".") or self.accept("|") or self.accept("&")):
                return
