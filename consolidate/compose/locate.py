"""Find what to cut from a compose file: service blocks, their comments, references to them.

ruamel.yaml composes the file into nodes only so we know where things are (line, column,
anchors, merges). Nothing here writes YAML; `edit` splices the original text.
Line numbers are 0-based in this module and 1-based in everything a person sees.
"""

from __future__ import annotations

import codecs
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from consolidate.errors import ComposeRefusal

MERGE_TAG = "tag:yaml.org,2002:merge"
REF_KEYS = ("depends_on", "links", "volumes_from")
HAND_EDIT = "edit the file by hand"


@dataclass(frozen=True)
class Block:
    """One service: `lead`..`start`-1 comments above, `start`..`end` the block, then its tail."""

    name: str
    value: Node
    lead: int
    start: int
    end: int
    tail: int
    column: int


@dataclass(frozen=True)
class Parsed:
    path: str
    bom: bool
    lines: tuple[str, ...]
    root: MappingNode | None
    services: MappingNode | None
    blocks: dict[str, Block]

    def data(self) -> Any:
        """The document as plain data; a refusal when its aliases explode or recurse."""
        try:
            return to_data(self.root)
        except ValueError as exc:
            raise ComposeRefusal(f"{self.path} cannot be read safely: {exc}", HAND_EDIT) from None

    def label(self, line: int) -> str:
        """The service (or top-level key) a line belongs to, for reasons a person reads."""
        for block in self.blocks.values():
            if block.start <= line <= block.end:
                return block.name
        found = "the file"
        for key, _ in self.root.value if self.root else []:
            if key.start_mark.line <= line:
                found = str(key.value)
        return found


@dataclass
class Plan:
    """Lines to delete and column edits to make, each with the reason a reviewer sees."""

    removed: dict[int, str] = field(default_factory=dict)
    edits: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)
    rewrites: dict[int, str] = field(default_factory=dict)

    def remove(self, first: int, last: int, reason: str, *, wins: bool = False) -> None:
        for line in range(first, last + 1):
            if wins:
                self.removed[line] = reason
            else:
                self.removed.setdefault(line, reason)

    def edit(self, line: int, start: int, end: int, text: str, reason: str) -> None:
        self.edits.setdefault(line, []).append((start, end, text))
        self.rewrites.setdefault(line, reason)


def is_blank(line: str) -> bool:
    return not line.strip()


def is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def split_lines(text: str) -> list[str]:
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text)


MAX_BYTES = 8 * 1024 * 1024
MAX_NODES = 1_000_000  # what aliases may expand to when the file is walked


def parse(data: bytes, path: str, *, locate: bool = True) -> Parsed:
    if len(data) > MAX_BYTES:
        raise ComposeRefusal(
            f"{path} is {len(data)} bytes; a compose file this large is not edited",
            "edit it by hand",
        )
    bom = data.startswith(codecs.BOM_UTF8)
    try:
        text = data[len(codecs.BOM_UTF8) if bom else 0 :].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ComposeRefusal(
            f"{path} is not UTF-8 (bad byte at offset {exc.start})", "save it as UTF-8"
        ) from exc
    if re.search(r"\r(?!\n)|[\x85\u2028\u2029]", text):
        raise ComposeRefusal(f"{path} has line breaks other than LF or CRLF", HAND_EDIT)
    root = compose(text, path)
    if root is not None and not isinstance(root, MappingNode):
        raise ComposeRefusal(
            f"{path} is not a compose file: the top level is not a mapping", "check the path"
        )
    services = value_of(root, "services") if root is not None else None
    if services is not None and not isinstance(services, MappingNode):
        services = None if is_null(services) else services
        if services is not None:
            raise ComposeRefusal(f"{path}: services is not a mapping", HAND_EDIT)
    lines = tuple(split_lines(text))
    blocks = find_blocks(lines, services, path) if services is not None and locate else {}
    return Parsed(path, bom, lines, root, services, blocks)


def compose(text: str, path: str) -> Node | None:
    try:
        return composed(text)
    except RecursionError:
        raise ComposeRefusal(f"{path} is nested too deeply to read", HAND_EDIT) from None
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ComposeRefusal(f"{path} is not valid YAML{where}: {problem}", "fix it first") from exc


@functools.lru_cache(maxsize=8)
def composed(text: str) -> Node | None:
    """Nodes with positions. Cached: a caller that edits several services parses once.

    The nodes are shared between callers, so nothing in these modules may change them.
    """
    node: Node | None = YAML(typ="rt").compose(text)
    return node


