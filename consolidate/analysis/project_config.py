"""The repository's own settings for consolidate, and the markers its files carry.

A `[tool.consolidate]` table in `pyproject.toml`, or a `.consolidate.toml` at the repository
root (top-level keys), never both:

- `entry_points`: globs of files something outside the repository runs (a cron job, a
  serverless handler): roots for every command, as a Dockerfile's CMD is;
- `ignore`: globs of files left out of the `lint` and `orphans` reports. An ignore only hides:
  it never makes a file reachable or removable, so a removal still sees every use;
- `disable`: lint checks turned off, by name or id (`assess/lint.py` knows them).

In a file's own comment syntax, `consolidate: keep` anywhere keeps that file (a root, like an
entry point), and `consolidate: ignore[CHECK]` silences one lint check on its own line.
Files without comments (JSON) are named by the globs instead.
"""

from __future__ import annotations

import difflib
import posixpath
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from consolidate.analysis.snapshot import Corpus
from consolidate.analysis.uses import Use
from consolidate.errors import Refusal
from consolidate.globs import compile_glob

KEYS = ("entry_points", "ignore", "disable")
PYPROJECT = "pyproject.toml"
OWN_FILE = ".consolidate.toml"
KEEP = b"consolidate: keep"
_TAIL = r"consolidate: keep(?![\w-])"
_HASH = re.compile(r"(?:^|\s)#+\s*" + _TAIL)
_SLASHES = re.compile(r"(?:^|\s)(?://+|/\*+)\s*" + _TAIL)
_HTML = re.compile(r"<!--\s*" + _TAIL)
_DASHES = re.compile(r"(?:^|\s)--\s*" + _TAIL)
_HASH_SUFFIXES = frozenset(
    {".py", ".pyi", ".pyw", ".sh", ".bash", ".zsh", ".ps1", ".rb", ".pl", ".r", ".yml", ".yaml",
     ".toml", ".cfg", ".ini", ".conf", ".env", ".mk", ".tf", ".nix", ".service", ".txt"}
)  # fmt: skip
_HASH_NAMES = frozenset(
    {"Makefile", "makefile", "GNUmakefile", "justfile", "Justfile", ".justfile", "Procfile",
     ".gitignore", ".dockerignore", ".env", "Gemfile", "Pipfile"}
)  # fmt: skip
_SLASH_SUFFIXES = frozenset(
    {".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx", ".go", ".java", ".kt", ".c",
     ".h", ".cc", ".cpp", ".hpp", ".rs", ".swift", ".scss", ".css", ".less", ".php", ".jsonc"}
)  # fmt: skip
_HTML_SUFFIXES = frozenset({".md", ".markdown", ".html", ".htm", ".xml", ".svg", ".vue"})
_DASH_SUFFIXES = frozenset({".sql", ".lua", ".hs"})
_SUPPRESS = re.compile(r"consolidate: ignore\[([^\]]+)\]")
_HEADER = re.compile(r"\s*\[")
_TABLE = re.compile(r"\s*\[\s*tool\s*\.\s*consolidate\s*\]")
EVERY_LINE = (1, 1 << 31)


@dataclass(frozen=True)
class ProjectConfig:
    """What the repository says about itself; empty when it says nothing."""

    source: str | None = None  # the file the settings came from
    entry_points: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    lines: tuple[int, int] = (0, 0)  # where the settings stand in `source`, first and last

    def declares(self, use: Use) -> bool:
        """Whether `use` is the settings naming a file (the strings safety net reads every
        TOML file): an `ignore` or `entry_points` glob is no use of what it names."""
        return use.source == self.source and self.lines[0] <= use.line <= self.lines[1]

    def ignores(self, path: str) -> bool:
        """Whether `path` is left out of the lint and orphans reports."""
        return any(matches(pattern, path) for pattern in self.ignore)

    def entry_point_files(self, tracked: Iterable[str]) -> list[tuple[str, str]]:
        """(glob, tracked file) for every configured entry point; a glob that names no tracked
        file is an error, since a typo there would leave a file unprotected."""
        paths = sorted(tracked)
        found: list[tuple[str, str]] = []
        for pattern in self.entry_points:
            hits = [p for p in paths if matches(pattern, p)]
            if not hits:
                raise Refusal(
                    f"{self.source}: entry_points: {pattern!r} matches no file git tracks",
                    "fix the glob, or remove it if the file is gone",
                )
            found += [(pattern, p) for p in hits]
        return found


def matches(pattern: str, path: str) -> bool:
    """A repository glob (`consolidate/globs.py`: `**` crosses folders, a folder means its
    files) against one repository path."""
    clean = pattern.strip().rstrip("/").removeprefix("./")
    return bool(compile_glob(clean).fullmatch(path))


