"""Validate commands under faults (issue 15): a kill while a command writes files, scratch
names in the work tree, and a failed command fixed in the playbook.

The kill is the test's own SIGKILL of the run's main process (not of its process group), at
the moment the command has written its files: the command and a child it started must be
gone at once (the parent-death signal reaches the session's guard, which kills the session), and rollback must leave every file as it was, untracked and ignored ones
included; a resume must run the command again from a clean state.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from repo_support import (
    RepoFactory,
    consolidate,
    git,
    ledger_playbook,
    repo_state,
    start_ledger_run,
)

from consolidate.validate.commands import session_members

PLAYBOOK = ledger_playbook(
    {"compile": "python3 -m compileall -q app", "build": "python3 tools/build.py MARKER"},
    extra="docs:\n  changelog: CHANGELOG.md\n",
)
# Writes build output and (the first time only) starts a child, says it is ready, and waits:
# the test kills the run then. Every later attempt writes other output and ends at once.
BUILD = """\
import pathlib, subprocess, sys, time
marker = pathlib.Path(sys.argv[1])
out = pathlib.Path("out")
out.mkdir(exist_ok=True)
if marker.exists():
    (out / "second.txt").write_text("second")
    sys.exit(0)
marker.write_text("started")
(out / "first.txt").write_text("first")
pathlib.Path("cache.db").write_text("changed by the command")
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
pathlib.Path("out/ready").write_text(str(child.pid))
time.sleep(600)
"""
COMPOSE = "services:\n  web:\n    image: nginx\n  ledger:\n    image: busybox\n"
CHANGELOG = "# Changelog\n\n## [Unreleased]\n"


def _repo(make_repo: RepoFactory, marker: Path, extra: dict[str, str] | None = None) -> Path:
    files = {
        "ledger.py": "print('ledger')\n",
        "app/main.py": "print('app')\n",
        "tools/build.py": BUILD,
        "docker-compose.yml": COMPOSE,
        "CHANGELOG.md": CHANGELOG,
        ".gitignore": "__pycache__/\ncache.db\n",
        "playbooks/ledger.yaml": PLAYBOOK.replace("MARKER", str(marker)),
        **(extra or {}),
    }
    repo = make_repo(files)
    (repo / "cache.db").write_text("a database the user had")  # ignored, there before the run
    (repo / "notes.txt").write_text("the user's own untracked notes")
    return repo


def _killed_mid_command(repo: Path) -> tuple[int, int]:
    """Start a run, wait until the build command is ready, SIGKILL the run's main process
    only. Returns the command's pid and its child's pid."""
    proc = start_ledger_run(repo)
    ready = repo / "out" / "ready"
    for _ in range(1200):  # a bound on tries, not a timed check
        if ready.exists() and ready.read_text():
            break
        assert proc.poll() is None, "the run ended before the build command was ready"
        time.sleep(0.1)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("the build command never got ready")
    record = json.loads((repo / ".git" / "consolidate" / "command.json").read_text())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return int(record["pid"]), int(ready.read_text())


def _gone(pid: int) -> bool:
    """The process has exited, or does within a few seconds (a zombie waiting for its reaper
    counts as gone)."""
    for _ in range(100):
        if not _running(pid):
            return True
        time.sleep(0.05)
    return False


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _status(repo: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(consolidate(repo, "status", "--json").stdout)
    return doc


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs Linux /proc")
def test_a_kill_mid_command_then_rollback_restores_everything(
    make_repo: RepoFactory, tmp_path: Path
) -> None:
    repo = _repo(make_repo, tmp_path / "marker")
    before = repo_state(repo)
    command, child = _killed_mid_command(repo)

    # The session's guard got the parent-death signal and took the command and its child down.
    assert _gone(command) and _gone(child), "the validate command outlived the run"
    doc = _status(repo)
    assert doc["status"] == "running" and doc["interrupted"] is True

    undo = consolidate(repo, "rollback", "--yes")
    assert undo.returncode == 0, undo.stderr
    assert _gone(child) and session_members(command) == []
    # The command's output (untracked out/, ignored __pycache__/) is gone; the user's
    # untracked notes stay. cache.db, ignored and there before, was changed by the command:
    # its earlier bytes were never saved, so rollback names it rather than claim it restored.
    after = repo_state(repo)
    assert after["work"].pop("cache.db") != before["work"].pop("cache.db")
    assert after == before
    assert "not restored:" in undo.stdout and "cache.db" in undo.stdout, undo.stdout
    assert "as it was before the run" not in undo.stdout
    assert not any("consolidate" in p for p in after["work"]), after["work"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs Linux /proc")
def test_a_kill_mid_command_then_resume_runs_it_again_from_a_clean_state(
    make_repo: RepoFactory, tmp_path: Path
) -> None:
    repo = _repo(make_repo, tmp_path / "marker")
    command, child = _killed_mid_command(repo)
    assert _gone(command)

    resumed = consolidate(repo, "run", "ledger", "--yes")
    assert resumed.returncode == 0, resumed.stderr
    assert _gone(child) and session_members(command) == []
    assert _status(repo)["status"] == "complete"
    assert not (repo / "out" / "first.txt").exists()  # the killed attempt's output went first
    assert (repo / "out" / "second.txt").read_text() == "second"
    assert (repo / "notes.txt").read_text() == "the user's own untracked notes"
    assert git(repo, "status", "--porcelain", "--untracked-files=no") == ""


SCRATCH_NAMES = {
    # Every name a version of the tool used, or might use, for its own files beside a user's.
    ".docker-compose.yml.consolidate-before": "user bytes 1\n",
    ".docker-compose.yml.consolidate-tmp": "user bytes 2\n",
    ".CHANGELOG.md.consolidate-tmp": "user bytes 3\n",
    "playbooks/.ledger.yaml.draft": "user bytes 4\n",
}


def test_tracked_files_named_like_scratch_files_survive_run_and_rollback(
    make_repo: RepoFactory, tmp_path: Path
) -> None:
    (tmp_path / "marker").write_text("not the first attempt")  # the build ends at once
    repo = _repo(make_repo, tmp_path / "marker", SCRATCH_NAMES)
    before = repo_state(repo)
    done = consolidate(repo, "run", "ledger", "--yes")
    assert done.returncode == 0, done.stderr
    for name, text in SCRATCH_NAMES.items():
        assert (repo / name).read_text() == text, name
    assert git(repo, "show", "HEAD", "--stat", "--format=").count("consolidate-") == 0
    undo = consolidate(repo, "rollback", "--yes")
    assert undo.returncode == 0, undo.stderr
    assert repo_state(repo) == before


def test_a_failed_command_fixed_in_the_playbook_resumes_to_completion(
    make_repo: RepoFactory, tmp_path: Path
) -> None:
    (tmp_path / "marker").write_text("not the first attempt")
    repo = _repo(make_repo, tmp_path / "marker")
    playbook = repo / "playbooks" / "ledger.yaml"
    broken = "  - name: imports\n    run: python3 -c \"open('junk.txt', 'w'); import ledger\"\n"
    playbook.write_text(playbook.read_text() + broken)
    git(repo, "commit", "-qam", "a validate command that needs the removed module")

    failed = consolidate(repo, "run", "ledger", "--yes")
    assert failed.returncode == 1, failed.stderr
    assert "validation failed: imports failed (exit 1)" in failed.stderr
    assert (repo / "junk.txt").exists()

    # Any key but validate and on_failure is refused, by name, with nothing changed.
    text = playbook.read_text()
    playbook.write_text(text.replace("Replaced by", "Superseded by"))
    refused = consolidate(repo, "run", "ledger", "--yes")
    assert refused.returncode == 2
    assert "the playbook changed since the run of ledger started: summary" in refused.stderr
    assert (repo / "junk.txt").exists()

    fixed = text.replace("open('junk.txt', 'w'); import ledger", "import app")
    playbook.write_text(fixed + "on_failure: rollback\n")
    resumed = consolidate(repo, "run", "ledger", "--yes")
    assert resumed.returncode == 0, resumed.stderr
    doc = _status(repo)
    assert doc["status"] == "complete"
    validate = next(s for s in doc["steps"] if s["name"] == "validate")
    results = {r["name"]: r["status"] for r in validate["actions"][0]["results"]}
    assert [results[name] for name in ("compile", "build", "imports")] == ["passed"] * 3
    assert not (repo / "junk.txt").exists()  # the failed attempt's file went before the rerun
    assert git(repo, "log", "-1", "--format=%s").strip() == "Remove ledger"
    journal = json.loads((repo / ".git" / "consolidate" / "journal.json").read_text())
    assert journal["body"]["on_failure"] == "rollback"
