"""Remove every service of every real compose file in the shared corpus, one at a time.

Each result is checked against invariants computed here from the bytes and from PyYAML, not
from the editor's own view of the file. The only acceptable failure is a `ComposeRefusal` with
a reason; the summary test prints how many removals were tried, made and refused, and why.
"""

from __future__ import annotations

import codecs
import copy
import difflib
import re
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from corpus_support import corpus_dir, corpus_files, require_corpus
from ruamel.yaml import YAML

from consolidate.compose.edit import ComposeEdit, remove_services, service_names
from consolidate.compose.groups import Header, headers
from consolidate.compose.locate import parse
from consolidate.errors import ComposeRefusal

CORPUS = corpus_dir()
FILES = corpus_files(CORPUS)
REF_KEYS = ("depends_on", "links", "volumes_from")
RESOURCES = {"volume": "volumes", "network": "networks", "config": "configs", "secret": "secrets"}
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CorpusSummary(UserWarning):
    """Carries the corpus numbers into pytest's warnings summary, which shows without -s."""


@dataclass
class FileResult:
    tried: int = 0
    removed: int = 0
    resources: int = 0  # top-level volumes/networks/configs/secrets that went with a service
    headers: int = 0  # group header comments that went because every service under them did
    refused: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


RESULTS: dict[Path, FileResult] = {}


def split(text: str) -> list[str]:
    """Lines without their "\\n" (a CRLF line keeps its "\\r"); a final "" if text ends in \\n."""
    return text.split("\n")


def pyyaml(data: bytes) -> Any:
    return yaml.load(data.decode("utf-8-sig"), Loader=Loader)


def holders(doc: dict[Any, Any]) -> list[dict[Any, Any]]:
    """Services, and every mapping inside an x- extension block (templates for services)."""
    found = [v for v in (doc.get("services") or {}).values() if isinstance(v, dict)]
    todo = [v for k, v in doc.items() if str(k).startswith("x-")]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            found.append(item)
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    return found


def names_service(kind: str, entry: Any, service: str) -> bool:
    if not isinstance(entry, str):
        return False
    if kind == "depends_on":
        return entry == service
    if kind == "volumes_from" and entry.startswith("container:"):
        return False
    if kind == "volumes_from" and entry.startswith("service:"):
        entry = entry[len("service:") :]
    return entry.split(":")[0] == service


def without_refs(doc: Any, service: str, resources: set[tuple[str, str]]) -> Any:
    """The original data minus the service, entries naming it and its resources."""
    doc = copy.deepcopy(doc)
    del doc["services"][service]
    for kind, name in resources:
        del doc[kind][name]
        if not doc[kind]:
            del doc[kind]
    for mapping in holders(doc):
        for kind in REF_KEYS:
            value = mapping.get(kind)
            if isinstance(value, list):
                mapping[kind] = [e for e in value if not names_service(kind, e, service)]
            elif isinstance(value, dict):
                mapping[kind] = {k: v for k, v in value.items() if k != service}
    return empties_dropped(doc)


def empties_dropped(doc: Any) -> Any:
    for mapping in holders(doc):
        for kind in REF_KEYS:
            if mapping.get(kind) in ([], {}):
                del mapping[kind]
    return doc


def mentions(service: Any, kind: str, name: str) -> bool:
    """Does a service's `kind` list name `name`: `name`, `name:/path`, {source: name}, a key."""
    if not isinstance(service, dict):
        return False
    value = service.get(kind)
    build = service.get("build")
    entries = list(value) if isinstance(value, dict | list) else []
    if kind == "secrets" and isinstance(build, dict):
        entries += build.get("secrets") or []
    for entry in entries:
        if isinstance(entry, dict) and entry.get("source") == name:
            return True
        if isinstance(entry, str) and (entry == name or entry.startswith(name + ":")):
            return kind != "volumes" or entry != name  # `- data` is a path, not a volume
    return kind == "networks" and name == "default" and "networks" not in service


def unreadable(service: Any, kind: str) -> bool:
    """Could a staying service mean any resource of this kind (`${VOL}:/data`, extends file)?"""
    if not isinstance(service, dict):
        return False
    extends = service.get("extends")
    if isinstance(extends, dict) and "file" in extends:
        return True
    entries = service.get(kind) if isinstance(service.get(kind), list) else []
    for entry in entries:
        source = entry.get("source") if isinstance(entry, dict) else entry
        head = re.sub(r"\$\{[^}]*\}", "$", str(source)).split(":")[0]
        if "$" in head and not re.search(r"[/\\.~]", head):
            return True
    return False


