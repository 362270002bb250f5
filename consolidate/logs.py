"""structlog set-up: readable lines on stderr, or JSON lines with --log-json."""

from __future__ import annotations

import logging
import os
import sys

import structlog


def configure_logging(
    *, json_logs: bool = False, verbose: bool = False, quiet: bool = False
) -> None:
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    renderer: structlog.typing.Processor
    if json_logs:
        renderer = structlog.processors.JSONRenderer()
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=_colors(), pad_event_to=0)
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso" if json_logs else "%H:%M:%S"),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )


def _colors() -> bool:
    """Colour on a terminal, never with NO_COLOR, always with FORCE_COLOR (as stdout)."""
    if os.environ.get("NO_COLOR", ""):
        return False
    if os.environ.get("FORCE_COLOR", "").lower() not in ("", "0", "false"):
        return True
    return sys.stderr.isatty()
