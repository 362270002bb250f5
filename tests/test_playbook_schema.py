"""The playbook's JSON Schema agrees with the loader: it accepts every playbook the loader
accepts (the bundled one, every valid playbook in the tests, a fresh draft), rejects unknown
keys and wrong types where an editor shows them, and the committed file is what the code
writes now."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from repo_support import RepoFactory, consolidate
from ruamel.yaml import YAML

from consolidate.errors import PlaybookError
from consolidate.playbook import load_playbook
from consolidate.schema.playbook import (
    SCHEMA_FILE,
    SCHEMA_PATH,
    modeline,
    playbook_schema,
    schema_text,
    write_schema,
)

PROJECT = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent
BAD_INPUT = TESTS / "bad_input" / "playbooks"
VALIDATOR = jsonschema.Draft202012Validator(playbook_schema())

# Keywords yaml-language-server (draft 7) applies; `$defs` is reached only through `$ref`.
DRAFT7 = {
    *("$schema", "$id", "$ref", "$defs", "title", "description", "default", "type"),
    *("properties", "additionalProperties", "required", "items", "enum", "anyOf", "oneOf"),
    *("minLength", "maxLength", "pattern", "minimum", "maximum", "exclusiveMinimum", "minItems"),
}

# Bad playbooks only the loader refuses: a rule the schema leaves to it (said in a description)
# or a file that is not a YAML mapping at all, which the editor's YAML parser reports itself.
LOADER_ONLY = {
    "alias-bomb.yaml": "aliases",
    "alias.yaml": "aliases",
    "merge-key.yaml": "aliases",
    "deep-block-nesting.yaml": "nesting depth",
    "deep-nesting.yaml": "nesting depth",
    "duplicate-keys.yaml": "not YAML",
    "not-utf8.yaml": "not YAML",
    "not-yaml.yaml": "not YAML",
    "nul-byte.yaml": "not YAML",
    "tab-indented.yaml": "not YAML",
    "utf16.yaml": "not YAML",
    "replace-bad-regex.yaml": "patterns compile in Python's dialect",
    "scripts-bad-block.yaml": "patterns compile in Python's dialect",
    "summary-placeholder.yaml": "placeholder summaries",
}


def parse(text: str) -> Any:
    """YAML 1.2, as the loader and yaml-language-server read it."""
    return YAML(typ="safe", pure=True).load(text)


def errors(document: Any) -> list[jsonschema.ValidationError]:
    return sorted(VALIDATOR.iter_errors(document), key=lambda e: list(e.absolute_path))


def keywords(node: Any, under_properties: bool = False) -> set[str]:
    """Every keyword the schema uses (not property or `$defs` names, not default values)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if not under_properties:
                found.add(key)
            if not under_properties and key in ("default", "enum", "required"):
                continue  # data, not schemas
            named = not under_properties and key in ("properties", "$defs")
            found |= keywords(value, named)
    elif isinstance(node, list):
        for item in node:
            found |= keywords(item)
    return found


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for value in node.values() for r in refs(value)]
    if isinstance(node, list):
        return [r for item in node for r in refs(item)]
    return []


def test_the_schema_is_2020_12_self_contained_and_uses_only_what_editors_apply() -> None:
    schema = playbook_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "urn:consolidate:playbook"
    assert schema["title"] == "Playbook"
    found = refs(schema)
    assert len(found) >= 10 and all(r.startswith("#/$defs/") for r in found), found
    assert keywords(schema) - DRAFT7 == set()


def test_every_key_has_a_description_and_closed_sections_forbid_others() -> None:
    schema = playbook_schema()
    sections = {"Playbook": schema, **schema["$defs"]}
    missing = [
        f"{name}.{key}"
        for name, section in sections.items()
        for key, spec in section["properties"].items()
        if not spec.get("description")
    ]
    assert missing == []
    assert {name: s.get("additionalProperties") for name, s in sections.items()} == dict.fromkeys(
        sections, False
    )
    for rule in ("aliases", "32 levels", "1024 KiB", "repeated keys"):
        assert rule in schema["description"]
    assert "TODO" in schema["properties"]["summary"]["description"]
    assert "regex_timeout" in schema["$defs"]["ReplaceSpec"]["properties"]["pattern"]["description"]
    assert "leaves it is refused" in schema["properties"]["files"]["description"]


