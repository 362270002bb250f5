"""Every refusal: exit 2, one clear line on stderr, no traceback, nothing changed."""

from __future__ import annotations

import fcntl
import os
import subprocess
from pathlib import Path

import pytest
from repo_support import RepoFactory, consolidate, git, tree_hash

PLAYBOOK = """\
component: orchestrator
summary: Never ran.
files: [orchestrator.py]
compose:
  docker-compose.yml: [orchestrator]
backup: {images: false}
validate:
  - name: compile
    run: python -m compileall -q .
"""
COMPOSE = """\
services:
  web:
    image: nginx
    depends_on: [orchestrator]
  orchestrator:
    image: busybox
"""


@pytest.fixture
def repo(make_repo: RepoFactory) -> Path:
    return make_repo(
        {
            "orchestrator.py": "print('never')\n",
            "app.py": "print('app')\n",
            "docker-compose.yml": COMPOSE,
            "playbooks/orchestrator.yaml": PLAYBOOK,
        }
    )


def refused(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    before = tree_hash(repo)
    result = consolidate(repo, *args, env=env)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("consolidate: error: "), result.stderr
    assert result.stdout == ""
    assert tree_hash(repo) == before
    return lines[0]


def test_not_a_git_repository(tmp_path: Path) -> None:
    (tmp_path / "pb.yaml").write_text(PLAYBOOK)
    line = refused(tmp_path, "run", str(tmp_path / "pb.yaml"), "--yes")
    assert "is not inside a git repository" in line and "--repo" in line


def test_dirty_work_tree(repo: Path) -> None:
    (repo / "app.py").write_text("print('changed')\n")
    line = refused(repo, "run", "orchestrator", "--yes")
    assert "uncommitted changes (app.py)" in line and "--allow-dirty" in line


def test_allow_dirty_keeps_the_unrelated_change_out_of_the_commit(repo: Path) -> None:
    (repo / "app.py").write_text("print('changed')\n")
    result = consolidate(repo, "run", "orchestrator", "--yes", "--allow-dirty")
    assert result.returncode == 0, result.stderr
    assert "app.py" not in git(repo, "show", "--name-only", "--format=", "HEAD").split()
    assert (repo / "app.py").read_text() == "print('changed')\n"


def test_merge_in_progress(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "other")
    (repo / "app.py").write_text("print('other')\n")
    git(repo, "commit", "-qam", "other")
    git(repo, "checkout", "-q", "main")
    (repo / "app.py").write_text("print('main')\n")
    git(repo, "commit", "-qam", "main")
    subprocess.run(["git", "merge", "other"], cwd=repo, capture_output=True, check=False)
    assert (repo / ".git" / "MERGE_HEAD").exists()
    line = refused(repo, "run", "orchestrator", "--yes", "--allow-dirty")
    assert "a merge is in progress" in line


def test_rebase_in_progress(repo: Path) -> None:
    (repo / ".git" / "rebase-merge").mkdir()
    assert "a rebase is in progress" in refused(repo, "run", "orchestrator", "--yes")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            PLAYBOOK.replace("files:", "fils:"),
            "playbooks/orchestrator.yaml:3: unknown key 'fils': did you mean 'files'?",
        ),
        (PLAYBOOK.replace("summary: Never ran.\n", ""), "missing key 'summary'"),
        (
            PLAYBOOK.replace("    run: python", "    runn: python"),
            ":9: unknown key 'validate[0].runn': did you mean 'run'?",
        ),
        (
            PLAYBOOK.replace("files: [orchestrator.py]", "files: orchestrator.py"),
            ":3: files: Input should be a valid list",
        ),
        ("component: [\n", "not valid YAML"),
        ("", "the playbook is empty"),
        ("a: &x [1]\nb: *x\n", "uses a YAML alias"),
        (PLAYBOOK + "component: again\n", "duplicate key"),
    ],
)
def test_playbook_that_does_not_validate(repo: Path, text: str, expected: str) -> None:
    (repo / "playbooks" / "orchestrator.yaml").write_text(text)
    git(repo, "commit", "-qam", "edit playbook")
    assert expected in refused(repo, "run", "orchestrator", "--yes")


def test_no_terminal_and_no_yes(repo: Path) -> None:
    line = refused(repo, "run", "orchestrator")
    assert "needs confirmation" in line and "--yes" in line


def test_second_run_while_one_holds_the_lock(repo: Path) -> None:
    state = repo / ".git" / "consolidate"
    state.mkdir()
    fd = os.open(state / "lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, b"4242")
        line = refused(repo, "run", "orchestrator", "--yes")
        assert "another consolidate process (pid 4242)" in line
        assert "another consolidate process" in refused(repo, "rollback", "--yes")
    finally:
        os.close(fd)


def test_repository_without_commits(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / "pb.yaml").write_text(PLAYBOOK)
    assert "has no commits" in refused(tmp_path, "run", str(tmp_path / "pb.yaml"), "--yes")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "files: [orchestrator.py]",
            "files: [orkestrator.py]",
            "'orkestrator.py' matches no file git tracks",
        ),
        ("files: [orchestrator.py]", "files: [../etc/passwd]", "leaves the repository"),
        (
            "files: [orchestrator.py]",
            "files: [/etc/passwd]",
            "is not a path relative to the repository",
        ),
        ("[orchestrator]\nbackup", "[orkestrator]\nbackup", "orkestrator"),
        ("docker-compose.yml:", "compose.yaml:", "compose.yaml does not exist"),
        ("run: python -m", "run: no-such-program -m", "'no-such-program', which is not found"),
    ],
)
def test_plan_refusals(repo: Path, old: str, new: str, expected: str) -> None:
    path = repo / "playbooks" / "orchestrator.yaml"
    path.write_text(path.read_text().replace(old, new))
    git(repo, "commit", "-qam", "edit playbook")
    assert expected in refused(repo, "run", "orchestrator", "--yes")


def test_unknown_playbook_name(repo: Path) -> None:
    line = refused(repo, "run", "nosuch", "--yes")
    assert "no playbook named 'nosuch'" in line and "known playbooks: orchestrator" in line


def test_unknown_option_is_one_line(repo: Path) -> None:
    assert "--frobnicate" in refused(repo, "run", "orchestrator", "--frobnicate")


def test_dry_run_refused_while_a_run_is_unfinished(repo: Path) -> None:
    env = {"CONSOLIDATE_FAILPOINT": "step:compose:start"}
    assert consolidate(repo, "run", "orchestrator", "--yes", env=env).returncode == -9
    assert "in progress" in refused(repo, "run", "orchestrator", "--dry-run")


def test_resume_refused_when_the_playbook_changed(repo: Path) -> None:
    env = {"CONSOLIDATE_FAILPOINT": "step:compose:start"}
    assert consolidate(repo, "run", "orchestrator", "--yes", env=env).returncode == -9
    path = repo / "playbooks" / "orchestrator.yaml"
    path.write_text(path.read_text().replace("Never ran.", "Never ran at all."))
    assert "the playbook changed" in refused(repo, "run", "orchestrator", "--yes")
