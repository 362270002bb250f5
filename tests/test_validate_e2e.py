"""The validate step catches what a removal breaks, before the commit, through the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from repo_support import RepoFactory, consolidate, git, repo_state

WORKER = """\
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from scheduler import next_run  # noqa: E402

print(next_run())
"""
FILES = {
    "backend/worker.py": WORKER,
    "backend/lib/scheduler.py": "def next_run():\n    return 1\n",
    "orchestrator/main.py": "import sys\nsys.path.insert(0, '/app/backend/lib')\nimport scheduler\n",
    "docker-compose.yml": (
        "services:\n  worker:\n    build: ./backend\n    command: python worker.py\n"
        "  orchestrator:\n    build: ./orchestrator\n    command: python main.py\n"
        "    depends_on: [worker]\n"
    ),
    "README.md": "See [the orchestrator](orchestrator/main.py) and [the worker](backend/worker.py).\n",
    "playbooks/orchestrator.yaml": (
        "component: orchestrator\nsummary: Never ran.\n"
        "files: [orchestrator/**, backend/lib/scheduler.py]\n"
        "compose:\n  docker-compose.yml: [orchestrator]\n"
        "backup: {images: false}\n"
        "validate:\n  - name: compile\n    run: python -m compileall -q backend\n"
    ),
}


@pytest.fixture
def repo(make_repo: RepoFactory) -> Path:
    return make_repo(FILES)


def test_the_investigation_refuses_first(repo: Path) -> None:
    result = consolidate(repo, "run", "orchestrator", "--yes")
    assert result.returncode == 2
    assert "backend/lib/scheduler.py is still in use: used by backend/worker.py" in result.stderr


def test_validate_names_the_import_that_breaks_and_nothing_is_committed(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    result = consolidate(repo, "run", "orchestrator", "--yes", "--delete-in-use")
    assert result.returncode == 1, (result.stdout, result.stderr)
    error = result.stderr.strip().splitlines()[-1]
    assert error == (
        "consolidate: error: validation failed: imports of removed files failed: "
        "backend/worker.py:5: from scheduler import next_run  # noqa: E402 "
        "(it meant backend/lib/scheduler.py): fix it, then `consolidate run` again to resume, "
        "or `consolidate rollback` to undo"
    )
    assert git(repo, "rev-parse", "HEAD") == head
    report = (repo / "ORCHESTRATOR_REMOVAL_REPORT.md").read_text()
    assert "| imports of removed files | (built in) | **failed** |" in report
    assert "backend/worker.py:5: from scheduler import next_run" in report
    assert "| compile | `python -m compileall -q backend` | **skipped** |" in report
    assert "README.md:1: links to removed orchestrator/main.py" in report  # a warning only


def test_rollback_on_failure_restores_the_repository_byte_for_byte(repo: Path) -> None:
    before = repo_state(repo)
    result = consolidate(
        repo, "run", "orchestrator", "--yes", "--delete-in-use", "--rollback-on-failure"
    )
    assert result.returncode == 1
    assert "rolled back" in (result.stdout + result.stderr).lower()
    assert repo_state(repo) == before


def test_strict_docs_turns_a_dead_link_into_a_failure(make_repo: RepoFactory) -> None:
    files = dict(FILES)
    files["playbooks/orchestrator.yaml"] = (
        files["playbooks/orchestrator.yaml"].replace(
            "files: [orchestrator/**, backend/lib/scheduler.py]", "files: [orchestrator/**]"
        )
        + "strict_docs: true\n"
    )
    repo = make_repo(files)
    result = consolidate(repo, "run", "orchestrator", "--yes")
    assert result.returncode == 1
    assert "links to removed files failed: README.md:1: links to removed orchestrator/main.py" in (
        result.stderr
    )


def test_docs_rewrite_and_scripts_run_in_the_docs_step(make_repo: RepoFactory) -> None:
    files = dict(FILES)
    files["docs/operations.md"] = "A healthy stack runs 21 containers.\n"
    files["scripts/dev.sh"] = "#!/bin/bash\nSERVICES=(worker orchestrator)\necho ok\n"
    files["playbooks/orchestrator.yaml"] = files["playbooks/orchestrator.yaml"].replace(
        "files: [orchestrator/**, backend/lib/scheduler.py]", "files: [orchestrator/**]"
    ) + (
        "docs:\n  rewrite:\n    - {file: docs/operations.md, pattern: '21 containers', "
        "with: '20 containers'}\n"
        "scripts:\n  - file: scripts/dev.sh\n"
    )
    repo = make_repo(files)
    result = consolidate(repo, "run", "orchestrator", "--yes")
    assert result.returncode == 0, result.stderr
    assert (repo / "docs/operations.md").read_text() == "A healthy stack runs 20 containers.\n"
    assert (repo / "scripts/dev.sh").read_text() == "#!/bin/bash\nSERVICES=(worker)\necho ok\n"
    report = (repo / "ORCHESTRATOR_REMOVAL_REPORT.md").read_text()
    assert "- `scripts/dev.sh:2` element 'orchestrator' of an inline list" in report
    assert "- edit docs/operations.md (1 replacement(s) of '21 containers')" in report
    # "Never ran." is short: the report says why from the evidence too
    assert "Never ran.\n\nAssessment: " in report  # a short summary gets the evidence
    assert "zero production dependencies (" in report
    committed = git(repo, "show", "--name-only", "--format=", "HEAD").split()
    assert {"docs/operations.md", "scripts/dev.sh"} <= set(committed)
