"""structlog set-up: readable lines on stderr, or JSON lines with --log-json.

structlog is imported when a line is first written, not when logging is configured: importing
it costs tens of milliseconds (it loads its console renderer, and that loads rich), which
`--help`, `version` and a `--json` command that logs nothing should not pay. So
`configure_logging` keeps its settings until structlog arrives, and a module takes its logger
from `get_logger()`, which imports structlog only for a line the level lets through. A module
that imports structlog itself still gets the same set-up: it is applied the moment structlog
is imported (`_ConfigureOnImport`).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

DEBUG, INFO, WARNING = 10, 20, 30  # logging's numbers, without importing logging
# structlog's method names and the level each logs at (as its filtering loggers have them).
LEVELS = {
    "debug": 10,
    "info": 20,
    "msg": 20,
    "warning": 30,
    "warn": 30,
    "error": 40,
    "exception": 40,
    "critical": 50,
    "fatal": 50,
}


@dataclass(frozen=True)
class Settings:
    json_logs: bool
    level: int


_settings: Settings | None = None


def configure_logging(
    *, json_logs: bool = False, verbose: bool = False, quiet: bool = False
) -> None:
    global _settings
    level = DEBUG if verbose else WARNING if quiet else INFO
    _settings = Settings(json_logs=json_logs, level=level)
    if "structlog" in sys.modules:
        _apply(_settings)
    elif not any(isinstance(f, _ConfigureOnImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _ConfigureOnImport())


def get_logger(name: str = "consolidate") -> Logger:
    return Logger(name)


class Logger:
    """structlog's logger, imported at the first line the configured level lets through."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __getattr__(self, method: str) -> Any:
        settings = _settings
        unloaded = "structlog" not in sys.modules
        if unloaded and settings is not None and LEVELS.get(method, 99) < settings.level:
            return _drop
        import structlog

        return getattr(structlog.get_logger(self.name), method)


def _drop(*_args: Any, **_kw: Any) -> None:
    """A line below the level: what structlog's filtering logger does with it."""


def _apply(settings: Settings) -> None:
    import structlog

    renderer: structlog.typing.Processor
    if settings.json_logs:
        renderer = structlog.processors.JSONRenderer()
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=_colors(), pad_event_to=0)
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso" if settings.json_logs else "%H:%M:%S"),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(settings.level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )


class _ConfigureOnImport:
    """A finder that applies the settings right after structlog is imported, by whichever
    module: it finds structlog as usual and wraps its loader's `exec_module`."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname != "structlog":
            return None
        sys.meta_path.remove(self)  # once; and the lookup below must not find this finder
        spec = importlib.util.find_spec(fullname)
        loader = spec.loader if spec is not None else None
        if loader is not None:
            run = loader.exec_module

            def exec_then_configure(module: ModuleType) -> None:
                run(module)
                if _settings is not None:
                    _apply(_settings)

            setattr(loader, "exec_module", exec_then_configure)  # noqa: B010  (this loader only)
        return spec


def _colors() -> bool:
    return wants_color(sys.stderr.isatty())


def wants_color(tty: bool, environ: Mapping[str, str] | None = None) -> bool:
    """Colour on a terminal; never with `NO_COLOR` set (no-color.org); always with
    `FORCE_COLOR` set and not "0" or "false" (`NO_COLOR` wins). Logs and stdout alike."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR", ""):
        return False
    if env.get("FORCE_COLOR", "").lower() not in ("", "0", "false"):
        return True
    return tty
