"""Management scripts stop naming a removed component, and nothing else about them changes.

The file is decoded and split into lines that keep their own endings; the planners claim lines
in a `Plan`: a line goes, or one line is rewritten with a list element cut out. First the
blocks dedicated to the component (`script_blocks`: functions, comment paragraphs, `if`
chains), then the shapes of the file's kind (`script_shapes`, `script_build`, `envfile`),
then prose lists and help lines in strings and the counts of lists that shrank
(`script_prose`). Nothing is re-emitted, so every other byte stays (CRLF or LF, a BOM,
indentation, quoting, trailing whitespace, a missing final newline).
Each change carries its reason, and every line that still names the component is reported in
`left`: a script is code, and what is not certainly an entry for the component is for a person
to decide.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import regex

from consolidate.edits.envfile import env
from consolidate.edits.patterns import DEFAULT_TIMEOUT, Clock, compile_pattern
from consolidate.edits.script_blocks import dedicated
from consolidate.edits.script_build import just, make, npm
from consolidate.edits.script_plan import Edit, Plan, runs
from consolidate.edits.script_prose import counts, hashtables, help_blocks, prose, service_words
from consolidate.edits.script_shapes import kind_of, opaque_lines, powershell, shell

BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class ScriptChange:
    line: int  # 1-based line in the original
    before: str  # the original line(s) without line ending, joined with "\n" for a block
    after: str | None  # the new line, or None when the line(s) went
    reason: str  # "element 'orchestrator' of an inline list", "case branch 'orchestrator'"


@dataclass(frozen=True)
class ScriptEdit:
    path: str
    before: bytes
    after: bytes
    changes: tuple[ScriptChange, ...]
    left: tuple[tuple[int, str], ...]  # (1-based line, text) that still names it: a person decides
    removed: tuple[str, ...] = ()  # make targets, recipes, npm scripts that went: docs name them


def edit_script(
    path: str,
    data: bytes,
    names: Collection[str],
    blocks: Sequence[tuple[str, str]] = (),
    *,
    keep: Collection[str] = (),
    others: Collection[str] = (),
    limit: float = DEFAULT_TIMEOUT,
) -> ScriptEdit:
    """Cut `names` (as whole words) out of one script, and the lines of every `blocks` (start,
    end) regex pair. `keep`: variables a kept file still reads (an `.env` file keeps them);
    `others`: the services that stay (a block that names one is shared, and stays). Raises
    ValueError for a binary file, a block that never starts or never ends, or a package.json
    that would no longer parse: the caller refuses rather than write a broken script; and
    `PatternTimeout` when the `blocks` regexes run past `limit` seconds on the file."""
    bom, encoding = next(((b, e) for b, e in BOMS if data.startswith(b)), (b"", "utf-8"))
    if not bom and b"\0" in data[:8192]:
        raise ValueError("is a binary file (a NUL byte in its first 8 KiB), not a script")
    errors = "surrogateescape" if encoding == "utf-8" else "strict"
    try:
        text = data[len(bom) :].decode(encoding, errors)
    except UnicodeDecodeError as exc:
        raise ValueError(f"cannot read the file as {encoding}: {exc.reason}") from None
    lines, endings = split_lines(text)
    plan = Plan(lines, {n for n in names if n}, kind_of(path, lines[0] if lines else ""))
    plan.keep, plan.others = frozenset(keep), frozenset(others)
    cut_blocks(plan, blocks, Clock(limit, "scripts", path))
    plan.opaque = opaque_lines(lines, plan.kind)
    if plan.kind and plan.names:
        run_planners(plan)
    after = bom + splice(lines, endings, plan.edits).encode(encoding, errors)
    if plan.kind == "npm":
        check_json(data[len(bom) :], after[len(bom) :])
    changes = sorted((change_of(lines, e) for e in plan.edits), key=lambda c: c.line)
    return ScriptEdit(
        path, data, after, tuple(changes), leftovers(plan), tuple(sorted(plan.removed))
    )


def split_lines(text: str) -> tuple[list[str], list[str]]:
    """Lines without their endings, and the endings ("\\r\\n", "\\n", or "" for a last line
    without one). Only LF ends a line: str.splitlines would also split on form feeds."""
    pieces = re.findall(r"[^\n]*\n|[^\n]+$", text)
    endings = ["\r\n" if p.endswith("\r\n") else "\n" if p.endswith("\n") else "" for p in pieces]
    return [p[: len(p) - len(e)] for p, e in zip(pieces, endings, strict=True)], endings


def splice(lines: list[str], endings: list[str], edits: list[Edit]) -> str:
    """The text with the edits made. A file without a final newline still has none when its
    last line went."""
    gone = {line for e in edits if e.text is None for line in range(e.start, e.stop)}
    new = {e.start: e.text for e in edits if e.text is not None}
    kept = [
        (new.get(i, t), e)
        for i, (t, e) in enumerate(zip(lines, endings, strict=True))
        if i not in gone
    ]
    if kept and not endings[-1]:
        kept[-1] = (kept[-1][0], "")
    return "".join(text + ending for text, ending in kept)


def change_of(lines: list[str], edit: Edit) -> ScriptChange:
    before = shown("\n".join(lines[edit.start : edit.stop]))
    return ScriptChange(edit.start + 1, before, edit.text and shown(edit.text), edit.reason)


def shown(text: str) -> str:
    """Text a report can write: a byte that is not UTF-8 (kept as is in the file) shows as \\xNN."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def cut_blocks(plan: Plan, blocks: Sequence[tuple[str, str]], clock: Clock) -> None:
    """Every block from a line matching start through the next later line matching end goes,
    whatever the kind of file. A line an earlier block took is not taken twice. The searches
    share the file's time budget (`clock`): playbook patterns are user input."""
    for start, end in blocks:
        try:
            first, last = compile_pattern(start), compile_pattern(end)
        except regex.error as exc:
            raise ValueError(f"bad block regex /{start}/ or /{end}/: {exc}") from None
        if not clock.any(first, plan.lines):
            raise ValueError(f"the block start /{start}/ matches no line of the file")
        line = 0
        while line < len(plan.lines):
            if not clock.search(first, plan.lines[line]):
                line += 1
                continue
            later = range(line + 1, len(plan.lines))
            stop = next((j for j in later if clock.search(last, plan.lines[j])), None)
            if stop is None:
                raise ValueError(
                    f"the block starting at line {line + 1} (/{start}/) never ends: "
                    f"no later line matches /{end}/"
                )
            for run in runs(j for j in range(line, stop + 1) if j not in plan.taken):
                plan.drop(run[0], run[-1] + 1, f"block between /{start}/ and /{end}/")
            line = stop + 1


