"""`.env`-style files lose the variables named after a removed component, and only those.

A variable is the component's when its name holds the component's name as `_`-joined words
(`CONDUCTOR_ENABLED`, `ENABLE_CONDUCTOR`, `SHOP_CONDUCTOR_URL`, `CONDUCTOR`): the word rule
of the mentions. It goes with the comments that only introduced it, and a section header
(`# SERVICE CONDUCTOR`, `# ---- Conductor ----`) goes when every variable under it goes, so
no empty section or double blank line is left. Never removed:
- a variable a kept file still reads (`keep`, found by the docs step), or that a kept line of
  this file reads (`${CONDUCTOR_URL}`);
- any variable when the name is a generic word other variables share (`API`, `DB`, `WEB`:
  `script_blocks.GENERIC`), or when another component's name holds it (`conductor-ui`,
  `CONDUCTOR_UI_PORT`): whose a variable is cannot be told, so its lines are reported instead.
Comment syntax follows the dotenv convention: a line starting with `#` is a comment
(https://github.com/motdotla/dotenv#comments, https://docs.docker.com/compose/how-tos/environment-variables/variable-interpolation/#env-file-syntax).
Line numbers are 0-based.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import PurePosixPath

from consolidate.edits.script_blocks import GENERIC, words
from consolidate.edits.script_plan import Edit, Plan, runs

VARIABLE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$")
COMMENTED = re.compile(r"^\s*#\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=")
REFERENCE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def is_env_file(path: str) -> bool:
    """`.env`, `.env.example`, `.env.local`, `prod.env`, `env.sample`."""
    name = PurePosixPath(path.replace("\\", "/")).name.lower()
    return name == ".env" or name.startswith(".env.") or name.endswith(".env")


def _targets(names: Collection[str]) -> list[list[str]]:
    return [words(n) for n in names if n and n.lower() not in GENERIC]


def owned(variable: str, targets: list[list[str]]) -> bool:
    """The variable's `_`-joined words hold one of the component's names."""
    seq = [w.lower() for w in variable.split("_") if w]
    return any(seq[i : i + len(t)] == t for t in targets for i in range(len(seq) - len(t) + 1))


def candidates(data: bytes, names: Collection[str], others: Collection[str] = ()) -> set[str]:
    """The variables `env` would remove, before `keep`: what the docs step searches for."""
    lines = data.decode("utf-8", "surrogateescape").splitlines()
    targets = _targets(names)
    if not targets or _shared(names, others):
        return set()
    theirs = _compounds(lines, names)
    found = (m[1] for t in lines if (m := VARIABLE.match(t)))
    return {v for v in found if owned(v, targets) and not owned(v, theirs)}


COMPOUND = re.compile(r"(?<![\w.-])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+(?![\w-])")


def _shared(names: Collection[str], others: Collection[str]) -> bool:
    """A kept service's name holds one of ours (`conductor-ui`): its variables would look like
    ours, so none is removed."""
    ours = {n.lower() for n in names}
    targets = _targets(names)
    return any(o.lower() not in ours and owned(o.replace("-", "_"), targets) for o in others)


def _compounds(lines: list[str], names: Collection[str]) -> list[list[str]]:
    """`-` compounds in the file that hold the name (`conductor-ui`, `conductor-data`): maybe
    another component's, so a variable holding one (`CONDUCTOR_UI_PORT`) stays for a person."""
    ours = {n.lower() for n in names}
    targets = _targets(names)
    found = {m[0].lower() for t in lines for m in COMPOUND.finditer(t)} - ours
    return [words(c) for c in found if owned(c.replace("-", "_"), targets)]


@dataclass(frozen=True)
class Entry:
    start: int
    stop: int  # exclusive: a quoted value may span lines
    variable: str | None  # None for a comment
    commented: bool = False


def env(plan: Plan) -> None:
    """The env planner: paragraphs (between blank lines) of comments and variables."""
    targets = _targets(plan.names)
    if not targets or _shared(plan.names, plan.others):
        return
    entries = _entries(plan.lines)
    values = {e.variable for e in entries if e.variable and not e.commented}
    gone = _removable(plan, entries, targets)
    removed: list[Edit | None] = []
    for para in _paragraphs(plan.lines, entries):
        removed += _paragraph(plan, para, gone)
    removed += _sections(plan, entries)
    plan.tidy(removed)
    plan.removed.update(v for v in gone if v in values)


def _entries(lines: list[str]) -> list[Entry]:
    out: list[Entry] = []
    line = 0
    while line < len(lines):
        text = lines[line]
        if m := VARIABLE.match(text):
            stop = _value_end(lines, line, m[2])
            out.append(Entry(line, stop, m[1]))
            line = stop
            continue
        if m := COMMENTED.match(text):
            out.append(Entry(line, line + 1, m[1], commented=True))
        elif text.lstrip().startswith("#"):
            out.append(Entry(line, line + 1, None))
        elif text.strip():
            out.append(Entry(line, line + 1, "", commented=False))  # a line of another kind
        line += 1
    return out