def check_resources(doc: Any, service: str, edit: ComposeEdit) -> set[tuple[str, str]]:
    """The resources that went, each checked: only the removed service used it; none missed."""
    staying = [v for k, v in doc["services"].items() if k != service]
    gone = set()
    for label in edit.resources_removed:
        singular, name = label.split(" ", 1)
        gone.add((RESOURCES[singular], name))
    for kind in RESOURCES.values():
        for name in doc.get(kind) or {}:
            used_by_it = mentions(doc["services"][service], kind, name)
            used_elsewhere = any(mentions(s, kind, name) for s in staying)
            if (kind, name) in gone:
                assert used_by_it and not used_elsewhere, f"{kind} {name} removed but in use"
            elif used_by_it and not used_elsewhere and name != "default":
                kept = any(
                    k.startswith(f"{label_of(kind)} {name} kept:") for k in edit.resources_kept
                )
                assert kept and any(unreadable(s, kind) for s in staying), f"{kind} {name} left"
    return gone


def label_of(kind: str) -> str:
    return next(k for k, v in RESOURCES.items() if v == kind)


def rebuilt(before: list[str], edit: ComposeEdit) -> list[str]:
    """`before` with the reported spans cut and the reported rewrites applied."""
    gone = {n for s in edit.removed for n in range(s.start, s.end + 1)}
    new = {r.line: r for r in edit.rewritten}
    out = []
    for number, line in enumerate(before, start=1):
        if number in gone:
            continue
        rewrite = new.get(number)
        if rewrite:
            assert line.rstrip("\r") == rewrite.before, f"rewrite {number} misquotes the line"
            line = rewrite.after + ("\r" if line.endswith("\r") else "")
        out.append(line)
    return out


