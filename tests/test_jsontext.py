"""The fast `--json` writer gives the bytes of `json.dumps(doc, indent=2, default=str)`."""

from __future__ import annotations

import enum
import io
import json
from pathlib import PurePosixPath
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consolidate.report.jsontext import dumps, write


class Format(enum.StrEnum):
    json = "json"


class Level(enum.IntEnum):
    high = 3


LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
    | st.sampled_from([Format.json, Level.high, PurePosixPath("a/ü.py"), b"raw"])
)
KEYS = st.text() | st.sampled_from([1, 2.5, True, None, Format.json])
DOCS = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.lists(inner, max_size=3).map(tuple)
        | st.lists(st.text(), max_size=5)
        | st.dictionaries(KEYS, inner, max_size=5)
    ),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(DOCS)
def test_same_bytes_as_the_standard_library(doc: Any) -> None:
    expected = json.dumps(doc, indent=2, default=str)
    assert dumps(doc) == expected
    written = io.StringIO()
    write(doc, written)
    assert written.getvalue() == expected + "\n"


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(), DOCS, max_size=4))
def test_written_a_piece_at_a_time_the_same_bytes(doc: dict[str, Any]) -> None:
    written = io.StringIO()
    write(doc, written)
    assert written.getvalue() == json.dumps(doc, indent=2, default=str) + "\n"


def test_a_report_shaped_document() -> None:
    doc = {
        "component": "orchestrator",
        "files": [
            {
                "path": "backend/ünï.py",
                "lines": 3,
                "bytes": 0,
                "verdict": "remove",
                "used_by": [],
                "chain": ["a.py", 'b "quoted".py'],
                "seed": True,
                "first": None,
                "score": 0.1,
            }
        ],
        "edges": [["a.py", "b.py"], ("c.py", "d.py")],
        "history": {},
        "odd": [{1: "a number as a key"}, {"deep": [[[[]]]]}],
    }
    assert dumps(doc) == json.dumps(doc, indent=2, default=str)
    written = io.StringIO()
    write(doc, written)
    assert written.getvalue() == json.dumps(doc, indent=2, default=str) + "\n"


def test_what_json_refuses_it_refuses_the_same_way() -> None:
    cyclic: list[Any] = []
    cyclic.append(cyclic)
    with pytest.raises(ValueError, match="Circular reference"):
        dumps(cyclic)
    with pytest.raises(TypeError, match="keys must be"):
        dumps({("a", "b"): 1})


def test_a_plain_report_is_written_by_orjson_with_the_same_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    doc = {
        "component": "orchestrator",
        "files": [
            {"path": "backend/ünï.py", "lines": 3, "seed": True, "first": None, "used_by": []},
            {"path": "ctl\x7f\x01 \U0001f600.py", "lines": -(2**63), "chain": ['b "q".py']},
        ],
        "edges": [["a.py", "b.py"], ("c.py", "d.py")],
        "history": {},
    }
    expected = json.dumps(doc, indent=2, default=str)
    calls: list[Any] = []
    real = orjson.dumps

    def counted(value: Any, **options: Any) -> bytes:
        calls.append(value)
        return real(value, **options)

    def refuse(*args: Any, **kwargs: Any) -> str:
        raise AssertionError("the standard library's encoder ran")

    monkeypatch.setattr(orjson, "dumps", counted)
    monkeypatch.setattr(json, "dumps", refuse)
    assert dumps(doc) == expected
    assert calls == [doc]


def test_what_orjson_writes_its_own_way_goes_to_the_standard_library() -> None:
    # orjson writes 1e-05 as 1e-5, NaN as null and an enum by its value; json.dumps does not.
    for odd in (1e-05, float("nan"), Level.high, 2**64, PurePosixPath("a.py")):
        doc = {"files": [{"path": "a.py", "value": odd}]}
        assert dumps(doc) == json.dumps(doc, indent=2, default=str)


@pytest.mark.parametrize("encoding", ["utf-8", "ascii", "utf-16"])
def test_a_stream_with_a_buffer_gets_the_same_bytes_after_what_came_before(encoding: str) -> None:
    """Through a real text stream: the bytes go to its buffer when it writes ASCII as it is
    (UTF-8, ASCII), after what was written to the stream before; any other encoding (UTF-16)
    gets the text, encoded by the stream."""
    doc = {"name": "caf\u00e9 \u2603", "rows": [{"n": 1, "ok": True, "none": None}] * 3}
    raw = io.BytesIO()
    texts: list[str] = []

    class Recorded(io.TextIOWrapper):
        def write(self, text: str) -> int:
            texts.append(text)
            return super().write(text)

    stream = Recorded(raw, encoding=encoding, newline="\n")
    stream.write("before\n")
    write(doc, stream)
    stream.write("after\n")
    stream.flush()
    expected = "before\n" + json.dumps(doc, indent=2, default=str) + "\nafter\n"
    assert raw.getvalue() == expected.encode(encoding)
    as_bytes = encoding != "utf-16"
    assert (texts == ["before\n", "after\n"]) is as_bytes  # the document skipped the text layer


def _same_types(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        return list(a) == list(b) and all(_same_types(a[k], b[k]) for k in a)
    if type(a) is list:
        return len(a) == len(b) and all(map(_same_types, a, b))
    return bool(a == b)


@settings(max_examples=400, deadline=None)
@given(DOCS)
def test_what_the_cache_keeps_as_it_is_reads_back_as_it_is(doc: Any) -> None:
    """`as_read_back` gives bytes only for a document whose JSON reads back equal and of the
    same types, to the last nested value (no tuple, float, enum, path or odd key)."""
    from consolidate.analysis.plain import as_read_back

    body = as_read_back(doc)
    if body is not None:
        assert _same_types(json.loads(body), doc)
