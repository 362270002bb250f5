"""What the command line writes besides a command's own result: global flags in any position,
and a failure as one line on stderr plus, under `--json`, one JSON document on stdout.

- `-v/--verbose`, `-q/--quiet` and `--log-json` belong to the whole program; people also put
  them after the subcommand (`consolidate run X -q`), so they are moved in front of it
  before the parser sees them.
- A failure under `--json` still prints one document a script can parse:
  `{"error": ..., "hint": ..., "exit_code": N}`, merged into what the command had done
  (a failed run's partial result), with the same exit code. Under `--log-json` the stderr
  line is a JSON object too, like every other log line.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import os
import sys
import threading
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NoReturn

import typer

from consolidate.errors import ConsolidateError, Refusal, write_failed
from consolidate.journal import run_under_way
from consolidate.report import jsontext, terminal

GLOBAL_FLAGS = ("--log-json", "--verbose", "-v", "--quiet", "-q", "--no-cache")
GLOBAL_VALUES = ("--jobs", "-j")  # global options that take a value


@dataclass(frozen=True)
class Mode:
    json: bool = False
    log_json: bool = False

    @staticmethod
    def of(argv: list[str]) -> Mode:
        words = argv[: argv.index("--")] if "--" in argv else argv
        as_json = "--json" in words or _format_of(words) == "json"
        return Mode(json=as_json, log_json="--log-json" in words)


def global_first(argv: list[str]) -> list[str]:
    """The global options moved in front of the subcommand, wherever they were given."""
    end = argv.index("--") if "--" in argv else len(argv)
    front: list[str] = []
    rest: list[str] = []
    words = iter(argv[:end])
    for word in words:
        if word in GLOBAL_FLAGS or word.startswith(tuple(f"{v}=" for v in GLOBAL_VALUES)):
            front.append(word)
        elif word in GLOBAL_VALUES:
            front += [word, next(words, "")]
        else:
            rest.append(word)
    return [*front, *rest, *argv[end:]]


def fail(
    mode: Mode,
    message: str,
    hint: str,
    code: int,
    document: dict[str, Any] | None = None,
    *,
    line: str | None = None,
) -> NoReturn:
    """Report a failure and exit with `code`. `line`: the stderr text, when it is not
    "error: MESSAGE: HINT"."""
    text = (
        line if line is not None else f"error: {message}: {hint}" if hint else f"error: {message}"
    )
    if mode.log_json:
        stamp = dt.datetime.now(dt.UTC).isoformat()
        entry = {"event": text, "level": "error", "exit_code": code, "timestamp": stamp}
        sys.stderr.write(json.dumps({**entry, "error": message, "hint": hint or None}) + "\n")
    else:
        sys.stderr.write(f"consolidate: {text}\n")
    if mode.json:
        doc = {**(document or {}), "error": message, "hint": hint or None, "exit_code": code}
        jsontext.write(doc, sys.stdout)  # as render.write_json
    sys.exit(code)


def _format_of(words: list[str]) -> str | None:
    for index, word in enumerate(words):
        if word.startswith("--format="):
            return word.split("=", 1)[1]
        if word == "--format" and index + 1 < len(words):
            return words[index + 1]
    return None


def serve(app: typer.Typer) -> NoReturn:
    """Run the command line: every error the tool knows is one line (and a document under
    --json) with its exit code, never a traceback."""
    argv = global_first(sys.argv[1:])
    mode = Mode.of(argv)
    terminal.configure(sys.stdout)
    try:
        # Without standalone mode, click returns the code of a `typer.Exit` instead of raising.
        code = app(args=argv, prog_name="consolidate", standalone_mode=False)
    except ConsolidateError as exc:
        fail(mode, exc.message, exc.hint, exc.exit_code, exc.result)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        fail(mode, "aborted", "nothing more was done", 2, line="aborted; nothing more was done")
    except typer.TyperException as exc:  # usage errors from the parser
        ctx = getattr(exc, "ctx", None)
        command = ctx.command_path if ctx is not None else "consolidate"
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        if not message:  # no arguments: the help was printed
            sys.exit(2)
        hint = f"see `{command} --help`"
        fail(mode, message, hint, 2, line=f"error: {message} ({hint})")
    except KeyboardInterrupt:
        hint = "`consolidate status` tells where it stopped"
        fail(mode, "interrupted", hint, 130, line=f"interrupted; {hint}")
    except OSError as exc:  # a full disk, a read-only or failing device: one line, no traceback
        error = os_error(exc)
        fail(mode, error.message, error.hint, error.exit_code)
    leave(code if isinstance(code, int) else 0)


def leave(code: int) -> NoReturn:
    """`sys.exit(code)`; after a command that held what it made to the end (`tuning.keep`), and
    when no other thread runs, without the interpreter's clean-up, as mypy's fast exit does:
    the standard streams are flushed and the exit handlers run (an unread `git log` stopped,
    logs flushed), then the process ends and the system takes its memory back at once."""
    from consolidate.analysis import tuning

    if tuning.CURRENT.held and threading.active_count() == 1:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):  # a closed pipe: Python's own exit says it
            sys.exit(code)
        atexit._run_exitfuncs()
        os._exit(code)
    sys.exit(code)


def os_error(exc: OSError) -> ConsolidateError:
    """An OS error no layer below turned into one of the tool's errors: exit 1 with the
    journal kept when a run was under way, else exit 2 (nothing changed)."""
    where = exc.filename if exc.filename is not None else "a file of the run"
    return write_failed("cannot write or read", where, exc, started=run_under_way())


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"


def chosen_format(json_out: bool, output: OutputFormat | None) -> OutputFormat:
    """`--json` is `--format json`; asking for two different outputs is refused before any
    work is done."""
    if output is None:
        return OutputFormat.json if json_out else OutputFormat.text
    if json_out and output is not OutputFormat.json:
        raise Refusal(
            f"--json and --format {output.value} ask for two outputs",
            "give one of them (--json is --format json)",
        )
    return output
