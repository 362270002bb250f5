"""Compose projects: which compose files compose runs together."""

from __future__ import annotations

import pytest

from consolidate.analysis.component import choose
from consolidate.analysis.compose_facts import compose_facts
from consolidate.compose.project import files_to_name
from consolidate.compose.projects import ComposeProject, find_projects, owner, project_of
from consolidate.errors import Refusal

SERVICE = "services:\n  backend:\n    build: ./backend\n"


def projects(files: dict[str, str]) -> list[ComposeProject]:
    data = {path: text.encode() for path, text in files.items()}
    return find_projects(list(data), data.get)


def test_independent_sample_folders_are_separate_projects() -> None:
    found = projects(
        {
            "samples/flask/compose.yaml": SERVICE,
            "samples/go/compose.yaml": SERVICE,
            "samples/go/backend/main.go": "package main\n",
            "README.md": "samples\n",
        }
    )
    assert [p.files for p in found] == [
        ("samples/flask/compose.yaml",),
        ("samples/go/compose.yaml",),
    ]
    assert found[0].label() == "samples/flask (samples/flask/compose.yaml)"
    assert owner(found, "samples/go/backend/main.go") == found[1]
    assert owner(found, "README.md") is None


def test_files_of_one_folder_are_one_project_with_the_default_name_first() -> None:
    found = projects(
        {
            "compose.tests.yaml": "services:\n  tests:\n    depends_on: [backend]\n",
            "docker-compose.override.yml": "services:\n  backend:\n    ports: ['8000:8000']\n",
            "docker-compose.yml": SERVICE,
        }
    )
    assert len(found) == 1
    assert found[0].files == (
        "docker-compose.yml",
        "compose.tests.yaml",
        "docker-compose.override.yml",
    )
    assert found[0].folder == "" and found[0].label() == ". (docker-compose.yml)"


def test_include_and_extends_join_folders() -> None:
    found = projects(
        {
            "compose.yaml": "include:\n  - infra/compose.yaml\nservices:\n  app:\n    image: app\n",
            "infra/compose.yaml": "services:\n  db:\n    image: postgres\n",
            "tools/compose.yaml": (
                "services:\n  lint:\n    extends:\n      file: ../base/compose.yaml\n"
                "      service: base\n"
            ),
            "base/compose.yaml": "services:\n  base:\n    image: base\n",
            "other/compose.yaml": "services:\n  x:\n    image: x\n",
        }
    )
    assert sorted(p.files for p in found) == [
        ("base/compose.yaml", "tools/compose.yaml"),
        ("compose.yaml", "infra/compose.yaml"),
        ("other/compose.yaml",),
    ]
    root = project_of(found, "infra/compose.yaml")
    assert root is not None and root.joined_by == ("compose.yaml includes infra/compose.yaml",)


def test_a_script_that_passes_two_files_with_f_joins_them() -> None:
    found = projects(
        {
            "deploy/compose.yaml": SERVICE,
            "monitoring/compose.yaml": "services:\n  grafana:\n    depends_on: [backend]\n",
            "scripts/up.sh": (
                "#!/bin/sh\n# docker compose -f nowhere.yml up\n"
                "docker compose -f deploy/compose.yaml --file=monitoring/compose.yaml up -d\n"
            ),
            "Makefile": "up:\n\tdocker-compose -f deploy/compose.yaml up\n",
            "solo/compose.yaml": "services:\n  solo:\n    image: solo\n",
        }
    )
    joined = project_of(found, "deploy/compose.yaml")
    assert joined is not None
    assert joined.files == ("deploy/compose.yaml", "monitoring/compose.yaml")
    assert joined.joined_by == ("scripts/up.sh:3 runs them together",)
    assert project_of(found, "solo/compose.yaml") != joined


def test_f_paths_resolve_from_the_script_folder_too() -> None:
    found = projects(
        {
            "ops/compose.yaml": SERVICE,
            "ops/compose.prod-extra.yaml": "services:\n  proxy:\n    image: nginx\n",
            "app/compose.yaml": "services:\n  app:\n    image: app\n",
            "ops/run.sh": "docker compose -f compose.yaml -f ../app/compose.yaml up\n",
        }
    )
    assert len(found) == 1


def test_a_file_that_does_not_parse_is_still_a_project_of_its_folder() -> None:
    found = projects({"compose.yaml": "services: [\n", "web/compose.yaml": SERVICE})
    assert [p.files for p in found] == [("compose.yaml",), ("web/compose.yaml",)]


def test_files_to_name_lists_definitions_and_references() -> None:
    files = {
        "docker-compose.yml": SERVICE + "  api:\n    image: api\n",
        "compose.tests.yaml": "services:\n  tests:\n    depends_on:\n      - backend\n",
        "docker-compose.override.yml": "services:\n  api:\n    ports: ['80:80']\n",
    }
    data = {path: text.encode() for path, text in files.items()}
    assert files_to_name(data.get, list(files), ["backend"]) == {
        "docker-compose.yml": ["backend"],
        "compose.tests.yaml": [],
    }


def test_a_ci_workflow_that_passes_two_files_joins_them() -> None:
    found = projects(
        {
            "compose.yaml": SERVICE,
            "ci/compose.ci.yaml": "services:\n  e2e:\n    depends_on: [backend]\n",
            ".github/workflows/test.yml": (
                "jobs:\n  e2e:\n    steps:\n"
                "      - run: docker compose -f compose.yaml -f ci/compose.ci.yaml up -d\n"
            ),
        }
    )
    assert [p.files for p in found] == [("compose.yaml", "ci/compose.ci.yaml")]
    assert found[0].joined_by == (".github/workflows/test.yml:4 runs them together",)


def test_a_component_is_chosen_inside_one_project() -> None:
    files = {
        "samples/a/compose.yaml": SERVICE,
        "samples/b/compose.yaml": SERVICE,
        "samples/b/backend/app.py": "",
    }
    data = {path: text.encode() for path, text in files.items()}
    facts = compose_facts(list(data), data.get).services
    found = find_projects(list(data), data.get)
    with pytest.raises(Refusal, match=r"^backend names services in 2 compose projects: samples/a"):
        choose("backend", facts, found)
    picked = choose("backend", facts, found, compose="samples/a/compose.yaml")
    assert picked.removed == {("samples/a/compose.yaml", "backend")}
    assert not picked.owns("samples/b/backend/app.py", found)
    by_playbook = choose("backend", facts, found, services=[], files=["samples/b/backend/app.py"])
    assert by_playbook.services == [] and by_playbook.projects == [found[1]]
    assert by_playbook.owns("samples/b/backend/app.py", found)
    with pytest.raises(Refusal, match=r"--compose nowhere.yaml: not a tracked compose file"):
        choose("backend", facts, found, compose="nowhere.yaml")
