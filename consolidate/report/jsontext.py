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

import codecs
import json
import os
import re
from json.encoder import encode_basestring_ascii
from typing import Any, TextIO

from consolidate.analysis.plain import NESTED, holds_only

# What `ensure_ascii` escapes and orjson writes as it is: DEL and every non-ASCII character.
_UNESCAPED = re.compile(r"[^\x00-\x7e]+")
_CHUNK = 1 << 20  # characters written at a time: the text is never in memory twice
_ASCII_KEEPING = frozenset({"utf-8", "ascii", "iso8859-1", "iso8859-15", "cp1252"})


def dumps(doc: Any) -> str:
    """`json.dumps(doc, indent=2, default=str)`."""
    return _text(doc, _fast(doc))


def write(doc: Any, stream: TextIO) -> None:
    """Write `dumps(doc) + "\n"` to `stream`: as bytes to the stream's own binary buffer when
    it has one that takes ASCII as it is (the text is never decoded, nor held twice)."""
    fast = _fast(doc)
    binary = getattr(stream, "buffer", None)
    if fast is not None and binary is not None and _ascii_as_is(stream):
        stream.flush()  # what was written before comes first
        binary.write(fast)  # not `fast + b"\n"`: a copy of 24 MB for an investigation
        binary.write(b"\n")
        binary.flush()
        return
    text = _text(doc, fast)
    for start in range(0, len(text), _CHUNK):
        stream.write(text[start : start + _CHUNK])
    stream.write("\n")


def _text(doc: Any, fast: bytes | None) -> str:
    """`dumps(doc)`, given what `_fast` made of it."""
    return json.dumps(doc, indent=2, default=str) if fast is None else fast.decode("ascii")


def _ascii_as_is(stream: TextIO) -> bool:
    """Whether `stream` writes ASCII text as the same bytes, newlines untranslated."""
    try:
        encoding = codecs.lookup(stream.encoding).name
    except (LookupError, TypeError, AttributeError):
        return False
    return encoding in _ASCII_KEEPING and os.linesep == "\n"


def _fast(doc: Any) -> bytes | None:
    """The text's ASCII bytes through orjson, or None when only `json.dumps` writes it exactly."""
    try:
        import orjson
    except ImportError:  # a platform without its wheel: the standard library alone
        return None
    if not holds_only(doc, NESTED):  # only what orjson writes as json.dumps does
        return None
    try:
        out = orjson.dumps(doc, option=orjson.OPT_INDENT_2)
    except (orjson.JSONEncodeError, TypeError):  # an int past 64 bits, a key not a string, ...
        return None
    if out.isascii() and b"\x7f" not in out:
        return out
    # Raw characters are inside strings only (orjson escapes every control character), so
    # escaping them anywhere in the text escapes them where json.dumps does.
    text = _UNESCAPED.sub(lambda m: encode_basestring_ascii(m.group())[1:-1], out.decode())
    return text.encode("ascii")
