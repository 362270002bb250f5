"""Build-tool scripts: make targets and variables, just recipes, package.json scripts.

Beside `script_shapes` (PowerShell and shell); the same rules apply: a target, recipe or
script goes only when its name is about the component, with its body and the lists that
name it (`.PHONY`, prerequisites, aliases); anything less certain stays for a person.
Line numbers are 0-based.
"""

from __future__ import annotations

import json
import re

from consolidate.edits.script_plan import MAKE_WORDS, Edit, Plan, Span, label
from consolidate.edits.script_shapes import find_lists

RULE = re.compile(r"^(?P<targets>[^\s#:=][^#:=]*?)\s*::?(?![:=])")
VARIABLE = re.compile(
    r"^(?:(?:override|export|private)\s+)*(?P<name>[A-Za-z_][\w.-]*)\s*(?::{1,3}=|[?+]?=)"
)
LIST_NAME = re.compile(r"(?i)(?<!arg)(?<!flag)(?<!opt)(?:s|list)$")  # SERVICES, not ARGS
PLAIN = re.compile(r"[\w.@/+-]+|\$[({][\w.-]+[)}]")


def make(plan: Plan) -> None:
    """A target about the component goes with its recipe; removed targets leave `.PHONY` and
    prerequisite lists; the name leaves list variables of plain words (`SERVICES := a b`)."""
    rules: list[tuple[int, int, re.Match[str]]] = []
    line = 0
    while line < len(plan.lines):
        stop = _logical(plan, line)
        in_recipe = plan.lines[line].startswith("\t")
        if (m := RULE.match(plan.lines[line])) and not in_recipe:
            rules.append((line, stop, m))
        elif (
            (v := VARIABLE.match(plan.lines[line]))
            and not in_recipe
            and LIST_NAME.search(v["name"])
        ):
            _variable(plan, line, stop, v)
        line = stop
    removed = []
    for start, stop, m in rules:
        targets, end = m["targets"].split(), _recipe_end(plan, stop)
        recipe = "\n".join(plan.lines[stop:end])
        if not targets[0].startswith(".") and all(plan.about(t, recipe) for t in targets):
            reason = f"make target {label(targets)} with its recipe"
            removed.append(plan.drop(start, end, reason))
            plan.removed.update(targets if removed[-1] else [])
    for start, stop, m in rules:
        removed.append(_prerequisites(plan, start, stop, m))
    plan.tidy(removed)


def _variable(plan: Plan, start: int, stop: int, m: re.Match[str]) -> None:
    spans = _spans(plan, start, stop, m.end())
    words = [w for s in spans or [] for w in plan.lines[s.line][s.start : s.stop].split()]
    if spans and all(PLAIN.fullmatch(w) for w in words):
        what = f"element {{}} of make variable '{m['name']}'"
        plan.cut_list(spans, MAKE_WORDS, plan.named, what, "\\")


def _prerequisites(plan: Plan, start: int, stop: int, m: re.Match[str]) -> Edit | None:
    """Removed targets leave a rule's prerequisites. A `.PHONY` (any special target) left with
    none goes whole; another rule left with none is left for a person to decide."""
    spans = _spans(plan, start, stop, m.end()) if plan.removed else None
    words = [w for s in spans or [] for w in plan.lines[s.line][s.start : s.stop].split()]
    if not spans or any(c in w for w in words for c in "=:"):
        return None
    targets = m["targets"].split()
    special = targets[0].startswith(".")
    what = f"'{targets[0]}' entry {{}}" if special else f"prerequisite {{}} of {label(targets)}"
    if plan.cut_list(spans, MAKE_WORDS, plan.gone, what, "\\") == "all" and special:
        return plan.drop(start, stop, what.format(label(words)))
    return None


def _logical(plan: Plan, line: int) -> int:
    """The line after a make line and its backslash continuations."""
    stop = line + 1
    while stop < len(plan.lines) and plan.lines[stop - 1].endswith("\\"):
        stop += 1
    return stop


def _recipe_end(plan: Plan, stop: int) -> int:
    """The line after a rule's recipe: its tab-indented lines and their continuations."""
    lines = plan.lines
    while stop < len(lines) and (lines[stop].startswith("\t") or lines[stop - 1].endswith("\\")):
        stop += 1
    return stop


def _spans(plan: Plan, start: int, stop: int, first: int) -> list[Span] | None:
    """Where the words of a (continued) make line sit, from column `first` of its first line;
    None when a recipe after `;`, or a comment before the last line, makes that unclear."""
    spans = []
    for line in range(start, stop):
        column = first if line == start else 0
        body = plan.lines[line][column:]
        comment = body.find("#")
        if ";" in body or (comment >= 0 and line < stop - 1):
            return None
        body = body[: comment if comment >= 0 else len(body)].rstrip()
        body = body[:-1].rstrip() if line < stop - 1 else body
        spans.append(Span(line, column, column + len(body), whole=line > start))
    return spans


