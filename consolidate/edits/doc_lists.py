"""Exact edits of one Markdown document that stops naming removed services, for the
statements a removal makes false in a way that can be fixed exactly:

- a row of a table that lists components (a header cell such as Service, Component,
  Container or Name, or a first column of compose service names) whose key cell is a removed
  service goes;
- a bullet item whose subject is a removed service alone (`- conductor: ...`,
  `` - `conductor` — ... ``) goes with its continuation lines, in a list of two items or more;
- an element of a comma list in a sentence (three elements or more) goes with its separator:
  "api, conductor and web" -> "api and web"; of commands of one shape, the word that varies
  names it (`make logs-conductor`);
- a count next to such a list ("The stack runs 6 containers:", "## Services (6)",
  "six services") goes down by one when it equals the list's length before the edit: in the
  line that introduces a table or bullet list or in its heading, in the paragraph before a
  comma list. Everything else is left (listed as a mention). Names are whole tokens, in any
case (`conductor-ui` is another name). Fenced code is never touched. Pure: text in, text
out, every byte not edited kept (line endings, BOM, no final newline)."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from consolidate.edits.doc_counts import decrement_count
from consolidate.edits.markdown import in_code

_HEADING = re.compile(r" {0,3}#{1,6}(?:[ \t]|$)")
_ITEM = re.compile(r"( {0,12})[-*+][ \t]+(.*)")
_DELIMITER = re.compile(r"[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
KEY_HEADERS = {"service", "component", "container", "name", "microservice", "app", "application"}

# One element of a list: a code span, a bold or italic phrase, or one word (not and/or).
_TOK = (
    r"(?:`[^`\n]+`|\*\*[^*\n]+\*\*|\*[^*\s][^*\n]*\*"
    r"|(?!(?:and|or)\b)[A-Za-z0-9](?:[\w.-]*[A-Za-z0-9])?)"
)
_WS = r"(?:[ \t]+|[ \t]*\r?\n[ \t]*)"
_COMMA = rf",{_WS}"
_CONJ = rf",?{_WS}(?:and|or){_WS}"
_PROSE_LIST = re.compile(rf"(?<![\w`*.-]){_TOK}(?:{_COMMA}{_TOK})+(?:{_CONJ}{_TOK})?(?![\w`-])")
_TOKEN = re.compile(_TOK)
_SEP = re.compile(rf"{_CONJ}|{_COMMA}")
_SUBJECT = re.compile(
    rf"({_TOK}(?:(?:{_COMMA}|{_CONJ}){_TOK})*)(?:(?=[ \t]*(?::|$)|[ \t]+[-\u2013\u2014(])|(?<=:\*\*))"
)


@dataclass(frozen=True)
class DocChange:
    line: int  # 1-based, in the text before the edit
    what: str


@dataclass(frozen=True)
class DocEdit:
    after: str
    changes: tuple[DocChange, ...]


@dataclass
class _Doc:
    lines: list[str]  # with their endings, exactly as in the text
    contents: list[str]  # without endings
    code: list[bool]
    out: list[str]  # the lines after the edit ("" for a deleted one)
    changes: list[DocChange]


def edit_doc(text: str, names: Collection[str], *, services: Collection[str] = ()) -> DocEdit:
    """`text` without the rows, items and list elements that name one of `names`.

    `services` are every compose service of the repository (the removed ones too): a table
    whose first column holds them lists components even without a telling header.
    """
    gone = {n.casefold() for n in names if n}
    known = {s.casefold() for s in services} | gone
    lines = re.findall(r"[^\n]*\n|[^\n]+$", text)
    contents = [line.rstrip("\r\n") for line in lines]
    contents[:1] = [line.removeprefix("\ufeff") for line in contents[:1]]
    doc = _Doc(lines, contents, in_code(contents), list(lines), [])
    if gone:
        for start, end in _tables(doc):
            _edit_table(doc, start, end, gone, known)
        for items in _lists(doc):
            _edit_list(doc, items, gone)
        for start, end in _paragraphs(doc):
            _edit_prose(doc, start, end, gone)
    changes = sorted(doc.changes, key=lambda c: c.line)
    return DocEdit("".join(doc.out), tuple(changes))


def name_of(token: str) -> str:
    """A token without its markup: `` `conductor` ``, `**conductor:**` -> conductor."""
    return token.strip().strip("`*_").rstrip(":").strip().casefold()


def _element_name(element: str, elements: list[str]) -> str:
    """What a list element names: the element without markup, or, when it is one of three or
    more commands of the same shape (`make logs-api`, `make logs-web`), the word that varies."""
    name = name_of(element)
    words = name.split()
    if len(words) < 2:
        return name
    alike = [e for e in elements if name_of(e).split()[:-1] == words[:-1]]
    return words[-1] if len(alike) >= 3 else name


# --- tables ----------------------------------------------------------------------------------


def _tables(doc: _Doc) -> list[tuple[int, int]]:
    """(header line, end) of each pipe table: a header, a delimiter row, then its rows."""
    found: list[tuple[int, int]] = []
    i = 0
    while i + 1 < len(doc.lines):
        header, rule = doc.contents[i], doc.contents[i + 1]
        if doc.code[i] or "|" not in header or "|" not in rule or not _DELIMITER.fullmatch(rule):
            i += 1
            continue
        end = i + 2
        while end < len(doc.lines) and "|" in doc.contents[end] and not doc.code[end]:
            end += 1
        found.append((i, end))
        i = end
    return found


def _cells(line: str) -> list[str]:
    cells = _CELL_SPLIT.split(line.strip())
    if cells and not cells[0].strip():
        cells = cells[1:]
    if cells and not cells[-1].strip():
        cells = cells[:-1]
    return [c.strip() for c in cells]


def _key_column(doc: _Doc, start: int, end: int, known: set[str]) -> int | None:
    header = [_first_word(c) for c in _cells(doc.contents[start])]
    for index, cell in enumerate(header):
        if cell in KEY_HEADERS:
            return index
    firsts = [_cell_name(_cells(doc.contents[i])[:1]) for i in range(start + 2, end)]
    listed = sum(name in known for name in firsts)
    return 0 if listed >= max(2, (len(firsts) + 1) // 2) else None


def _first_word(cell: str) -> str:
    """A header cell's first word, singular: `**Services**` -> service."""
    word = re.match(r"[\W_]*([A-Za-z]+)", cell)
    return word[1].casefold().removesuffix("s") if word else ""


