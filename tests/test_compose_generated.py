"""Property tests: generated compose files with comments, anchors, both depends_on forms,
named volumes (short and long syntax), networks and secrets.

The expected result is computed here from PyYAML's view of the file, not from the editor.
"""

from __future__ import annotations

import codecs
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from consolidate.compose.edit import remove_services
from consolidate.errors import ComposeRefusal

NAMES = ("web", "db", "cache-1", "q_worker", "orchestrator")
VOLUMES = ("data", "cache-vol", "shared")
NETWORKS = ("front", "back")
SECRETS = ("token",)


@st.composite
def uses(draw: st.DrawFn, inner: str, pad: str) -> list[str]:
    """A service's volumes, networks and secrets, in the forms compose allows."""
    lines: list[str] = []
    volumes = draw(st.lists(st.sampled_from(VOLUMES), unique=True, max_size=2))
    if volumes or draw(st.booleans()):
        lines.append(f"{inner}volumes:")
        for volume in volumes:
            if draw(st.booleans()):
                lines.append(f"{inner}{pad}- {volume}:/srv/{volume}:ro")
            else:
                lines += [f"{inner}{pad}- type: volume", f"{inner}{pad}  source: {volume}"]
                lines.append(f"{inner}{pad}  target: /srv/{volume}")
        lines.append(f"{inner}{pad}- ./conf:/etc/conf  # a bind mount")
    networks = draw(st.lists(st.sampled_from(NETWORKS), unique=True, max_size=2))
    if networks:
        lines += [f"{inner}networks:", *(f"{inner}{pad}- {n}" for n in networks)]
    if draw(st.booleans()):
        lines += [f"{inner}secrets:", f"{inner}{pad}- source: token"]
    return lines


@st.composite
def compose_files(draw: st.DrawFn) -> tuple[bytes, list[str]]:
    """Small but varied compose files: comments, blank lines, every reference form."""
    names = draw(st.lists(st.sampled_from(NAMES), min_size=2, max_size=5, unique=True))
    width = draw(st.sampled_from([2, 4]))
    pad, inner = " " * width, " " * (2 * width)
    lines = ["# top comment"]
    base = draw(st.lists(st.sampled_from(names), unique=True))
    if base:
        lines += ["x-base: &base", f"{pad}depends_on:", *(f"{pad}{pad}- {n}" for n in base)]
        if draw(st.booleans()):
            lines += [f"{pad}volumes:", f"{pad}{pad}- shared:/shared"]
    lines.append("services:")
    for name in names:
        others = draw(st.lists(st.sampled_from([n for n in names if n != name]), unique=True))
        if draw(st.booleans()):
            lines.append("")
        lines += [f"{pad}# about {name}"] * draw(st.integers(0, 2))
        quote = draw(st.sampled_from(["", '"', "'"]))
        lines += [f"{pad}{quote}{name}{quote}:", f"{inner}image: {name}"]
        if base and draw(st.booleans()):
            lines.append(f"{inner}<<: *base")
        form = draw(st.sampled_from(["block", "flow", "mapping", "links", "volumes_from"]))
        if others and form == "block":
            lines += [f"{inner}depends_on:", *(f"{inner}{pad}- {o}" for o in others)]
        elif others and form == "flow":
            lines.append(f"{inner}depends_on: [{', '.join(others)}]  # flow")
        elif others and form == "mapping":
            lines.append(f"{inner}depends_on:")
            for other in others:
                lines += [f"{inner}{pad}{other}:", f"{inner}{pad}{pad}condition: service_started"]
        elif others:
            suffix = ":ro" if form == "volumes_from" else ":alias"
            lines += [f"{inner}{form}:", *(f"{inner}{pad}- {o}{suffix}" for o in others)]
        lines += draw(uses(inner, pad))
        if draw(st.booleans()):
            lines.append(f"{inner}# inner note")
        lines.append(f"{inner}restart: always")
        if draw(st.booleans()):
            lines += [f"{pad}# after {name}", ""]
    for kind, pool in (("volumes", VOLUMES), ("networks", NETWORKS), ("secrets", SECRETS)):
        if draw(st.booleans()):
            lines += ["", f"# {kind} of the stack", f"{kind}:"]
            for resource in pool:
                lines += [f"{pad}# about {resource}"] * draw(st.integers(0, 1))
                lines.append(f"{pad}{resource}:")
                if kind == "secrets":
                    lines.append(f"{inner}file: ./{resource}.txt")
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    text = eol.join(lines) + (eol if draw(st.booleans()) else "")
    bom = codecs.BOM_UTF8 if draw(st.booleans()) else b""
    return bom + text.encode(), names


