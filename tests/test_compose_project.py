"""A removal across the compose files of a project: includes, overrides, extends."""

from __future__ import annotations

import pytest
import yaml

from consolidate.compose.project import ProjectEdit, is_compose_name, plan_project
from consolidate.errors import ComposeRefusal

MAIN = """\
services:
  app:
    image: app
    depends_on: [orchestrator]
    volumes: [appdata:/data]
  orchestrator:
    image: orch
    volumes: [orch-state:/state, appdata:/shared]

volumes:
  appdata:
  orch-state:
"""


def plan(
    files: dict[str, str],
    named: dict[str, list[str]],
    *,
    deleted: tuple[str, ...] = (),
    keep_volumes: bool = False,
) -> ProjectEdit:
    """Plan over an in-memory tree; `deleted` files exist now but not after the removal."""
    now = {path: text.encode() for path, text in files.items()}
    after = {path: data for path, data in now.items() if path not in deleted}
    return plan_project(
        after.get, sorted(after), named, keep_volumes=keep_volumes, original=now.get
    )


def refusal(files: dict[str, str], named: dict[str, list[str]], **options: object) -> str:
    with pytest.raises(ComposeRefusal) as caught:
        plan(files, named, **options)  # type: ignore[arg-type]
    assert caught.value.hint
    return caught.value.message


def edited(result: ProjectEdit) -> dict[str, str]:
    return {edit.path: edit.after.decode() for edit in result.edits}


def test_compose_file_names() -> None:
    for name in (
        "compose.yaml",
        "docker-compose.yml",
        "docker-compose.override.yml",
        "deploy/docker-compose.prod.yml",
        "compose.dev.yaml",
        "docker-compose-ci.yml",
        "stack.compose.yml",
    ):
        assert is_compose_name(name), name
    for name in ("composer.json", "compose.json", "docs/compose.md", "my-compose.yml.bak"):
        assert not is_compose_name(name), name


def test_a_single_file_with_its_volume() -> None:
    result = plan({"compose.yaml": MAIN}, {"compose.yaml": ["orchestrator"]})
    assert result.services == [("compose.yaml", "orchestrator")]
    assert (
        edited(result)["compose.yaml"]
        == """\
services:
  app:
    image: app
    volumes: [appdata:/data]

volumes:
  appdata:
"""
    )
    assert "checked 0 other compose file(s): none refers to a removed service" in result.notes


def test_an_override_the_playbook_does_not_name_fails_the_plan() -> None:
    override = "services:\n  app:\n    environment: [X=1]\n    links:\n      - orchestrator\n"
    files = {"compose.yaml": MAIN, "compose.override.yaml": override}
    message = refusal(files, {"compose.yaml": ["orchestrator"]})
    assert message == (
        "compose: compose.override.yaml:5: service app links orchestrator, "
        "but the playbook does not name compose.override.yaml"
    )
    result = plan(files, {"compose.yaml": ["orchestrator"], "compose.override.yaml": []})
    assert edited(result)["compose.override.yaml"] == (
        "services:\n  app:\n    environment: [X=1]\n"
    )


def test_an_override_that_redefines_the_service_must_be_named_with_it() -> None:
    override = "services:\n  orchestrator:\n    environment: [X=1]\n  app:\n    image: app2\n"
    files = {"docker-compose.yml": MAIN, "docker-compose.override.yml": override}
    assert refusal(files, {"docker-compose.yml": ["orchestrator"]}).startswith(
        "compose: docker-compose.override.yml:2: defines service orchestrator, but the playbook"
    )
    named = {
        "docker-compose.yml": ["orchestrator"],
        "docker-compose.override.yml": ["orchestrator"],
    }
    result = plan(files, named)
    assert edited(result)["docker-compose.override.yml"] == "services:\n  app:\n    image: app2\n"
    assert result.services == [
        ("docker-compose.yml", "orchestrator"),
        ("docker-compose.override.yml", "orchestrator"),
    ]


def test_a_volume_an_override_still_mounts_is_kept() -> None:
    override = "services:\n  app:\n    volumes: [orch-state:/old-state]\n"
    files = {"compose.yaml": MAIN, "compose.override.yaml": override}
    result = plan(files, {"compose.yaml": ["orchestrator"]})
    assert "  orch-state:\n" in edited(result)["compose.yaml"]


def test_a_compose_file_of_another_project_is_left_alone() -> None:
    other = "services:\n  orchestrator:\n    image: theirs\n  web:\n    links: [orchestrator]\n"
    files = {"compose.yaml": MAIN, "tools/sandbox/compose.yaml": other}
    result = plan(files, {"compose.yaml": ["orchestrator"]})
    assert list(edited(result)) == ["compose.yaml"]
    assert "checked 1 other compose file(s): none refers to a removed service" in result.notes


