"""`--json` text: the bytes of `json.dumps(doc, indent=2, default=str)`, written faster.

With `indent`, the standard library encodes through its pure-Python generators (its C encoder
only writes compact JSON), and an investigation of 11,000 files is 24 MB of it: 0.37 s. orjson
writes the same layout in C in 0.02 s, and for the values it shares with the standard library
(exact `dict`, `list`, `tuple`, `str`, `int`, `bool`, None) the same text, once what it leaves
as UTF-8 is escaped the way `ensure_ascii` does (`tests/test_jsontext.py` compares the two on
generated documents). A document holding anything else (a float, whose exponent orjson writes
its own way; an enum, a path, a key that is not a string, a nested structure that refers to
itself) goes to `json.dumps` itself, which gives the same text or the same error.
"""

from __future__ import annotations

import json
import re
from itertools import chain
from json.encoder import encode_basestring_ascii
from typing import Any, TextIO

_NESTED = frozenset({dict, list, tuple})
_PLAIN = _NESTED | {str, int, bool, type(None)}
_DEEPEST = 200  # orjson's own limit is 254 levels; deeper (or a cycle) goes to json.dumps
# What `ensure_ascii` escapes and orjson writes as it is: DEL and every non-ASCII character.
_UNESCAPED = re.compile(r"[^\x00-\x7e]+")
_CHUNK = 1 << 20  # characters written at a time: the text is never in memory twice


def dumps(doc: Any) -> str:
    """`json.dumps(doc, indent=2, default=str)`."""
    fast = _fast(doc)
    return json.dumps(doc, indent=2, default=str) if fast is None else fast


def write(doc: Any, stream: TextIO) -> None:
    """Write `dumps(doc) + "\n"` to `stream`."""
    text = dumps(doc)
    for start in range(0, len(text), _CHUNK):
        stream.write(text[start : start + _CHUNK])
    stream.write("\n")


def _fast(doc: Any) -> str | None:
    """The text through orjson, or None when only `json.dumps` writes it exactly."""
    try:
        import orjson
    except ImportError:  # a platform without its wheel: the standard library alone
        return None
    if not _plain(doc):
        return None
    try:
        out = orjson.dumps(doc, option=orjson.OPT_INDENT_2)
    except (orjson.JSONEncodeError, TypeError):  # an int past 64 bits, a key not a string, ...
        return None
    if out.isascii() and b"\x7f" not in out:
        return out.decode("ascii")
    # Raw characters are inside strings only (orjson escapes every control character), so
    # escaping them anywhere in the text escapes them where json.dumps does.
    return _UNESCAPED.sub(lambda m: encode_basestring_ascii(m.group())[1:-1], out.decode())


def _plain(doc: Any) -> bool:
    """Whether `doc` holds only values orjson writes as json.dumps does: one level of the
    document at a time, its values' types gathered in C."""
    if type(doc) not in _NESTED:
        return type(doc) in _PLAIN
    level = [doc]
    for _ in range(_DEEPEST):
        values = list(chain.from_iterable(v.values() if type(v) is dict else v for v in level))
        if not _PLAIN.issuperset(map(type, values)):
            return False
        level = [v for v in values if type(v) in _NESTED]
        if not level:
            return True
    return False
