"""Whether a document holds values of given types only, and what JSON reads back as it is.

The walk goes one level of the document at a time, its values' types gathered in C (a Python
loop per value costs more than the JSON writing it guards). `report.jsontext` asks it before
writing `--json` through orjson; the investigation cache (`cache.py`) before it keeps a
document as it is, since reading its JSON back would give the same thing.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

NESTED: frozenset[type] = frozenset({dict, list, tuple})
JSON_NESTED: frozenset[type] = frozenset({dict, list})  # what JSON reads back as such: no tuple
SCALARS: frozenset[type] = frozenset({str, int, bool, type(None)})
DEEPEST = 200  # orjson's own limit is 254 levels; deeper (or a cycle) is not plain


def holds_only(doc: Any, nested: frozenset[type], scalars: frozenset[type] = SCALARS) -> bool:
    """Whether `doc` and everything in it are exactly of the `nested` or `scalars` types (a
    dict's keys aside), at most DEEPEST levels deep."""
    allowed = nested | scalars
    if type(doc) not in nested:
        return type(doc) in allowed
    level = [doc]
    for _ in range(DEEPEST):
        values = list(chain.from_iterable(v.values() if type(v) is dict else v for v in level))
        types = set(map(type, values))
        if not allowed.issuperset(types):
            return False
        if types.isdisjoint(nested):  # the last level, mostly strings: none to look into
            return True
        level = [v for v in values if type(v) in nested]
    return False


def as_read_back(doc: Any) -> bytes | None:
    """Compact JSON of `doc` when reading it back gives `doc` itself, equal and of the same
    types: only dicts with string keys, lists, strings, integers, booleans and None (orjson's
    bytes, in a tenth of `json.dumps`'s time). None otherwise, or without orjson."""
    try:
        import orjson
    except ImportError:
        return None
    if not holds_only(doc, JSON_NESTED):
        return None
    try:  # an int past 64 bits, a key not a string, a lone surrogate: not this way
        return orjson.dumps(doc)
    except (orjson.JSONEncodeError, TypeError):
        return None