def leftovers(plan: Plan) -> tuple[tuple[int, str], ...]:
    """Lines that still name the component (in any case) or a target or script that went: the
    lines not changed, and changed ones whose new text still does."""
    words = sorted(plan.names | plan.removed, key=len, reverse=True)
    if not words:
        return ()
    alternation = "|".join(map(re.escape, words))
    # the word rule: joined by `_` the name is still the component's (`CONDUCTOR_URL`)
    mention = re.compile(rf"(?<![A-Za-z0-9-])(?:{alternation})(?![A-Za-z0-9-])", re.I)
    gone = {line for e in plan.edits if e.text is None for line in range(e.start, e.stop)}
    new = {e.start: e.text for e in plan.edits if e.text is not None}
    texts = [(line + 1, new.get(line, text)) for line, text in enumerate(plan.lines)]
    return tuple((n, shown(t)) for n, t in texts if n - 1 not in gone and mention.search(t))


def check_json(before: bytes, after: bytes) -> None:
    """A package.json that parsed before must parse after: npm refuses a broken one."""
    try:
        json.loads(before)
    except ValueError:
        return
    try:
        json.loads(after)
    except ValueError as exc:
        raise ValueError(f"the edited file would not be valid JSON ({exc})") from None


def planners() -> dict[str, Callable[[Plan], None]]:
    return {
        "powershell": powershell,
        "shell": shell,
        "make": make,
        "just": just,
        "npm": npm,
        "env": env,
    }


def run_planners(plan: Plan) -> None:
    """Blocks dedicated to the component claim first (a list inside one goes with it), then
    the kind's shapes, then prose lists and help lines, then the counts of what shrank."""
    kind = planners()[plan.kind or ""]
    dedicated(plan, shared_lines(plan) if plan.kind in ("powershell", "shell") else set())
    kind(plan)
    prose(plan)
    service_words(plan)
    help_blocks(plan)
    hashtables(plan)
    counts(plan)


def shared_lines(plan: Plan) -> set[int]:
    """Lines where the component is one element of a list: a block holding one is shared.
    Found on a scratch plan, so nothing is claimed."""
    scratch = Plan(plan.lines, plan.names, plan.kind)
    scratch.opaque, scratch.others = plan.opaque, plan.others
    planners()[plan.kind or ""](scratch)
    prose(scratch)
    listed = [e for e in scratch.edits if "element" in e.reason or "alternative" in e.reason]
    return {line for e in listed for line in range(e.start, e.stop)}
