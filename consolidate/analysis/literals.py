"""Names found as literals before any regular expression runs (for `references`).

`Needles` finds which of many names a text holds: each name with one `in` on the lower-cased
bytes when there are few, or one expression shaped as the tree of their common prefixes when
there are many. `line_bounds` gives the line around a hit, for any line break Python's
`splitlines` knows, so the names' expression runs only on the lines that hold one.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

# Up to this many needles, each is searched for with one `in`/`find`; more are searched for
# with one expression shaped as a tree of their common prefixes, which costs about as much
# as a few dozen `in`s over the same bytes (measured: less for names sharing a prefix).
FEW = 64
# The only characters whose lower case holds an ASCII character (`İ` -> `i̇`, KELVIN SIGN ->
# `k`), UTF-8 encoded: without them (and with ASCII names), lower-casing the bytes finds a
# name exactly where lower-casing the decoded text does.
ASCII_FROM_LOWER = (b"\xc4\xb0", b"\xe2\x84\xaa")


@dataclass(frozen=True)
class Needles:
    """The literal first filter before the expression: does a file, or a line, hold a name?

    The needles are the names no other one is part of (`minimal`): when they are few, each
    is found with `in`; when many, one expression of them as a tree of their common
    prefixes (`tree`) finds them in one pass whatever their number."""

    few: tuple[str, ...]
    few_bytes: tuple[bytes, ...]
    many: re.Pattern[str] | None
    many_bytes: re.Pattern[bytes] | None
    ascii: bool
    spanning: bool  # a name with a line break: search the whole text, as without needles

    @classmethod
    def of(cls, words: Collection[str]) -> Needles:
        ascii = all(w.isascii() for w in words)
        spanning = any(len(w.splitlines()) > 1 or w.endswith(LINE_ENDS) for w in words)
        needles = minimal(words)
        if len(needles) <= FEW:
            few = tuple(needles)
            return cls(few, tuple(n.encode() for n in few), None, None, ascii, spanning)
        source = tree(needles)
        # As bytes, the same expression finds the names' UTF-8 (an ASCII file holds none
        # that is not ASCII).
        return cls((), (), re.compile(source), re.compile(source.encode()), ascii, spanning)

    def may_hold(self, data: bytes) -> bool:
        """Whether `data`, decoded and lower-cased, holds a name: on the lower-cased bytes
        when that is exact (`ASCII_FROM_LOWER`), else on the lower-cased text."""
        if data.isascii() or (self.ascii and not any(c in data for c in ASCII_FROM_LOWER)):
            lowered = data.lower()
            if self.many_bytes is not None:
                return self.many_bytes.search(lowered) is not None
            return any(n in lowered for n in self.few_bytes)
        text = data.decode("utf-8", errors="replace").lower()
        if self.many is not None:
            return self.many.search(text) is not None
        return any(n in text for n in self.few)

    def accepted(self, pattern: re.Pattern[str], lowered: str) -> list[int] | None:
        """The first accepted match (see `accepted`) of each line of `lowered` that holds a
        needle, in order: each such line is searched once, and no other line is. None when
        more lines hold one than `SPARSE` allows: one search of the whole text costs less."""
        limit = len(lowered) // SPARSE
        bounds = line_bounds(lowered)
        done: dict[int, int | None] = {}  # line start -> its first accepted match

        def verify(at: int) -> int:
            start, end = bounds(at)
            if start not in done:
                found = accepted(pattern, lowered, start, end, first=True)
                done[start] = found[0] if found else None
            return end  # the next hit worth a look is on a later line

        for needle in self.few:
            at = lowered.find(needle)
            while at >= 0:
                if len(done) >= limit:
                    return None
                at = lowered.find(needle, verify(at))
        if self.many is not None:
            hit = self.many.search(lowered)
            while hit is not None:
                if len(done) >= limit:
                    return None
                hit = self.many.search(lowered, verify(hit.start()))
        return sorted(at for at in done.values() if at is not None)


# Characters of text per line searched on its own: searching a line costs about as much as
# searching this many characters in one search of the whole text.
SPARSE = 1000


# Line breaks other than `\n` (str.splitlines' set): a text without them has lines that
# `find`/`rfind` of `\n` delimit; one with them is split once.
ODD_BREAKS = re.compile("[\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def line_bounds(lowered: str) -> Callable[[int], tuple[int, int]]:
    """(start, end) of the line (with its line break) that holds a position of `lowered`."""
    if ODD_BREAKS.search(lowered) is None:

        def plain(at: int) -> tuple[int, int]:
            end = lowered.find("\n", at)
            return lowered.rfind("\n", 0, at) + 1, len(lowered) if end < 0 else end + 1

        return plain
    ends = list(itertools.accumulate(len(line) for line in lowered.splitlines(keepends=True)))

    def split(at: int) -> tuple[int, int]:
        line = bisect.bisect_right(ends, at)
        return (ends[line - 1] if line else 0), ends[line]

    return split


LINE_ENDS = ("\n", "\r", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")
MAX_TREE_DEPTH = 100  # nested groups; deeper, the names stay one flat alternation


def name_pattern(words: Collection[str]) -> re.Pattern[str]:
    """The names, as a tree of their common prefixes (`tree`), then the word rule's
    look-ahead (`AFTER`). At each position the engine follows one branch per character
    instead of trying every name, and it finds a match where the plain alternation of the
    names does: with the look-ahead it backtracks through every name that starts there.
    What precedes a match is checked after (`joined_before`)."""
    return re.compile("(?:" + tree(words) + AFTER)


def tree(words: Collection[str]) -> str:
    """An expression matching exactly `words`, as nested groups of their common prefixes
    (`ab|ac` -> `a(?:b|c)`); their plain alternation when the nesting would be deeper than
    `MAX_TREE_DEPTH`."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    shaped = branch(root, 0)
    return "|".join(re.escape(w) for w in words) if shaped is None else shaped