def _cell_name(cells: list[str]) -> str:
    """The name a key cell gives: its only token, or its first one before a parenthesis."""
    if not cells:
        return ""
    match = re.fullmatch(rf"({_TOK})(?:[ \t]+\(.*\))?", cells[0])
    return name_of(match[1]) if match else ""


def _edit_table(doc: _Doc, start: int, end: int, gone: set[str], known: set[str]) -> None:
    column = _key_column(doc, start, end, known)
    if column is None:
        return
    rows = list(range(start + 2, end))
    dropped = [i for i in rows if _cell_name(_cells(doc.contents[i])[column:]) in gone]
    if not dropped or len(dropped) == len(rows):
        return
    for i in dropped:
        doc.out[i] = ""
        name = _cell_name(_cells(doc.contents[i])[column:])
        doc.changes.append(DocChange(i + 1, f"table row of `{name}` removed"))
    _recount(doc, start, len(rows))


# --- bullet lists ----------------------------------------------------------------------------


def _lists(doc: _Doc) -> list[list[tuple[int, int]]]:
    """Bullet lists as their items' (first line, last line), items of one indent only."""
    lists: list[list[tuple[int, int]]] = []
    i = 0
    while i < len(doc.lines):
        match = None if doc.code[i] else _ITEM.fullmatch(doc.contents[i])
        if match is None:
            i += 1
            continue
        indent = len(match[1])
        items: list[tuple[int, int]] = []
        while i < len(doc.lines):
            item = None if doc.code[i] else _ITEM.fullmatch(doc.contents[i])
            if item is None or len(item[1]) != indent:
                break
            last = _item_end(doc, i, indent)
            items.append((i, last))
            i = _next_nonblank(doc, last + 1)
        lists.append(items)
        i = max(i, items[-1][1] + 1)
    return lists


