"""The literal prefilter in front of the references expression loses nothing.

`find_references` looks for the names with `in`/`find` (or, for many names, one expression
shaped as a tree of their prefixes) before it runs the names' expression, and then only on
the lines that hold one. `slow_lines` below is the plain implementation: the flat
alternation over the whole lower-cased text of every file, no filter. Generated names and
texts (mixed case, names at line starts and ends, inside longer words, next to `-`, `.`,
`_`, `/`, other line breaks, non-ASCII letters whose lower case is ASCII) must give the
same lines both ways, with few names and with the tree of many.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consolidate.analysis import literals
from consolidate.analysis.literals import (
    AFTER,
    Needles,
    matching_lines,
    minimal,
    name_pattern,
    tree,
)
from consolidate.analysis.references import find_references

KELVIN = "\u212a"  # lower case: ASCII `k`
DOTTED_I = "\u0130"  # lower case: `i` and a combining dot


def slow_lines(words: list[str], data: bytes) -> list[tuple[int, str]]:
    """The reference: every match of the flat alternation in the whole lower-cased text, a
    rejected one (joined to the word before it) moving the search by one character."""
    text = data.decode("utf-8", errors="replace")
    lowered = text.lower()
    ordered = sorted(set(words), key=len, reverse=True)
    pattern = re.compile("(?:" + "|".join(re.escape(w) for w in ordered) + AFTER)
    starts: list[int] = []
    at = 0
    while (m := pattern.search(lowered, at)) is not None:
        before = lowered[m.start() - 1] if m.start() else ""
        joined = before == "/" or before.isalnum()
        joined |= (
            before in ("-", ".") and m.start() > 1 and bool(re.match(r"\w", lowered[m.start() - 2]))
        )
        if joined:
            at = m.start() + 1
            continue
        starts.append(m.start())
        at = m.end()
    ends = list(itertools.accumulate(len(x) for x in lowered.splitlines(keepends=True)))
    numbers = dict.fromkeys(bisect.bisect_right(ends, s) for s in starts)
    original = text.splitlines()
    return [(n + 1, original[n]) for n in numbers if n < len(original)]


def fast_lines(words: list[str], data: bytes) -> list[tuple[int, str]]:
    """What `find_references` does with one file: the filter, then the lines it lets through."""
    needles = Needles.of(words)
    if not needles.may_hold(data):
        return []
    return matching_lines(name_pattern(words), data.decode("utf-8", errors="replace"), needles)


# How many characters per line searched alone: 1, every line with a needle is searched on
# its own; a billion, the whole text is searched at once.
LINE_BY_LINE, WHOLE = 1, 10**9


@contextmanager
def tuned(*, few: int = literals.FEW, sparse: int = LINE_BY_LINE) -> Iterator[None]:
    """`few`: 0 treats every set of names as many (the tree expressions instead of `in`)."""
    with mock.patch.object(literals, "FEW", few), mock.patch.object(literals, "SPARSE", sparse):
        yield


# -- generated names and texts ---------------------------------------------------------------

# Letters (some whose lower case is ASCII), joiners, and what an expression must escape.
NAME_CHARS = st.sampled_from(
    [*"abkixyzAKIXé", "Ü", "ß", KELVIN, DOTTED_I, *"09_-./:", *"[]()+*? \\|"]
)
NAMES = st.lists(
    st.text(NAME_CHARS, min_size=1, max_size=6).filter(lambda n: n.lower().strip()),
    min_size=1,
    max_size=5,
)
GLUE = st.sampled_from(
    [
        "",
        " ",
        "\n",
        "\r\n",
        "\r",
        "\u2028",
        "\x0b",
        "-",
        ".",
        "_",
        "/",
        "s",
        "x1",
        "é",
        "Ü",
        "(",
        '"',
    ]
)


@st.composite
def texts(draw: st.DrawFn, names: list[str]) -> bytes:
    """Names (in random case) between glue: line breaks, joiners, letters, non-ASCII."""
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 8))):
        parts.append(draw(GLUE))
        pick = draw(st.booleans())
        if names and pick:
            name = draw(st.sampled_from(names))
            upper = draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
            cased = "".join(c.upper() if up else c for c, up in zip(name, upper, strict=True))
            parts.append(cased)
        else:
            parts.append(draw(st.text(NAME_CHARS, max_size=4)))
    data = "".join(parts).encode()
    if draw(st.booleans()):  # an invalid byte, decoded as U+FFFD
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + b"\xff" + data[cut:]
    return data


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[str], bytes]:
    names = draw(NAMES)
    words = [n.lower() for n in names]
    return words, draw(texts(names))


@settings(max_examples=400, deadline=None)
@given(cases())
def test_the_filter_finds_every_line_the_plain_expression_finds(
    case: tuple[list[str], bytes],
) -> None:
    words, data = case
    for sparse in (LINE_BY_LINE, WHOLE):
        with tuned(sparse=sparse):
            assert fast_lines(words, data) == slow_lines(words, data)


@pytest.mark.parametrize("sparse", [LINE_BY_LINE, WHOLE])
@settings(max_examples=300, deadline=None)
@given(case=cases())
def test_the_tree_of_many_names_finds_every_line_too(
    sparse: int, case: tuple[list[str], bytes]
) -> None:
    words, data = case
    with tuned(few=0, sparse=sparse):
        assert fast_lines(words, data) == slow_lines(words, data)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(NAME_CHARS, min_size=1, max_size=8), min_size=1, max_size=12))
def test_the_tree_matches_exactly_the_names(names: list[str]) -> None:
    words = sorted(set(names))
    shaped = re.compile(tree(words))
    for word in words:
        assert shaped.fullmatch(word)
    for other in {w[:-1] for w in words} | {w + "q" for w in words}:
        assert bool(shaped.fullmatch(other)) == (other in words)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(NAME_CHARS, min_size=1, max_size=8), min_size=1, max_size=12))
def test_minimal_keeps_the_names_no_other_is_part_of(names: list[str]) -> None:
    words = set(names)
    expected = {w for w in words if not any(o != w and o in w for o in words)}
    assert set(minimal(words)) == expected
    assert all(any(n in w for n in minimal(words)) for w in words)


# -- fixtures --------------------------------------------------------------------------------

FILES = {
    # CRLF lines, the name at the start and end of a line, and inside longer words.
    "scripts/start.ps1": "Start-Relay\r\nrelay\r\n  run RELAY\r\nrelays subrelay\r\n",
    # Upper case that lower-cases to ASCII: `linker` with a kelvin sign (U+212A, lower case
    # `k`), `taxi` with a dotted capital I (lower case `i` and a combining dot, not a letter).
    "docs/notes.md": f"Über alles\nthe LIN{KELVIN}ER still runs\ncall a TAX{DOTTED_I}\nnothing\n",
    # A form feed and a line separator are line breaks too.
    "config/app.ini": "a=1\x0cRELAY_URL=x\u2028b=relay.service\n",
    # Joined names that are other names, in an otherwise matching file.
    "src/main.py": "import ai-relay\nself.relay = 1\nlib/relay.py\n",
    "src/other.py": "nothing to see\n",
}


def rows(files: dict[str, str], also: list[str]) -> list[tuple[str, int, str]]:
    data = {path: text.encode() for path, text in files.items()}
    found = find_references(data, data.get, "relay", [], set(), also=also)
    return [(r["path"], r["line"], r["text"]) for r in found]


def test_a_fixture_repository_gives_the_plain_expression_s_lines() -> None:
    also = ["linker", "taxi", "über"]
    expected = [
        (path, n, line.strip()[:200])
        for path, text in FILES.items()
        for n, line in slow_lines(["relay", *also], text.encode())
    ]
    assert rows(FILES, also) == [
        ("scripts/start.ps1", 2, "relay"),
        ("scripts/start.ps1", 3, "run RELAY"),
        ("docs/notes.md", 1, "Über alles"),
        ("docs/notes.md", 2, f"the LIN{KELVIN}ER still runs"),
        ("docs/notes.md", 3, f"call a TAX{DOTTED_I}"),
        ("config/app.ini", 2, "RELAY_URL=x"),
    ]
    for few, sparse in itertools.product((literals.FEW, 0), (LINE_BY_LINE, WHOLE)):
        with tuned(few=few, sparse=sparse):
            assert rows(FILES, also) == expected


def test_many_names_find_what_few_find() -> None:
    """Two hundred removed modules: the tree expressions, against the plain expression."""
    removed = [f"web/app{i}/views.py" for i in range(200)]
    text = "\n".join(
        [
            "from web.app17.views import index",  # dotted module path
            "see WEB/APP199/VIEWS.PY",  # path, upper case
            "web/app2000/views.py",  # another app's path: no
            "x/web/app3/views.py",  # a path inside another path: no
            "web/app5/views",  # without the extension
        ]
    )
    files = {"web/urls.py": text, "README.md": "web/app1/views.py\n"}
    data = {path: body.encode() for path, body in files.items()}
    with tuned():  # line by line
        found = find_references(data, data.get, "views", removed, set())
    assert [(r["path"], r["line"]) for r in found] == [
        ("web/urls.py", 1),
        ("web/urls.py", 2),
        ("web/urls.py", 5),
        ("README.md", 1),
    ]
    assert len(minimal([w.lower() for w in removed])) > literals.FEW  # the tree path ran