def branch(node: dict[str, Any], depth: int) -> str | None:
    """One node of `tree`: its children in one group, or None past `MAX_TREE_DEPTH`."""
    if depth > MAX_TREE_DEPTH:
        return None
    parts: list[str] = []
    ends = "" in node
    for char, child in node.items():
        if char == "":
            continue
        run = [char]
        while len(child) == 1 and "" not in child:  # a chain of one child: no group
            ((char, child),) = child.items()
            run.append(char)
        rest = branch(child, depth + 1) if child.keys() - {""} else ""
        if rest is None:
            return None
        parts.append(re.escape("".join(run)) + rest)
    if not parts:
        return ""
    group = "|".join(sorted(parts))
    if ends:
        return f"(?:{group})?"
    return group if len(parts) == 1 else f"(?:{group})"


# The word rule. A name joined to another word by `-` or `.` is another name (`ai-conductor`,
# `conductor.service`, `self.conductor`); joined by `_` it is this component's identifier
# (`CONDUCTOR_ENABLED`, `ENABLE_CONDUCTOR`, `shop_conductor`); next to a letter or digit it
# is part of a longer word (`conductors`, `subconductor`). After a `/` it is a folder or
# file of another path (`lib/conductor.py`): removed paths are names of their own.
def matching_lines(
    pattern: re.Pattern[str], text: str, needles: Needles | None = None
) -> list[tuple[int, str]]:
    """(1-based number, line) of each line where `pattern` matches the lower-cased text and
    the match is not joined to the word before it. A rejected match moves the search by one
    character only, so a name starting inside it (`x/shop_conductor`: `conductor`) is still
    tried. With `needles` (the literal parts of `pattern`'s names), only lines that hold one
    are searched: no name spans lines, so a line without a needle holds no match."""
    lowered = text.lower()
    matches = None if needles is None or needles.spanning else needles.accepted(pattern, lowered)
    if matches is None:
        matches = accepted(pattern, lowered, 0, len(lowered), first=False)
    if not matches:
        return []
    lines = lowered.splitlines(keepends=True)  # lower() changes no line break: same lines
    ends = list(itertools.accumulate(len(line) for line in lines))
    numbers = dict.fromkeys(bisect.bisect_right(ends, start) for start in matches)
    original = text.splitlines()
    return [(n + 1, original[n]) for n in numbers if n < len(original)]


AFTER = r")(?![^\W_])(?![-.]\w)"
WORD = re.compile(r"\w")


def joined_before(lowered: str, at: int) -> bool:
    """The match at `at` continues the word or path before it (see the word rule)."""
    if not at:
        return False
    before = lowered[at - 1]
    if before == "/" or before.isalnum():
        return True
    return before in "-." and at > 1 and bool(WORD.match(lowered, at - 2))


def accepted(
    pattern: re.Pattern[str], lowered: str, start: int, end: int, *, first: bool
) -> list[int]:
    """Where the matches of `pattern` in `lowered[start:end]` not joined to the word before
    them start (the first one only with `first`); after one, the search goes on from its end."""
    search = pattern.search
    matches: list[int] = []
    at = start
    while (m := search(lowered, at, end)) is not None:
        if joined_before(lowered, m.start()):
            at = m.start() + 1
            continue
        matches.append(m.start())
        if first:
            break
        at = m.end()
    return matches


def minimal(words: Collection[str]) -> list[str]:
    """The words no other one is part of, shortest first: a file that holds
    `backend/pkg3/__init__.py` holds `pkg3` too, so the first filter needs to look for `pkg3`
    only. One search of each word for the others (`tree`), not one test per pair."""
    every = re.compile(tree(words))
    inner = [w for w in words if every.search(w, 1) or every.match(w, 0, len(w) - 1)]
    return sorted(set(words).difference(inner), key=lambda w: (len(w), w))
