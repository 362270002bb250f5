"""What PowerShell and shell scripts look like, and where a component's name sits in them.

The planners here recognise shapes and claim them on a `Plan` (`script_plan`): a PowerShell
hashtable entry or switch branch, a shell case branch, and the lists each kind writes (arrays,
`[...]`, `for ... in`). A shape is recognised only where it is unambiguous; a mention in any
other shape stays for a person, because a wrong cut breaks a script silently. Build tools (make,
just, npm) are in `script_build`. Line numbers are 0-based.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from consolidate.edits.script_plan import (
    ALTERNATIVES,
    BRACKETS,
    COMMAS,
    WORDS,
    Plan,
    Span,
    label,
    tokens,
)

SHEBANG = re.compile(r"^#!\s*\S*(?:/|\benv\s+(?:-\S+\s+)*)(?:ba|da)?sh(?:\s|$)")
HEREDOC = re.compile(r"(?<!<)<<-?(?!<)\s*(['\"]?)([A-Za-z_][\w.-]*)\1")


def kind_of(path: str, first_line: str) -> str | None:
    """The kind of script, from its file name (and, without a suffix, its shebang)."""
    name = PurePosixPath(path.replace("\\", "/")).name
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in (".ps1", ".psm1"):
        return "powershell"
    if name in ("Makefile", "makefile", "GNUmakefile") or suffix == ".mk":
        return "make"
    if name in ("justfile", "Justfile", ".justfile") or suffix == ".just":
        return "just"
    if name == "package.json":
        return "npm"
    if suffix in (".sh", ".bash") or (not suffix and SHEBANG.match(first_line)):
        return "shell"
    lower = name.lower()
    if lower == ".env" or lower.startswith(".env.") or lower.endswith(".env"):
        return "env"
    return None


def opaque_lines(lines: list[str], kind: str | None) -> set[int]:
    """Lines that are text, not code: here-documents, PowerShell here-strings and block comments.
    Nothing in them is cut (a here-document may be a file being written); a mention is reported."""
    found: set[int] = set()
    end: re.Pattern[str] | None = None
    for line, text in enumerate(lines):
        if end is not None:
            found.add(line)
            end = None if end.match(text) else end
        elif kind == "shell" and (m := HEREDOC.search(text)):
            tabs = r"\t*" if m[0].startswith("<<-") else ""
            end = re.compile(rf"^{tabs}{re.escape(m[2])}\s*$")
        elif kind == "powershell" and re.search(r"@[\"']\s*$", text):
            end = re.compile(r"^[\"']@")
        elif kind == "powershell" and re.match(r"^\s*<#", text) and "#>" not in text:
            found.add(line)
            end = re.compile(r".*#>")
    return found


OPENERS = {
    "powershell": re.compile(r"(?i)(?:@|\bValidateSet\s*|=\s*|-(?:not)?(?:in|contains)\s+)\(|\["),
    "shell": re.compile(r"=\(|\["),
}


def find_lists(plan: Plan) -> None:
    """Cut the names out of every bracketed list of literals, on one line or over several:
    `@(...)` and `ValidateSet(...)` in PowerShell, `NAME=(...)` in shell, `[...]` anywhere."""
    line = 0
    while line < len(plan.lines):
        line = _lists_on(plan, line, OPENERS.get(plan.kind or "", re.compile(r"\[")))


def _lists_on(plan: Plan, line: int, opener: re.Pattern[str]) -> int:
    """Handle the lists that open on a line; the next line to look at."""
    code = plan.code(line)
    for m in opener.finditer(code):
        start, closer = m.end(), ")" if code[m.end() - 1] == "(" else "]"
        grammar, joiner = (WORDS, "") if plan.kind == "shell" and closer == ")" else (COMMAS, ",")
        close = code.find(closer, start)
        if BRACKETS.search(code, start, close if close >= 0 else len(code)):
            continue
        if close >= 0:
            span = Span(line, start, close)
            plan.cut_list([span], grammar, plan.named, "element {} of an inline list", joiner)
            continue
        spans = _follow(plan, Span(line, start, len(code.rstrip())), closer)
        if spans:
            plan.cut_list(spans, grammar, plan.named, "element {} of a multi-line list", joiner)
            return spans[-1].line + 1
        break
    return line + 1


def _follow(plan: Plan, first: Span, closer: str) -> list[Span] | None:
    """The spans of a list that opens on one line and closes on a later one, or None when
    anything but items, separators and comments sits in between."""
    spans = [first]
    for line in range(first.line + 1, len(plan.lines)):
        code = plan.code(line)
        close = code.find(closer)
        stop = close if close >= 0 else len(code.rstrip())
        if line in plan.opaque or BRACKETS.search(code, 0, stop):
            return None
        spans.append(Span(line, 0, stop, whole=close < 0))
        if close >= 0:
            return spans
    return None


def powershell(plan: Plan) -> None:
    """A hashtable entry (`orchestrator = ...`) or a switch branch (`"orchestrator" { ... }`) for
    the name goes whole, with its value or body when that runs over lines; then lists."""
    names = "|".join(map(re.escape, sorted(plan.names)))
    entry = re.compile(rf"^\s*(['\"]?)({names})\1\s*(=(?!=)|\{{)")
    for line, text in enumerate(plan.lines):
        m = entry.match(text)
        stop = plan.balanced_end(line) if m else None
        if m and stop:
            what = "hashtable entry" if m[3] == "=" else "switch branch"
            plan.drop(line, stop, f"{what} '{m[2]}'")
    find_lists(plan)


CASE = re.compile(r"(?:^|[;&|({]|\bthen|\bdo|\belse)\s*case\s+\S+\s+in(?:\s|$)")
ESAC = re.compile(r"(?:^|[\s;&|])esac(?=[\s;&|)]|$)")
ALT = r"\"[^\"]*\"|'[^']*'|[^\s|()\"';&]+"
PATTERN = re.compile(rf"^\s*\(?\s*((?:{ALT})(?:\s*\|\s*(?:{ALT}))*)\s*\)")
TERMINATOR = re.compile(r";;&?|;&")
FOR_IN = re.compile(r"^\s*for\s+\w+\s+in\s+")


def shell(plan: Plan) -> None:
    """Case branches for the name; then arrays, `[...]` lists, and `for x in a b c` lists."""
    expecting: list[bool] = []  # one per open case: whether a pattern may come next
    for line in range(len(plan.lines)):
        code = plan.code(line)
        m = PATTERN.match(plan.lines[line]) if expecting and expecting[-1] else None
        if m:
            _case_branch(plan, line, m)
            expecting[-1], code = False, code[m.end() :]
        expecting += [True] * len(CASE.findall(code))
        del expecting[max(0, len(expecting) - len(ESAC.findall(code))) :]
        if expecting and TERMINATOR.search(code):
            expecting[-1] = True
    find_lists(plan)
    for line in range(len(plan.lines)):
        code = plan.code(line)
        if m := FOR_IN.match(code):
            semi = code.find(";", m.end())
            span = Span(line, m.end(), len(code[: semi if semi >= 0 else None].rstrip()))
            plan.cut_list([span], WORDS, plan.named, "element {} of a for list")


def _case_branch(plan: Plan, line: int, m: re.Match[str]) -> None:
    """`orchestrator)` through its `;;` goes; `worker|orchestrator)` loses one alternative."""
    span = Span(line, m.start(1), m.end(1))
    found = tokens(plan.lines[line], span.start, span.stop, ALTERNATIVES) or []
    named = [plan.named(plan.lines[line][t.start : t.stop]) for t in found if not t.sep]
    if any(named) and not all(named):
        plan.cut_list([span], ALTERNATIVES, plan.named, "alternative {} of a case pattern")
    elif any(named) and (end := _branch_end(plan, line, m.end())) is not None:
        plan.drop(line, end + 1, f"case branch {label(n for n in named if n)}")


def _branch_end(plan: Plan, line: int, body: int) -> int | None:
    """The last line of the case branch whose pattern ends at column `body` of `line`: the one
    with its `;;` (outside nested cases), or the line before the `esac` when there is none."""
    depth = 0
    for end in range(line, len(plan.lines)):
        code = plan.code(end)[body if end == line else 0 :]
        depth += len(CASE.findall(code))
        closes = len(ESAC.findall(code))
        if closes > depth:
            return end - 1 if end > line else None
        depth -= closes
        if depth == 0 and TERMINATOR.search(code):
            return end
    return None
