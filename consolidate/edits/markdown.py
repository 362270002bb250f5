"""Byte-exact edits of Markdown docs: a changelog entry and an architecture note.

Pure functions, text in and text out. Each edit inserts one contiguous block of lines and
leaves every other byte alone: the byte order mark, each line's own ending, trailing
whitespace and a missing final newline all survive. Lines are split at "\\n" only, so a CRLF
line keeps its "\\r"; new lines use the file's dominant ending (`detect_newline`). If the
file had no final newline, the result has none either.

The reader knows just enough Markdown to avoid false matches: ATX and setext headings,
fenced code blocks (a fence that is never closed is ignored), thematic breaks, and top-level
bullets (`-`, `*` or `+` at column 0). Both edits are idempotent: when the exact bullet is
already in the target section, the text comes back unchanged, so a resumed run adds nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BOM = "\ufeff"
KEEP_A_CHANGELOG_ORDER = ("added", "changed", "deprecated", "removed", "fixed", "security")
SKELETON = (
    "# Changelog\n\nAll notable changes to this project will be documented in this file.\n\n"
    "The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/).\n\n"
    "## [Unreleased]\n\n### Removed\n\n"
)

_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*")
_UNDERLINE = re.compile(r" {0,3}(=+|-+)[ \t]*")
_BREAK = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*")
_BULLET = re.compile(r"([-*+][ \t]+)(.*)")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_LINK_DEFINITION = re.compile(r" {0,3}\[[^\]]+\]:")
_VERSION = re.compile(r"\[?(?:(?:version|release|v)[ \t]*)?\d|\[?unreleased\b", re.IGNORECASE)
_UNRELEASED = re.compile(r"\[?unreleased\b", re.IGNORECASE)


@dataclass(frozen=True)
class _Heading:
    index: int  # first line (for a setext heading, the first line of its text)
    level: int
    text: str
    body: int  # first line after the heading
    setext: bool


@dataclass(frozen=True)
class _Doc:
    bom: str
    nl: str
    final_newline: bool
    lines: list[str]  # with their endings; a last line without one is given `nl`
    contents: list[str]  # without endings
    kinds: list[str]  # blank, text, bullet, break, heading, fence, code
    headings: list[_Heading]


def detect_newline(text: str) -> str:
    """The file's line ending: CRLF when most lines end with it, else LF (also when none)."""
    crlf = text.count("\r\n")
    return "\r\n" if crlf > text.count("\n") - crlf else "\n"


def add_changelog_entry(text: str, entry: str) -> str:
    """Add `- {entry}` under Unreleased / Removed, creating either if missing.

    - Unreleased is the first heading at the release level whose text starts with
      "Unreleased" or "[Unreleased]" in any case. The release level is that of the first
      version-like heading ("[1.2.0]", "v1.2.0", "1.2", "Version 1.0", "Release 3",
      "Unreleased"; levels 1 to 5); with none, level 2.
    - Subsections sit at the shallowest heading level inside the section (one deeper if it
      has no headings). An existing Removed gets the bullet after its last top-level bullet and that
      bullet's continuation lines, with that bullet's marker. A missing Removed goes before the
      first Fixed or Security subsection (Keep a Changelog order), or else at the end of the
      section, before the trailing blank lines and link definitions.
    - A missing Unreleased goes right above the newest (first) version heading, or at the
      end without one. It copies the file's format: heading level, setext or ATX style,
      "[Unreleased]" only when versions are bracketed, the first bullet's marker, and
      blank lines after headings only when the file has them. It always gets a Removed
      subsection, even where the versions have none, so the entry keeps its meaning.
    - A file with nothing but whitespace gets a Keep a Changelog skeleton (with no claim
      about semantic versioning, which is the project's to make).
    """
    entry = _clean(entry)
    doc = _parse(text)
    if not any(kind != "blank" for kind in doc.kinds):
        return _render(doc, 0, [*SKELETON.splitlines(), f"- {entry}"])
    first = next((h for h in doc.headings if h.level <= 5 and _VERSION.match(h.text)), None)
    level = first.level if first else 2
    unreleased = next(
        (h for h in doc.headings if h.level == level and _UNRELEASED.match(h.text)), None
    )
    if unreleased is not None:
        plan = _plan_removed(doc, unreleased, entry)
        return text if plan is None else _render(doc, *plan)
    name = "Unreleased" if first and not first.text.startswith("[") else "[Unreleased]"
    block = _stack(
        _spaced(doc),
        _heading_lines(doc, level, name),
        _heading_lines(doc, _sub_level(doc, first) if first else level + 1, "Removed"),
        [_default_marker(doc) + entry],
    )
    at = first.index if first else _last_content(doc, 0, len(doc.lines)) + 1
    return _render(doc, *_place(doc, at, block, pad=True))


