"""`status` tells a live run from a killed one, and `run` refuses over a finished run.

The lock is an flock the kernel drops when its process dies, so after a SIGKILL the journal
still says "running" but no process holds the lock: status says interrupted, with the commands
to resume or roll back. A `run` after a completed run of the same component is refused (exit 2,
one line, nothing changed) instead of planning against a tree without the component's files.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from repo_support import (
    RepoFactory,
    consolidate,
    ledger_playbook,
    repo_state,
    start_ledger_run,
    tree_hash,
)

SLEEP = 'python3 -c "import time; time.sleep(120)"'
PLAYBOOK = ledger_playbook({"compile": "VALIDATE"})
OTHER = PLAYBOOK.replace("ledger", "mailer").replace("billing", "notify")
COMPOSE = """\
services:
  web:
    image: nginx
  ledger:
    image: busybox
  mailer:
    image: busybox
"""


def _repo(make_repo: RepoFactory, validate: str) -> Path:
    return make_repo(
        {
            "ledger.py": "print('ledger')\n",
            "mailer.py": "print('mailer')\n",
            "app.py": "print('app')\n",
            "docker-compose.yml": COMPOSE,
            "playbooks/ledger.yaml": PLAYBOOK.replace("VALIDATE", validate),
            "playbooks/mailer.yaml": OTHER.replace("VALIDATE", "python3 -m compileall -q app.py"),
        }
    )


def _status(repo: Path) -> dict[str, Any]:
    result = consolidate(repo, "status", "--json")
    assert result.returncode == 0, result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def _validate_running(doc: dict[str, Any]) -> bool:
    steps = {s["name"]: s["status"] for s in doc.get("steps", [])}
    return doc.get("lock_holder") is not None and steps.get("validate") == "running"


def _wait_for_validate(repo: Path, proc: subprocess.Popen[bytes]) -> dict[str, Any]:
    """Poll `status` until the validate command runs (a bound on tries, not a timed check)."""
    for _ in range(1200):
        doc = _status(repo)
        if _validate_running(doc):
            return doc
        assert proc.poll() is None, "the run ended before its validate command started"
        time.sleep(0.1)
    pytest.fail(f"the validate step never started: {doc}")


def test_status_after_a_kill_says_interrupted_with_both_commands(make_repo: RepoFactory) -> None:
    repo = _repo(make_repo, SLEEP)
    before = repo_state(repo)
    proc = start_ledger_run(repo)
    try:
        live = _wait_for_validate(repo, proc)
        assert live["status"] == "running" and live["interrupted"] is False
        assert live["lock_holder"] == str(proc.pid) and live["resume_command"] is None
        text = consolidate(repo, "status").stdout
        assert f": running (pid {proc.pid} holds the lock)\n" in text
        assert "Resume:" not in text
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the run and its validate command
        proc.wait()
    assert proc.returncode == -signal.SIGKILL

    doc = _status(repo)
    assert doc["status"] == "running" and doc["interrupted"] is True
    assert doc["lock_holder"] is None
    playbook = doc["playbook"]
    assert doc["resume_command"] == f"consolidate run {playbook} --yes"
    assert doc["rollback_command"] == "consolidate rollback --yes"
    text = consolidate(repo, "status").stdout
    assert text.splitlines()[0].endswith(": interrupted (no process holds the lock)")
    assert f"Resume: consolidate run {playbook} --yes\n" in text
    assert "Undo:   consolidate rollback --yes\n" in text

    undo = consolidate(repo, "rollback", "--yes")
    assert undo.returncode == 0, undo.stderr
    assert repo_state(repo) == before


def test_a_killed_rollback_is_interrupted_and_run_refuses_over_it(make_repo: RepoFactory) -> None:
    repo = _repo(make_repo, "python3 -m compileall -q app.py")
    before = repo_state(repo)
    assert consolidate(repo, "run", "ledger", "--yes").returncode == 0
    killed = consolidate(
        repo, "rollback", "--yes", env={"CONSOLIDATE_FAILPOINT": "undo:remove:0:applied"}
    )
    assert killed.returncode == -9, killed.stderr

    doc = _status(repo)
    assert doc["status"] == "rolling-back" and doc["interrupted"] is True
    assert doc["resume_command"] == doc["rollback_command"] == "consolidate rollback --yes"
    text = consolidate(repo, "status").stdout
    assert ": interrupted while rolling-back (no process holds the lock)\n" in text
    assert "Finish the rollback: consolidate rollback --yes\n" in text

    line = _refused(repo, "run", "ledger", "--yes")
    assert "the rollback of run" in line and "of ledger did not finish" in line
    assert "`consolidate rollback --yes`" in line
    assert consolidate(repo, "rollback", "--yes").returncode == 0
    assert repo_state(repo) == before


def test_run_after_a_completed_run_is_refused(make_repo: RepoFactory) -> None:
    repo = _repo(make_repo, "python3 -m compileall -q app.py")
    assert consolidate(repo, "run", "ledger", "--yes").returncode == 0
    done = _status(repo)
    assert done["status"] == "complete" and done["interrupted"] is False
    run_id, commit = done["run_id"], done["commit"]

    for args in (("--yes",), ("--dry-run",)):
        line = _refused(repo, "run", "ledger", *args)
        assert line == (
            f"consolidate: error: the last run of ledger ({run_id}) is complete, "
            f"commit {commit[:12]}: roll it back with `consolidate rollback --yes`, "
            "or start another removal with a playbook for another component"
        )
        assert "matches no file git tracks" not in line

    # Another component's removal is not blocked by the finished one.
    other = consolidate(repo, "run", "mailer", "--dry-run")
    assert other.returncode == 0, other.stderr
    assert "Dry run: removal of mailer" in other.stdout


def _refused(repo: Path, *args: str) -> str:
    before = tree_hash(repo)
    result = consolidate(repo, *args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("consolidate: error: "), result.stderr
    assert tree_hash(repo) == before
    return lines[0]
