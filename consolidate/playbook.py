"""The playbook: what a removal declares. Validated with pydantic, located with ruamel.

A playbook is hostile input like any other file: it is read as UTF-8, capped in size and
nesting depth, and may not use YAML aliases (an alias bomb expands without limit). Every
error names the key and the line it stands on.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
)
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from consolidate.errors import PlaybookError

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def regex(value: str) -> str:
    """A pattern, checked by `regex`, which runs it with a time limit; `re` words the error."""
    import regex as regex_module  # here: `schema` loads the models and no pattern

    try:
        regex_module.compile(value)
    except regex_module.error as exc:
        re_pattern(value)
        raise ValueError(f"not a valid regular expression ({exc})") from None
    return value


def re_pattern(value: str) -> str:
    """A pattern the standard `re` module runs (a health check's `expect`)."""
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression ({exc})") from None
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class MoveSpec(_Model):
    from_: str = Field(alias="from")
    to: str


class ReplaceSpec(_Model):
    file: str
    pattern: str
    with_: str = Field(alias="with")
    count: int = Field(default=0, ge=0)

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        return regex(value)


def _operation(item: Any) -> str | None:
    """Which migrate operation an item is: exactly one of its keys says so."""
    keys = [k for k in ("move", "replace") if isinstance(item, dict) and k in item]
    if isinstance(item, MoveOp | ReplaceOp):
        return "move" if isinstance(item, MoveOp) else "replace"
    return keys[0] if len(keys) == 1 else None


class MoveOp(_Model):
    move: MoveSpec


class ReplaceOp(_Model):
    replace: ReplaceSpec


class Backup(_Model):
    branch: bool = True
    images: bool = True


class Docs(_Model):
    changelog: str | None = "CHANGELOG.md"
    architecture: str | None = "ARCHITECTURE.md"
    report: str | None = None
    rewrite: list[ReplaceSpec] = []


class Block(_Model):
    start: str
    end: str

    @field_validator("start", "end")
    @classmethod
    def _compiles(cls, value: str) -> str:
        return regex(value)


class Script(_Model):
    file: str
    blocks: list[Block] = []


class Health(_Model):
    url: str = Field(pattern=r"^https?://")
    expect: str = ""
    status: list[int] = []
    timeout: float = Field(default=5, gt=0, le=600)

    @field_validator("expect")
    @classmethod
    def _compiles(cls, value: str) -> str:
        return re_pattern(value)


class DockerChecks(_Model):
    project: str | None = None
    expect_running: int | None = Field(default=None, ge=0)
    health: list[Health] = []


class Command(_Model):
    name: str = Field(min_length=1)
    run: str | list[str]
    timeout: float = Field(default=600, gt=0, le=24 * 3600)
    cwd: str = "."

    @field_validator("run")
    @classmethod
    def _splits(cls, value: str | list[str]) -> str | list[str]:
        argv = shlex.split(value) if isinstance(value, str) else value
        if not argv or not argv[0]:
            raise ValueError("an empty command")
        return value

    def argv(self) -> list[str]:
        return shlex.split(self.run) if isinstance(self.run, str) else list(self.run)


# A summary goes into the commit message, the changelog and the report: no draft placeholder.
PLACEHOLDER = re.compile(r"(?<![A-Za-z0-9])(?:TODO|FIXME|TBD|XXX)(?![A-Za-z0-9])")
OLD_DRAFT_SUMMARIES = ("say why it goes (recorded in the commit message and the changelog)",)


class Playbook(_Model):
    component: Annotated[str, Field(min_length=1, max_length=100)]
    summary: Annotated[str, Field(min_length=1)]
    files: list[str] = []
    compose: dict[str, list[str]] = {}
    keep_volumes: bool = False
    migrate: list[
        Annotated[
            Annotated[MoveOp, Tag("move")] | Annotated[ReplaceOp, Tag("replace")],
            Discriminator(_operation),
        ]
    ] = []
    backup: Backup = Backup()
    docs: Docs = Docs()
    scripts: list[Script] = []
    validate_: list[Command] = Field(default=[], alias="validate")
    baseline: bool = True  # a failure the commit before had too does not block; false: it does
    docker: DockerChecks | None = None
    strict_docs: bool = False
    on_failure: Literal["stop", "rollback"] = "stop"
    regex_timeout: float = Field(default=2, gt=0, le=600)  # seconds a pattern may run on a file

    @field_validator("summary")
    @classmethod
    def _summary(cls, value: str) -> str:
        found = PLACEHOLDER.search(value)
        if not value.strip() or found or any(old in value for old in OLD_DRAFT_SUMMARIES):
            what = f"holds the placeholder {found[0]!r}" if found else "is empty or a placeholder"
            raise ValueError(f"the summary {what}: say in a sentence why the component goes")
        return value

    @field_validator("component")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME_RE.match(value):
            raise ValueError("use letters, digits, '.', '_' and '-' only, starting with one")
        return value


@dataclass(frozen=True)
class LoadedPlaybook:
    path: Path
    sha256: str
    playbook: Playbook


def find_playbook(target: str, repo: Path) -> Path:
    """TARGET is a path to a playbook file or a name looked up in `<repo>/playbooks/`."""
    as_path = Path(target)
    if as_path.suffix in (".yaml", ".yml") or "/" in target:
        if as_path.is_file():
            return as_path.resolve()
        raise PlaybookError(f"playbook {target} does not exist", "check the path")
    for suffix in (".yaml", ".yml"):
        candidate = repo / "playbooks" / f"{target}{suffix}"
        if candidate.is_file():
            return candidate
    known = sorted(p.stem for p in (repo / "playbooks").glob("*.y*ml"))
    hint = f"known playbooks: {', '.join(known)}" if known else "pass a path to a playbook file"
    raise PlaybookError(f"no playbook named {target!r} in {repo / 'playbooks'}", hint)


def load_playbook(path: Path) -> LoadedPlaybook:
    data = _read_bytes(path)
    raw, lines = _parse(data, path)
    try:
        playbook = Playbook.model_validate(raw)
    except ValidationError as exc:
        raise _explain(exc, lines, path) from None
    return LoadedPlaybook(path=path, sha256=hashlib.sha256(data).hexdigest(), playbook=playbook)


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise PlaybookError(
                f"{path}: {size} bytes is too large for a playbook",
                f"a playbook is at most {MAX_BYTES // 1024} KiB",
            )
        return path.read_bytes()
    except OSError as exc:
        raise PlaybookError(f"cannot read playbook {path}: {exc.strerror}") from None


def _parse(data: bytes, path: Path) -> tuple[Any, dict[tuple[str, ...], int]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlaybookError(f"{path}: not UTF-8 (byte {exc.start})", "save it as UTF-8") from None
    if not text.strip():
        raise PlaybookError(
            f"{path}: the playbook is empty", "it needs at least component and summary"
        )
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        _check_events(yaml, text, path)
        node = yaml.load(text)
    except PlaybookError:
        raise
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}" if mark is not None else "somewhere"
        problem = (exc.problem or str(exc)).split("\n")[0]
        raise PlaybookError(f"{path}: not valid YAML at {where}: {problem}") from None
    except (YAMLError, RecursionError) as exc:
        raise PlaybookError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from None
    if node is None:
        raise PlaybookError(
            f"{path}: the playbook is empty", "it needs at least component and summary"
        )
    if not isinstance(node, dict):
        raise PlaybookError(f"{path}: a playbook is a mapping of keys (component, summary, ...)")
    lines: dict[tuple[str, ...], int] = {}
    _index_lines(node, (), lines)
    return _plain(node), lines


def _check_events(yaml: YAML, text: str, path: Path) -> None:
    """Refuse aliases and deep nesting before building anything from the text."""
    depth = 0
    for event in yaml.parse(text):
        name = type(event).__name__
        if name == "AliasEvent":
            line = event.start_mark.line + 1
            raise PlaybookError(
                f"{path}: line {line} uses a YAML alias (*{event.anchor})",
                "write the value out; playbooks do not allow aliases",
            )
        if name in ("MappingStartEvent", "SequenceStartEvent"):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1
                raise PlaybookError(f"{path}: line {line} is nested deeper than {MAX_DEPTH} levels")
        elif name in ("MappingEndEvent", "SequenceEndEvent"):
            depth -= 1


def _index_lines(node: Any, prefix: tuple[str, ...], out: dict[tuple[str, ...], int]) -> None:
    if isinstance(node, dict):
        for key in node:
            try:
                line = node.lc.key(key)[0] + 1  # type: ignore[attr-defined]
            except (AttributeError, KeyError, TypeError):
                continue
            out[(*prefix, str(key))] = line
            _index_lines(node[key], (*prefix, str(key)), out)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            with contextlib.suppress(AttributeError, KeyError, TypeError, IndexError):
                out[(*prefix, str(i))] = node.lc.item(i)[0] + 1  # type: ignore[attr-defined]
            _index_lines(item, (*prefix, str(i)), out)


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k) if not isinstance(k, str) else k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


