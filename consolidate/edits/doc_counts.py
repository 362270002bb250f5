"""Counts of services next to a list: "6 containers", "six services", "(6)".

A count is decremented only when it equals the length of the list before the edit, so a
number that counts something else (or was already fixed) stays as written.
"""

from __future__ import annotations

import re

_SPELLED = "zero one two three four five six seven eight nine ten eleven twelve"
_WORDS = tuple(_SPELLED.split())
_NUMBER = r"\d{1,3}|" + "|".join(_WORDS[1:])
_COUNT = re.compile(
    rf"(?<![\w.])({_NUMBER})([ \t]+(?:[A-Za-z-]+[ \t]+)?)"
    r"((?:micro)?services?|containers?|components?)\b",
    re.IGNORECASE,
)
_PAREN = re.compile(r"\((\d{1,3})\)")


def decrement_count(text: str, length: int, *, parenthesis: bool = False) -> str | None:
    """`text` with its one count of services equal to `length` made one less, else None."""
    counts = list(_COUNT.finditer(text))
    if len(counts) == 1 and _value(counts[0][1]) == length and length > 1:
        match = counts[0]
        noun = match[3] if length > 2 else _singular(match[3])
        new = _spell(match[1], length - 1) + match[2] + noun
        return text[: match.start()] + new + text[match.end() :]
    parens = list(_PAREN.finditer(text)) if parenthesis and not counts else []
    if len(parens) == 1 and int(parens[0][1]) == length and length > 1:
        return text[: parens[0].start(1)] + str(length - 1) + text[parens[0].end(1) :]
    return None


def _value(number: str) -> int:
    return int(number) if number.isdigit() else _WORDS.index(number.casefold())


def _spell(number: str, value: int) -> str:
    """`value` written like `number`: digits, or a word in the same case."""
    if number.isdigit():
        return str(value)
    word = _WORDS[value]
    if number.isupper():
        return word.upper()
    return word.capitalize() if number[0].isupper() else word


def _singular(noun: str) -> str:
    return noun[:-1] if noun.casefold().endswith("s") else noun
