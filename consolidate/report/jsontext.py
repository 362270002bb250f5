"""`--json` text: the bytes of `json.dumps(doc, indent=2, default=str)`, written faster.

With `indent`, the standard library encodes through its pure-Python generators (its C encoder
only writes compact JSON), and an investigation of 11,000 files is 24 MB of it. This writer
appends to one list and leaves every string to the C escaper the standard library uses, so
the output keeps every byte (`tests/test_jsontext.py` compares the two on generated
documents). Anything the rules below do not cover (a key that is not a string, a nested
structure that refers to itself) goes to `json.dumps` itself, which gives the same text or
the same error.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii
from typing import Any, TextIO

INF = float("inf")


class _Unusual(Exception):
    """Something only `json.dumps` writes exactly: hand it the whole document."""


def dumps(doc: Any) -> str:
    """`json.dumps(doc, indent=2, default=str)`."""
    return _piece(doc, "\n")


def write(doc: Any, stream: TextIO) -> None:
    """Write `dumps(doc) + "\n"` to `stream` an entry of its top-level lists at a time, so an
    investigation of 11,000 files is never 24 MB of text (and its parts) in memory at once."""
    if type(doc) is not dict or not doc or any(type(key) is not str for key in doc):
        stream.write(dumps(doc) + "\n")
        return
    start = "{\n  "
    for key, value in doc.items():
        stream.write(f"{start}{encode_basestring_ascii(key)}: ")
        if type(value) is list and value:
            item_start = "[\n    "
            for item in value:
                stream.write(item_start + _piece(item, "\n    "))
                item_start = ",\n    "
            stream.write("\n  ]")
        else:
            stream.write(_piece(value, "\n  "))
        start = ",\n  "
    stream.write("\n}\n")


def _piece(value: Any, newline: str) -> str:
    """`value` as it appears in the document where its lines start with `newline`."""
    out: list[str] = []
    try:
        _value(value, newline, out, 0)
    except (_Unusual, RecursionError):
        # json.dumps's own text, indented as deep: a newline inside a string is escaped, so
        # every newline in it starts a line of the layout.
        return json.dumps(value, indent=2, default=str).replace("\n", newline)
    return "".join(out)


def _value(value: Any, newline: str, out: list[str], depth: int) -> None:
    # The order of the standard library's checks: str, None, True, False, int, float, list or
    # tuple, dict, then `default` (str) and the string it gives.
    if isinstance(value, str):
        out.append(encode_basestring_ascii(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(_float(value))
    elif isinstance(value, (list, tuple)):
        _list(value, newline, out, depth)
    elif isinstance(value, dict):
        _dict(value, newline, out, depth)
    else:
        out.append(encode_basestring_ascii(str(value)))


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == INF:
        return "Infinity"
    if value == -INF:
        return "-Infinity"
    return float.__repr__(value)


def _list(items: list[Any] | tuple[Any, ...], newline: str, out: list[str], depth: int) -> None:
    if not items:
        out.append("[]")
        return
    if depth > 200:
        raise _Unusual  # deep enough to be a cycle: json.dumps says so
    inner = newline + "  "
    try:  # a list of strings (file lists, edges): one join, escaped in C
        joined = ("," + inner).join(map(encode_basestring_ascii, items))
    except TypeError:  # something in it is not a string
        pass
    else:
        out.append(f"[{inner}{joined}{newline}]")
        return
    start = "[" + inner
    for item in items:
        out.append(start)
        kind = type(item)
        if kind is dict:
            _dict(item, inner, out, depth + 1)
        elif kind is list:
            _list(item, inner, out, depth + 1)
        else:
            _value(item, inner, out, depth + 1)
        start = "," + inner
    out.append(newline + "]")


def _dict(mapping: dict[Any, Any], newline: str, out: list[str], depth: int) -> None:
    if not mapping:
        out.append("{}")
        return
    if depth > 200:
        raise _Unusual
    inner = newline + "  "
    start = "{" + inner
    for key, item in mapping.items():
        if type(key) is not str:
            raise _Unusual  # json's key rules (numbers, booleans, None, errors) are its own
        kind = type(item)
        if kind is str:  # the common leaves inline: a call per value is most of the time
            out.append(f"{start}{encode_basestring_ascii(key)}: {encode_basestring_ascii(item)}")
        elif kind is int:
            out.append(f"{start}{encode_basestring_ascii(key)}: {int.__repr__(item)}")
        elif kind is list:
            out.append(f"{start}{encode_basestring_ascii(key)}: ")
            _list(item, inner, out, depth + 1)
        else:
            out.append(f"{start}{encode_basestring_ascii(key)}: ")
            _value(item, inner, out, depth + 1)
        start = "," + inner
    out.append(newline + "}")
