"""The repository's own git hooks: never run unless asked; when asked, a failure is clean."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from repo_support import RepoFactory, consolidate, git, repo_state

PLAYBOOK = """\
component: orchestrator
summary: Never ran.
files: [orchestrator.py]
backup: {images: false}
"""


@pytest.fixture
def repo(make_repo: RepoFactory) -> Path:
    return make_repo(
        {"orchestrator.py": "x\n", "app.py": "y\n", "playbooks/orchestrator.yaml": PLAYBOOK}
    )


def hook(repo: Path, body: str) -> Path:
    path = repo / ".git" / "hooks" / "pre-commit"
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_hooks_do_not_run_unless_asked(repo: Path) -> None:
    hook(repo, "touch hook-ran\nexit 1\n")
    result = consolidate(repo, "run", "orchestrator", "--yes")
    assert result.returncode == 0, result.stderr
    assert not (repo / "hook-ran").exists()


def test_a_failing_hook_fails_the_commit_step_cleanly(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    script = hook(repo, "echo 'lint: 3 problems in app.py' >&2\nexit 1\n")
    before = repo_state(repo)
    result = consolidate(repo, "run", "orchestrator", "--yes", "--run-hooks")
    assert result.returncode == 1, result.stderr
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("consolidate: error: ") and "lint: 3 problems in app.py" in error
    assert git(repo, "rev-parse", "HEAD") == head
    script.unlink()  # the person fixes the cause; the run resumes and commits
    result = consolidate(repo, "run", "orchestrator", "--yes", "--run-hooks")
    assert result.returncode == 0, result.stderr
    assert git(repo, "log", "-1", "--format=%s") == "Remove orchestrator\n"
    assert consolidate(repo, "rollback", "--yes").returncode == 0
    assert repo_state(repo) == before  # the hook lived in .git, which repo_state leaves out


def test_a_failing_hook_then_rollback_restores_everything(repo: Path) -> None:
    hook(repo, "echo nope >&2\nexit 1\n")
    before = repo_state(repo)
    assert consolidate(repo, "run", "orchestrator", "--yes", "--run-hooks").returncode == 1
    assert consolidate(repo, "rollback", "--yes").returncode == 0
    assert repo_state(repo) == before


def test_a_hook_that_changes_a_file_is_caught_by_rollback(repo: Path) -> None:
    hook(
        repo,
        "echo '# formatted' >> ORCHESTRATOR_REMOVAL_REPORT.md\ngit add ORCHESTRATOR_REMOVAL_REPORT.md\n",
    )
    result = consolidate(repo, "run", "orchestrator", "--yes", "--run-hooks")
    assert result.returncode == 0, result.stderr
    assert "# formatted" in git(repo, "show", "HEAD:ORCHESTRATOR_REMOVAL_REPORT.md")
    before = repo_state(repo)
    undo = consolidate(repo, "rollback", "--yes")
    assert undo.returncode == 2  # refused before anything is undone
    assert "ORCHESTRATOR_REMOVAL_REPORT.md" in undo.stderr and "--force" in undo.stderr
    assert "nothing was undone" in undo.stderr and repo_state(repo) == before
