"""Validate commands as children the run can account for, even after it is killed (issue 15).

Each command runs without a shell in a session of its own, with its output in a temporary
file rather than a pipe. The session's first process is `guard.py`: on Linux the kernel sends
it a signal when the run dies, however it dies, and it kills the whole session (the command
and whatever the command started) at once. Before the command starts, the guard's pid and
start time go to `command.json` in the journal's folder, and while it runs the file's mtime
moves every HEARTBEAT seconds. So recovery (a rollback or a resume after a kill) can:

- kill what is left of the session (on a system without the signal), after checking that the
  recorded leader is not a new process that reuses the pid (`end_group`);
- tell until when the commands could have written files: the last heartbeat, or the moment
  it killed their survivors (see leftovers.py).

When a command exits, what it left running in its session is killed too. A command that
leaves its session on purpose (a daemon that calls setsid) is out of reach of all of this.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from consolidate import failpoints
from consolidate.gitio import environment_without_git_vars
from consolidate.journal import atomic_write

HEARTBEAT = 0.2  # seconds between two marks of life while a command runs
OUTPUT_KEPT = 4 * 1024 * 1024  # bytes of a command's output read back (its tail)
OUTPUT_LIMIT = 8000  # characters of output kept in a result row
GUARD = Path(__file__).with_name("guard.py")  # the first process of each command's session


@dataclass(frozen=True)
class Recorded:
    """What `command.json` says of the last command a run started."""

    pid: int
    start: int | None  # the leader's start time, in clock ticks since boot (/proc/PID/stat)
    beat: float  # the file's mtime: the last moment the run saw the command alive

    @staticmethod
    def read(path: Path) -> Recorded | None:
        try:
            data = json.loads(path.read_bytes())
            return Recorded(int(data["pid"]), data.get("start"), path.stat().st_mtime)
        except (OSError, ValueError, KeyError, TypeError):
            return None


class Tracker:
    """Records the running command in `path` and marks it alive; `label` names failpoints."""

    def __init__(self, path: Path | None, label: str = "command") -> None:
        self.path = path
        self.label = label

    def started(self, pid: int) -> None:
        if self.path is None:
            return
        record = {"pid": pid, "start": start_ticks(pid), "at": time.time()}
        atomic_write(self.path, json.dumps(record).encode())

    def alive(self, ticks: int) -> None:
        if self.path is not None:
            with contextlib.suppress(OSError):
                os.utime(self.path)
        if ticks == 1:  # the command has run for HEARTBEAT seconds: a kill lands mid-command
            failpoints.hit(f"validate:{self.label}:running")


Runner = Callable[[list[str], Path, float], tuple[dict[str, Any], str]]


def runner(tracker: Tracker) -> Runner:
    """`execute` bound to a tracker, in the shape the baseline expects."""
    return lambda argv, cwd, timeout: execute(argv, cwd, timeout, tracker)


def execute(
    argv: list[str], cwd: Path, timeout: float, tracker: Tracker
) -> tuple[dict[str, Any], str]:
    """The command's row (status, exit, the output's tail) and its output."""
    env = environment_without_git_vars()
    if not _found(argv[0], cwd, env):
        missing = f"{argv[0]}: command not found"
        return {"status": "not found", "exit": None, "output": missing}, missing
    with tempfile.TemporaryFile(prefix="consolidate-output-") as out:
        try:
            proc = subprocess.Popen(
                [sys.executable, "-I", "-S", str(GUARD), str(os.getpid()), *argv],
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        except OSError as exc:
            return {"status": "could not start", "exit": None, "output": str(exc)}, str(exc)
        try:
            tracker.started(proc.pid)
            finished = _wait(proc, timeout, tracker)
        finally:
            _kill_group(proc.pid)  # what the command left running in its session
            proc.wait()
        text = _read_tail(out)
    if not finished:
        timed_out = f"timed out after {timeout:g}s"
        return {"status": timed_out, "exit": None, "output": tail(text)}, text
    status = "passed" if proc.returncode == 0 else "failed"
    return {"status": status, "exit": proc.returncode, "output": tail(text)}, text


def _found(program: str, cwd: Path, env: dict[str, str]) -> bool:
    if "/" in program:
        full = cwd / program
        return full.is_file() and os.access(full, os.X_OK)
    return shutil.which(program, path=env.get("PATH")) is not None


def _wait(proc: subprocess.Popen[bytes], timeout: float, tracker: Tracker) -> bool:
    deadline = time.monotonic() + timeout
    ticks = 0
    while True:
        try:
            proc.wait(timeout=max(0.0, min(HEARTBEAT, deadline - time.monotonic())))
            return True
        except subprocess.TimeoutExpired:
            if time.monotonic() >= deadline:
                return False
            ticks += 1
            tracker.alive(ticks)


def end_group(path: Path) -> float | None:
    """After a kill: SIGKILL what is left of the recorded command's group and return when, or
    None when nothing was left. Never a process that merely reuses the pid: the kernel gives
    no new process a pid still in use as a session id, so members of the session are the
    command's, unless its leader is alive with another start time (a reused pid)."""
    recorded = Recorded.read(path)
    if recorded is None:
        return None
    leader = start_ticks(recorded.pid)
    if leader is not None and recorded.start is not None and leader != recorded.start:
        return None
    members = session_members(recorded.pid)
    if not members:
        return None
    _kill_group(recorded.pid)
    for pid in members:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    _wait_gone(members)
    return time.time()


def session_members(sid: int) -> list[int]:
    """The live processes of session `sid` (Linux /proc; empty elsewhere)."""
    members = []
    for entry in _proc_entries():
        fields = _stat_fields(entry)
        if fields is not None and fields[3:4] == [str(sid)] and fields[0] != "Z":
            members.append(entry)
    return members


def start_ticks(pid: int) -> int | None:
    """The process's start time in clock ticks since boot, or None when it is gone."""
    fields = _stat_fields(pid)
    return int(fields[19]) if fields is not None and len(fields) > 19 else None


def tail(text: str) -> str:
    return text if len(text) <= OUTPUT_LIMIT else "...\n" + text[-OUTPUT_LIMIT:]


def _stat_fields(pid: int) -> list[str] | None:
    """/proc/PID/stat after the command name: state, ppid, pgrp, session, ..., starttime."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_bytes().decode(errors="replace")
    except OSError:
        return None
    return raw[raw.rfind(")") + 1 :].split()


def _proc_entries() -> list[int]:
    try:
        return [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return []


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(OSError):
        os.killpg(pgid, signal.SIGKILL)


def _wait_gone(pids: list[int], limit: float = 5.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
        time.sleep(0.02)


def _alive(pid: int) -> bool:
    fields = _stat_fields(pid)
    return fields is not None and fields[:1] != ["Z"]


def _read_tail(out: Any) -> str:
    size = out.seek(0, os.SEEK_END)
    out.seek(max(0, size - OUTPUT_KEPT))
    return bytes(out.read()).decode("utf-8", errors="replace")
