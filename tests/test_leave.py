"""A read-only command ends its process once it has printed, without freeing what it made:
the output is whole, the exit handlers run, the exit code is the command's, and the
interpreter's clean-up (which frees every object, one at a time) does not run. Every other
command exits as Python does."""

from __future__ import annotations

import json
import subprocess
import threading
from pathlib import Path

import pytest
from repo_support import RepoFactory, python

from consolidate import outputs
from consolidate.analysis import tuning

# Runs the CLI as `python -m consolidate` does. An exit handler says it ran; an object in a
# module's globals says, when it is freed, that the interpreter cleaned up.
PROBE = """
import atexit, runpy, sys
marks = sys.argv[1]
sys.argv = ["consolidate", *sys.argv[2:]]
def mark(word):
    with open(marks, "a", encoding="utf-8") as f:
        f.write(word + "\\n")
class Freed:  # at clean-up even `open` may be gone: what it needs, it holds
    def __init__(self, path):
        import os
        self.write, self.fd = os.write, os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    def __del__(self):
        self.write(self.fd, b"cleaned up\\n")
sentinel = Freed(marks)
atexit.register(mark, "exit handlers ran")
runpy.run_module("consolidate", run_name="__main__", alter_sys=True)
"""

REPO = {
    "compose.yaml": "services:\n  api:\n    build: ./api\n  worker:\n    build: ./worker\n",
    "api/main.py": "print('api')\n",
    "api/Dockerfile": 'CMD ["python", "main.py"]\n',
    "worker/main.py": "from worker import jobs\n",
    "worker/jobs.py": "JOBS = []\n",
    "worker/Dockerfile": 'CMD ["python", "main.py"]\n',
    "tools/old.py": "print('nobody runs me')\n",
}


def run(repo: Path, *argv: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    marks = repo.parent / f"{repo.name}-marks.txt"
    marks.unlink(missing_ok=True)
    done = python(repo, ["-c", PROBE, str(marks), *argv])
    return done, marks.read_text(encoding="utf-8").splitlines() if marks.exists() else []


@pytest.mark.parametrize(
    "argv",
    [
        ("--no-cache", "investigate", "worker", "--json"),
        ("investigate", "worker", "--json"),  # through the cache: written, then read
        ("orphans", "--json"),
    ],
)
def test_a_read_only_command_prints_everything_then_ends_without_cleaning_up(
    make_repo: RepoFactory, argv: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    repo = make_repo(REPO)
    for _ in range(2):  # the second investigation through the cache reads it
        done, marks = run(repo, *argv)
        assert done.returncode == 0, done.stderr
        doc = json.loads(done.stdout)  # whole: every byte was flushed
        assert marks == ["exit handlers ran"]  # and nothing was freed at the end
    if "orphans" in argv:
        assert "tools/old.py" in [row["path"] for row in doc["orphans"]]
    else:
        removed = [row["path"] for row in doc["files"] if row["verdict"] == "remove"]
        assert removed == ["worker/Dockerfile", "worker/jobs.py", "worker/main.py"]


def test_other_commands_exit_as_python_does(make_repo: RepoFactory) -> None:
    repo = make_repo(REPO)
    done, marks = run(repo, "version")
    assert done.returncode == 0
    assert marks == ["exit handlers ran", "cleaned up"]


def test_a_failed_read_only_command_exits_as_python_does(make_repo: RepoFactory) -> None:
    repo = make_repo(REPO)
    done, marks = run(repo, "investigate", "nothing-has-this-name", "--json")
    assert done.returncode == 2
    assert json.loads(done.stdout)["exit_code"] == 2
    assert marks == ["exit handlers ran", "cleaned up"]


def test_leave_exits_as_python_does_when_nothing_was_held_or_a_thread_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tuning, "CURRENT", tuning.Tuning())
    with pytest.raises(SystemExit) as ended:
        outputs.leave(3)
    assert ended.value.code == 3
    tuning.CURRENT.held = [object()]
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with pytest.raises(SystemExit) as ended:
            outputs.leave(0)
        assert ended.value.code == 0
    finally:
        stop.set()
        other.join()


GC_PROBE = """
import atexit, gc, runpy, sys
sys.argv = ["consolidate", *sys.argv[1:]]
atexit.register(lambda: print("collector on:", gc.isenabled(), gc.get_threshold()[0], file=sys.stderr))
runpy.run_module("consolidate", run_name="__main__", alter_sys=True)
"""


@pytest.mark.parametrize(
    ("argv", "state"), [(("orphans",), "False"), (("status",), f"True {tuning.YOUNG_PASS}")]
)
def test_a_read_only_command_runs_without_the_cycle_collector(
    make_repo: RepoFactory, argv: tuple[str, ...], state: str
) -> None:
    """Nothing an investigation makes in bulk is cyclic, and a read-only command ends within
    seconds: it turns the collector off (for the workers it forks too); the others space out
    its passes."""
    repo = make_repo(REPO)
    done = python(repo, ["-c", GC_PROBE, *argv])
    assert f"collector on: {state}" in done.stderr, done.stderr
