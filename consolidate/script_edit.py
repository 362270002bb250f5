"""Management scripts stop naming a removed component, and nothing else about them changes.

The file is decoded and split into lines that keep their own endings; the planner for its kind
(`script_kinds`) recognises where the name sits and claims lines in a `Plan`: a line goes, or
one line is rewritten with a list element cut out. Nothing is re-emitted, so every other byte
stays (CRLF or LF, a BOM, indentation, quoting, trailing whitespace, a missing final newline).
Each change carries its reason, and every line that still names the component is reported in
`left`: a script is code, and what is not certainly an entry for the component is for a person
to decide.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

from consolidate.script_kinds import (
    Grammar,
    Span,
    Token,
    kind_of,
    label,
    opaque_lines,
    planners,
    tokens,
)

BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
QUOTED = re.compile(r"\"(?:[^\"\\`]|[\\`].)*\"|'[^']*'")
COMMENT = re.compile(r"(?:^|(?<=\s))#")
BRACKETS = re.compile(r"[()\[\]{}]")


@dataclass(frozen=True)
class ScriptChange:
    line: int  # 1-based line in the original
    before: str  # the original line(s) without line ending, joined with "\n" for a block
    after: str | None  # the new line, or None when the line(s) went
    reason: str  # "element 'orchestrator' of an inline list", "case branch 'orchestrator'"


@dataclass(frozen=True)
class ScriptEdit:
    path: str
    before: bytes
    after: bytes
    changes: tuple[ScriptChange, ...]
    left: tuple[tuple[int, str], ...]  # (1-based line, text) that still names it: a person decides


def edit_script(
    path: str, data: bytes, names: Collection[str], blocks: Sequence[tuple[str, str]] = ()
) -> ScriptEdit:
    """Cut `names` (as whole words) out of one script, and the lines of every `blocks` (start,
    end) regex pair. Raises ValueError when a block never ends or a package.json would no longer
    parse: the caller refuses rather than write a broken script."""
    bom, encoding = next(((b, e) for b, e in BOMS if data.startswith(b)), (b"", "utf-8"))
    errors = "surrogateescape" if encoding == "utf-8" else "strict"
    try:
        text = data[len(bom) :].decode(encoding, errors)
    except UnicodeDecodeError as exc:
        raise ValueError(f"cannot read the file as {encoding}: {exc.reason}") from None
    lines, endings = split_lines(text)
    plan = Plan(lines, {n for n in names if n}, kind_of(path, lines[0] if lines else ""))
    cut_blocks(plan, blocks)
    plan.opaque = opaque_lines(lines, plan.kind)
    if plan.kind and plan.names:
        planners()[plan.kind](plan)
    after = bom + splice(lines, endings, plan.edits).encode(encoding, errors)
    if plan.kind == "npm":
        check_json(data[len(bom) :], after[len(bom) :])
    changes = sorted((change_of(lines, e) for e in plan.edits), key=lambda c: c.line)
    return ScriptEdit(path, data, after, tuple(changes), leftovers(plan))


def split_lines(text: str) -> tuple[list[str], list[str]]:
    """Lines without their endings, and the endings ("\\r\\n", "\\n", or "" for a last line
    without one). Only LF ends a line: str.splitlines would also split on form feeds."""
    pieces = re.findall(r"[^\n]*\n|[^\n]+$", text)
    endings = ["\r\n" if p.endswith("\r\n") else "\n" if p.endswith("\n") else "" for p in pieces]
    return [p[: len(p) - len(e)] for p, e in zip(pieces, endings, strict=True)], endings


def splice(lines: list[str], endings: list[str], edits: list[Edit]) -> str:
    """The text with the edits made. A file without a final newline still has none when its
    last line went."""
    gone = {line for e in edits if e.text is None for line in range(e.start, e.stop)}
    new = {e.start: e.text for e in edits if e.text is not None}
    kept = [
        (new.get(i, t), e)
        for i, (t, e) in enumerate(zip(lines, endings, strict=True))
        if i not in gone
    ]
    if kept and not endings[-1]:
        kept[-1] = (kept[-1][0], "")
    return "".join(text + ending for text, ending in kept)


def change_of(lines: list[str], edit: Edit) -> ScriptChange:
    before = shown("\n".join(lines[edit.start : edit.stop]))
    return ScriptChange(edit.start + 1, before, edit.text and shown(edit.text), edit.reason)


def shown(text: str) -> str:
    """Text a report can write: a byte that is not UTF-8 (kept as is in the file) shows as \\xNN."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def cut_blocks(plan: Plan, blocks: Sequence[tuple[str, str]]) -> None:
    """Every block from a line matching start through the next later line matching end goes,
    whatever the kind of file. A line an earlier block took is not taken twice."""
    for start, end in blocks:
        try:
            first, last = re.compile(start), re.compile(end)
        except re.error as exc:
            raise ValueError(f"bad block regex /{start}/ or /{end}/: {exc}") from None
        line = 0
        while line < len(plan.lines):
            if not first.search(plan.lines[line]):
                line += 1
                continue
            later = range(line + 1, len(plan.lines))
            stop = next((j for j in later if last.search(plan.lines[j])), None)
            if stop is None:
                raise ValueError(
                    f"the block starting at line {line + 1} (/{start}/) never ends: "
                    f"no later line matches /{end}/"
                )
            for run in runs(j for j in range(line, stop + 1) if j not in plan.taken):
                plan.drop(run[0], run[-1] + 1, f"block between /{start}/ and /{end}/")
            line = stop + 1