def load_config(root: Path) -> ProjectConfig:
    """The settings of the repository at `root`; a repository without any gets the empty one."""
    from_pyproject = _pyproject_table(root / PYPROJECT)
    own = root / OWN_FILE
    if own.is_file():
        if from_pyproject is not None:
            raise Refusal(
                f"both {PYPROJECT} ([tool.consolidate]) and {OWN_FILE} configure consolidate",
                f"keep one: move the settings into {OWN_FILE} or into [tool.consolidate]",
            )
        return _validate(_read_toml(own, strict=True) or {}, OWN_FILE, EVERY_LINE)
    if from_pyproject is None:
        return ProjectConfig()
    lines = _table_lines((root / PYPROJECT).read_text(encoding="utf-8-sig"))
    return _validate(from_pyproject, f"{PYPROJECT} [tool.consolidate]", lines)


def _table_lines(text: str) -> tuple[int, int]:
    """The lines of the `[tool.consolidate]` table: its header up to the next header."""
    first = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if first and _HEADER.match(line):
            return first, number - 1
        if not first and _TABLE.match(line):
            first = number
    return (first, EVERY_LINE[1]) if first else (0, 0)


def _pyproject_table(path: Path) -> dict[str, Any] | None:
    data = _read_toml(path, strict=False)
    tool = data.get("tool") if data is not None else None
    table = tool.get("consolidate") if isinstance(tool, dict) else None
    if table is not None and not isinstance(table, dict):
        raise Refusal(f"{PYPROJECT}: tool.consolidate is not a table", "write [tool.consolidate]")
    return table


def _read_toml(path: Path, *, strict: bool) -> dict[str, Any] | None:
    """The parsed file. `strict` false (pyproject.toml): a file that does not parse is an
    error only when it tries to configure consolidate; otherwise it is none of our business."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise Refusal(f"cannot read {path.name}: {exc.strerror}") from None
    try:
        return tomllib.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        if not strict and b"tool.consolidate" not in data:
            return None
        raise Refusal(f"{path.name}: not valid TOML: {exc}", "fix the syntax") from None


def _validate(table: dict[str, Any], where: str, lines: tuple[int, int]) -> ProjectConfig:
    for key in table:
        if key not in KEYS:
            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(KEYS)}"
            raise Refusal(f"{where}: unknown key {key!r}", hint)
    return ProjectConfig(
        where.split(" ", 1)[0],
        _strings(table, "entry_points", where),
        _strings(table, "ignore", where),
        _strings(table, "disable", where),
        lines,
    )


def _strings(table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        got = type(value).__name__ if not isinstance(value, list) else "a list with a non-string"
        raise Refusal(
            f"{where}: {key}: expected a list of non-empty strings, got {got}",
            f'write {key} = ["..."]',
        )
    return tuple(value)


def keep_markers(
    paths: Iterable[str], read: Callable[[str], bytes | None], corpus: Corpus | None = None
) -> dict[str, int]:
    """{path: line} of files with a `consolidate: keep` comment, in the file's comment syntax.
    The bytes are searched first, so only the files that carry the text are decoded: with
    `corpus` (the bytes `read` gives, joined), in one search of them all."""
    found: dict[str, int] = {}
    if corpus is not None:
        holding = {corpus.paths[i] for i in corpus.holding(KEEP, 0, len(corpus.paths))}
        paths = [p for p in paths if p in holding]
    for path in paths:
        data = read(path)
        syntax = _comment_syntax(path) if data is not None and KEEP in data else None
        if data is None or syntax is None:
            continue
        text = data.decode("utf-8-sig", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if any(regex.search(line) for regex in syntax):
                found[path] = number
                break
    return found


def _comment_syntax(path: str) -> tuple[re.Pattern[str], ...] | None:
    name = posixpath.basename(path)
    suffix = posixpath.splitext(name)[1].lower()
    if suffix in _SLASH_SUFFIXES:
        return (_SLASHES, _HASH) if suffix == ".php" else (_SLASHES,)
    if suffix in _HTML_SUFFIXES:
        return (_HTML, _SLASHES) if suffix == ".vue" else (_HTML,)
    if suffix in _DASH_SUFFIXES:
        return (_DASHES,)
    dockerfile = "dockerfile" in name.lower()
    if suffix in _HASH_SUFFIXES or name in _HASH_NAMES or dockerfile or name.startswith(".env"):
        return (_HASH,)
    return None


def suppressed(line: str) -> set[str]:
    """The checks `consolidate: ignore[CHECK]` (or `ignore[A, B]`) silences on this line."""
    return {
        name.strip().lower()
        for group in _SUPPRESS.findall(line)
        for name in group.split(",")
        if name.strip()
    }