def test_the_committed_schema_is_what_the_code_writes_now(tmp_path: Path) -> None:
    committed = PROJECT / SCHEMA_PATH
    assert committed.read_bytes() == schema_text().encode("utf-8"), (
        "playbooks/playbook.schema.json is stale: run `consolidate schema --write`"
    )
    written = write_schema(tmp_path)
    assert written == tmp_path / "playbooks" / SCHEMA_FILE
    assert written.read_bytes() == committed.read_bytes()
    assert [p.name for p in written.parent.iterdir()] == [SCHEMA_FILE]  # no staging file left
    text = written.read_text("utf-8")
    assert text.endswith("}\n") and text.startswith('{\n  "$defs": {\n    "Backup": {\n')
    assert json.loads(text) == playbook_schema()


def test_the_bundled_playbook_points_at_the_schema_and_passes_it() -> None:
    bundled = PROJECT / "playbooks" / "orchestrator.yaml"
    text = bundled.read_text("utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=playbook.schema.json"
    assert (bundled.parent / SCHEMA_FILE).is_file()
    load_playbook(bundled)
    assert errors(parse(text)) == []


def test_playbooks_the_tests_use_pass_when_the_loader_accepts_them(tmp_path: Path) -> None:
    """Every string constant of the tests that is a playbook the loader accepts: the schema is
    never stricter than the loader."""
    accepted = 0
    for source in sorted(TESTS.rglob("*.py")):
        for node in ast.walk(ast.parse(source.read_text("utf-8"))):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            if "component:" not in node.value or "summary:" not in node.value:
                continue
            candidate = tmp_path / f"candidate{accepted}.yaml"
            candidate.write_text(node.value, encoding="utf-8")
            try:
                load_playbook(candidate)
            except PlaybookError:
                continue
            problems = [e.message for e in errors(parse(node.value))]
            assert problems == [], f"{source.name}:{node.lineno}"
            accepted += 1
    assert accepted >= 15


def test_every_malformed_playbook_the_schema_can_judge_is_rejected() -> None:
    names = sorted(p.name for p in BAD_INPUT.glob("*.yaml"))
    assert set(LOADER_ONLY) <= set(names)
    judged = [n for n in names if n not in LOADER_ONLY]
    assert len(judged) >= 25
    passed = [n for n in judged if not errors(parse((BAD_INPUT / n).read_text("utf-8")))]
    assert passed == [], "the schema accepts these: reject them, or add them to LOADER_ONLY"


def test_the_loader_only_rules_are_left_to_the_loader() -> None:
    """The schema accepts what only the loader judges (said in its descriptions)."""
    for name in ("summary-placeholder.yaml", "replace-bad-regex.yaml", "scripts-bad-block.yaml"):
        assert errors(parse((BAD_INPUT / name).read_text("utf-8"))) == [], name


VALID = {"component": "relay", "summary": "Never ran.", "files": ["relay/**"]}


@pytest.mark.parametrize(
    ("document", "path", "message"),
    [
        ({**VALID, "fiels": ["x"]}, [], "Additional properties are not allowed ('fiels' was"),
        (
            {**VALID, "backup": {"imagez": False}},
            ["backup"],
            "Additional properties are not allowed ('imagez' was",
        ),
        (
            {**VALID, "validate": [{"name": "t", "run": "make", "timout": 5}]},
            ["validate", 0],
            "Additional properties are not allowed ('timout' was",
        ),
        (
            {**VALID, "migrate": [{"move": {"from": "a", "to": "b", "with": "c"}}]},
            ["migrate", 0],
            "is not valid under any of the given schemas",
        ),
    ],
)
def test_an_unknown_key_is_rejected_and_named(
    document: dict[str, Any], path: list[Any], message: str
) -> None:
    [error] = errors(document)
    assert list(error.absolute_path) == path
    assert error.message.startswith(message) or message in error.message


@pytest.mark.parametrize(
    ("document", "path", "message"),
    [
        ({**VALID, "keep_volumes": "yes"}, ["keep_volumes"], "'yes' is not of type 'boolean'"),
        ({**VALID, "files": "relay/**"}, ["files"], "'relay/**' is not of type 'array'"),
        (
            {**VALID, "validate": [{"name": "t", "run": "make", "timeout": "5"}]},
            ["validate", 0, "timeout"],
            "'5' is not of type 'number'",
        ),
        ({**VALID, "compose": {"c.yml": "web"}}, ["compose", "c.yml"], "is not of type 'array'"),
        ({**VALID, "on_failure": "retry"}, ["on_failure"], "'retry' is not one of"),
        ({**VALID, "component": "x; rm -rf ~"}, ["component"], "does not match"),
        ({**VALID, "summary": "   "}, ["summary"], "does not match"),
        ({**VALID, "validate": [{"name": "t", "run": []}]}, ["validate", 0, "run"], "not valid"),
    ],
)
def test_a_wrong_type_or_value_is_rejected_where_it_stands(
    document: dict[str, Any], path: list[Any], message: str
) -> None:
    [error] = errors(document)
    assert list(error.absolute_path) == path
    assert message in error.message


def test_a_missing_required_key_is_rejected() -> None:
    [error] = errors({"component": "relay"})
    assert error.message == "'summary' is a required property"


def test_modeline() -> None:
    assert modeline() == "# yaml-language-server: $schema=playbook.schema.json"
    assert modeline("../playbooks/x.json") == "# yaml-language-server: $schema=../playbooks/x.json"


DRAFTED = {
    "docker-compose.yml": (
        "services:\n  api:\n    build: ./api\n    command: python -m api.server\n"
        "  relay:\n    build: ./relay\n    command: python -m relay.main\n"
    ),
    "api/__init__.py": "",
    "api/server.py": "print('api')\n",
    "relay/__init__.py": "",
    "relay/main.py": "print('relay')\n",
    "scripts/up.sh": "#!/bin/sh\ndocker compose up api relay\n",
}


def test_a_drafted_playbook_points_at_the_schema_and_still_loads(
    make_repo: RepoFactory, tmp_path: Path
) -> None:
    repo = make_repo(DRAFTED)
    result = consolidate(repo, "plan", "relay")
    assert result.returncode == 0, result.stderr
    draft = repo / "playbooks" / "relay.yaml"
    text = draft.read_text("utf-8")
    assert text.startswith("# yaml-language-server: $schema=playbook.schema.json\n")
    loaded = load_playbook(draft).playbook
    assert loaded.component == "relay" and loaded.files == ["relay/**"]
    assert errors(parse(text)) == []

    elsewhere = tmp_path / "drafts" / "relay.yaml"
    result = consolidate(repo, "plan", "relay", "--output", str(elsewhere))
    assert result.returncode == 0, result.stderr
    first = elsewhere.read_text("utf-8").splitlines()[0]
    relative = first.removeprefix("# yaml-language-server: $schema=")
    assert not relative.startswith("/")
    assert (elsewhere.parent / relative).resolve() == (repo / SCHEMA_PATH).resolve()


def test_the_schema_command_prints_it_and_writes_it(make_repo: RepoFactory) -> None:
    """`consolidate schema` is what editors get: it takes the bundled playbook and refuses one
    with an unknown key; `--write` puts it where the drafts' schema line points."""
    repo = make_repo({"README.md": "# a repository\n"})
    printed = consolidate(repo, "schema")
    assert printed.returncode == 0, printed.stderr
    validator = jsonschema.Draft202012Validator(json.loads(printed.stdout))
    bundled = PROJECT / "playbooks" / "orchestrator.yaml"
    assert list(validator.iter_errors(parse(bundled.read_text("utf-8")))) == []
    wrong = parse("component: relay\nsummary: Gone for good.\nfiels: [relay/**]\n")
    [error] = list(validator.iter_errors(wrong))
    assert "'fiels' was unexpected" in error.message

    written = consolidate(repo, "schema", "--write", "--json")
    assert written.returncode == 0, written.stderr
    target = repo / "playbooks" / SCHEMA_FILE
    assert json.loads(written.stdout) == {"schema": str(target)}
    assert target.read_text("utf-8") == printed.stdout