def runs(lines: Iterable[int]) -> list[list[int]]:
    """Consecutive numbers grouped: [1, 2, 5] -> [[1, 2], [5]]."""
    out: list[list[int]] = []
    for line in lines:
        if out and out[-1][-1] == line - 1:
            out[-1].append(line)
        else:
            out.append([line])
    return out


def leftovers(plan: Plan) -> tuple[tuple[int, str], ...]:
    """Lines that still name the component (in any case) or a target or script that went: the
    lines not changed, and changed ones whose new text still does."""
    words = sorted(plan.names | plan.removed, key=len, reverse=True)
    if not words:
        return ()
    mention = re.compile(rf"(?<![\w-])(?:{'|'.join(map(re.escape, words))})(?![\w-])", re.I)
    gone = {line for e in plan.edits if e.text is None for line in range(e.start, e.stop)}
    new = {e.start: e.text for e in plan.edits if e.text is not None}
    texts = [(line + 1, new.get(line, text)) for line, text in enumerate(plan.lines)]
    return tuple((n, shown(t)) for n, t in texts if n - 1 not in gone and mention.search(t))


def check_json(before: bytes, after: bytes) -> None:
    """A package.json that parsed before must parse after: npm refuses a broken one."""
    try:
        json.loads(before)
    except ValueError:
        return
    try:
        json.loads(after)
    except ValueError as exc:
        raise ValueError(f"the edited file would not be valid JSON ({exc})") from None


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

    def rewrite(self, line: int, text: str, reason: str) -> Edit | None:
        return self.claim(Edit(line, line + 1, text, reason)) if text != self.lines[line] else None

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
        masked = QUOTED.sub(lambda m: m[0][0] + "_" * (len(m[0]) - 2) + m[0][-1], self.lines[line])
        comment = None if self.kind == "npm" else COMMENT.search(masked)
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
        below takes the one below along, so no double gap is left; at the end of the file it
        takes the blank line above."""
        for edit in sorted((e for e in edits if e), key=lambda e: e.start):
            above = max((i for i in range(edit.start) if i not in self.taken), default=-1)
            if above >= 0 and self.lines[above].strip():
                continue
            below = edit.stop
            if below < len(self.lines) and not self.lines[below].strip() and self.free([below]):
                self._widen(edit, Edit(edit.start, below + 1, None, edit.reason))
            elif below == len(self.lines) and above == edit.start - 1 >= 0:
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