def add_removed_component(text: str, entry: str, *, heading: str = "Removed components") -> str:
    """Add `entry` as a bullet at the end of the `heading` section, creating it if missing.

    The section is the first heading of any level whose text matches `heading` (case and a
    trailing colon ignored). A new section goes at the end of the file, after one blank line
    and before trailing blank lines and link definitions, at the level of the document's
    sections: the level under a lone leading level-1 title, else the top level used (2 in
    a file without headings). The bullet uses the marker of the section's last bullet, else
    of the document's first bullet, else "- ".
    """
    entry = _clean(entry)
    doc = _parse(text)
    wanted = _normalize(heading)
    section = next((h for h in doc.headings if _normalize(h.text) == wanted), None)
    if section is not None:
        plan = _plan_bullet(doc, section, entry)
        return text if plan is None else _render(doc, *plan)
    block = _stack(
        _spaced(doc),
        _heading_lines(doc, _section_level(doc), heading.strip()),
        [_default_marker(doc) + entry],
    )
    at = _last_content(doc, 0, len(doc.lines)) + 1
    return _render(doc, *_place(doc, at, block, pad=True))


def _plan_removed(doc: _Doc, unreleased: _Heading, entry: str) -> tuple[int, list[str]] | None:
    end = _section_end(doc, unreleased)
    level = _sub_level(doc, unreleased)
    subs = [h for h in doc.headings if unreleased.index < h.index < end and h.level == level]
    removed = next((h for h in subs if _normalize(h.text) == "removed"), None)
    if removed is not None:
        return _plan_bullet(doc, removed, entry)
    spaced = _spaced(doc)
    block = _stack(spaced, _heading_lines(doc, level, "Removed"), [_default_marker(doc) + entry])
    later = next((h for h in subs if _rank(h.text) > _rank("removed")), None)
    at = later.index if later else _last_content(doc, unreleased.body, end) + 1
    return _place(doc, at, block, pad=spaced)


def _plan_bullet(doc: _Doc, section: _Heading, entry: str) -> tuple[int, list[str]] | None:
    """Where the bullet goes in `section`, or None if it is already there."""
    end = _section_end(doc, section)
    bullets = [i for i in range(section.body, end) if doc.kinds[i] == "bullet"]
    if any(_bullet(doc, i)[1] == entry for i in bullets):
        return None
    if bullets:
        return _item_end(doc, bullets[-1], end) + 1, [_bullet(doc, bullets[-1])[0] + entry]
    at = _last_content(doc, section.body, end) + 1
    return _place(doc, at, [_default_marker(doc) + entry], pad=_spaced(doc))


def _item_end(doc: _Doc, start: int, end: int) -> int:
    """The last line of the list item at `start`: indented or lazy lines, nested code."""
    last = start
    for i in range(start + 1, end):
        kind, line = doc.kinds[i], doc.contents[i]
        if kind == "blank":
            continue
        indented = line[:1] in (" ", "\t") and kind != "heading"
        if kind == "code" or indented or (kind == "text" and last == i - 1):
            last = i
        else:
            break
    return last


def _last_content(doc: _Doc, start: int, end: int) -> int:
    """The last line in [start, end) that is neither blank nor a link definition."""
    for i in range(end - 1, start - 1, -1):
        if doc.kinds[i] != "blank" and not (
            doc.kinds[i] == "text" and _LINK_DEFINITION.match(doc.contents[i])
        ):
            return i
    return start - 1


def _place(doc: _Doc, at: int, block: list[str], *, pad: bool) -> tuple[int, list[str]]:
    """Separate `block` from non-blank neighbours with a blank line when `pad`."""
    before = pad and at > 0 and doc.kinds[at - 1] != "blank"
    after = pad and at < len(doc.lines) and doc.kinds[at] != "blank"
    return at, [*([""] if before else []), *block, *([""] if after else [])]


def _stack(spaced: bool, *groups: list[str]) -> list[str]:
    lines: list[str] = []
    for group in groups:
        lines += [""] if lines and spaced else []
        lines += group
    return lines


def _section_end(doc: _Doc, heading: _Heading) -> int:
    later = (h.index for h in doc.headings if h.index > heading.index and h.level <= heading.level)
    return next(later, len(doc.lines))


def _sub_level(doc: _Doc, heading: _Heading) -> int:
    end = _section_end(doc, heading)
    inside = (h.level for h in doc.headings if heading.index < h.index < end)
    return min(inside, default=heading.level + 1)


def _section_level(doc: _Doc) -> int:
    levels = [h.level for h in doc.headings]
    if levels[:1] == [1] and levels.count(1) == 1:
        return min(levels[1:], default=2)
    return min(levels, default=2)


