"""JavaScript and TypeScript tokens: enough of the grammar to read configs statically.

Strings, template literals (with their `${}` parts as tokens), regular expression literals,
numbers, names and punctuation; comments and white space are skipped. `jsvalues` evaluates
what the tokens say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Token:
    kind: str  # name | string | template | number | punct
    text: str
    pos: int
    parts: tuple[str | tuple[Token, ...], ...] = ()  # a template: text and `${}` tokens


_TOKEN = re.compile(
    r"(?P<space>\s+|//[^\n]*|/\*.*?(?:\*/|\Z))"
    r"|(?P<string>'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\")"
    r"|(?P<number>\d[\w.]*)"
    r"|(?P<name>[A-Za-z_$][\w$]*)"
    r"|(?P<punct>\.\.\.|\?\?|\?\.|=>|[=!]==?|&&|\|\||[^\s\w])",
    re.S,
)
_REGEX = re.compile(r"/(?![/*])(?:\\.|\[(?:\\.|[^\]\\\n])*\]|[^/\\\n\[])+/[a-z]*")
_OPERAND_BEFORE = set("(,=:[!&|?{};+-*%<>~^") | {"=>", "return", "typeof", "&&", "||", "??"}


def tokenize(text: str, start: int = 0, closing: str | None = None) -> tuple[list[Token], int]:
    """Tokens from `start` up to the `}` that closes a template's `${` (when `closing`)."""
    tokens: list[Token] = []
    depth, pos = 0, start
    while pos < len(text):
        char = text[pos]
        if char == "`":
            token, pos = _template(text, pos)
            tokens.append(token)
            continue
        regex = _REGEX.match(text, pos) if char == "/" and _regex_allowed(tokens) else None
        if regex:
            tokens.append(Token("regex", regex[0], pos))
            pos = regex.end()
            continue
        match = _TOKEN.match(text, pos)
        if match is None:  # a character no token starts with (`é` in JSX text): skip it
            pos += 1
            continue
        pos = match.end()
        kind = match.lastgroup or "punct"
        if kind == "space":
            continue
        if closing and kind == "punct" and match[0] in "{}":
            depth += 1 if match[0] == "{" else -1
            if depth < 0:
                return tokens, pos
        tokens.append(Token(kind, match[0], match.start()))
    return tokens, pos


def _template(text: str, pos: int) -> tuple[Token, int]:
    parts: list[str | tuple[Token, ...]] = []
    literal, i = [], pos + 1
    while i < len(text) and text[i] != "`":
        if text[i] == "\\" and i + 1 < len(text):
            literal.append(text[i + 1])
            i += 2
        elif text.startswith("${", i):
            parts.append("".join(literal))
            literal = []
            inner, i = tokenize(text, i + 2, closing="}")
            parts.append(tuple(inner))
        else:
            literal.append(text[i])
            i += 1
    parts.append("".join(literal))
    return Token("template", text[pos : i + 1], pos, tuple(parts)), i + 1


def _regex_allowed(tokens: list[Token]) -> bool:
    last = tokens[-1] if tokens else None
    return last is None or (last.kind in ("punct", "name") and last.text in _OPERAND_BEFORE)


def unquote(literal: str) -> str:
    return re.sub(r"\\(.)", r"\1", literal[1:-1])
