"""Plan the edits of references to removed services (depends_on, links, volumes_from).

Works on the nodes `locate` parsed; line numbers are 0-based here too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from consolidate.compose.locate import (
    HAND_EDIT,
    MERGE_TAG,
    REF_KEYS,
    Parsed,
    Plan,
    block_end,
    find_key,
    merge_sources,
)
from consolidate.errors import ComposeRefusal


def walk(node: Node, seen: set[int]) -> Iterator[Node]:
    """Every node reachable from `node`, each once, in document order."""
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, MappingNode):
            stack.extend(n for pair in reversed(current.value) for n in reversed(pair))
        elif isinstance(current, SequenceNode):
            stack.extend(reversed(current.value))


def ref_name(kind: str, node: Node) -> str | None:
    """The service a depends_on / links / volumes_from entry names."""
    return named(kind, str(node.value)) if isinstance(node, ScalarNode) else None


def named(kind: str, value: str) -> str | None:
    if kind == "volumes_from":
        if value.startswith("container:"):
            return None
        value = value.removeprefix("service:")
    return value if kind == "depends_on" else value.split(":")[0]


def plan_references(parsed: Parsed, gone: set[str], plan: Plan) -> None:
    """Cut entries naming a removed service from what staying services (and x- blocks) use."""
    assert parsed.root is not None
    contexts = [b.value for b in parsed.blocks.values() if b.name not in gone]
    for key, value in parsed.root.value:
        if str(key.value).startswith("x-"):
            contexts += [n for n in walk(value, set()) if isinstance(n, MappingNode)]
    done: set[int] = set()
    for context in contexts:
        for kind in REF_KEYS:
            found = find_key(context, kind) if isinstance(context, MappingNode) else None
            if found:
                plan_container(parsed, found, kind, gone, plan, done)


def plan_container(
    parsed: Parsed,
    found: tuple[MappingNode | None, ScalarNode | None, Node],
    kind: str,
    gone: set[str],
    plan: Plan,
    done: set[int],
) -> None:
    owner, key, value = found
    if id(value) in done or not isinstance(value, MappingNode | SequenceNode):
        return
    done.add(id(value))
    merged = merge_sources(value) if isinstance(value, MappingNode) else []
    if isinstance(value, MappingNode):
        for source in merged:
            plan_container(parsed, parent_of(parsed, source), kind, gone, plan, done)
        entries = [(k, v) for k, v in value.value if k.tag != MERGE_TAG]
        names = [str(k.value) if isinstance(k, ScalarNode) else None for k, _ in entries]
    else:
        entries = [(item, item) for item in value.value]
        names = [ref_name(kind, item) for item in value.value]
    doomed = [name in gone for name in names]
    if not any(doomed):
        return
    reason = f"{kind} entry in {parsed.label(value.start_mark.line)}"
    if value.flow_style:
        cut_flow(parsed, value, entries, doomed, reason, plan)
    else:
        for (entry, _), cut in zip(entries, doomed, strict=True):
            if cut:
                plan.remove(*entry_lines(parsed, value, entry), reason)
    if all(doomed) and not merged:
        empty_container(parsed, owner, key, value, kind, plan)


def anchor_over(parsed: Parsed, target: Node) -> Node | None:
    """The outermost anchored node that holds `target` (or is it), if any."""
    assert parsed.root is not None
    for node in walk(parsed.root, set()):
        if node.anchor and any(inner is target for inner in walk(node, set())):
            return node
    return None


def parent_of(parsed: Parsed, target: Node) -> tuple[MappingNode | None, ScalarNode | None, Node]:
    """The mapping and key under which `target` is first written (where its anchor is)."""
    assert parsed.root is not None
    for node in walk(parsed.root, set()):
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if value is target and isinstance(key, ScalarNode):
                    return node, key, target
    return None, None, target


def refuse_splice(parsed: Parsed, line: int, what: str) -> ComposeRefusal:
    return ComposeRefusal(
        f"{parsed.path}: {what} at line {line + 1} (in {parsed.label(line)}) "
        "cannot be spliced safely",
        HAND_EDIT,
    )


def entry_lines(parsed: Parsed, container: Node, entry: Node) -> tuple[int, int]:
    """The lines of one block-style entry: a `- item` line, or a `key:` and its block."""
    line, column = entry.start_mark.line, entry.start_mark.column
    text = parsed.lines[line][:column]
    inside = container.start_mark.line <= line <= container.end_mark.line
    if isinstance(container, SequenceNode):
        if inside and re.fullmatch(r"\s*-\s+", text) and entry.end_mark.line == line:
            return line, line
    elif inside and not text.strip():
        return line, block_end(parsed.lines, line, column)
    raise refuse_splice(parsed, line, "a reference")


def cut_flow(
    parsed: Parsed,
    value: MappingNode | SequenceNode,
    entries: list[tuple[Node, Node]],
    doomed: list[bool],
    reason: str,
    plan: Plan,
) -> None:
    """Rewrite a one-line flow collection (`[a, x]`, `{x: ...}`) without the doomed entries."""
    line = value.start_mark.line
    spans = [(k.start_mark.column, max(k.end_mark.column, v.end_mark.column)) for k, v in entries]
    marks = [m for k, v in entries for m in (k.start_mark, v.end_mark)]
    if value.end_mark.line != line or any(m.line != line for m in marks):
        raise refuse_splice(parsed, line, "a reference in a multi-line flow collection")
    text = parsed.lines[line]
    kept = [text[s:e] for (s, e), cut in zip(spans, doomed, strict=True) if not cut]
    if kept:
        sep = text[spans[0][1] : spans[1][0]]
        plan.edit(line, spans[0][0], spans[-1][1], sep.join(kept), reason)
    else:
        opening = max(text.rfind("[", 0, spans[0][0]), text.rfind("{", 0, spans[0][0]))
        closing = min(
            i for i in (text.find("]", spans[-1][1]), text.find("}", spans[-1][1])) if i >= 0
        )
        plan.edit(line, opening + 1, closing, "", reason)


def empty_container(
    parsed: Parsed,
    owner: MappingNode | None,
    key: ScalarNode | None,
    value: MappingNode | SequenceNode,
    kind: str,
    plan: Plan,
) -> None:
    """Drop an emptied key, or keep it as `[]`/`{}` where dropping it would change meaning."""
    label = parsed.label(value.start_mark.line)
    if owner is None or key is None:
        raise refuse_splice(parsed, value.start_mark.line, f"an emptied {kind}")
    anchored = anchor_over(parsed, value)
    if anchored is not None:
        where = f"anchor &{anchored.anchor}"
        if anchored is not value:
            where = f"inside {where} (line {anchored.start_mark.line + 1})"
        raise ComposeRefusal(
            f"{parsed.path}: the removal would empty the {kind} at line "
            f"{value.start_mark.line + 1}, {where}, which other entries may merge",
            "edit that anchor by hand first, or remove the services that use it too",
        )
    line, column = key.start_mark.line, key.start_mark.column
    text = parsed.lines[line]
    end = block_end(parsed.lines, line, column)
    if any(find_key(source, kind) for source in merge_sources(owner)):
        why = "so the merged one does not come back"
    elif len(owner.value) == 1 or owner.flow_style:
        why = f"so {label} stays a mapping"
    elif not text[:column].strip():
        plan.remove(line, end, f"empty {kind} in {label}", wins=True)
        return
    else:
        raise refuse_splice(parsed, line, f"the emptied {kind}")
    if value.flow_style and value.start_mark.line == line:
        plan.rewrites[line] = f"{kind} in {label} left empty: {why}"
        return
    plan.remove(line + 1, end, f"empty {kind} in {label}", wins=True)
    rest = text[key.end_mark.column :].strip().removeprefix(":").strip()
    if (rest and not rest.startswith("#")) or text[:column].strip():
        raise refuse_splice(parsed, line, f"the emptied {kind}")
    empty = "{}" if isinstance(value, MappingNode) else "[]"
    new = f"{text[: key.end_mark.column]}: {empty}{'  ' + rest if rest else ''}"
    plan.edit(line, 0, len(text.rstrip("\r\n")), new, f"{kind} in {label} left empty: {why}")
