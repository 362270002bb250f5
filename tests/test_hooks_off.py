"""No git call of `run` or `rollback` runs the repository's hooks, plumbing included
(reference-transaction, post-index-change, post-checkout); `run --run-hooks` runs the commit's
own hooks and nothing else."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from repo_support import RepoFactory, consolidate, git, repo_state

PLAYBOOK = """\
component: beacon
summary: The beacon pinged a dashboard that was shut down.
files: [beacon/**]
compose:
  docker-compose.yml: [beacon]
backup: {images: false}
validate:
  - name: compile
    run: python3 -m compileall -q services
"""
FILES = {
    "services/api/app.py": "print('api')\n",
    # already broken at HEAD, so validate also runs the command in a baseline checkout
    # (`git worktree add`, which fires post-checkout)
    "services/api/old_tool.py": "def broken(:\n    pass\n",
    "beacon/ping.py": "print('ping')\n",
    "docker-compose.yml": (
        "services:\n  api:\n    build: ./services/api\n"
        "  beacon:\n    build: ./beacon\n    depends_on: [api]\n"
    ),
    "playbooks/beacon.yaml": PLAYBOOK,
    ".gitignore": "__pycache__/\n",
}
LOGGED = (
    "reference-transaction",
    "post-index-change",
    "post-checkout",
    "pre-commit",
    "prepare-commit-msg",
    "commit-msg",
    "post-commit",
    "pre-auto-gc",
    "post-rewrite",
)
COMMIT_HOOKS = ("pre-commit", "commit-msg", "post-commit")


def install_hooks(repo: Path, log: Path, *, status: int = 0) -> None:
    """Each hook appends its name and the git command that ran it (its parent's command line,
    on one line) to `log`, outside the repository, then exits with `status`."""
    for name in LOGGED:
        path = repo / ".git" / "hooks" / name
        path.write_text(
            "#!/bin/sh\n"
            f'caller=$(tr "\\000\\n" "  " < /proc/$PPID/cmdline 2>/dev/null)\n'
            f'printf "%s\\t%s\\n" {name} "$caller" >> "{log}"\n'
            f"exit {status}\n"
        )
        path.chmod(path.stat().st_mode | stat.S_IXUSR)


def logged(log: Path) -> list[tuple[str, str]]:
    if not log.exists():
        return []
    lines = log.read_text().splitlines()
    return [(name, caller) for name, _, caller in (line.partition("\t") for line in lines)]


@pytest.fixture
def repo(make_repo: RepoFactory) -> Path:
    return make_repo(FILES, name="fleet")


def test_hooks_that_log_every_call_log_nothing_during_run_and_rollback(
    repo: Path, tmp_path: Path
) -> None:
    log = tmp_path / "hooks.log"
    install_hooks(repo, log)
    git(repo, "commit", "-q", "--allow-empty", "-m", "the hooks log")  # they do run for git
    assert {name for name, _ in logged(log)} >= {"reference-transaction", *COMMIT_HOOKS}
    log.unlink()
    before = repo_state(repo)
    result = consolidate(repo, "run", "beacon", "--yes", "--no-image-backup")
    assert result.returncode == 0, result.stderr
    assert "compile: failed before this removal (" in result.stdout  # the baseline ran
    assert git(repo, "log", "-1", "--format=%s") == "Remove beacon\n"
    assert logged(log) == []
    undo = consolidate(repo, "rollback", "--yes")
    assert undo.returncode == 0, undo.stderr
    assert logged(log) == []
    assert repo_state(repo) == before


def test_failing_hooks_do_not_break_run_or_rollback(repo: Path, tmp_path: Path) -> None:
    log = tmp_path / "hooks.log"
    install_hooks(repo, log, status=1)
    before = repo_state(repo)
    result = consolidate(repo, "run", "beacon", "--yes", "--no-image-backup")
    assert result.returncode == 0, result.stderr
    assert not (repo / "beacon").exists()
    assert git(repo, "log", "-1", "--format=%s") == "Remove beacon\n"
    undo = consolidate(repo, "rollback", "--yes")
    assert undo.returncode == 0, undo.stderr
    assert repo_state(repo) == before
    assert logged(log) == []


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc for the caller")
def test_run_hooks_runs_the_commits_own_hooks_and_nothing_else(repo: Path, tmp_path: Path) -> None:
    log = tmp_path / "hooks.log"
    install_hooks(repo, log)
    result = consolidate(repo, "run", "beacon", "--yes", "--no-image-backup", "--run-hooks")
    assert result.returncode == 0, result.stderr
    calls = logged(log)
    names = [name for name, _ in calls]
    for name in COMMIT_HOOKS:
        assert names.count(name) == 1, calls
    assert names.index("pre-commit") < names.index("commit-msg") < names.index("post-commit")
    # whatever else ran (reference-transaction for the commit's ref update) was run by the
    # commit itself, never by another git command of the tool
    outside = [(name, caller) for name, caller in calls if " commit " not in f" {caller} "]
    assert outside == []
    log.unlink()
    undo = consolidate(repo, "rollback", "--yes")
    assert undo.returncode == 0, undo.stderr
    assert logged(log) == []  # rollback never runs hooks
