"""A rollback that meets a change made after the run refuses before it undoes anything (issue 15).

Every action's precondition is checked first; on a conflict the repository, its refs and the
journal keep every byte, the exit code is 2, and the one line names every conflicting path.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from repo_support import RepoFactory, consolidate, git, repo_state, tree_hash

from consolidate.actions.base import Env, UndoView
from consolidate.actions.files import MoveFile
from consolidate.gitio import Git
from consolidate.journal import Store

PLAYBOOK = """\
component: ledgerd
summary: The ledger daemon nobody calls.
files: [ledgerd/]
compose:
  docker-compose.yml: [ledgerd]
backup: {images: false}
validate:
  - name: compile
    run: python -m compileall -q app.py
"""
COMPOSE = """\
services:
  web:
    image: nginx
    depends_on: [ledgerd]
  ledgerd:
    image: busybox
"""


@pytest.fixture
def removed(make_repo: RepoFactory) -> tuple[Path, dict[str, object]]:
    """A repository after a complete removal of `ledgerd`, and its state before the run."""
    repo = make_repo(
        {
            "ledgerd/main.py": "print('ledger')\n",
            "ledgerd/util.py": "RATE = 3\n",
            "app.py": "print('app')\n",
            "docker-compose.yml": COMPOSE,
            "CHANGELOG.md": "# Changelog\n\n## [Unreleased]\n",
            "playbooks/ledgerd.yaml": PLAYBOOK,
        }
    )
    before = repo_state(repo)
    result = consolidate(repo, "run", "ledgerd", "--yes", "--no-image-backup")
    assert result.returncode == 0, result.stderr
    return repo, before


def refused_rollback(repo: Path) -> str:
    """Run a rollback that must refuse; check nothing changed (the journal included)."""
    whole = _every_byte(repo)
    state = repo_state(repo)
    result = consolidate(repo, "rollback", "--yes")
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert _every_byte(repo) == whole
    assert repo_state(repo) == state
    assert _status(repo) == "complete"
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def _every_byte(repo: Path) -> dict[str, str]:
    """The whole tree, .git and the journal included; the lock file holds the pid of the
    last process that took it, which any command rewrites."""
    whole = tree_hash(repo)
    assert any(k.startswith(".git/consolidate/") and "lock" not in k for k in whole)
    return {k: v for k, v in whole.items() if k != ".git/consolidate/lock"}


def _status(repo: Path) -> str:
    status: str = json.loads(consolidate(repo, "status", "--json").stdout)["status"]
    return status


def test_an_edited_file_refuses_the_rollback(removed: tuple[Path, dict[str, object]]) -> None:
    repo, _ = removed
    compose = repo / "docker-compose.yml"
    compose.write_bytes(compose.read_bytes() + b"  cache:\n    image: redis\n")
    line = refused_rollback(repo)
    assert line == (
        "consolidate: error: rollback: 1 path changed since the run: docker-compose.yml; "
        "nothing was undone: pass --force to overwrite them"
    )


def test_every_conflict_is_listed(removed: tuple[Path, dict[str, object]]) -> None:
    repo, _ = removed
    (repo / "CHANGELOG.md").write_bytes(b"# Changelog\n\nmine\n")
    (repo / "ledgerd").mkdir()
    (repo / "ledgerd" / "util.py").write_bytes(b"RATE = 4\n")
    report = repo / "LEDGERD_REMOVAL_REPORT.md"
    report.write_bytes(report.read_bytes() + b"\nreviewed\n")
    line = refused_rollback(repo)
    assert "rollback: 3 paths changed since the run: " in line
    listed = line.split("since the run: ")[1].split("; nothing was undone")[0].split(", ")
    assert sorted(listed) == ["CHANGELOG.md", "LEDGERD_REMOVAL_REPORT.md", "ledgerd/util.py"]
    assert "--force" in line


def test_force_overwrites_the_conflicts(removed: tuple[Path, dict[str, object]]) -> None:
    repo, before = removed
    (repo / "docker-compose.yml").write_bytes(b"services: {}\n")
    (repo / "ledgerd").mkdir()
    (repo / "ledgerd" / "main.py").write_bytes(b"print('mine')\n")
    assert consolidate(repo, "rollback", "--yes").returncode == 2
    forced = consolidate(repo, "rollback", "--yes", "--force")
    assert forced.returncode == 0, forced.stderr
    assert repo_state(repo) == before


def test_a_moved_backup_branch_is_a_conflict(removed: tuple[Path, dict[str, object]]) -> None:
    repo, _ = removed
    branch = git(repo, "for-each-ref", "--format=%(refname)", "refs/heads/backup/").strip()
    assert branch.startswith("refs/heads/backup/ledgerd-removal-")
    git(repo, "update-ref", branch, "HEAD")
    line = refused_rollback(repo)
    assert f"rollback: 1 path changed since the run: {branch}; nothing was undone" in line


def test_a_branch_moved_past_the_removal_is_a_conflict(
    removed: tuple[Path, dict[str, object]],
) -> None:
    repo, _ = removed
    (repo / "app.py").write_bytes(b"print('app 2')\n")
    git(repo, "commit", "-qam", "work after the removal")
    line = refused_rollback(repo)
    assert "rollback: 1 path changed since the run: refs/heads/main; nothing was undone" in line


def test_an_untouched_run_rolls_back(removed: tuple[Path, dict[str, object]]) -> None:
    repo, before = removed
    result = consolidate(repo, "rollback", "--yes")
    assert result.returncode == 0, result.stderr
    assert repo_state(repo) == before


def test_a_move_meets_its_conflicts(make_repo: RepoFactory) -> None:
    """The source path taken again, or the moved file gone, is named; nothing is touched."""
    repo = make_repo({"old/a.py": "A = 1\n", "keep.py": "K = 1\n"})
    git_ = Git.open(repo)
    env = Env(git=git_, store=Store(git_.git_dir), docker=lambda: None)
    move = MoveFile("old/a.py", "new/a.py")
    move.apply(env)
    assert move.undo_conflicts(UndoView(env), {}) == []
    (repo / "old").mkdir()
    (repo / "old" / "a.py").write_bytes(b"A = 2\n")
    whole = tree_hash(repo)
    assert move.undo_conflicts(UndoView(env), {}) == ["old/a.py"]
    assert tree_hash(repo) == whole
    (repo / "old" / "a.py").unlink()
    (repo / "new" / "a.py").unlink()
    whole = tree_hash(repo)
    assert move.undo_conflicts(UndoView(env), {}) == ["new/a.py"]
    assert tree_hash(repo) == whole
