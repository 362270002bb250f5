"""Where an `if` chain of a PowerShell or shell script starts, ends and branches, and which
of it goes with a removed component (see `script_blocks` for the rules).

Only the layouts a person writes by hand are recognised: PowerShell `if (...) {` with its
`elseif`/`else` branches after the closing brace (on its line or the next), a shell `if ...;
then` on a line of its own through a `fi` on a line of its own (or a whole chain on one line).
Anything else is not a chain here, and its lines stay for a person. Line numbers are 0-based.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from consolidate.edits.script_plan import Edit, Plan


def alternation(names: frozenset[str] | set[str]) -> str:
    return "|".join(map(re.escape, sorted(names, key=len, reverse=True)))


def mention(names: frozenset[str] | set[str]) -> re.Pattern[str] | None:
    """A name as a word, also joined by `_` (`proj_conductor`, `CONDUCTOR_URL`); joined by `-`
    or `.` to another word it is another name (`conductor-ui`, `conductor.service`)."""
    if not names:
        return None
    return re.compile(
        rf"(?<![A-Za-z0-9-])(?<![A-Za-z0-9]\.)(?:{alternation(names)})(?![A-Za-z0-9-])"
        r"(?!\.[A-Za-z0-9])",
        re.I,
    )


LISTED = r"(?:[,|]|\band|\bor)\s*[\"']?(?:{0})\b|\b(?:{0})[\"']?\s*(?:[,|]|and\b|or\b)"


@dataclass
class Subject:
    """What the planners ask of a line: does it concern the component alone?"""

    plan: Plan
    names: re.Pattern[str] | None
    others: re.Pattern[str] | None
    listed: re.Pattern[str] | None
    shared_lines: frozenset[int]

    def names_it(self, text: str) -> bool:
        return bool(self.names and self.names.search(text))

    def shared(self, line: int, text: str) -> bool:
        """The line also names another service, or holds the component in a list."""
        return (
            line in self.shared_lines
            or bool(self.others and self.others.search(text))
            or bool(self.listed and self.listed.search(text))
        )

    def alone(self, line: int) -> bool:
        text = self.plan.lines[line]
        return self.names_it(text) and not self.shared(line, text)


def subject_of(plan: Plan, shared_lines: set[int]) -> Subject:
    names = set(plan.names)
    others = {o for o in plan.others if o not in names}
    listed = re.compile(LISTED.format(alternation(names)), re.I) if names else None
    return Subject(plan, mention(names), mention(others), listed, frozenset(shared_lines))


@dataclass(frozen=True)
class Branch:
    keyword: str  # if, elseif (elif), else
    head: int  # the line of its keyword
    cond: str  # the condition as written ("" for else)
    close: int  # PowerShell: the line of the brace that ends its body; shell: its last line


@dataclass(frozen=True)
class Chain:
    branches: tuple[Branch, ...]
    start: int
    stop: int  # exclusive


def chain_at(plan: Plan, line: int) -> Chain | None:
    if line in plan.opaque:
        return None
    return ps_chain(plan, line) if plan.kind == "powershell" else sh_chain(plan, line)


class Cursor:
    """Walks the masked code of a script character by character, across lines."""

    def __init__(self, plan: Plan, line: int, col: int) -> None:
        self.plan, self.line, self.col = plan, line, col
        self.code = plan.code(line)

    def skip(self) -> bool:
        """Past whitespace and line ends; False at the end of the file."""
        while True:
            while self.col < len(self.code) and self.code[self.col].isspace():
                self.col += 1
            if self.col < len(self.code):
                return True
            if self.line + 1 >= len(self.plan.lines) or self.line + 1 in self.plan.opaque:
                return False
            self.line, self.col = self.line + 1, 0
            self.code = self.plan.code(self.line)

    def char(self) -> str:
        return self.code[self.col] if self.col < len(self.code) else ""

    def word(self) -> str:
        m = re.match(r"[A-Za-z]+", self.code[self.col :])
        return m[0].lower() if m else ""

    def balanced(self, opener: str, closer: str) -> tuple[int, int] | None:
        """From an opener, past its closer; the (line, column) of the closer."""
        depth = 0
        while self.skip():
            char = self.char()
            depth += (char == opener) - (char == closer)
            self.col += 1
            if depth == 0:
                return self.line, self.col - 1
        return None


def ps_chain(plan: Plan, line: int) -> Chain | None:
    m = re.match(r"(?i)^\s*if\s*(?=\()", plan.code(line))
    if not m:
        return None
    cur, keyword, branches = Cursor(plan, line, m.end()), "if", []
    while True:
        head, cond = cur.line, ""
        if keyword != "else":
            start = (cur.line, cur.col)
            end = cur.balanced("(", ")")
            if end is None:
                return None
            cond = _text(plan, start, end)
        if not cur.skip() or cur.char() != "{":
            return None
        close = cur.balanced("{", "}")
        if close is None:
            return None
        branches.append(Branch(keyword, head, cond, close[0]))
        after = (cur.line, cur.col)
        if not cur.skip() or cur.word() not in ("elseif", "else"):
            if plan.code(after[0])[after[1] :].strip():
                return None
            return Chain(tuple(branches), line, after[0] + 1)
        keyword = cur.word()
        cur.col += len(keyword)
        if keyword == "elseif" and not (cur.skip() and cur.char() == "("):
            return None


def _text(plan: Plan, start: tuple[int, int], end: tuple[int, int]) -> str:
    if start[0] == end[0]:
        return plan.lines[start[0]][start[1] : end[1] + 1]
    middle = plan.lines[start[0] + 1 : end[0]]
    return "\n".join([plan.lines[start[0]][start[1] :], *middle, plan.lines[end[0]][: end[1] + 1]])


SH_IF = re.compile(r"(?:^|[;&|]|\bthen|\bdo|\belse)\s*if\s")
SH_FI = re.compile(r"(?:^|[\s;&])fi(?=[\s;&|)]|$)")
SH_BRANCH = re.compile(r"^\s*(elif|else)(?:\s|;|$)")


def sh_chain(plan: Plan, line: int) -> Chain | None:
    """`if ...; then` on a line of its own through its `fi`, the branches at the top level."""
    code = plan.code(line)
    if not re.match(r"^\s*if\s", code):
        return None
    depth, branches = 0, [Branch("if", line, _sh_cond(plan.lines[line], "if"), line)]
    for end in range(line, len(plan.lines)):
        if end in plan.opaque:
            return None
        code = plan.code(end)
        if depth == 1 and end > line and (m := SH_BRANCH.match(code)):
            branches.append(Branch(m[1], end, _sh_cond(plan.lines[end], m[1]), end))
        depth += len(SH_IF.findall(code)) - len(SH_FI.findall(code))
        if depth <= 0:
            if depth < 0 or (end > line and not re.match(r"^\s*fi\s*$", code)):
                return None
            if end == line and len(branches) > 1:
                return None
            return Chain(tuple(branches), line, end + 1)
    return None


def _sh_cond(text: str, keyword: str) -> str:
    if keyword == "else":
        return ""
    body = re.sub(rf"^\s*{keyword}\s", "", text, count=1)
    return re.split(r";\s*then\b|\bthen\b", body, maxsplit=1)[0]


# --- what the chains decide ------------------------------------------------------------------


PS_VAR = re.compile(r"\$(?:\{([^}]+)\}|(?:(?:script|global|local|env):)?(\w+))", re.I)
AUTOMATIC = frozenset({"null", "true", "false", "_", "psitem", "this", "args", "input", "?"})
LOGIC = re.compile(r"(?i)-(?:and|or|xor)\b|&&|\|\|")


def variables(text: str) -> set[str]:
    return {(m[1] or m[2]).lower() for m in PS_VAR.finditer(text)} - AUTOMATIC


def chains(plan: Plan, subject: Subject) -> list[Edit | None]:
    out: list[Edit | None] = []
    line = 0
    while line < len(plan.lines):
        chain = chain_at(plan, line)
        if chain is None or not plan.free(range(chain.start, chain.stop)):
            line += 1
            continue
        out += _chain_edits(plan, subject, chain)
        line = chain.stop
    return out


def _chain_edits(plan: Plan, subject: Subject, chain: Chain) -> list[Edit | None]:
    """The whole chain with its assignments when it tests only the component's result; the
    component's branches when its conditions name the component; nothing otherwise."""
    results = assignments(plan, subject, chain.start)
    kinds = [_condition(subject, b.cond, results) for b in chain.branches if b.keyword != "else"]
    has_else = chain.branches[-1].keyword == "else"
    if kinds and all(k == "result" for k in kinds):
        used = set().union(*(variables(b.cond) for b in chain.branches)) & set(results)
        lines = sorted({results[v] for v in used})
        if any(_used_elsewhere(plan, v, results[v], chain) for v in used):
            return []
        if not plan.free(lines):
            return []
        out = [plan.drop(n, n + 1, "the line whose result the removed chain tested") for n in lines]
        return [*out, plan.drop(chain.start, chain.stop, "if chain on the component's result")]
    if kinds and all(k == "subject" for k in kinds) and not has_else:
        return [plan.drop(chain.start, chain.stop, "if chain for the component")]
    if any(k == "subject" for k in kinds) and not all(k == "subject" for k in kinds):
        return _cut_branches(plan, chain, kinds)
    return []


