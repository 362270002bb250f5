"""Blocks of a PowerShell or shell script dedicated to a removed component go whole.

Three shapes, each recognised only where it is certain (`Plan` claims, first claim wins):
- a function whose name holds the component as a word (`Test-ConductorHealth`,
  `check_conductor`), with the lines that only call it;
- an `if`/`elseif`/`else` chain (shell `if`/`elif`/`else`/`fi`) whose subject is the component:
  when every condition tests only the result of a line that names it (`$s = docker inspect
  proj_conductor`), the chain goes with that line; when conditions test the name itself
  (`$svc -eq "conductor"`), only those branches go, and the chain stays for the others;
- a paragraph introduced by a comment (up to a blank line, a dedent or the next comment
  paragraph) whose every line concerns the component and names no other service.
A line that also names another service, or holds the component as one element of a list, is
shared: the block stays and only the list element goes (`script_shapes`, `script_prose`).
Line numbers are 0-based.
"""

from __future__ import annotations

import re

from consolidate.edits.script_chains import Subject, chain_at, chains, subject_of, whole
from consolidate.edits.script_plan import Edit, Plan

# Names shared by too many things to claim a block or a variable by: a function `Get-WebData`
# or a variable `API_URL` is not certainly the component's.
GENERIC = frozenset(
    re.findall(
        r"\w+",
        "api app apps admin auth backend base cache client common config core data db default dev"
        " docs frontend gateway http job jobs log logs mail main node proxy queue redis server"
        " service services shared sql static storage test tests ui web worker www",
    )
)


def words(name: str) -> list[str]:
    """`Test-ConductorHealth` -> [test, conductor, health]; `check_api_gateway` -> its parts."""
    out = []
    for part in re.split(r"[-_.:\s]+", name):
        out += re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", part)
    return [w.lower() for w in out]


def holds(seq: list[str], sub: list[str]) -> bool:
    return bool(sub) and any(seq[i : i + len(sub)] == sub for i in range(len(seq) - len(sub) + 1))


def dedicated(plan: Plan, shared_lines: set[int]) -> None:
    """Functions, then comment paragraphs, then chains: the widest block claims first."""
    if plan.kind not in ("powershell", "shell") or not plan.names:
        return
    subject = subject_of(plan, shared_lines)
    gone = [*functions(plan, subject), *paragraphs(plan, subject), *chains(plan, subject)]
    plan.tidy(gone)


# --- functions ---------------------------------------------------------------------------------

PS_FUNCTION = re.compile(
    r"(?i)^\s*(?:function|filter)\s+(?:[\w]+:)?([\w-]+)\s*(?:\(.*\))?\s*\{?\s*$"
)
SH_FUNCTION = re.compile(
    r"^\s*(?:function\s+([\w-]+)\s*(?:\(\s*\))?|([A-Za-z_][\w-]*)\s*\(\s*\))\s*\{?\s*$"
)


def functions(plan: Plan, subject: Subject) -> list[Edit | None]:
    """A function named after the component goes with its body, the comment right above it
    that names it, and the lines that only call it."""
    targets = [words(n) for n in plan.names if n.lower() not in GENERIC]
    compounds = _compounds(plan)
    out: list[Edit | None] = []
    header = PS_FUNCTION if plan.kind == "powershell" else SH_FUNCTION
    for line in range(len(plan.lines)):
        m = header.match(plan.code(line))
        name = next((g for g in m.groups() if g), None) if m else None
        if not name:
            continue
        seq = words(name)
        if not any(holds(seq, t) for t in targets) or any(holds(seq, c) for c in compounds):
            continue
        end = _body_end(plan, line)
        if end is None:
            continue
        start = line
        while start > 0 and _comment(plan, start - 1) and subject.alone(start - 1):
            start -= 1
        edit = plan.drop_whole(start, end, f"function '{name}' with its body")
        if edit:
            out.append(edit)
            plan.removed.add(name)
            out += _calls(plan, name)
    return out


COMPOUND = re.compile(r"(?<![\w.-])[a-z0-9]+(?:-[a-z0-9]+)+(?![\w-])")


def _compounds(plan: Plan) -> list[list[str]]:
    """Other names that hold the component's: kept services, and lower-case `-` compounds in
    the file (`conductor-ui`, not a `Verb-Noun` command): a function named after one of them
    is theirs."""
    found = {o for o in plan.others if o not in plan.names}
    found.update(m[0] for text in plan.lines for m in COMPOUND.finditer(text))
    targets = [words(n) for n in plan.names]
    ours = {n.lower() for n in plan.names}
    return [
        words(c)
        for c in found
        if c.lower() not in ours and any(holds(words(c), t) for t in targets)
    ]


