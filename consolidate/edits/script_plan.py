"""A script's lines and the edits claimed on them, and the list grammar the shapes cut from.

`Plan` owns the lines (0-based) and the edits: the first claim on a line wins, nothing is cut
twice, and a list keeps being a list when an item goes (its separator, a dangling `,` or `\\`
go with it). The shapes that make the claims live in `script_shapes` and `script_build`;
`scripts` decodes a file, runs them and splices the result.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Grammar:
    """What the items of a list look like and what separates them."""

    pattern: re.Pattern[str]  # groups: 1 whitespace, 2 separator, 3 item
    sep: str


def grammar(item: str, sep: str = "") -> Grammar:
    return Grammar(re.compile(rf"(\s+)|({re.escape(sep) if sep else '(?!)'})|({item})"), sep)


COMMAS = grammar(r"\"(?:[^\"\\`]|[\\`].)*\"|'(?:[^']|'')*'|[\w.:/@+$-]+", ",")
WORDS = grammar(r"(?:\"[^\"]*\"|'[^']*'|[^\s\"'();|&<>`\\])+")  # a shell array
ALTERNATIVES = grammar(r"\"[^\"]*\"|'[^']*'|[^\s|()\"';&]+", "|")  # a case pattern
MAKE_WORDS = grammar(r"\S+")


@dataclass(frozen=True)
class Token:
    start: int
    stop: int
    sep: bool


@dataclass(frozen=True)
class Span:
    """Where the items of a list sit on one line."""

    line: int
    start: int
    stop: int
    whole: bool = False  # nothing else is on the line: when its items all go, the line goes


def tokens(text: str, start: int, stop: int, grammar: Grammar) -> list[Token] | None:
    """The items and separators in text[start:stop], or None when it is not a plain list."""
    found: list[Token] = []
    pos = start
    while pos < stop:
        m = grammar.pattern.match(text, pos, stop)
        if m is None:
            return None
        if m.lastindex != 1:
            token = Token(m.start(), m.end(), m.lastindex == 2)
            if found and found[-1].sep == token.sep and (token.sep or grammar.sep):
                return None
            found.append(token)
        pos = m.end()
    return found


def label(names: Iterable[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)


QUOTED = re.compile(r"\"(?:[^\"\\`]|[\\`].)*\"|'[^']*'")
COMMENT = re.compile(r"(?:^|(?<=\s))#")
BRACKETS = re.compile(r"[()\[\]{}]")
CLOSER = re.compile(r"^\s*(?:\}|fi\b|done\b|esac\b)")


@dataclass(frozen=True)
class Shrunk:
    """A list that lost items: where it sits (0-based lines, inclusive) and how many items it
    had, so a count of them in its heading can follow."""

    first: int
    last: int
    before: int
    lost: int


@dataclass(frozen=True)
class Edit:
    start: int  # 0-based first line
    stop: int  # exclusive
    text: str | None  # the new text of line `start` (then stop == start + 1), or None: lines go
    reason: str


class Plan:
    """One script's lines and the edits claimed on them (0-based): the first claim on a line wins,
    so an explicit block beats a recognised shape, and no line is changed twice."""

    def __init__(self, lines: list[str], names: Collection[str], kind: str | None) -> None:
        self.lines = lines
        self.names = frozenset(names)
        self.kind = kind
        self.edits: list[Edit] = []
        self.taken: set[int] = set()
        self.opaque: set[int] = set()  # here-documents, block comments: text, never cut
        self.removed: set[str] = set()  # targets and scripts that went: a caller is a mention
        self.others: frozenset[str] = frozenset()  # kept services: a line naming one is shared
        self.keep: frozenset[str] = frozenset()  # variables a kept file still reads
        self.shrunk: list[Shrunk] = []  # lists that lost items, for the counts above them

    def free(self, lines: Iterable[int]) -> bool:
        return not any(line in self.taken or line in self.opaque for line in lines)

    def claim(self, edit: Edit) -> Edit | None:
        if not self.free(range(edit.start, edit.stop)):
            return None
        self.edits.append(edit)
        self.taken.update(range(edit.start, edit.stop))
        return edit

    def drop(self, start: int, stop: int, reason: str) -> Edit | None:
        return self.claim(Edit(start, stop, None, reason))

    def drop_whole(self, start: int, stop: int, reason: str) -> Edit | None:
        """Drop a block that holds text lines (a here-string in a function): nothing is cut
        inside them, they go whole with it. The block must not end inside one."""
        if any(line in self.taken for line in range(start, stop)) or stop in self.opaque:
            return None
        self.edits.append(Edit(start, stop, None, reason))
        self.taken.update(range(start, stop))
        return self.edits[-1]

    def rewrite(self, line: int, text: str, reason: str) -> Edit | None:
        return self.claim(Edit(line, line + 1, text, reason)) if text != self.lines[line] else None

    def current(self, line: int) -> str | None:
        """The line's text as the edits so far leave it; None when it goes."""
        edit = next((e for e in self.edits if e.start <= line < e.stop), None)
        return self.lines[line] if edit is None else edit.text

    def amend(self, line: int, text: str, reason: str) -> None:
        """Rewrite a line again (a count in a list's own line): one edit, both reasons."""
        edit = next((e for e in self.edits if e.start == line and e.text is not None), None)
        if edit is None:
            self.rewrite(line, text, reason)
        else:
            self.edits[self.edits.index(edit)] = Edit(
                line, line + 1, text, also(edit.reason, reason)
            )

    def named(self, item: str) -> str | None:
        """The name a list item is, bare or quoted."""
        quoted = len(item) > 1 and item[0] == item[-1] and item[0] in "\"'"
        bare = item[1:-1] if quoted else item
        return bare if bare in self.names else None

    def gone(self, item: str) -> str | None:
        return item if item in self.removed else None

    def about(self, word: str, body: str = "") -> bool:
        """Whether a target or script key is about the component: it has the name as a word
        (`logs-orchestrator`, `logs:orchestrator`), and not only inside another compound name
        that its body names (`logs-ai-orchestrator` running `logs ai-orchestrator`)."""
        for name in self.names:
            for m in re.finditer(rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])", word):
                others = [c for c in compounds(word, m.start(), m.end()) if mentions(body, c)]
                if not others:
                    return True
        return False

    def code(self, line: int) -> str:
        """The line with quoted text blanked and its comment cut, columns unchanged: brackets and
        keywords are searched here, so a `#` or `)` inside a string is not one."""
        return self.mask(self.lines[line])

    def mask(self, text: str) -> str:
        masked = QUOTED.sub(lambda m: m[0][0] + "_" * (len(m[0]) - 2) + m[0][-1], text)
        comment = None if self.kind in ("npm", "env") else COMMENT.search(masked)
        return masked[: comment.start()] if comment else masked

    def balanced_end(self, line: int) -> int | None:
        """The line after the one where the brackets opened on `line` close; None when they never
        close, or `line` closes an outer bracket (it shares its line with other code)."""
        depth = 0
        for end in range(line, len(self.lines)):
            for char in BRACKETS.findall(self.code(end)):
                depth += 1 if char in "([{" else -1
                if depth < 0:
                    return None
            if depth == 0:
                return end + 1
        return None

    def tidy(self, edits: Iterable[Edit | None]) -> None:
        """A removed block with a blank line (or the file's start) above it and a blank line
        below takes the one below along, so no double gap is left; at the end of the file, or
        of the block around it (a closing `}`, `fi`, `done`, `esac`), it takes the blank line
        above."""
        for edit in sorted((e for e in edits if e), key=lambda e: e.start):
            above = max((i for i in range(edit.start) if i not in self.taken), default=-1)
            if above >= 0 and self.lines[above].strip():
                continue
            below = edit.stop
            after = next((i for i in range(below, len(self.lines)) if i not in self.taken), None)
            if below < len(self.lines) and not self.lines[below].strip() and self.free([below]):
                self._widen(edit, Edit(edit.start, below + 1, None, edit.reason))
            elif (after is None or CLOSER.match(self.lines[after])) and (
                above == edit.start - 1 >= 0 and self.free([above])
            ):
                self._widen(edit, Edit(above, edit.stop, None, edit.reason))

    def _widen(self, edit: Edit, wider: Edit) -> None:
        self.edits[self.edits.index(edit)] = wider
        self.taken.update(range(wider.start, wider.stop))

    def cut_list(
        self, spans: list[Span], grammar: Grammar, match: Match, what: str, joiner: str = ""
    ) -> str:
        """Cut the items `match` names out of a list on one or more lines, keeping it a list: an
        item goes with its separator, a line left with no item goes whole, and a `,` (joiner ",")
        or line continuation (joiner "\\\\") left dangling at the new end goes. A list whose
        items are all named is left alone: an empty list may break the script. Returns "none",
        "all" or "cut"."""
        lists = list_tokens(self.lines, spans, grammar)
        if lists is None or not self.free(s.line for s in spans):
            return "none"
        pairs = list(zip(spans, lists, strict=True))
        items = [self.lines[s.line][t.start : t.stop] for s, ts in pairs for t in ts if not t.sep]
        hits = sum(1 for item in items if match(item))
        if hits in (0, len(items)):
            return "all" if hits else "none"
        self.shrunk.append(Shrunk(spans[0].line, spans[-1].line, len(items), hits))
        new: dict[int, str | None] = {}
        reasons: dict[int, str] = {}
        emptied: set[int] = set()
        for span in spans:
            cut_text, cut, empty = cut_span(self.lines[span.line], span, grammar, match)
            if cut:
                new[span.line] = None if empty and span.whole else cut_text
                reasons[span.line] = what.format(label(cut))
                emptied.update([span.line] if empty else [])
        bearing = [(s, ts) for s, ts in pairs if any(not t.sep for t in ts)]
        if joiner == "," and bearing[-1][0].line in emptied and not bearing[-1][1][-1].sep:
            survivor = [s for s, _ in bearing if s.line not in emptied][-1]
            self._uncomma(survivor, grammar, new, reasons)
        if joiner == "\\" and spans[-1].line in new and new[spans[-1].line] is None:
            last = max(s.line for s in spans if new.get(s.line, "") is not None)
            new[last] = re.sub(r"\s*\\$", "", self._current(new, last))
            reasons[last] = also(
                reasons.get(last), "the '\\' left dangling by the removed last line"
            )
        for line, text in sorted(new.items()):
            if text is None:
                self.drop(line, line + 1, reasons[line])
            else:
                self.rewrite(line, text, reasons[line])
        return "cut"

    def _current(self, new: dict[int, str | None], line: int) -> str:
        text = new.get(line)
        return self.lines[line] if text is None else text

    def _uncomma(
        self, span: Span, grammar: Grammar, new: dict[int, str | None], reasons: dict[int, str]
    ) -> None:
        """The new last item of a list that had no trailing comma loses its comma."""
        text = self._current(new, span.line)
        stop = span.stop - (len(self.lines[span.line]) - len(text))
        found = tokens(text, span.start, stop, grammar)
        if found and found[-1].sep:
            new[span.line] = text[: found[-1].start] + text[found[-1].stop :]
            reasons[span.line] = also(
                reasons.get(span.line), "the ',' left dangling at the new end"
            )


