"""Fuzzing: the playbook loader and the compose editor fail only with the tool's own errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consolidate.compose.edit import remove_services, service_names
from consolidate.errors import ComposeRefusal, PlaybookError
from consolidate.playbook import load_playbook

YAMLISH = st.text(
    alphabet=st.sampled_from(list("ab:- \n\t[]{},&*!|>'\"#%@`?<=~\\x0123\u00e9\ufeff\r")),
    max_size=300,
)
KEYS = st.sampled_from(
    ["component", "summary", "files", "compose", "migrate", "validate", "docs", "backup",
     "scripts", "docker", "keep_volumes", "on_failure", "move", "replace", "run", "name"]
)  # fmt: skip
VALUES: st.SearchStrategy[object] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=12,
)


def load_text(tmp: Path, data: bytes) -> None:
    path = tmp / "p.yaml"
    path.write_bytes(data)
    try:
        load_playbook(path)
    except PlaybookError as exc:
        assert exc.message and "\n" not in exc.line()


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(YAMLISH)
def test_playbook_loader_on_yaml_like_text(tmp_path: Path, text: str) -> None:
    load_text(tmp_path, text.encode("utf-8"))


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.dictionaries(KEYS, VALUES, max_size=6))
def test_playbook_loader_on_structured_nonsense(tmp_path: Path, doc: dict[str, object]) -> None:
    import json

    load_text(tmp_path, json.dumps(doc).encode())  # JSON is YAML


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=200))
def test_playbook_loader_on_bytes(tmp_path: Path, data: bytes) -> None:
    load_text(tmp_path, data)


SERVICES = "services:\n  a:\n    image: a\n    depends_on: [b]\n  b:\n    image: b\n"


@settings(max_examples=300, deadline=None)
@given(YAMLISH, st.sampled_from(["a", "b", "c"]))
def test_compose_editor_on_mangled_files(noise: str, service: str) -> None:
    for text in (noise, SERVICES + noise, noise + SERVICES):
        try:
            edit = remove_services(text.encode("utf-8"), [service])
        except ComposeRefusal as exc:
            assert exc.message
        else:
            assert service not in service_names(edit.after)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_compose_editor_on_bytes(data: bytes) -> None:
    try:
        remove_services(data, ["a"])
    except ComposeRefusal as exc:
        assert exc.message


@pytest.mark.parametrize("depth", [100, 3000])
def test_compose_editor_on_deep_nesting(depth: int) -> None:
    text = SERVICES + "x-deep: " + "[" * depth + "]" * depth + "\n"
    try:
        remove_services(text.encode(), ["b"])
    except ComposeRefusal as exc:
        assert "nested" in exc.message