RECIPE = re.compile(r"^@?(?P<name>[A-Za-z_][\w-]*)[^:#]*?\s*:(?![=:])")
ALIAS = re.compile(r"^alias\s+(?P<alias>[\w-]+)\s*:=\s*(?P<target>[\w-]+)\s*(?:#.*)?$")
ATTRIBUTE = re.compile(r"^\[.*\]\s*$")


def just(plan: Plan) -> None:
    """A recipe about the component goes with its body, attributes and doc comment; then the
    aliases of removed recipes, and removed recipes in other recipes' dependencies."""
    headers = [(line, m) for line, text in enumerate(plan.lines) if (m := RECIPE.match(text))]
    removed = []
    for line, m in headers:
        end = _body_end(plan, line)
        if plan.about(m["name"], "\n".join(plan.lines[line + 1 : end])):
            reason = f"just recipe '{m['name']}' with its body"
            removed.append(plan.drop(_doc_start(plan, line), end, reason))
            plan.removed.update([m["name"]] if removed[-1] else [])
    for line, text in enumerate(plan.lines):
        if (a := ALIAS.match(text)) and a["target"] in plan.removed:
            removed.append(
                plan.drop(line, line + 1, f"just alias '{a['alias']}' of a removed recipe")
            )
            plan.removed.update([a["alias"]] if removed[-1] else [])
    for line, m in headers:
        code = plan.code(line)
        span = Span(line, m.end(), len(code.rstrip()))
        plan.cut_list([span], MAKE_WORDS, plan.gone, f"dependency {{}} of recipe '{m['name']}'")
    plan.tidy(removed)


def _doc_start(plan: Plan, line: int) -> int:
    """Attributes (`[private]`) and the one doc comment right above a recipe belong to it."""
    start, comment = line, False
    while start > 0:
        above = plan.lines[start - 1]
        doc = above.startswith("#") and not above.startswith("#!") and not comment
        if not (doc or ATTRIBUTE.match(above)):
            break
        comment, start = comment or doc, start - 1
    return start


def _body_end(plan: Plan, line: int) -> int:
    """The line after a just recipe's body: its indented lines, with blank lines between them."""
    end = probe = line + 1
    while probe < len(plan.lines) and plan.lines[probe][:1] in ("", " ", "\t"):
        probe += 1
        end = probe if plan.lines[probe - 1].strip() else end
    return end


SCRIPTS = re.compile(r'^\s*"scripts"\s*:\s*\{\s*$')
ENTRY = re.compile(
    r'^\s*(?P<key>"(?:[^"\\]|\\.)*")\s*:\s*(?P<value>"(?:[^"\\]|\\.)*")\s*(?P<comma>,?)\s*$'
)


def npm(plan: Plan) -> None:
    """A `"scripts"` entry whose key is about the component goes; when it was the last, the entry
    now last loses its comma, so the file stays JSON. Then `[...]` lists (`workspaces`)."""
    entries = _scripts(plan)
    about = {line: plan.about(key, json.loads(m["value"])) for line, key, m in entries}
    gone = [(line, key) for line, key, _ in entries if about[line]]
    if gone and plan.free(line for line, _, _ in entries):
        for line, key in gone:
            plan.drop(line, line + 1, f"package.json script '{key}'")
            plan.removed.add(key)
        kept = [(line, m) for line, _, m in entries if not about[line]]
        if kept and about[entries[-1][0]] and not entries[-1][2]["comma"]:
            line, m = kept[-1]
            text = m.string[: m.start("comma")] + m.string[m.end("comma") :]
            plan.rewrite(line, text, "the ',' left dangling by the removed last script")
    find_lists(plan)


def _scripts(plan: Plan) -> list[tuple[int, str, re.Match[str]]]:
    """The entries of the `"scripts"` object, one per line; none when it is laid out otherwise."""
    opening = next((i for i, text in enumerate(plan.lines) if SCRIPTS.match(text)), None)
    entries: list[tuple[int, str, re.Match[str]]] = []
    for line in range(len(plan.lines) if opening is None else opening + 1, len(plan.lines)):
        text = plan.lines[line]
        if text.strip().startswith("}"):
            return entries
        if m := ENTRY.match(text):
            entries.append((line, str(json.loads(m["key"])), m))
        elif text.strip():
            return []
    return []
