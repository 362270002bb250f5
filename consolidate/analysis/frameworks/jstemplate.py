"""Template literals in JS/TS configs: the text between `${}` parts, and each part read by the
caller's expression reader (`jsparse`), joined into one value."""

from __future__ import annotations

from collections.abc import Callable

from consolidate.analysis.frameworks.jsconfig import (
    UNKNOWN,
    Str,
    Tok,
    Value,
    concat,
    tokenize,
    unescape,
)


def template(tok: Tok, expression: Callable[[list[Tok]], Value]) -> Value:
    body, pos = tok.text[1:-1], 0
    pieces: list[Value] = []
    while (start := body.find("${", pos)) >= 0:
        pieces.append(Str(raw(body[pos:start]), tok.line))
        end, depth = start + 2, 1
        while end < len(body) and depth:
            depth += {"{": 1, "}": -1}.get(body[end], 0)
            end += 1
        line = tok.line + body.count("\n", 0, start)
        pieces.append(expression(tokenize(body[start + 2 : end - 1], line)))
        pos = end
    pieces.append(Str(raw(body[pos:]), tok.line))
    if len(pieces) > 1 and pieces[0] == Str("", tok.line):
        pieces = pieces[1:]  # `${__dirname}/src` is anchored by its first value
    value: Value = pieces[0]
    for piece in pieces[1:]:
        value = concat(value, piece)
    return Str(value.text, tok.line, value.anchored) if isinstance(value, Str) else UNKNOWN


def raw(text: str) -> str:
    return unescape(f'"{text}"') if "\\" in text else text
