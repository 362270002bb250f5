"""Lists written for people inside a script's strings, and the counts that go with lists.

- A prose list in a string (`Write-Host "  web, api-gateway, conductor"`, `echo "services: a,
  b and conductor"`) loses the component's element with one separator; an `and`/`or` before
  the last element moves so the sentence still reads (`a, b and c` -> `a and b`).
- A help block, lines of the same shape that each list one item (`Write-Host "  conductor
  Schedules crawls"`), loses the component's line.
- A count in a string or comment of a list's heading, or of the line above it, that equals the
  number of items the list had (`Write-Host "Core Services (8)"`), goes down by the items
  that went. Only an exact count moves: any other number is not the list's.
Line numbers are 0-based.
"""

from __future__ import annotations

import re

from consolidate.edits.script_plan import QUOTED, Plan, Shrunk

ITEM = r"[A-Za-z0-9](?:[\w/@+-]|\.(?=\w))*"
SEP = r"(?:\s*,\s*(?:(?:and|or)\s+)?|\s+(?:and|or)\s+)"
PROSE = re.compile(
    rf"^(?P<head>(?:[^\"'`$]*:)?\s*)(?P<list>{ITEM}(?:{SEP}{ITEM})+)(?P<tail>[.;!]?\s*)$"
)
SPLIT = re.compile(rf"({SEP})")


def prose(plan: Plan) -> None:
    """Cut the names out of prose lists in strings; consecutive lines of such lists are one
    list for the count above them."""
    if plan.kind not in ("powershell", "shell", "make", "just") or not plan.names:
        return
    group: list[tuple[int, int, int]] = []  # (line, items, items cut)
    for line in range(len(plan.lines) + 1):
        found = _prose_line(plan, line) if line < len(plan.lines) else None
        if found is None or (group and _headed(plan, line)):
            _close_group(plan, group)  # a line with its own `heading:` starts another list
            group = []
        if found is not None:
            group.append(found)


def _headed(plan: Plan, line: int) -> bool:
    """Whether the prose list in the line's string has its own heading (`Commands: a, b`)."""
    for m in QUOTED.finditer(plan.lines[line]):
        p = PROSE.match(m[0][1:-1])
        if p and ":" in p["head"]:
            return True
    return False


def _close_group(plan: Plan, group: list[tuple[int, int, int]]) -> None:
    lost = sum(cut for _, _, cut in group)
    if lost:
        plan.shrunk.append(Shrunk(group[0][0], group[-1][0], sum(n for _, n, _ in group), lost))


def _prose_line(plan: Plan, line: int) -> tuple[int, int, int] | None:
    """(line, items, items cut) when the line holds a prose list in a string."""
    if line in plan.opaque:
        return None
    text, code = plan.lines[line], plan.code(line)
    for m in QUOTED.finditer(text):
        if m.start() >= len(code.rstrip()):
            return None  # in a comment
        p = PROSE.match(m[0][1:-1])
        if not p:
            continue
        items, new = _cut(p["list"], plan.names)
        if len(items) < 3 and ":" not in p["head"]:
            return None
        if new is None:
            return line, len(items), 0
        start = m.start() + 1 + p.start("list")
        lowered = {n.lower() for n in plan.names}
        what = ", ".join(repr(i) for i in items if i.lower() in lowered)
        edit = plan.rewrite(
            line,
            text[:start] + new + text[start + len(p["list"]) :],
            f"element {what} of a prose list",
        )
        return line, len(items), sum(1 for i in items if i.lower() in lowered) if edit else 0
    return None


def _cut(text: str, names: frozenset[str]) -> tuple[list[str], str | None]:
    """The items of a prose list, and the list's new text; None when nothing goes, everything
    would go, or the separators are not regular (`a, b,  c`)."""
    parts = SPLIT.split(text)
    items, seps = parts[0::2], parts[1::2]
    lowered = {n.lower() for n in names}
    kept = [i for i in items if i.lower() not in lowered]
    if len(kept) in (0, len(items)):
        return items, None
    conj = [s for s in seps if re.search(r"\b(?:and|or)\b", s)]
    commas = [s for s in seps if s not in conj]
    if len(conj) > 1 or (conj and seps[-1] != conj[0]) or len(set(commas)) > 1:
        return items, None
    comma = commas[0] if commas else ", "
    if not conj or len(kept) == 1:
        return items, comma.join(kept)
    last = conj[0]
    if len(kept) == 2:  # no serial comma between two: `a, and b` -> `a and b`
        plain = re.sub(r"^\s*,", "", last)
        return items, kept[0] + (plain if plain[:1].isspace() else " " + plain) + kept[1]
    return items, comma.join(kept[:-1]) + last + kept[-1]


HELP = re.compile(
    r"^(?P<cmd>\s*(?:Write-Host|Write-Output|echo|printf)\s+[\"'])(?P<indent>\s+)(?P<item>"
    + ITEM
    + r")(?=\s|[\"':]|$)(?!\s*,)"
)


