"""Prove an edit: re-parse the result and compare it with what the removal should leave.

Only the removed services, the references to them, the resources only they used and the
includes of deleted files may differ; anything else means the splice went wrong, and the
editor refuses rather than write the file.
"""

from __future__ import annotations

from typing import Any

from consolidate.compose.locate import REF_KEYS, Parsed, parse, to_data
from consolidate.compose.refs import named
from consolidate.errors import ComposeRefusal


def verify(
    parsed: Parsed,
    after: bytes,
    gone: set[str],
    cut: dict[str, frozenset[str]],
    dropped: set[str],
) -> None:
    """Re-parse the result: only the removed services and references to them may differ."""
    try:
        result = parse(after, parsed.path, locate=False)
    except ComposeRefusal as exc:
        raise failed(parsed, exc.message) from exc
    try:
        old, new = to_data(parsed.root), to_data(result.root)
    except ValueError as exc:
        raise failed(parsed, str(exc)) from exc
    if not isinstance(new, dict) or not isinstance(new.get("services"), dict):
        raise failed(parsed, "the services mapping is gone")
    still = sorted(gone & set(new["services"]))
    if still:
        raise failed(parsed, f"service {still[0]} is still there")
    for owner, kind, name in references(new):
        if name in gone:
            raise failed(parsed, f"{owner} still names {name} in {kind}")
    expected, new = emptied_dropped(without(old, gone)), emptied_dropped(new)
    for kind, names in cut.items():
        expected[kind] = {k: v for k, v in expected[kind].items() if k not in names}
        if not expected[kind]:
            del expected[kind]
    if dropped and isinstance(expected.get("include"), list):
        expected["include"] = [i for i in expected["include"] if not dropped_include(i, dropped)]
        if not expected["include"]:
            del expected["include"]
    for key in sorted(set(expected) | set(new), key=str):
        if key == "services":
            for svc in sorted(set(expected[key]) | set(new[key]), key=str):
                if expected[key].get(svc) != new[key].get(svc):
                    raise failed(parsed, f"service {svc} changed beyond its references")
        elif expected.get(key) != new.get(key):
            raise failed(parsed, f"{key} changed")


def dropped_include(entry: Any, dropped: set[str]) -> bool:
    value = entry.get("path") if isinstance(entry, dict) else entry
    return bool(set(value if isinstance(value, list) else [value]) & dropped)


def failed(parsed: Parsed, what: str) -> ComposeRefusal:
    return ComposeRefusal(
        f"{parsed.path}: post-edit check failed: {what}", "nothing was written; edit it by hand"
    )


def holders(doc: dict[Any, Any]) -> list[tuple[str, dict[Any, Any]]]:
    """Mappings whose depends_on / links / volumes_from the editor keeps in step."""
    services = doc.get("services")
    out = [(f"service {k}", v) for k, v in services.items()] if isinstance(services, dict) else []
    todo = [(str(k), v) for k, v in doc.items() if str(k).startswith("x-")]
    while todo:
        owner, value = todo.pop()
        out.append((owner, value))
        children = value.values() if isinstance(value, dict) else value
        if isinstance(value, dict | list):
            todo += [(owner, child) for child in children]
    return [(owner, m) for owner, m in out if isinstance(m, dict)]


def references(doc: dict[Any, Any]) -> list[tuple[str, str, str | None]]:
    found = []
    for owner, mapping in holders(doc):
        for kind in REF_KEYS:
            entries = mapping.get(kind)
            if isinstance(entries, dict | list):
                found += [(owner, kind, named(kind, e)) for e in entries if isinstance(e, str)]
    return found


def without(doc: dict[Any, Any], gone: set[str]) -> dict[Any, Any]:
    """What `doc` should become: minus the services, minus references to them (modulo empties)."""
    services = doc.get("services")
    if isinstance(services, dict):
        doc["services"] = {k: v for k, v in services.items() if k not in gone}
    for _, mapping in holders(doc):
        for kind in REF_KEYS:
            entries = mapping.get(kind)
            if isinstance(entries, dict):
                mapping[kind] = {k: v for k, v in entries.items() if k not in gone}
            elif isinstance(entries, list):
                keep = [e for e in entries if not isinstance(e, str) or named(kind, e) not in gone]
                mapping[kind] = keep
    return doc


def emptied_dropped(doc: dict[Any, Any]) -> dict[Any, Any]:
    """An empty depends_on / links / volumes_from means the same as none at all."""
    for _, mapping in holders(doc):
        for kind in REF_KEYS:
            if mapping.get(kind) in ([], {}):
                del mapping[kind]
    return doc
