"""How a validate command runs (validate/commands.py, validate/guard.py): exit codes and
output pass through the guard, a timeout or a normal exit ends everything the command started,
and recovery kills a recorded session only when the record still describes it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from consolidate.validate.commands import (
    Recorded,
    Tracker,
    end_group,
    execute,
    session_members,
    start_ticks,
)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs /proc")
PY = sys.executable


def _alive(pid: int) -> bool:
    ticks = start_ticks(pid)
    if ticks is None:
        return False
    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return state != "Z"


def _wait_dead(pid: int) -> bool:
    for _ in range(100):  # a bound on tries, not a timed check
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


def test_exit_code_output_and_signal_pass_through_the_guard(tmp_path: Path) -> None:
    row, text = execute([PY, "-c", "print('hi'); raise SystemExit(3)"], tmp_path, 30, Tracker(None))
    assert (row["status"], row["exit"], text) == ("failed", 3, "hi\n")
    row, _ = execute([PY, "-c", "import os; os.kill(os.getpid(), 9)"], tmp_path, 30, Tracker(None))
    assert (row["status"], row["exit"]) == ("failed", -9)
    row, text = execute(["no-such-program-here"], tmp_path, 30, Tracker(None))
    assert (row["status"], text) == ("not found", "no-such-program-here: command not found")


def test_a_timeout_and_a_normal_exit_end_what_the_command_started(tmp_path: Path) -> None:
    spawn = (
        "import subprocess, sys, pathlib; p = subprocess.Popen([sys.executable, '-c',"
        " 'import time; time.sleep(600)']); pathlib.Path('child').write_text(str(p.pid))"
    )
    row, _ = execute([PY, "-c", spawn], tmp_path, 30, Tracker(None))
    assert row["status"] == "passed"
    assert _wait_dead(int((tmp_path / "child").read_text())), "a child outlived its command"

    row, _ = execute(
        [PY, "-c", spawn + "; import time; time.sleep(600)"], tmp_path, 0.5, Tracker(None)
    )
    assert row["status"] == "timed out after 0.5s"
    assert _wait_dead(int((tmp_path / "child").read_text()))


def test_the_record_names_the_session_and_moves_while_it_runs(tmp_path: Path) -> None:
    record = tmp_path / "command.json"
    row, _ = execute([PY, "-c", "import time; time.sleep(0.7)"], tmp_path, 30, Tracker(record))
    assert row["status"] == "passed"
    data = json.loads(record.read_text())
    written = data["at"]
    # The heartbeat moved the file's mtime after it was written, while the command ran.
    assert Recorded.read(record) is not None
    assert record.stat().st_mtime > written + 0.3


def _session_with_a_child(tmp_path: Path) -> tuple[subprocess.Popen[bytes], int]:
    """A leader in a session of its own (no guard) with a child; the leader is then killed,
    as a run without a parent-death signal would leave them."""
    script = (
        "import subprocess, sys, time, pathlib; p = subprocess.Popen([sys.executable, '-c',"
        " 'import time; time.sleep(600)']); pathlib.Path('child').write_text(str(p.pid));"
        " time.sleep(600)"
    )
    leader = subprocess.Popen([PY, "-c", script], cwd=tmp_path, start_new_session=True)
    for _ in range(200):
        if (tmp_path / "child").exists() and (tmp_path / "child").read_text():
            break
        time.sleep(0.05)
    return leader, int((tmp_path / "child").read_text())


def test_recovery_kills_what_is_left_of_the_recorded_session(tmp_path: Path) -> None:
    leader, child = _session_with_a_child(tmp_path)
    record = tmp_path / "command.json"
    Tracker(record).started(leader.pid)
    os.kill(leader.pid, signal.SIGKILL)
    leader.wait()
    assert session_members(leader.pid) == [child]

    before = time.time()
    killed_at = end_group(record)
    assert killed_at is not None and killed_at >= before
    assert _wait_dead(child) and session_members(leader.pid) == []
    assert end_group(record) is None  # nothing left: nothing to kill, no time


def test_a_record_whose_pid_was_reused_kills_nothing(tmp_path: Path) -> None:
    leader, child = _session_with_a_child(tmp_path)
    record = tmp_path / "command.json"
    # The record says the leader started at another moment: its pid belongs to a new process.
    start = start_ticks(leader.pid)
    assert start is not None
    record.write_text(json.dumps({"pid": leader.pid, "start": start - 1, "at": 0}))
    try:
        assert end_group(record) is None
        assert _alive(leader.pid) and _alive(child)
    finally:
        os.killpg(leader.pid, signal.SIGKILL)
        leader.wait()