def help_blocks(plan: Plan) -> None:
    """Lines of a help block, each listing one item in the same shape, lose the component's."""
    if plan.kind not in ("powershell", "shell", "make", "just") or not plan.names:
        return
    lowered = {n.lower() for n in plan.names}
    line = 0
    while line < len(plan.lines):
        stop, shape = line, _help_shape(plan, line)
        while shape and stop < len(plan.lines) and _help_shape(plan, stop) == shape:
            stop += 1
        block = range(line, stop)
        named = [n for n in block if _help_item(plan, n).lower() in lowered]
        if len(block) >= 2 and named and len(named) < len(block):
            gone = [
                n for n in named if plan.drop(n, n + 1, "line of a help list for the component")
            ]
            if gone:
                plan.shrunk.append(Shrunk(line, stop - 1, len(block), len(gone)))
        line = max(stop, line + 1)


def _help_shape(plan: Plan, line: int) -> tuple[str, str] | None:
    m = HELP.match(plan.lines[line]) if line not in plan.opaque else None
    return (m["cmd"], m["indent"]) if m else None


def _help_item(plan: Plan, line: int) -> str:
    m = HELP.match(plan.lines[line])
    return m["item"] if m else ""


HASHTABLE = re.compile(r"@\{\s*$")
ENTRY = re.compile(r"^\s*(['\"]?)[\w.-]+\1\s*=")


def hashtables(plan: Plan) -> None:
    """A PowerShell hashtable that lost entries is a list that lost items."""
    if plan.kind != "powershell":
        return
    gone = {e.start for e in plan.edits if e.reason.startswith("hashtable entry")}
    for line in range(len(plan.lines)):
        if not HASHTABLE.search(plan.code(line)):
            continue
        stop = plan.balanced_end(line)
        if stop is None:
            continue
        entries = [n for n in _top_level(plan, line, stop) if ENTRY.match(plan.lines[n])]
        lost = len(gone.intersection(entries))
        if lost:
            plan.shrunk.append(Shrunk(line, stop - 1, len(entries), lost))


def _top_level(plan: Plan, start: int, stop: int) -> list[int]:
    out, depth = [], 0
    for line in range(start, stop):
        if depth == 1:
            out.append(line)
        for char in re.findall(r"[{}()\[\]]", plan.code(line)):
            depth += 1 if char in "{([" else -1
    return out


# What a count of a list's items counts: `(8)`, `8 core services`, `Services: 8`; a number
# before any other word (`Waiting 3 seconds`) is not a count of the list.
NOUNS = (
    "services|containers|components|apps|applications|workers|processes|items|entries|targets"
    "|tasks|jobs|modules|packages|ports|images|volumes|servers|nodes|stacks|daemons|tools"
)


def counts(plan: Plan) -> None:
    """A count of a list's items in its heading or the line above goes down with the list."""
    for shrunk in plan.shrunk:
        for line in (shrunk.first, shrunk.first - 1):
            if line >= 0 and _decrement(plan, line, shrunk):
                break


def _decrement(plan: Plan, line: int, shrunk: Shrunk) -> bool:
    text = plan.current(line)
    if text is None:
        return False
    code = plan.mask(text)
    n = shrunk.before
    number = re.compile(
        rf"[(\[]\s*(?P<a>{n})\s*[)\]]|(?<![\w.:/$%-])(?P<b>{n})(?:\s+[\w-]+)?\s+(?:{NOUNS})\b"
        rf"|:\s*(?P<c>{n})(?![\w.])",
        re.I,
    )
    spans = [next(m.span(g) for g in "abc" if m[g]) for m in number.finditer(text)]
    found = [s for s in spans if s[0] >= len(code) or code[s[0]] == "_"]
    if len(found) != 1:
        return False
    (start, stop), after = found[0], shrunk.before - shrunk.lost
    new = text[:start] + str(after) + text[stop:]
    plan.amend(line, new, f"count {shrunk.before} of the list that lost {shrunk.lost}, now {after}")
    return True


WORDS = re.compile(r"^(?P<lead>\s*)(?P<list>[\w.-]+(?:[ \t]+[\w.-]+){2,})(?P<tail>\s*)$")


def service_words(plan: Plan) -> None:
    """A string of three or more words that are all service names (`"postgres redis api
    relay"`, what a `for s in $SERVICES` loop reads) loses the component's word."""
    if plan.kind not in ("powershell", "shell", "make", "just") or not plan.others:
        return
    known = {n.lower() for n in plan.names} | {o.lower() for o in plan.others}
    lowered = {n.lower() for n in plan.names}
    for line, text in enumerate(plan.lines):
        if line in plan.opaque:
            continue
        for m in QUOTED.finditer(text):
            w = WORDS.match(m[0][1:-1])
            if w is None or any(x.lower() not in known for x in w["list"].split()):
                continue
            words = w["list"].split()
            kept = [x for x in words if x.lower() not in lowered]
            if len(kept) in (0, len(words)):
                continue
            start = m.start() + 1 + w.start("list")
            new = text[:start] + " ".join(kept) + text[start + len(w["list"]) :]
            gone = ", ".join(repr(x) for x in words if x.lower() in lowered)
            if plan.rewrite(line, new, f"element {gone} of a list of service names"):
                plan.shrunk.append(Shrunk(line, line, len(words), len(words) - len(kept)))
            break