def check(data: bytes, service: str, edit: ComposeEdit, path: str) -> None:
    before_text, after_text = data.decode("utf-8-sig"), edit.after.decode("utf-8-sig")
    before, after = split(before_text), split(after_text)
    gone = {n for s in edit.removed for n in range(s.start, s.end + 1)}
    rewritten = {r.line for r in edit.rewritten}
    assert not gone & rewritten, "a line is both removed and rewritten"
    assert edit.services_removed == (service,)

    # (1) the line diff holds only deletions, apart from the reported rewrites
    # (line endings are compared in (2); here a CRLF file's new last line may lose its "\r")
    plain_before = [line.removesuffix("\r") for line in before]
    plain_after = [line.removesuffix("\r") for line in after]
    matcher = difflib.SequenceMatcher(None, plain_before, plain_after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        assert tag != "insert", f"lines were added: {plain_after[j1:j2]}"
        if tag == "replace":
            touched = [n for n in range(i1 + 1, i2 + 1) if n in rewritten]
            assert touched, f"lines {i1 + 1}-{i2} changed without a reported rewrite"
            expected = [next(r.after for r in edit.rewritten if r.line == n) for n in touched]
            assert plain_after[j1:j2] == expected

    # (2) exactly the reported spans went; line endings, BOM and final newline unchanged
    cut = rebuilt(before, edit)
    if not data.endswith(b"\n") and cut:
        cut[-1] = cut[-1].removesuffix("\r")  # the new last line loses its break, as before
    assert cut == after, "the result is not the original minus the reported spans"
    assert edit.after.startswith(codecs.BOM_UTF8) == data.startswith(codecs.BOM_UTF8)
    assert edit.after.endswith(b"\n") == data.endswith(b"\n")

    # (3) the result parses with both libraries (a dangling alias would not)
    YAML(typ="rt").load(after_text)
    result = pyyaml(edit.after)

    # (4) the data is the original minus the service, the references to it and the
    # resources only it used (each of those checked against every other service)
    original = pyyaml(data)
    resources = check_resources(original, service, edit)
    assert empties_dropped(result) == without_refs(original, service, resources)

    # (5) nothing still refers to it
    for mapping in holders(result):
        for kind in REF_KEYS:
            value = mapping.get(kind) or []
            assert not any(names_service(kind, e, service) for e in value), (kind, mapping)

    # (6) every comment outside the reported spans survives, in order; the rest are reported
    def comments(lines: list[str], keep: set[int] | None = None) -> list[str]:
        return [
            line
            for n, line in enumerate(lines, start=1)
            if line.lstrip().startswith("#") and (keep is None or n in keep)
        ]

    kept = set(range(1, len(before) + 1)) - gone
    assert comments(plain_after) == comments(plain_before, kept)
    assert list(edit.removed_comments) == [c.strip() for c in comments(plain_before, gone)]

    # (7) removing it again is refused: it is not there any more
    with pytest.raises(
        ComposeRefusal, match=f"service {re.escape(service)} is not in {re.escape(path)}"
    ):
        remove_services(edit.after, [service], path=path)


def reason_of(exc: ComposeRefusal, path: str, services: list[str]) -> str:
    """A refusal's message with the file, service names, anchors and line numbers taken out."""
    reason = exc.message.replace(path, "FILE")
    for name in sorted(services, key=len, reverse=True):
        reason = re.sub(rf"(?<![\w.-]){re.escape(name)}(?![\w.-])", "S", reason)
    reason = re.sub(r"&\S+", "&A", reason)
    return re.sub(r"line \d+", "line N", reason)


def run_file(path: Path) -> FileResult:
    if path in RESULTS:
        return RESULTS[path]
    result = RESULTS[path] = FileResult()
    started = time.monotonic()
    data = path.read_bytes()
    services = [str(name) for name in pyyaml(data)["services"]]
    assert service_names(data, path=path.name) == [str(s) for s in services]
    for service in services:
        result.tried += 1
        try:
            edit = remove_services(data, [service], path=path.name)
        except ComposeRefusal as exc:
            assert exc.message and exc.hint, "a refusal must say why and what to do"
            result.refused[reason_of(exc, path.name, services)] += 1
            continue
        try:
            check(data, service, edit, path.name)
        except AssertionError as exc:
            result.failures.append(f"{path.name} without {service}: {exc}")
        else:
            result.removed += 1
            result.resources += len(edit.resources_removed)
            result.headers += sum(s.reason.startswith("comment introducing") for s in edit.removed)
    result.seconds = time.monotonic() - started
    return result


def test_corpus_is_there() -> None:
    require_corpus(CORPUS)
    assert len(FILES) >= 10, f"only {len(FILES)} compose files in {CORPUS}"


@pytest.mark.parametrize("path", FILES or [CORPUS / "missing.yml"], ids=lambda p: p.name)
def test_every_service_of_a_corpus_file(path: Path) -> None:
    require_corpus(CORPUS)
    assert path.is_file(), f"{path} went away during the run"
    result = run_file(path)
    assert not result.failures, "\n".join(result.failures)


def test_every_group_of_the_corpus_removed_whole_takes_its_header() -> None:
    """Each group a header introduces, removed at once: the header goes, nothing else does."""
    require_corpus(CORPUS)
    groups = 0
    for path in FILES:
        data = path.read_bytes()
        parsed = parse(data, path.name)
        for header in headers(parsed):
            if len(header.services) == len(parsed.blocks):
                continue
            try:
                edit = remove_services(data, header.services, path=path.name)
            except ComposeRefusal as exc:
                assert exc.message and exc.hint
                continue
            groups += 1
            check_group(data, header, edit)
    assert groups >= 5, f"only {groups} groups with a header in the corpus"


def check_group(data: bytes, header: Header, edit: ComposeEdit) -> None:
    gone = {n for s in edit.removed for n in range(s.start, s.end + 1)}
    assert set(range(header.first + 1, header.last + 2)) <= gone, "the header stayed"
    before = [line.removesuffix("\r") for line in split(data.decode("utf-8-sig"))]
    after = [line.removesuffix("\r") for line in split(edit.after.decode("utf-8-sig"))]
    kept = [line for n, line in enumerate(before, start=1) if n not in gone]
    assert kept == after or not edit.after.endswith(b"\n"), "more than the spans changed"
    resources = {
        (RESOURCES[label.split(" ")[0]], label.split(" ", 1)[1]) for label in edit.resources_removed
    }
    expected = pyyaml(data)
    for n, service in enumerate(header.services):
        expected = without_refs(expected, service, resources if n == 0 else set())
    assert empties_dropped(pyyaml(edit.after)) == expected


def test_zz_corpus_summary() -> None:
    """Runs last in this module; recomputes any file not yet run, then reports the numbers."""
    require_corpus(CORPUS)
    results = [run_file(path) for path in FILES]
    refused: Counter[str] = Counter()
    for result in results:
        refused.update(result.refused)
    tried = sum(r.tried for r in results)
    removed = sum(r.removed for r in results)
    lines = [
        f"compose corpus: {len(results)} files, {tried} removals tried, {removed} removed, "
        f"{sum(refused.values())} refused, {sum(r.resources for r in results)} resources "
        f"removed with them, {sum(r.headers for r in results)} group headers with their "
        f"groups, {sum(r.seconds for r in results):.1f}s",
        *(f"  refused {count}x: {reason}" for reason, count in refused.most_common()),
    ]
    summary = "\n".join(lines)
    print(summary)
    warnings.warn(summary, CorpusSummary, stacklevel=1)
    assert results and tried > 0 and removed > 0
    assert removed + sum(refused.values()) == tried, "some removals failed their checks"