def _item_end(doc: _Doc, start: int, indent: int) -> int:
    """The item's last line: lines indented past its marker, and lazy lines right after."""
    last = start
    for i in range(start + 1, len(doc.lines)):
        line = doc.contents[i]
        if not line.strip():
            continue
        deeper = len(line) - len(line.lstrip(" \t")) > indent
        lazy = last == i - 1 and not _ITEM.fullmatch(line) and not _HEADING.match(line)
        if not (deeper or (lazy and "|" not in line)):
            break
        last = i
    return last


def _next_nonblank(doc: _Doc, index: int) -> int:
    while index < len(doc.lines) and not doc.contents[index].strip():
        index += 1
    return index


def _subject(content: str) -> list[str]:
    """The names an item is about: its leading token list before `:`, a dash or `(`."""
    match = _SUBJECT.match(content)
    if match is None:
        return []
    return [name_of(t) for t in _split(match[1])[0]]


def _edit_list(doc: _Doc, items: list[tuple[int, int]], gone: set[str]) -> None:
    if len(items) < 2:
        return
    subjects = [_subject(_item_text(doc, first)) for first, _last in items]
    length = sum(max(1, len(s)) for s in subjects)
    dropped = [n for n, s in enumerate(subjects) if len(s) == 1 and s[0] in gone]
    dropped += [
        n
        for n, (first, _last) in enumerate(items)
        if not subjects[n] and _marked_name(_item_text(doc, first)) in gone
    ]
    dropped.sort()
    if not dropped or len(dropped) == len(items):
        return
    for n in dropped:
        first, last = items[n]
        if n + 1 < len(items):
            span = range(first, items[n + 1][0])
        else:
            span = range(items[n - 1][1] + 1 if n else first, last + 1)
        for i in span:
            doc.out[i] = ""
        name = subjects[n][0] if subjects[n] else _marked_name(_item_text(doc, first))
        doc.changes.append(DocChange(first + 1, f"list item `{name}` removed"))
    if len(dropped) == 1:
        _recount(doc, items[0][0], length)


def _marked_name(content: str) -> str:
    """The name a code span or bold word opening an item gives (`` `conductor` runs ... ``)."""
    match = re.match(r"`[^`\n]+`(?![\w`])|\*\*[^*\n]+\*\*", content)
    return name_of(match[0]) if match else ""


def _item_text(doc: _Doc, index: int) -> str:
    match = _ITEM.fullmatch(doc.contents[index])
    return match[2] if match else ""


# --- prose -----------------------------------------------------------------------------------