def is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def value_of(mapping: MappingNode, key: str) -> Node | None:
    found = find_key(mapping, key)
    return found[2] if found else None


def merge_sources(mapping: MappingNode) -> list[MappingNode]:
    """Mappings merged in with `<<:`, highest precedence first."""
    out: list[MappingNode] = []
    for key, value in mapping.value:
        if key.tag == MERGE_TAG:
            items = value.value if isinstance(value, SequenceNode) else [value]
            out.extend(item for item in items if isinstance(item, MappingNode))
    return out


def find_key(
    mapping: MappingNode, key: str, depth: int = 0
) -> tuple[MappingNode, ScalarNode, Node] | None:
    """Where `key` is defined for `mapping`: locally first, then in what it merges."""
    for k, v in mapping.value:
        if isinstance(k, ScalarNode) and k.tag != MERGE_TAG and k.value == key:
            return mapping, k, v
    if depth < 50:
        for source in merge_sources(mapping):
            found = find_key(source, key, depth + 1)
            if found:
                return found
    return None


def block_end(lines: tuple[str, ...], start: int, column: int) -> int:
    """Last line of the block keyed at (start, column): its content and deeper comments."""
    end = start
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if is_blank(line):
            continue
        deeper = indent(line) > column
        if is_comment(line):
            end = i if deeper else end
            continue
        compact_item = indent(line) == column and re.match(r"-(\s|$)", line[column:])
        if not deeper and not compact_item:
            break
        end = i
    return end


def hangs_under(line: str, column: int) -> bool:
    """A comment sits under a key at `column` if its `#` or its text is indented past it."""
    return indent(line) >= column or len(line) - len(line.lstrip(" #")) > column


def lead_start(lines: tuple[str, ...], key_line: int, floor: int) -> int:
    first = key_line
    while first - 1 > floor and is_comment(lines[first - 1]):
        first -= 1
    return first


def tail_end(lines: tuple[str, ...], end: int, column: int) -> int:
    last = end
    while last + 1 < len(lines) and is_comment(lines[last + 1]):
        last += 1
    closed = last + 1 == len(lines) or is_blank(lines[last + 1])
    owned = all(hangs_under(lines[i], column) for i in range(end + 1, last + 1))
    return last if closed and owned else end


def find_blocks(
    lines: tuple[str, ...], mapping: MappingNode, path: str, what: str = "services"
) -> dict[str, Block]:
    """The entries of a block mapping as line spans, each with its own comments."""
    if mapping.flow_style:
        raise ComposeRefusal(f"{path}: {what} is a flow mapping and cannot be spliced", HAND_EDIT)
    blocks: dict[str, Block] = {}
    floor = -1
    for key, value in mapping.value:
        line, column = key.start_mark.line, key.start_mark.column
        if not isinstance(key, ScalarNode) or key.tag == MERGE_TAG or lines[line][:column].strip():
            raise ComposeRefusal(
                f"{path}: the {what} entry at line {line + 1} is not a plain key", HAND_EDIT
            )
        if key.value in blocks:
            raise ComposeRefusal(f"{path}: {what} has {key.value} twice", "fix it first")
        end = block_end(lines, line, column)
        lead = lead_start(lines, line, floor)
        tail = tail_end(lines, end, column)
        blocks[key.value] = Block(key.value, value, lead, line, end, tail, column)
        floor = tail
    return blocks


def to_data(
    node: Node | None, active: frozenset[int] = frozenset(), budget: list[int] | None = None
) -> Any:
    """Plain data for comparison: scalars as their text, merges applied. Raises ValueError
    for a recursive alias or aliases that expand past MAX_NODES (a billion-laughs file)."""
    if node is None:
        return None
    budget = [MAX_NODES] if budget is None else budget
    budget[0] -= 1
    if budget[0] < 0:
        raise ValueError(f"its aliases expand to more than {MAX_NODES} values")
    if id(node) in active:
        raise ValueError("a recursive alias")
    if len(active) > 200:
        raise ValueError("it is nested more than 200 levels deep")
    active |= {id(node)}
    if isinstance(node, ScalarNode):
        return node.value
    if isinstance(node, SequenceNode):
        return [to_data(item, active, budget) for item in node.value]
    assert isinstance(node, MappingNode)
    out: dict[Any, Any] = {}
    for source in reversed(merge_sources(node)):
        out.update(to_data(source, active, budget))
    for key, value in node.value:
        if key.tag != MERGE_TAG:
            plain = to_data(key, active, budget)
            out[plain if isinstance(plain, str) else repr(plain)] = to_data(value, active, budget)
    return out
