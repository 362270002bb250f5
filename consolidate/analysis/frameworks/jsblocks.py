"""The statements of a function's block, found by tokens (`jsparse` calls a function the
config defines by reading what it returns)."""

from __future__ import annotations

from collections.abc import Iterator

from consolidate.analysis.frameworks.jsconfig import Tok, past

# Names followed by `(...) {` that start a statement, not a method (`manualChunks(id) {`).
_STATEMENTS = {"if", "for", "while", "switch", "catch", "with", "function", "return"}


def returns(toks: list[Tok], pairs: dict[int, int], start: int) -> Iterator[int]:
    """Where each `return x` of the block opening at `start` is, not those of the functions
    inside it (an arrow's block, a `function`'s, a method's: `name(args) { ... }`); an arrow
    whose body is an expression has no statement to skip."""
    k, end = start + 1, pairs.get(start, start)
    while k < end:
        tok = toks[k]
        if tok.kind == "str":
            k += 1
        elif tok.text == "=>":
            k = past(pairs, k + 1) if k + 1 < end and toks[k + 1].text == "{" else k + 1
        elif tok.text == "function" or _method(toks, pairs, k):
            while k < end and toks[k].text != "{":
                k = past(pairs, k) if toks[k].text == "(" else k + 1
            k = past(pairs, k)
        else:
            if tok.text == "return" and toks[k + 1].text not in (";", "}"):
                yield k
            k += 1


def _method(toks: list[Tok], pairs: dict[int, int], k: int) -> bool:
    """At a name: a method of an object or class (`manualChunks(id) {`), not a statement."""
    if toks[k].kind != "name" or toks[k].text in _STATEMENTS or k + 1 >= len(toks):
        return False
    after = past(pairs, k + 1) if toks[k + 1].text == "(" else len(toks)
    return after < len(toks) and toks[after].text == "{"
