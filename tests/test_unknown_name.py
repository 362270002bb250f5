"""A name nothing has: `investigate`, `assess` and `plan` exit 2 with one line (issue 16).

Before, they exited 0 on a typo and `assess` even recommended "keep". A name is known when a
tracked file or folder, a compose service or, when a daemon answers, a container or image has
it; the refusal suggests the closest name the repository has.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from repo_support import RepoFactory, consolidate, git

COMMANDS = ["investigate", "assess", "plan"]

# A folder-only component (no compose service), a service built from a folder, and a service
# that is only an image in the compose file (no folder, no file of its name).
TASKHUB = {
    "compose.yaml": (
        "services:\n"
        "  backend:\n    build: ./backend\n    depends_on:\n      - oldcache\n"
        "  oldcache:\n    image: redis:7\n"
    ),
    "backend/Dockerfile": 'FROM python:3.12\nCOPY . /app\nCMD ["python", "/app/app.py"]\n',
    "backend/app.py": "import os\n\nprint(os.environ.get('CACHE', 'redis://oldcache:6379'))\n",
    "orchestrator/__init__.py": "",
    "orchestrator/main.py": "import time\n\nwhile True:\n    time.sleep(60)\n",
    "task-hub/notes.txt": "the old name of the project\n",
    "README.md": "# taskhub\n\nThe backend and its cache.\n",
}


def untouched(repo: Path) -> None:
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
    assert not (repo / "playbooks").exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_a_near_miss_is_refused_with_the_close_name(make_repo: RepoFactory, command: str) -> None:
    repo = make_repo(TASKHUB)
    result = consolidate(repo, command, "orchestrater")
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.splitlines()[-1] == (
        "consolidate: error: no component named orchestrater; did you mean orchestrator?"
    )
    assert result.stdout == ""
    untouched(repo)


def test_case_dashes_and_underscores_do_not_hide_a_suggestion(make_repo: RepoFactory) -> None:
    repo = make_repo(TASKHUB)
    result = consolidate(repo, "investigate", "Task_Hub")
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.splitlines()[-1] == (
        "consolidate: error: no component named Task_Hub; did you mean task-hub?"
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_an_unrelated_name_says_what_was_searched(make_repo: RepoFactory, command: str) -> None:
    repo = make_repo(TASKHUB)
    result = consolidate(repo, command, "zebra")
    assert result.returncode == 2, result.stdout + result.stderr
    line = result.stderr.splitlines()[-1]
    assert "did you mean" not in line
    # With a daemon the containers and images were searched too; without one, the repository.
    assert line.startswith("consolidate: error: no file, folder")
    assert "compose service" in line
    assert "is named zebra: list them with `git ls-files`" in line
    assert line.endswith("; nothing was changed")
    untouched(repo)


def test_a_name_only_a_compose_service_has_works(make_repo: RepoFactory) -> None:
    repo = make_repo(TASKHUB)
    found = consolidate(repo, "investigate", "oldcache", "--json")
    assert found.returncode == 0, found.stderr
    doc = json.loads(found.stdout)
    assert [(c["file"], c["service"]) for c in doc["compose"]] == [("compose.yaml", "oldcache")]
    assessed = consolidate(repo, "assess", "oldcache", "--json")
    assert assessed.returncode == 0, assessed.stderr
    assert json.loads(assessed.stdout)["overhead"]["services"] == ["oldcache"]
    planned = consolidate(repo, "plan", "oldcache")
    assert planned.returncode == 0, planned.stderr
    assert "oldcache" in (repo / "playbooks" / "oldcache.yaml").read_text()


def test_a_name_only_a_folder_has_works(make_repo: RepoFactory) -> None:
    repo = make_repo(TASKHUB)
    found = consolidate(repo, "investigate", "orchestrator", "--json")
    assert found.returncode == 0, found.stderr
    doc = json.loads(found.stdout)
    assert doc["compose"] == []
    verdicts = {r["path"]: r["verdict"] for r in doc["files"]}
    assert verdicts == {"orchestrator/__init__.py": "remove", "orchestrator/main.py": "remove"}
    assessed = consolidate(repo, "assess", "orchestrator", "--json")
    assert assessed.returncode == 0, assessed.stderr
    assert json.loads(assessed.stdout)["overhead"]["files"] == 2


def test_a_playbook_run_is_not_checked_by_name(make_repo: RepoFactory) -> None:
    """A playbook says what goes; its component name need not be a file or service name."""
    files = {
        **TASKHUB,
        "playbooks/legacy-jobs.yaml": (
            "component: legacy-jobs\nsummary: The jobs nobody runs.\nfiles:\n  - orchestrator/\n"
        ),
    }
    repo = make_repo(files)
    result = consolidate(repo, "run", "legacy-jobs", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "no component named" not in result.stderr


def test_a_name_only_docker_has_is_known_to_investigate(
    make_repo: RepoFactory, docker_image: str
) -> None:
    """An image of that name and nothing in the repository: `investigate` (which asks Docker)
    works, and `plan`, which assesses from the repository alone, refuses."""
    import docker

    client = docker.from_env()
    name = f"unknownname{uuid.uuid4().hex[:8]}"
    client.images.get(docker_image).tag(name, "latest")
    try:
        repo = make_repo(TASKHUB)
        found = consolidate(repo, "investigate", name, "--json")
        assert found.returncode == 0, found.stderr
        assert json.loads(found.stdout)["files"] == []
        planned = consolidate(repo, "plan", name)
        assert planned.returncode == 2, planned.stdout + planned.stderr
        assert planned.stderr.splitlines()[-1].startswith(
            f"consolidate: error: no file, folder or compose service is named {name}: "
        )
        untouched(repo)
    finally:
        client.images.remove(f"{name}:latest", noprune=True)