def _explain(exc: ValidationError, lines: dict[tuple[str, ...], int], path: Path) -> PlaybookError:
    order = {"extra_forbidden": 0, "missing": 2}
    error = min(exc.errors(), key=lambda e: order.get(e["type"], 1))
    parts = [str(part) for part in error["loc"] if not _is_union_tag(part)]
    # a discriminated union repeats its tag: migrate[0].replace.replace.pattern
    loc = tuple(p for i, p in enumerate(parts) if i == 0 or p != parts[i - 1])
    key = _dotted(loc)
    line = _nearest_line(loc, lines)
    where = f"{path}:{line}" if line else str(path)
    kind = error["type"]
    if kind == "extra_forbidden":
        return PlaybookError(f"{where}: unknown key {key!r}", _suggest(loc, exc))
    if kind == "missing":
        return PlaybookError(
            f"{where}: missing key {key!r}", "add it (see playbooks/orchestrator.yaml)"
        )
    if kind in ("union_tag_not_found", "union_tag_invalid"):
        return PlaybookError(
            f"{where}: {key}: each item is exactly one of move or replace", "split it in two"
        )
    message = error["msg"].removeprefix("Value error, ")
    return PlaybookError(f"{where}: {key}: {message}")


def _dotted(loc: tuple[str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out or "(top level)"


def _is_union_tag(part: object) -> bool:
    return part in ("MoveOp", "ReplaceOp")


def _nearest_line(loc: tuple[str, ...], lines: dict[tuple[str, ...], int]) -> int | None:
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def _keys(model: type[BaseModel]) -> list[str]:
    """The keys a playbook section may hold, as written (aliases: `from`, `with`, `validate`)."""
    return [field.alias or name for name, field in model.model_fields.items()]


_KNOWN = {
    (): _keys(Playbook),
    ("backup",): _keys(Backup),
    ("docs",): _keys(Docs),
    ("rewrite",): _keys(ReplaceSpec),
    ("scripts",): _keys(Script),
    ("blocks",): _keys(Block),
    ("docker",): _keys(DockerChecks),
    ("health",): _keys(Health),
    ("validate",): _keys(Command),
    ("migrate",): ["move", "replace"],
    ("move",): _keys(MoveSpec),
    ("replace",): _keys(ReplaceSpec),
}


def _suggest(loc: tuple[str, ...], exc: ValidationError) -> str:
    unknown = loc[-1]
    parents = [p for p in loc[:-1] if not p.isdigit()]
    choices = _KNOWN.get(tuple(parents[-1:]), _KNOWN[()]) if parents else _KNOWN[()]
    close = difflib.get_close_matches(unknown, choices, n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    return f"known keys here: {', '.join(choices)}"