def holders(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [*doc["services"].values(), *(v for k, v in doc.items() if k.startswith("x-"))]


def drop_empty(doc: dict[str, Any]) -> dict[str, Any]:
    for holder in holders(doc):
        for kind in ("depends_on", "links", "volumes_from"):
            if holder.get(kind) in ([], {}):
                del holder[kind]
    return doc


def resources_used(service: dict[str, Any]) -> set[tuple[str, str]]:
    """What a generated service uses; merge keys are already applied by PyYAML."""
    used = {("networks", n) for n in service.get("networks") or []}
    used |= {("secrets", s["source"]) for s in service.get("secrets") or []}
    for volume in service.get("volumes") or []:
        source = volume["source"] if isinstance(volume, dict) else volume.split(":")[0]
        used.add(("volumes", source))
    return used


def expected_without(data: bytes, service: str) -> dict[str, Any]:
    doc = yaml.safe_load(data.decode("utf-8-sig"))
    services = doc["services"]
    staying = set().union(*(resources_used(s) for n, s in services.items() if n != service))
    for kind, name in resources_used(services[service]) - staying:
        if name in (doc.get(kind) or {}):
            del doc[kind][name]
            if not doc[kind]:
                del doc[kind]
    del services[service]
    for holder in holders(doc):
        for kind in ("depends_on", "links", "volumes_from"):
            value = holder.get(kind)
            if isinstance(value, list):
                holder[kind] = [v for v in value if v.split(":")[0] != service]
            elif isinstance(value, dict):
                holder[kind] = {k: v for k, v in value.items() if k != service}
    return drop_empty(doc)


def base_emptied(source: bytes, service: str) -> bool:
    base = yaml.safe_load(source.decode("utf-8-sig")).get("x-base") or {}
    return base.get("depends_on") == [service]


@settings(max_examples=150, deadline=None)
@given(compose_files(), st.data())
def test_any_generated_file(case: tuple[bytes, list[str]], data: st.DataObject) -> None:
    source, names = case
    service = data.draw(st.sampled_from(names))
    if base_emptied(source, service):
        with pytest.raises(ComposeRefusal, match=r"would empty the depends_on .* anchor &base"):
            remove_services(source, [service])
        return
    edit = remove_services(source, [service])
    result = drop_empty(yaml.safe_load(edit.after.decode("utf-8-sig")))
    assert result == expected_without(source, service)
    assert edit.after.startswith(codecs.BOM_UTF8) == source.startswith(codecs.BOM_UTF8)
    assert edit.after.endswith(b"\n") == source.endswith(b"\n")
    assert (b"\r\n" in edit.after) == (b"\r\n" in source)
    double_blank = b"\n\n\n"
    lf_after, lf_source = edit.after.replace(b"\r\n", b"\n"), source.replace(b"\r\n", b"\n")
    assert lf_after.count(double_blank) <= lf_source.count(double_blank)
    kept = iter(source.decode("utf-8-sig").splitlines())
    rewritten = {r.after for r in edit.rewritten}
    for line in edit.after.decode("utf-8-sig").splitlines():
        assert line in rewritten or any(line == old for old in kept), line


@settings(max_examples=60, deadline=None)
@given(compose_files(), st.data())
def test_keep_volumes_keeps_every_volume(
    case: tuple[bytes, list[str]], data: st.DataObject
) -> None:
    source, names = case
    service = data.draw(st.sampled_from(names))
    if base_emptied(source, service):
        return
    edit = remove_services(source, [service], keep_volumes=True)
    before = yaml.safe_load(source.decode("utf-8-sig")).get("volumes")
    assert yaml.safe_load(edit.after.decode("utf-8-sig")).get("volumes") == before
    assert not any(r.startswith("volume ") for r in edit.resources_removed)