def test_extends_from_a_file_elsewhere_fails_the_plan() -> None:
    other = "services:\n  orch-debug:\n    extends:\n      file: ../compose.yaml\n"
    other += "      service: orchestrator\n"
    files = {"compose.yaml": MAIN, "debug/docker-compose.yml": other}
    assert refusal(files, {"compose.yaml": ["orchestrator"]}) == (
        "compose: debug/docker-compose.yml:3: service orch-debug extends orchestrator from "
        "../compose.yaml, but the playbook does not name debug/docker-compose.yml"
    )


def test_extends_across_named_files_is_refused() -> None:
    base = "services:\n  orchestrator:\n    image: orch\n  other:\n    image: o\n"
    main = "services:\n  app:\n    extends: {file: base.yml, service: orchestrator}\n"
    main += "  web:\n    image: w\n"
    message = refusal(
        {"compose.yaml": main, "base.yml": base}, {"compose.yaml": [], "base.yml": ["orchestrator"]}
    )
    assert message == (
        "compose.yaml:3: service app extends orchestrator from base.yml, "
        "which is being removed from base.yml"
    )


def test_included_files_are_edited_as_part_of_the_project() -> None:
    main = "include:\n  - infra/db.yml\n  - path: [jobs/compose.yml]\nservices:\n  app:\n"
    main += "    image: app\n    depends_on:\n      - orchestrator\n      - db\n"
    db = "services:\n  db:\n    image: postgres\n    links: [orchestrator]\n"
    jobs = MAIN.replace("  app:\n    image: app\n", "  jobs:\n    image: jobs\n")
    files = {"compose.yaml": main, "infra/db.yml": db, "jobs/compose.yml": jobs}
    result = plan(files, {"compose.yaml": ["orchestrator"]})
    assert result.files == ["compose.yaml", "infra/db.yml", "jobs/compose.yml"]
    after = edited(result)
    assert after["compose.yaml"] == main.replace("      - orchestrator\n", "")
    assert after["infra/db.yml"] == "services:\n  db:\n    image: postgres\n"
    assert "orchestrator" not in after["jobs/compose.yml"]
    assert yaml.safe_load(after["jobs/compose.yml"])["volumes"] == {"appdata": None}
    assert result.services == [("jobs/compose.yml", "orchestrator")]


def test_an_include_of_a_deleted_file_goes_and_so_do_its_services() -> None:
    main = "include:\n  - path: orchestrator/compose.yml\n    project_directory: orchestrator\n"
    main += "  - infra/db.yml\nservices:\n  app:\n    image: app\n    depends_on: [db, orch-a]\n"
    orch = "services:\n  orch-a:\n    image: a\n  orch-b:\n    image: b\n"
    db = "services:\n  db:\n    image: postgres\n"
    files = {"compose.yaml": main, "orchestrator/compose.yml": orch, "infra/db.yml": db}
    result = plan(files, {"compose.yaml": ["orch-a"]}, deleted=("orchestrator/compose.yml",))
    assert edited(result) == {
        "compose.yaml": "include:\n  - infra/db.yml\nservices:\n  app:\n    image: app\n"
        "    depends_on: [db]\n"
    }
    assert "service orch-b goes with orchestrator/compose.yml" in result.notes
    assert ("orchestrator/compose.yml", "orch-b") in result.services


def test_remote_includes_are_noted_not_followed() -> None:
    main = "include:\n  - oci://registry/stack:1\nservices:\n" + MAIN.split("services:\n")[1]
    result = plan({"compose.yaml": main}, {"compose.yaml": ["orchestrator"]})
    assert "compose.yaml includes 'oci://registry/stack:1': not followed" in result.notes[0]


@pytest.mark.parametrize(
    ("files", "named", "deleted", "expected"),
    [
        ({}, {"compose.yaml": ["x"]}, (), "compose file compose.yaml does not exist"),
        (
            {"compose.yaml": "include: [gone.yml]\nservices:\n  a: {image: a}\n"},
            {"compose.yaml": ["a"]},
            (),
            "compose file gone.yml, included by compose.yaml, does not exist",
        ),
        (
            {"compose.yaml": MAIN},
            {"compose.yaml": ["orchestrator"]},
            ("compose.yaml",),
            "compose file compose.yaml is deleted by the playbook's files:",
        ),
        (
            {"compose.yaml": MAIN},
            {"compose.yaml": ["orch"]},
            (),
            "service orch is not in compose.yaml",
        ),
    ],
)
def test_bad_names_are_refused(
    files: dict[str, str], named: dict[str, list[str]], deleted: tuple[str, ...], expected: str
) -> None:
    assert refusal(files, named, deleted=deleted) == expected
