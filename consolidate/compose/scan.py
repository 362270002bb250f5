"""Find every place a compose file names a service: definitions and references, with lines.

Used to look through compose files the playbook does not name; the editor itself plans its
cuts in `refs`. Lines are 1-based here: these go straight into messages.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from consolidate.compose.locate import MERGE_TAG, REF_KEYS, Parsed, find_key, value_of
from consolidate.compose.refs import ref_name

NAMESPACE_KEYS = ("network_mode", "ipc", "pid")


@dataclass(frozen=True)
class Mention:
    service: str  # the service whose entry names a removed one
    line: int
    text: str  # "service backend depends_on orchestrator"
    file: str | None = None  # for extends: the file it names, as written


def relative_to(base: str, raw: Any) -> str | None:
    """A path written in compose file `base`, as a repository path; None if not local."""
    if not isinstance(raw, str) or "://" in raw or "$" in raw or raw.startswith(("/", "~")):
        return None
    target = posixpath.normpath(posixpath.join(posixpath.dirname(base), raw))
    return None if target == ".." or target.startswith("../") else target


def extends_target(path: str, mention: Mention) -> str | None:
    """The repository file an `extends: {file: ...}` mention points at."""
    return relative_to(path, mention.file) if mention.file else None


def mentions(parsed: Parsed, gone: set[str], *, local: bool) -> list[Mention]:
    """Where `parsed` defines or refers to a service in `gone`.

    With `local=False` only `extends: {file: ...}` of staying services is reported: the
    references a file makes to services of other files.
    """
    found: list[Mention] = []
    for name, block in parsed.blocks.items():
        if name in gone:
            if local:
                found.append(Mention(name, block.start + 1, f"defines service {name}"))
            continue
        if not isinstance(block.value, MappingNode):
            continue
        found += [m for m in extends_of(name, block.value, gone) if local or m.file]
        if local:
            found += references_of(name, block.value, gone)
            found += namespaces_of(name, block.value, gone)
    return found


def references_of(name: str, service: MappingNode, gone: set[str]) -> list[Mention]:
    out: list[Mention] = []
    for kind in REF_KEYS:
        hit = find_key(service, kind)
        value = hit[2] if hit else None
        entries: list[tuple[Node, str | None]] = []
        if isinstance(value, SequenceNode):
            entries = [(item, ref_name(kind, item)) for item in value.value]
        elif isinstance(value, MappingNode):
            entries = [(k, str(k.value)) for k, _ in value.value if k.tag != MERGE_TAG]
        for node, target in entries:
            if target in gone:
                line = node.start_mark.line + 1
                out.append(Mention(name, line, f"service {name} {kind} {target}"))
    return out


def namespaces_of(name: str, service: MappingNode, gone: set[str]) -> list[Mention]:
    out: list[Mention] = []
    for key in NAMESPACE_KEYS:
        value = value_of(service, key)
        if isinstance(value, ScalarNode) and str(value.value).startswith("service:"):
            target = str(value.value)[len("service:") :]
            if target in gone:
                line = value.start_mark.line + 1
                out.append(Mention(name, line, f"service {name} uses {key} of {target}"))
    return out


def extends_of(name: str, service: MappingNode, gone: set[str]) -> list[Mention]:
    hit = find_key(service, "extends")
    value = hit[2] if hit else None
    target, file = None, None
    if isinstance(value, ScalarNode):
        target = str(value.value)
    elif isinstance(value, MappingNode):
        node, file_node = value_of(value, "service"), value_of(value, "file")
        target = str(node.value) if isinstance(node, ScalarNode) else None
        file = str(file_node.value) if isinstance(file_node, ScalarNode) else None
    if hit is None or target not in gone:
        return []
    where = f" from {file}" if file else ""
    text = f"service {name} extends {target}{where}"
    return [Mention(name, hit[1].start_mark.line + 1, text, file)]