def _comment(plan: Plan, line: int) -> bool:
    text = plan.lines[line].lstrip()
    return text.startswith("#") and not text.startswith(("#!", "<#", "#>")) and plan.free([line])


def _body_end(plan: Plan, line: int) -> int | None:
    """The line after a function's closing brace; None when the body is laid out otherwise."""
    opener = line
    if "{" not in plan.code(line):
        opener = next((j for j in range(line + 1, len(plan.lines)) if plan.lines[j].strip()), -1)
        if opener < 0 or not plan.code(opener).strip().startswith("{"):
            return None
    end = braces_end(plan, opener)
    if end is None or not plan.code(end - 1).rstrip().endswith("}"):
        return None
    return end if not plan.taken.intersection(range(line, end)) else None


def braces_end(plan: Plan, line: int) -> int | None:
    """The line after the one where the `{` opened on `line` closes (only braces count: a case
    pattern's `)` is not a bracket; nor does a brace in a here-string or here-document)."""
    depth = 0
    for end in range(line, len(plan.lines)):
        if end in plan.opaque:
            continue
        for char in re.findall(r"[{}]", plan.code(end)):
            depth += 1 if char == "{" else -1
            if depth < 0:
                return None
        if depth == 0:
            return end + 1 if end > line or "{" in plan.code(line) else None
    return None


BLOCK_OPEN = re.compile(r"(?:\bthen|\bdo|\belse|\{|\bin)\s*$")
BLOCK_CLOSE = re.compile(r"^\s*(?:fi|done|else|elif|esac|;;|\})(?:\s|;|$)")


def _calls(plan: Plan, name: str) -> list[Edit | None]:
    """Lines that only call the removed function go, unless that empties a shell block."""
    call = re.compile(rf"^\s*(?:&\s*)?{re.escape(name)}(?:\s+[^|;&<>(){{}}=]*)?\s*$")
    out: list[Edit | None] = []
    for line in range(len(plan.lines)):
        if not call.match(plan.code(line)) or not plan.free([line]):
            continue
        if plan.kind == "shell" and _only_statement(plan, line):
            continue
        out.append(plan.drop(line, line + 1, f"call of the removed function '{name}'"))
    return out


def _only_statement(plan: Plan, line: int) -> bool:
    above = next((plan.code(j) for j in range(line - 1, -1, -1) if plan.code(j).strip()), "")
    below = next(
        (plan.code(j) for j in range(line + 1, len(plan.lines)) if plan.code(j).strip()), ""
    )
    return bool(BLOCK_OPEN.search(above) and BLOCK_CLOSE.match(below))


# --- paragraphs --------------------------------------------------------------------------------


def paragraphs(plan: Plan, subject: Subject) -> list[Edit | None]:
    out: list[Edit | None] = []
    line = 0
    while line < len(plan.lines):
        stop = _paragraph_end(plan, line) if _introduces(plan, line) else None
        if stop is None:
            line += 1
            continue
        if _dedicated(plan, subject, line, stop):
            reason = f"paragraph about the component ({plan.lines[line].strip()[:60]})"
            out.append(plan.drop(line, stop, reason))
        line = stop
    return out


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip())


def _introduces(plan: Plan, line: int) -> bool:
    if not _comment(plan, line):
        return False
    if line == 0:
        return True
    above = plan.lines[line - 1]
    return not above.strip() or not _comment(plan, line - 1)


def _paragraph_end(plan: Plan, line: int) -> int:
    indent, code_seen = _indent(plan.lines[line]), False
    stop = line + 1
    while stop < len(plan.lines):
        text = plan.lines[stop]
        if not text.strip() or _indent(text) < indent:
            break
        if _comment(plan, stop) and _indent(text) == indent and code_seen:
            break
        code_seen = code_seen or not _comment(plan, stop)
        stop += 1
    return stop


def _dedicated(plan: Plan, subject: Subject, start: int, stop: int) -> bool:
    """Every line concerns the component alone, and one at least is code: comments alone are
    prose, for a person."""
    if not plan.free(range(start, stop)) or all(_comment(plan, n) for n in range(start, stop)):
        return False
    line = start
    while line < stop:
        chain = chain_at(plan, line)
        if chain is not None and chain.stop <= stop and whole(plan, subject, chain):
            line = chain.stop
            continue
        if not subject.alone(line):
            return False
        line += 1
    return True