def _paragraphs(doc: _Doc) -> list[tuple[int, int]]:
    """Runs of plain text lines (and each bullet line on its own) still as they were."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(doc.lines):
        if not _prose(doc, i):
            i += 1
            continue
        end = i + 1
        while end < len(doc.lines) and _prose(doc, end) and not _ITEM.fullmatch(doc.contents[end]):
            end += 1
        spans.append((i, end))
        i = end
    return spans


def _prose(doc: _Doc, i: int) -> bool:
    line = doc.contents[i]
    plain = line.strip() and not _HEADING.match(line) and "|" not in line
    return bool(plain) and not doc.code[i] and doc.out[i] == doc.lines[i]


def _edit_prose(doc: _Doc, start: int, end: int, gone: set[str]) -> None:
    text = "".join(doc.lines[start:end])
    pieces: list[str] = []
    at = 0
    for match in _PROSE_LIST.finditer(text):
        elements, separators = _split(match[0])
        hits = [n for n, e in enumerate(elements) if _element_name(e, elements) in gone]
        if len(elements) < 3 or len(hits) != 1:
            continue
        before = text[at : match.start()]
        counted = decrement_count(before, len(elements)) if not pieces else None
        pieces += [counted or before, _drop(elements, separators, hits[0])]
        at = match.end()
        n = hits[0]
        offset = match.start() + sum(map(len, elements[:n])) + sum(map(len, separators[:n]))
        line = start + text.count("\n", 0, offset) + 1
        removed = _element_name(elements[n], elements)
        doc.changes.append(DocChange(line, f"`{removed}` removed from a list"))
        if counted:
            where = start + _first_difference(before, counted)
            doc.changes.append(
                DocChange(where + 1, f"count {len(elements)} -> {len(elements) - 1}")
            )
    if not pieces:
        return
    doc.out[start] = "".join([*pieces, text[at:]])
    for i in range(start + 1, end):
        doc.out[i] = ""


def _first_difference(old: str, new: str) -> int:
    """How many line breaks precede the first character where `old` and `new` differ."""
    at = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), len(old))
    return old.count("\n", 0, at)


def _split(span: str) -> tuple[list[str], list[str]]:
    elements: list[str] = []
    separators: list[str] = []
    at = 0
    while True:
        token = _TOKEN.match(span, at)
        assert token is not None
        elements.append(token[0])
        at = token.end()
        sep = _SEP.match(span, at)
        if sep is None:
            return elements, separators
        separators.append(sep[0])
        at = sep.end()


def _drop(elements: list[str], separators: list[str], n: int) -> str:
    """The list without element `n` and one separator next to it: the one before it, but
    the one after it when only that keeps a line break; a final conjunction moves to the new
    last element, and an Oxford comma goes when two elements are left."""
    if n == len(separators):
        conj = _is_conj(separators[-1])
        seps = separators[:-2] + separators[-1:] if conj else separators[:-1]
    elif n and "\n" in separators[n - 1] and not ("\n" in separators[n] or _is_conj(separators[n])):
        seps = separators[:n] + separators[n + 1 :]
    else:
        seps = separators[: n - 1] + separators[n:] if n else separators[1:]
    kept = elements[:n] + elements[n + 1 :]
    if len(kept) == 2 and seps[0].startswith(",") and _is_conj(seps[0]):
        seps = [seps[0][1:]]
    return "".join(e + s for e, s in zip(kept, [*seps, ""], strict=True))


def _is_conj(separator: str) -> bool:
    return bool(re.search(r"\b(?:and|or)\b", separator))


# --- counts ----------------------------------------------------------------------------------


def _recount(doc: _Doc, first: int, length: int) -> None:
    """Decrement the count in the line introducing the list at `first` (the last line of the
    paragraph right above it), or in the heading right above that paragraph or the list."""
    intro = _above(doc, first)
    candidates = [intro]
    if intro is not None and not _HEADING.match(doc.contents[intro]):
        start = intro
        while start > 0 and doc.contents[start - 1].strip():
            start -= 1
        candidates.append(_above(doc, start))
    for i in candidates:
        if i is None or doc.code[i] or doc.out[i] != doc.lines[i]:
            continue
        if i != intro and not _HEADING.match(doc.contents[i]):
            continue
        new = decrement_count(doc.lines[i], length, parenthesis=True)
        if new is not None:
            doc.out[i] = new
            doc.changes.append(DocChange(i + 1, f"count {length} -> {length - 1}"))
            return


def _above(doc: _Doc, index: int) -> int | None:
    """The nearest line above `index` that is not blank."""
    i = index - 1
    while i >= 0 and not doc.contents[i].strip():
        i -= 1
    return i if i >= 0 else None
