"""A Markdown section about the removed component goes whole.

A heading whose text is the component's name (`## orchestrator`, `### The billing service`,
`## relay (experimental)`) introduces a description that the removal makes false; the
section goes from its heading to the next heading of the same or a higher level. Sections
under a heading of records (`Removed components`, `Changelog`, `History`) stay: they are
history. Every other byte of the document stays.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from consolidate.edits.markdown import footer_start

HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)")
# What may stand around the name in a heading about it, and nothing else.
ARTICLE = r"(?:the|a|an)\s+"
KIND = r"(?:service|services|component|container|module|package|app|daemon|worker)"
NOTE = r"(?:\s*[(\[][^)\]]*[)\]])?"  # "(experimental)", "[deprecated]"
RECORDS = re.compile(r"(?i)\b(?:removed|changelog|history|release notes|retired)\b")


@dataclass(frozen=True)
class SectionCut:
    line: int  # 1-based line of the heading
    heading: str
    lines: int  # how many lines went


def heading_names(text: str, names: Collection[str]) -> bool:
    """Whether a heading's text is about one of `names` and nothing else."""
    plain = text.replace("`", "").replace("*", "").replace("_", " ").strip()
    for name in names:
        spaced = re.escape(name.replace("_", " "))
        pattern = rf"(?i)(?:{ARTICLE})?{spaced}(?:\s+{KIND})?{NOTE}[.:]?"
        if re.fullmatch(pattern, plain):
            return True
    return False


def cut_sections(text: str, names: Collection[str]) -> tuple[str, list[SectionCut]]:
    """`text` without the sections whose heading names the component, and what went."""
    lines = text.splitlines(keepends=True)
    headings = _headings(lines)
    footer = footer_start(text)  # a trailing footer belongs to the document, not a section
    last = len(lines) if footer is None else footer
    drop: set[int] = set()
    cuts: list[SectionCut] = []
    for index, (at, level, title) in enumerate(headings):
        if not heading_names(title, names) or _under_records(headings, index):
            continue
        end = next((a for a, lv, _t in headings[index + 1 :] if lv <= level), len(lines))
        end = min(end, last) if last > at else end
        drop.update(range(at, end))
        cuts.append(SectionCut(at + 1, title, end - at))
    if not drop:
        return text, []
    return "".join(line for i, line in enumerate(lines) if i not in drop), cuts


def _headings(lines: list[str]) -> list[tuple[int, int, str]]:
    """(0-based line, level, text) of each ATX heading outside fenced code."""
    out: list[tuple[int, int, str]] = []
    fenced = False
    for index, line in enumerate(lines):
        if FENCE.match(line):
            fenced = not fenced
            continue
        match = None if fenced else HEADING.match(line.rstrip("\r\n"))
        if match:
            out.append((index, len(match[1]), match[2]))
    return out


def _under_records(headings: list[tuple[int, int, str]], index: int) -> bool:
    """Whether a heading above this one, of a higher level, titles a section of records."""
    level = headings[index][1]
    for _at, above, title in reversed(headings[:index]):
        if above < level:
            if RECORDS.search(title):
                return True
            level = above
    return False


TABLE_ROW = re.compile(r"^[ \t]*\|(.*)\|[ \t]*$")
RULE_ROW = re.compile(r"^[ \t]*\|?[ \t:|-]+\|?[ \t]*$")


def cut_path_rows(text: str, gone: Collection[str]) -> tuple[str, list[SectionCut]]:
    """`text` without the table rows whose first cell is a path the removal deletes (a file,
    or a folder written `folder/` whose every file goes): a layout table stops listing it.
    A table keeps at least one row."""
    lines = text.splitlines(keepends=True)
    wanted = {g.rstrip("/") for g in gone}
    drop: dict[int, list[int]] = {}  # table start -> rows that go
    kept: set[int] = set()  # tables with a row that stays
    for start, rows in _tables(lines):
        for index in rows:
            cell = TABLE_ROW.match(lines[index].rstrip("\r\n"))
            first = cell[1].split("|")[0].strip().strip("`*").strip().rstrip("/") if cell else ""
            if first in wanted:
                drop.setdefault(start, []).append(index)
            else:
                kept.add(start)
    going = sorted(i for start, rows in drop.items() if start in kept for i in rows)
    if not going:
        return text, []
    cuts = [SectionCut(i + 1, lines[i].strip(), 1) for i in going]
    return "".join(line for i, line in enumerate(lines) if i not in set(going)), cuts


def _tables(lines: list[str]) -> list[tuple[int, list[int]]]:
    """(header line, body rows) of each pipe table outside fenced code."""
    out: list[tuple[int, list[int]]] = []
    fenced = False
    start: int | None = None
    for index, line in enumerate(lines):
        if FENCE.match(line):
            fenced, start = not fenced, None
            continue
        bare = line.rstrip("\r\n")
        if fenced or not TABLE_ROW.match(bare):
            start = None
            continue
        if start is None:
            start = index
            out.append((start, []))
        elif not (index == start + 1 and RULE_ROW.match(bare)):
            out[-1][1].append(index)
    return out
