"""How text output looks: colour and width, decided once from where the output goes.

Colour when the stream is a terminal; none when it is not, or when `NO_COLOR` is set to
anything but the empty string (no-color.org). `FORCE_COLOR` (set, and not "0" or "false")
asks for colour on a pipe, for CI logs that show ANSI colours; `NO_COLOR` wins over it. The
width is the terminal's own (its window size, or `COLUMNS`); output that is not a terminal
keeps 120 columns, so a file or a pipe gets the same lines on every machine.

Tables wrap their long columns (paths, reasons) to fit and never wrap a verdict. rich is
imported only when text is drawn: a `--json` command never loads it.
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from consolidate.logs import wants_color

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

PIPE_WIDTH = 120
MIN_WIDTH = 40
VERDICT_STYLES = {"remove": "bold red", "review": "yellow", "keep": "green"}
STATUS_STYLES = {"passed": "green", "failed": "bold red", "warning": "yellow"}


@dataclass
class Look:
    color: bool = False
    width: int = PIPE_WIDTH


LOOK = Look()


def configure(stream: TextIO, environ: Mapping[str, str] | None = None) -> Look:
    """Decide colour and width for text written to `stream` (stdout)."""
    tty = _isatty(stream)
    LOOK.color = wants_color(tty, environ)
    LOOK.width = _width(stream) if tty else PIPE_WIDTH
    return LOOK


def console(buffer: io.StringIO) -> Console:
    """A rich console that draws into `buffer` with the decided colour and width."""
    from rich.console import Console

    return Console(
        file=buffer,
        width=LOOK.width,
        force_terminal=LOOK.color,
        color_system="standard" if LOOK.color else None,
        no_color=not LOOK.color,
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
    )


def table(title: str, columns: list[str], rows: list[list[str]]) -> Table:
    """A table whose long columns fold to fit the width; verdict and status cells keep their
    words whole and carry their colour."""
    from rich.table import Table
    from rich.text import Text

    out = Table(title=title, title_justify="left", show_lines=False, expand=False)
    for column in columns:
        whole = column in ("verdict", "status", "lines", "bytes")
        out.add_column(column, overflow="fold", no_wrap=whole, min_width=len(column))
    for row in rows:
        cells: list[Any] = []
        for column, cell in zip(columns, row, strict=False):
            styles = VERDICT_STYLES if column == "verdict" else STATUS_STYLES
            style = styles.get(cell) if column in ("verdict", "status") else None
            cells.append(Text(cell, style=style) if style else cell)
        out.add_row(*cells)
    return out


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def _width(stream: TextIO) -> int:
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):
        columns = shutil.get_terminal_size((PIPE_WIDTH, 24)).columns
    override = os.environ.get("COLUMNS", "")
    return max(MIN_WIDTH, int(override) if override.isdigit() else columns)
