"""Text from the repository inside the reports' Markdown, written so that it renders as it is
whatever characters it holds: file names, command lines and mentioning lines may carry
backticks, pipes, quotes, brackets or `%%`.

- Code spans (https://spec.commonmark.org/0.31.2/#code-spans): the fence is one backtick
  longer than the longest backtick run inside, and a space pads the text on both sides when
  it holds a backtick (it may start or end with one) or starts and ends with a space: the
  one space on each side that CommonMark strips.
- Table cells (https://github.github.com/gfm/#tables-extension-): one line, every `|`
  written `\\|`, which the table parser turns back into `|` even inside a code span.
- Fenced blocks: a fence longer than any backtick run inside.
- Mermaid labels (https://mermaid.js.org/syntax/flowchart.html#entity-codes-to-escape-characters):
  in double quotes, every character other than letters, digits and plain punctuation written
  as Mermaid's entity code (`#quot;`, `#35;`), so no quote, bracket, `%%` directive, `<tag>`
  or backtick (a Markdown label) in a file name changes the diagram.
"""

from __future__ import annotations

import html
import re

BACKTICK_RUN = re.compile(r"`+")
LINE_BREAK = re.compile(r"\r\n?|\n")
MERMAID_PLAIN = frozenset(" ._-/+@~,=:")


def code_span(text: str, *, cell: bool = False) -> str:
    """`text` as inline code on one line; `cell` when it stands in a table cell."""
    line = LINE_BREAK.sub(" ", text)
    if not line:
        return "` `"
    fence = "`" * (max((len(run) for run in BACKTICK_RUN.findall(line)), default=0) + 1)
    spaced = line.startswith(" ") and line.endswith(" ") and line.strip(" ")
    pad = " " if "`" in line or spaced else ""
    body = line.replace("|", "\\|") if cell else line
    return f"{fence}{pad}{body}{pad}{fence}"


def cell(text: str) -> str:
    """Plain text for a table cell: one line, pipes escaped."""
    return LINE_BREAK.sub(" ", text).replace("|", "\\|")


def fenced(text: str, info: str = "") -> str:
    """A fenced code block holding `text` as it is (no trailing line break)."""
    longest = max((len(run) for run in BACKTICK_RUN.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"


def html_text(text: str) -> str:
    """Text inside an HTML element (a `<summary>`): `<`, `>`, `&` and quotes escaped."""
    return html.escape(LINE_BREAK.sub(" ", text))


def mermaid_label(text: str) -> str:
    """A Mermaid node label, quoted, with every other character as an entity code."""
    return '"' + "".join(_mermaid_char(c) for c in text) + '"'


def _mermaid_char(char: str) -> str:
    if char.isalnum() or char in MERMAID_PLAIN:
        return char
    return "#quot;" if char == '"' else f"#{ord(char)};"