Match = Callable[[str], str | None]


def list_tokens(lines: list[str], spans: list[Span], grammar: Grammar) -> list[list[Token]] | None:
    """The tokens of every span, or None when one of them is not a plain list."""
    out = []
    for span in spans:
        found = tokens(lines[span.line], span.start, span.stop, grammar)
        if found is None:
            return None
        out.append(found)
    return out


def cut_span(text: str, span: Span, grammar: Grammar, match: Match) -> tuple[str, list[str], bool]:
    """Cut the named items out of one line's span, each with the separator after it (before it,
    for the last item). Returns the new text, the names cut, and whether no item is left."""
    cut: list[str] = []
    stop = span.stop
    while True:
        found = tokens(text, span.start, stop, grammar) or []
        items = [t for t in found if not t.sep]
        hit = next((k for k, t in enumerate(items) if match(text[t.start : t.stop])), None)
        if hit is None:
            return text, cut, False
        cut.append(match(text[items[hit].start : items[hit].stop]) or "")
        if hit + 1 < len(items):
            a, b = items[hit].start, items[hit + 1].start
        elif hit:
            a, b = items[hit - 1].stop, items[hit].stop
        else:
            a, b = found[0].start, stop
            if a and text[a - 1].isspace() and text[b : b + 1].isspace():
                b = len(text) - len(text[b:].lstrip())
            return text[:a] + text[b:], cut, True
        text, stop = text[:a] + text[b:], stop - (b - a)


def compounds(word: str, start: int, stop: int) -> list[str]:
    """The longer `-`/`_` compounds of word[start:stop] inside word, but word itself:
    `ai-orchestrator` in `logs-ai-orchestrator`."""
    parts = [(m.start(), m.end()) for m in re.finditer(r"[^-_]+", word)]
    starts = [i for i, (a, _) in enumerate(parts) if a <= start]
    stops = [j for j, (_, b) in enumerate(parts) if b >= stop]
    if not starts or not stops or parts[starts[-1]][0] != start or parts[stops[0]][1] != stop:
        return []
    runs = [
        (i, j)
        for i in starts
        for j in stops
        if (i, j) not in ((starts[-1], stops[0]), (0, len(parts) - 1))
    ]
    return [word[parts[i][0] : parts[j][1]] for i, j in runs]


def mentions(text: str, word: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


def also(reason: str | None, more: str) -> str:
    return f"{reason}; {more}" if reason else more


def runs(lines: Iterable[int]) -> list[list[int]]:
    """Consecutive numbers grouped: [1, 2, 5] -> [[1, 2], [5]]."""
    out: list[list[int]] = []
    for line in lines:
        if out and out[-1][-1] == line - 1:
            out[-1].append(line)
        else:
            out.append([line])
    return out