def _spaced(doc: _Doc) -> bool:
    """Whether headings are followed by a blank line (always, in a file with setext ones)."""
    after = [doc.kinds[h.body] == "blank" for h in doc.headings if h.body < len(doc.lines)]
    setext = any(h.setext for h in doc.headings)
    return setext or after.count(True) >= after.count(False)


def _heading_lines(doc: _Doc, level: int, text: str) -> list[str]:
    if level <= 2 and any(h.setext and h.level == level for h in doc.headings):
        return [text, ("=" if level == 1 else "-") * len(text)]
    return ["#" * level + " " + text]


def _bullet(doc: _Doc, index: int | None) -> tuple[str, str]:
    """The marker ("- ", "* ", ...) and the text of the bullet at `index`."""
    match = None if index is None else _BULLET.fullmatch(doc.contents[index])
    return (match[1], match[2].rstrip()) if match else ("- ", "")


def _default_marker(doc: _Doc) -> str:
    return _bullet(doc, next((i for i, k in enumerate(doc.kinds) if k == "bullet"), None))[0]


def _rank(text: str) -> int:
    name = _normalize(text)
    return KEEP_A_CHANGELOG_ORDER.index(name) if name in KEEP_A_CHANGELOG_ORDER else -1


def _normalize(text: str) -> str:
    return text.strip().strip("[]").rstrip(":").strip().casefold()


def _clean(entry: str) -> str:
    cleaned = entry.strip()
    if not cleaned or "\n" in cleaned or "\r" in cleaned:
        raise ValueError(f"a bullet entry must be one non-empty line: {entry!r}")
    return cleaned


def _parse(text: str) -> _Doc:
    bom = BOM if text.startswith(BOM) else ""
    body = text[len(bom) :]
    nl = detect_newline(body)
    parts = body.split("\n")
    lines = [part + "\n" for part in parts[:-1]] + ([parts[-1] + nl] if parts[-1] else [])
    contents = [line.removesuffix("\n").removesuffix("\r") for line in lines]
    kinds, headings = _scan(contents)
    return _Doc(bom, nl, not parts[-1], lines, contents, kinds, headings)


def _render(doc: _Doc, at: int, new: list[str]) -> str:
    text = "".join([*doc.lines[:at], *(line + doc.nl for line in new), *doc.lines[at:]])
    return doc.bom + (text if doc.final_newline else text.removesuffix(doc.nl))


def _scan(contents: list[str]) -> tuple[list[str], list[_Heading]]:
    """Classify each line and collect the headings, in order."""
    kinds = [mark or _kind(line) for line, mark in zip(contents, _fences(contents), strict=True)]
    headings: list[_Heading] = []
    paragraph: int | None = None  # first line of the open paragraph
    lazy = False  # the open paragraph continues a list item, so it cannot be a heading
    for i, line in enumerate(contents):
        underline = _UNDERLINE.fullmatch(line) if kinds[i] in ("text", "break") else None
        if underline and paragraph is not None and not lazy:
            text = " ".join(part.strip() for part in contents[paragraph:i])
            level = 1 if underline[1][0] == "=" else 2
            headings.append(_Heading(paragraph, level, text, i + 1, setext=True))
            kinds[paragraph : i + 1] = ["heading"] * (i + 1 - paragraph)
            paragraph = None
        elif kinds[i] == "text":
            if paragraph is None and (lazy or len(line) - len(line.lstrip(" ")) < 4):
                paragraph = i
        else:
            if kinds[i] == "heading":
                atx = _ATX.fullmatch(line)
                assert atx is not None
                headings.append(_Heading(i, len(atx[1]), atx[2] or "", i + 1, setext=False))
            paragraph, lazy = None, kinds[i] == "bullet"
    return kinds, headings


def _kind(line: str) -> str:
    patterns = (("heading", _ATX), ("break", _BREAK), ("bullet", _BULLET))
    kind = next((kind for kind, pattern in patterns if pattern.fullmatch(line)), "text")
    return kind if line.strip() else "blank"


def _fences(contents: list[str]) -> list[str | None]:
    """Mark closed fenced code blocks: "fence" on the opening line, "code" after it."""
    marks: list[str | None] = [None] * len(contents)
    i = 0
    while i < len(contents):
        opening = _FENCE.match(contents[i])
        close = _closing_fence(contents, i, opening[1]) if opening else None
        if close is None:
            i += 1
            continue
        marks[i : close + 1] = ["fence"] + ["code"] * (close - i)
        i = close + 1
    return marks


def _closing_fence(contents: list[str], start: int, fence: str) -> int | None:
    for i in range(start + 1, len(contents)):
        line = contents[i].strip()
        indent = len(contents[i]) - len(contents[i].lstrip(" "))
        if indent <= 3 and len(line) >= len(fence) and set(line) == {fence[0]}:
            return i
    return None