def _condition(subject: Subject, cond: str, results: dict[str, int]) -> str | None:
    if subject.others and subject.others.search(cond):
        return None
    used = variables(cond)
    if used and used <= set(results) and not subject.names_it(cond):
        return "result"
    if subject.names_it(cond) and not LOGIC.search(cond) and not subject.shared(-1, cond):
        return "subject"
    return None


SH_ASSIGN = re.compile(r"^\s*(?:(?:local|export|readonly|declare)\s+)?([A-Za-z_]\w*)=(.*)$")
PS_ASSIGN = re.compile(r"^\s*\$(?:(?:script|global|local):)?(\w+)\s*=(?!=)(.*)$", re.I)


def assignments(plan: Plan, subject: Subject, before: int) -> dict[str, int]:
    """Variables whose nearest assignment above `before` is a whole line that names the
    component alone: their value is the component's result."""
    pattern = PS_ASSIGN if plan.kind == "powershell" else SH_ASSIGN
    found: dict[str, int] = {}
    for line in range(before):
        m = pattern.match(plan.lines[line])
        if m and line not in plan.opaque:
            found[m[1].lower()] = line
    return {v: n for v, n in found.items() if subject.alone(n) and plan.free([n])}


def _used_elsewhere(plan: Plan, var: str, assigned: int, chain: Chain) -> bool:
    inside = {assigned, *range(chain.start, chain.stop)}
    return any(var in variables(text) for n, text in enumerate(plan.lines) if n not in inside)