def _value_end(lines: list[str], line: int, value: str) -> int:
    """The line after a value; a quoted value may run over lines until its closing quote."""
    value = value.strip()
    quote = value[:1]
    if quote not in ("'", '"') or (len(value) > 1 and value.rstrip().endswith(quote)):
        return line + 1
    for end in range(line + 1, len(lines)):
        if lines[end].rstrip().endswith(quote):
            return end + 1
    return line + 1


def _removable(plan: Plan, entries: list[Entry], targets: list[list[str]]) -> set[str]:
    """The component's variables, but those a kept file or a kept line here reads."""
    theirs = _compounds(plan.lines, plan.names)
    gone = {
        e.variable
        for e in entries
        if e.variable and owned(e.variable, targets) and not owned(e.variable, theirs)
    }
    gone -= set(plan.keep)
    while True:
        kept_lines = [
            "\n".join(plan.lines[e.start : e.stop])
            for e in entries
            if e.variable is not None and e.variable not in gone and not e.commented
        ]
        read = {r for text in kept_lines for r in REFERENCE.findall(text)}
        if not read & gone:
            return gone
        gone -= read


def _paragraphs(lines: list[str], entries: list[Entry]) -> list[list[Entry]]:
    out: list[list[Entry]] = []
    for entry in entries:
        if out and out[-1][-1].stop == entry.start:
            out[-1].append(entry)
        else:
            out.append([entry])
    return out


def _paragraph(plan: Plan, para: list[Entry], gone: set[str]) -> list[Edit | None]:
    """A paragraph whose variables all go goes whole, with its comments; otherwise see
    `_groups`."""
    variables = [e for e in para if e.variable is not None]
    if not variables:
        return []
    if all(v.variable in gone for v in variables):
        return [plan.drop(para[0].start, para[-1].stop, "variables of the component")]
    return _groups(plan, para, gone)


def _groups(plan: Plan, para: list[Entry], gone: set[str]) -> list[Edit | None]:
    """In a paragraph that keeps variables: each run of comments with the variables under it
    (up to the next comment) goes when all of those go, but the paragraph's leading comments
    stay; a variable that goes alone goes alone."""
    out: list[Edit | None] = []
    groups: list[list[Entry]] = []
    for entry in para:
        starts = entry.variable is None and (not groups or groups[-1][-1].variable is not None)
        if starts or not groups:
            groups.append([entry])
        else:
            groups[-1].append(entry)
    for k, group in enumerate(groups):
        variables = [e for e in group if e.variable is not None]
        leading = k == 0 and group[0].variable is None
        if variables and all(v.variable in gone for v in variables) and not leading:
            out.append(plan.drop(group[0].start, group[-1].stop, "variables of the component"))
            continue
        for v in variables:
            if v.variable in gone:
                start = _introduced(plan, group, v)
                out.append(plan.drop(start, v.stop, f"variable '{v.variable}' of the component"))
    return out


# A section header: a rule (`# =====`, `# ---- Web ----`) or a line in capitals (`# SERVICE WEB`)
HEADER = re.compile(r"^\s*#+\s*(?:[=\-#*~_]{3,}.*|[A-Z0-9][A-Z0-9 _/&()-]*[A-Z0-9)])\s*$")


def _introduced(plan: Plan, group: list[Entry], variable: Entry) -> int:
    """The first of the comment lines right above a variable that name the component: they
    introduced it alone (`# conductor retries` above `SHOP_CONDUCTOR_RETRIES`)."""
    start = variable.start
    above = [e for e in group if e.stop <= variable.start]
    for entry in reversed(above):
        if entry.variable is not None or entry.stop != start:
            break
        if not owned_text(plan.lines[entry.start], plan.names) or HEADER.match(
            plan.lines[entry.start]
        ):
            break
        start = entry.start
    return start


def _sections(plan: Plan, entries: list[Entry]) -> list[Edit | None]:
    """A paragraph of comments only, naming the component, goes when the paragraphs under it
    (up to the next paragraph of comments only) all went; so do the blank lines between."""
    paras = _paragraphs(plan.lines, entries)
    out: list[Edit | None] = []
    for k, para in enumerate(paras):
        if any(e.variable is not None for e in para) or not _names(plan, para):
            continue
        under = []
        for later in paras[k + 1 :]:
            if all(e.variable is None for e in later) or HEADER.match(plan.lines[later[0].start]):
                break
            under.append(later)
        if not under or not all(_gone(plan, p) for p in under):
            continue
        start, stop = para[0].start, under[-1][-1].stop
        between = [n for n in range(start, stop) if plan.free([n])]
        if all(not plan.lines[n].strip() or n < para[-1].stop for n in between):
            reason = "section header of the component"
            out += [plan.drop(run[0], run[-1] + 1, reason) for run in runs(between)]
    return out


def _names(plan: Plan, para: list[Entry]) -> bool:
    text = "\n".join(plan.lines[para[0].start : para[-1].stop])
    return owned_text(text, plan.names)


def owned_text(text: str, names: Collection[str]) -> bool:
    targets = _targets(names)
    return any(owned("_".join(words(m[0])), targets) for m in re.finditer(r"[A-Za-z0-9_-]+", text))


def _gone(plan: Plan, para: list[Entry]) -> bool:
    return not plan.free(range(para[0].start, para[-1].stop)) and all(
        plan.current(n) is None for n in range(para[0].start, para[-1].stop)
    )
