"""Remove services from a docker compose file the way a careful person would: by cutting lines.

The file is never re-emitted. `locate` works out which lines (and, for one-line flow
lists, which columns) go; this module cuts them, keeps every other byte (comments, quoting,
anchors, CRLF, a BOM, a missing final newline), and then re-parses the result to prove that
only the removed services and the references to them changed. If that proof fails, it refuses.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from consolidate.compose.groups import cut_banners, headers, kept_leads
from consolidate.compose.locate import (
    MERGE_TAG,
    Block,
    Parsed,
    Plan,
    block_end,
    find_blocks,
    find_key,
    indent,
    is_blank,
    is_comment,
    parse,
    value_of,
)
from consolidate.compose.refs import cut_flow, plan_references, refuse_splice, walk
from consolidate.compose.resources import KINDS, SINGULAR, Reader, defined, doomed, usage_of
from consolidate.compose.verify import verify
from consolidate.errors import ComposeRefusal

SHARED_NAMESPACE_KEYS = ("network_mode", "ipc", "pid")


@dataclass(frozen=True)
class RemovedSpan:
    start: int  # 1-based first line removed
    end: int  # 1-based last line removed (inclusive)
    reason: str  # "service orchestrator", "comment of orchestrator", "depends_on entry in backend"


@dataclass(frozen=True)
class RewrittenLine:
    line: int  # 1-based, in the original file
    before: str  # without its line ending
    after: str
    reason: str


@dataclass(frozen=True)
class ComposeEdit:
    path: str
    before: bytes
    after: bytes
    removed: tuple[RemovedSpan, ...]
    rewritten: tuple[RewrittenLine, ...]
    removed_comments: tuple[str, ...]  # comment lines that go, stripped, so a reviewer sees them
    services_removed: tuple[str, ...]
    resources_removed: tuple[str, ...] = ()  # "volume orchestrator-state"
    resources_kept: tuple[str, ...] = ()  # unused now, but kept, with why


def service_names(data: bytes, *, path: str = "docker-compose.yml") -> list[str]:
    """The services a compose file defines, in file order."""
    services = parse(data, path, locate=False).services
    if services is None:
        return []
    return [str(key.value) for key, _ in services.value if key.tag != MERGE_TAG]


def remove_services(
    data: bytes,
    services: Sequence[str],
    *,
    path: str = "docker-compose.yml",
    also: Iterable[str] = (),
    keep_volumes: bool = False,
    resources: Mapping[str, Iterable[str]] | None = None,
    deleted_includes: Iterable[str] = (),
    read: Reader | None = None,
) -> ComposeEdit:
    """Cut `services` (with their comments) and every reference to them out of `data`.

    `also` names services removed from other files of the same project: references to them
    go here too. `resources` says which top-level volumes, networks, configs and secrets go;
    by default those that only the removed services use (see `resources`).
    `deleted_includes` are `include:` paths (as written) of files the removal deletes.
    `read` reads a repository path, so a service that extends one in another file is judged
    by what that one uses; without it, such a service keeps every resource of the file.
    """
    parsed = parse(data, path)
    mine = list(dict.fromkeys([services] if isinstance(services, str) else services))
    gone = set(mine) | set(also)
    check_present(parsed, mine, gone)
    check_dependents(parsed, gone)
    check_aliases(parsed, set(mine))
    plan = Plan()
    plan_services(parsed, set(mine), plan)
    plan_references(parsed, gone, plan)
    cut, kept = choose_resources(parsed, gone, keep_volumes, resources, read)
    resources_removed = plan_resources(parsed, cut, plan)
    dropped = set(deleted_includes)
    plan_includes(parsed, dropped, plan)
    lines, rewritten = splice(parsed, plan)
    after = (codecs.BOM_UTF8 if parsed.bom else b"") + "".join(lines).encode("utf-8")
    verify(parsed, after, gone, cut, dropped)
    return ComposeEdit(
        path=path,
        before=data,
        after=after,
        removed=spans(plan),
        rewritten=rewritten,
        removed_comments=tuple(
            parsed.lines[i].strip() for i in sorted(plan.removed) if is_comment(parsed.lines[i])
        ),
        services_removed=tuple(b for b in parsed.blocks if b in mine),
        resources_removed=resources_removed,
        resources_kept=kept,
    )


def plan_services(parsed: Parsed, mine: set[str], plan: Plan) -> None:
    """Cut the service blocks, then the group headers (see `groups`) that introduced only them."""
    found = headers(parsed)
    keep = kept_leads(found, mine)
    for block in parsed.blocks.values():
        if block.name in mine:
            cut_block(parsed, block, plan, f"service {block.name}", keep_lead=block.name in keep)
    cut_banners(parsed, found, mine, plan)


def check_present(parsed: Parsed, mine: list[str], gone: set[str]) -> None:
    path = parsed.path
    if not gone:
        raise ComposeRefusal(f"no service to remove from {path}", "name at least one")
    for name in mine:
        if name not in parsed.blocks:
            known = ", ".join(parsed.blocks) or "none"
            raise ComposeRefusal(f"service {name} is not in {path}", f"it has: {known}")
    if mine and len(mine) == len(parsed.blocks):
        raise ComposeRefusal(
            f"removing {', '.join(mine)} would leave no service in {path}",
            "remove the whole file instead (list it under files:)",
        )


def choose_resources(
    parsed: Parsed,
    gone: set[str],
    keep_volumes: bool,
    resources: Mapping[str, Iterable[str]] | None,
    read: Reader | None = None,
) -> tuple[dict[str, frozenset[str]], tuple[str, ...]]:
    """Which top-level resources this file loses, and notes on the ones kept."""
    doc = parsed.data()
    if resources is None:
        removed, staying = usage_of(doc, gone, path=parsed.path, read=read)
        verdict = doomed(removed, staying, keep_volumes=keep_volumes)
        resources, kept = verdict.names, verdict.kept
    else:
        kept = ()
    cut = {k: frozenset(resources.get(k, ())) & frozenset(defined(doc, k)) for k in KINDS}
    return {k: v for k, v in cut.items() if v}, kept


def plan_resources(parsed: Parsed, cut: dict[str, frozenset[str]], plan: Plan) -> tuple[str, ...]:
    """Cut top-level resource entries; a kind left with none goes as a whole key."""
    assert parsed.root is not None
    done: list[str] = []
    top: dict[str, Block] | None = None
    for kind in KINDS:
        mapping = value_of(parsed.root, kind)
        if kind not in cut or not isinstance(mapping, MappingNode):
            continue
        blocks = find_blocks(parsed.lines, mapping, parsed.path, kind)
        going = [b for b in blocks.values() if b.name in cut[kind]]
        if len(going) == len(blocks):
            top = top or find_blocks(parsed.lines, parsed.root, parsed.path, "the top level")
            cut_block(parsed, top[kind], plan, f"top-level {kind} (nothing left in it)")
        found = headers(parsed, kind, blocks)
        keep = kept_leads(found, cut[kind])
        for block in going:
            what = f"{SINGULAR[kind]} {block.name}"
            cut_block(parsed, block, plan, what, keep_lead=block.name in keep)
        cut_banners(parsed, found, set(cut[kind]), plan)
        done += [f"{SINGULAR[kind]} {b.name}" for b in going]
    return tuple(done)


def check_aliases(parsed: Parsed, gone: set[str]) -> None:
    """Refuse if anything that stays reaches (through an alias) a node inside a removed block."""
    assert parsed.root is not None and parsed.services is not None
    doomed = [(b.start, b.end, b.name) for b in parsed.blocks.values() if b.name in gone]
    contexts: list[tuple[str, Node]] = []
    for key, value in parsed.root.value:
        if value is parsed.services:
            contexts += [(f"service {k.value}", v) for k, v in value.value if k.value not in gone]
        else:
            contexts.append((str(key.value), value))
    seen: set[int] = {id(parsed.root), id(parsed.services)}
    for label, top in contexts:
        for node in walk(top, seen):
            line = node.start_mark.line
            for start, end, name in doomed:
                if node.anchor and start <= line <= end:
                    raise ComposeRefusal(
                        f"{parsed.path}: {label} uses anchor &{node.anchor} defined in service "
                        f"{name} (line {line + 1}), which is being removed",
                        f"copy what {label} needs out of {name} first, or remove both",
                    )


def check_dependents(parsed: Parsed, gone: set[str]) -> None:
    """Refuse when a staying service shares a namespace with, or extends, a removed one."""
    for block in parsed.blocks.values():
        if block.name in gone or not isinstance(block.value, MappingNode):
            continue
        for key in (*SHARED_NAMESPACE_KEYS, "extends"):
            found = find_key(block.value, key)
            target = found and refers_to(key, found[2])
            if found and target in gone:
                raise ComposeRefusal(
                    f"{parsed.path}: service {block.name} uses {key} of service {target} "
                    f"(line {found[1].start_mark.line + 1})",
                    f"remove {block.name} as well, or change its {key} first",
                )


def refers_to(key: str, node: Node) -> str | None:
    if key == "extends" and isinstance(node, MappingNode):
        service = value_of(node, "service")
        if value_of(node, "file") or not isinstance(service, ScalarNode):
            return None
        return str(service.value)
    if not isinstance(node, ScalarNode):
        return None
    if key == "extends":
        return str(node.value)
    return str(node.value)[len("service:") :] if node.value.startswith("service:") else None


def plan_includes(parsed: Parsed, dropped: set[str], plan: Plan) -> None:
    """Cut `include:` entries that name files the removal deletes; an emptied key goes."""
    assert parsed.root is not None
    seq = value_of(parsed.root, "include") if dropped else None
    if not isinstance(seq, SequenceNode):
        return
    doomed = []
    for item in seq.value:
        paths = include_paths(item)
        hit = [p for p in paths if p in dropped]
        if hit and len(hit) < len(paths):
            raise refuse_splice(
                parsed, item.start_mark.line, "an include of deleted and kept files"
            )
        doomed.append(bool(hit))
    reason = "include of a file this removal deletes"
    if all(doomed):
        top = find_blocks(parsed.lines, parsed.root, parsed.path, "the top level")
        cut_block(parsed, top["include"], plan, "include: every file it names is deleted")
    elif seq.flow_style:
        cut_flow(parsed, seq, [(i, i) for i in seq.value], doomed, reason, plan)
    else:
        for item, cut in zip(seq.value, doomed, strict=True):
            if cut:
                plan.remove(*item_lines(parsed, item), reason)


def include_paths(item: Node) -> list[str]:
    value = value_of(item, "path") if isinstance(item, MappingNode) else item
    items = value.value if isinstance(value, SequenceNode) else [value]
    return [str(i.value) for i in items if isinstance(i, ScalarNode)]


def item_lines(parsed: Parsed, item: Node) -> tuple[int, int]:
    """The lines of one block sequence item: `- a.yml`, or `- path: a.yml` and its keys."""
    line = item.start_mark.line
    text = parsed.lines[line][: item.start_mark.column]
    if not re.fullmatch(r"\s*-\s+", text):
        raise refuse_splice(parsed, line, "an include entry")
    if isinstance(item, ScalarNode) and item.end_mark.line == line:
        return line, line
    return line, block_end(parsed.lines, line, text.index("-") + 1)


def cut_block(
    parsed: Parsed, block: Block, plan: Plan, what: str, *, keep_lead: bool = False
) -> None:
    """Cut an entry with its own comments and one blank line, so spacing stays as it was.

    `keep_lead` keeps the comment directly above (it introduces staying services too); the
    service after this one then moves up under it, as this one sat. Blank means blank or
    whitespace only: of the two blank lines around a cut block, a clean one is kept over one
    holding spaces, and blank lines left between the cut and the end of the file go.
    """
    lines = parsed.lines
    first = block.start if keep_lead else block.lead
    plan.remove(first, block.start - 1, f"comment of {what}")
    plan.remove(block.start, block.end, what)
    plan.remove(block.end + 1, block.tail, f"comment of {what}")
    before = first - 1
    while before >= 0 and before in plan.removed:
        before -= 1
    after = block.tail + 1
    while after < len(lines) and after in plan.removed:
        after += 1
    if all(i in plan.removed or is_blank(lines[i]) for i in range(after, len(lines))):
        plan.remove(after, len(lines) - 1, f"blank line after {what}")
        after = len(lines)
    blank_before = before >= 0 and is_blank(lines[before])
    blank_after = after < len(lines) and is_blank(lines[after])
    first_child = before < 0 or (
        not blank_before and not is_comment(lines[before]) and indent(lines[before]) < block.column
    )
    under_comment = before >= 0 and is_comment(lines[before])  # a kept lead: move up under it
    if (
        blank_after
        and blank_before
        and spaces_only(lines[before])
        and not spaces_only(lines[after])
    ):
        plan.remove(before, before, f"blank line before {what}")  # keep the clean one
    elif blank_after and (blank_before or first_child or under_comment):
        plan.remove(after, after, f"blank line after {what}")
    elif after == len(lines):  # the file now ends where this block began: no blank tail
        while before >= 0 and (before in plan.removed or is_blank(lines[before])):
            plan.remove(before, before, f"blank line before {what}")
            before -= 1


def spaces_only(line: str) -> bool:
    """A blank line that holds spaces or tabs: the one to drop when one of two must go."""
    return is_blank(line) and bool(line.strip("\r\n"))


def splice(parsed: Parsed, plan: Plan) -> tuple[list[str], tuple[RewrittenLine, ...]]:
    out: list[str] = []
    rewritten: list[RewrittenLine] = []
    for i, line in enumerate(parsed.lines):
        if i in plan.removed:
            continue
        new = line
        for start, end, text in sorted(plan.edits.get(i, []), reverse=True):
            new = new[:start] + text + new[end:]
        if new != line:
            rewritten.append(
                RewrittenLine(i + 1, line.rstrip("\r\n"), new.rstrip("\r\n"), plan.rewrites[i])
            )
        out.append(new)
    if out and not parsed.lines[-1].endswith("\n"):
        out[-1] = out[-1].rstrip("\r\n")
    return out, tuple(rewritten)


def spans(plan: Plan) -> tuple[RemovedSpan, ...]:
    out: list[RemovedSpan] = []
    for line in sorted(plan.removed):
        reason = plan.removed[line]
        last = out[-1] if out else None
        if last and last.end == line and last.reason == reason:
            out[-1] = RemovedSpan(last.start, line + 1, reason)
        else:
            out.append(RemovedSpan(line + 1, line + 1, reason))
    return tuple(out)