def _cut_branches(plan: Plan, chain: Chain, kinds: list[str | None]) -> list[Edit | None]:
    """Only the component's `elseif` branches go, and a first `if` branch when an `elseif`
    follows it (that `elseif` becomes the `if`). Any other layout stays for a person."""
    cut = _ps_cut if plan.kind == "powershell" else _sh_cut
    out: list[Edit | None] = []
    for k, kind in enumerate(kinds):
        if kind == "subject":
            out += cut(plan, chain, k)
    return out


def _sh_cut(plan: Plan, chain: Chain, k: int) -> list[Edit | None]:
    branches = chain.branches
    reason = "branch of an if chain for the component"
    if k > 0:
        stop = branches[k + 1].head if k + 1 < len(branches) else chain.stop - 1
        return [plan.drop(branches[k].head, stop, reason)]
    after = branches[1]
    if after.keyword == "else":
        return []
    first, second = plan.lines[branches[0].head], plan.lines[after.head]
    indent = first[: len(first) - len(first.lstrip())]
    new = indent + re.sub(r"^\s*elif", "if", second, count=1)
    return [
        plan.drop(branches[0].head, after.head, reason),
        plan.rewrite(after.head, new, "the next branch now opens the chain"),
    ]


def _ps_cut(plan: Plan, chain: Chain, k: int) -> list[Edit | None]:
    branches = chain.branches
    reason = "branch of an if chain for the component"
    this = branches[k]
    if k == 0 and branches[1].keyword == "else":
        return []
    leading = [re.match(r"^\s*\}", plan.code(b.head)) is not None for b in branches[1:]]
    alone = plan.code(this.close).strip() == "}"
    if k > 0:
        if leading[k - 1]:  # `} elseif (...) {` through the line before the brace that ends it
            return [plan.drop(this.head, this.close, reason)]
        return [plan.drop(this.head, this.close + 1, reason)] if alone else []
    if not leading[0] and not alone:
        return []
    after = branches[1]
    first, second = plan.lines[this.head], plan.lines[after.head]
    indent = first[: len(first) - len(first.lstrip())]
    new = indent + re.sub(r"(?i)^\s*(?:\}\s*)?elseif", "if", second, count=1)
    stop = after.head if leading[0] else this.close + 1
    return [
        plan.drop(this.head, stop, reason),
        plan.rewrite(after.head, new, "the next branch now opens the chain"),
    ]


def whole(plan: Plan, subject: Subject, chain: Chain) -> bool:
    """Whether a chain in a paragraph goes whole: it tests only the component."""
    results = assignments(plan, subject, chain.start)
    kinds = [_condition(subject, b.cond, results) for b in chain.branches if b.keyword != "else"]
    has_else = chain.branches[-1].keyword == "else"
    return bool(kinds) and (
        all(k == "result" for k in kinds) or (all(k == "subject" for k in kinds) and not has_else)
    )
