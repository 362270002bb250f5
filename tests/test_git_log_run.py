"""`git log` started before the files are read (`Git.start_log`): the same history as a
`git log` read at once, at a lower priority when it may not be needed, stopped when the
investigation fails first."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from repo_support import RepoFactory, git

from consolidate.analysis import investigation
from consolidate.analysis.investigation import Engine
from consolidate.errors import StepFailed
from consolidate.gitio import Git, LogRun


def history(make_repo: RepoFactory) -> Path:
    repo = make_repo({"app/main.py": "import app.util\n", "app/util.py": "X = 1\n"})
    (repo / "app" / "util.py").write_text("X = 2\n")
    (repo / "Ω notes.md").write_text("notes\n")  # a name git would quote
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "second", env={"GIT_AUTHOR_NAME": "Zoë Writer"})
    return repo


def test_a_started_log_reads_the_same_history_as_a_log_read_at_once(
    make_repo: RepoFactory,
) -> None:
    handle = Git.open(history(make_repo))
    started = handle.start_log(background=True)
    entries = started.result()
    assert entries == handle.log_all()
    assert started.result() is entries  # read once
    assert entries[0].paths == ("app/util.py", "Ω notes.md")
    assert entries[0].author == "Zoë Writer" and len(entries) == 2


def test_a_started_log_runs_at_a_lower_priority_and_stops_unread(
    make_repo: RepoFactory,
) -> None:
    handle = Git.open(history(make_repo))
    started = handle.start_log(background=True)
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    assert os.getpriority(os.PRIO_PROCESS, started.process.pid) == min(ours + 10, 19)
    started.stop()
    assert started.process.returncode is not None and started.out.closed


def test_a_log_git_refuses_fails_the_step_in_one_line(make_repo: RepoFactory) -> None:
    repo = make_repo({"a.py": "x = 1\n"})
    git(repo, "update-ref", "-d", "HEAD")  # a branch with no commit yet
    with pytest.raises(StepFailed, match=r"^git log failed: fatal: .*\S$") as caught:
        Git.open(repo).start_log().result()
    assert "\n" not in str(caught.value)


def test_the_log_starts_before_the_files_are_read_and_stops_when_they_cannot_be(
    make_repo: RepoFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    started: list[LogRun] = []
    real_init, real_stop = LogRun.__init__, LogRun.stop

    def init(self: LogRun, *args: object, **kwargs: object) -> None:
        real_init(self, *args, **kwargs)  # type: ignore[arg-type]
        events.append("log started")
        started.append(self)

    def stop(self: LogRun) -> None:
        events.append("log stopped")
        real_stop(self)

    def reading(*_: object, **__: object) -> None:
        events.append("files read")
        raise OSError("the disk went away")

    monkeypatch.setattr(LogRun, "__init__", init)
    monkeypatch.setattr(LogRun, "stop", stop)
    monkeypatch.setattr(investigation.Snapshot, "reading", reading)
    with pytest.raises(OSError, match="the disk went away"):
        Engine(Git.open(history(make_repo)))
    assert events == ["log started", "files read", "log stopped"]
    assert started[0].process.returncode is not None


def starts_recorded(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Each `Git.start_log` call, by whether it ran in the background."""
    calls: list[bool] = []
    real = Git.start_log

    def start(self: Git, *, background: bool = False, specs: list[str] | None = None) -> LogRun:
        calls.append(background)
        return real(self, background=background, specs=specs)

    monkeypatch.setattr(Git, "start_log", start)
    return calls


def test_without_history_up_front_the_log_runs_when_asked_and_gives_the_same_facts(
    make_repo: RepoFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    handle = Git.open(history(make_repo))
    calls = starts_recorded(monkeypatch)
    lazy = Engine(handle, history=False)
    assert (lazy.log, calls) == (None, [])
    rows: list[dict[str, object]] = [{"path": "app/util.py"}]
    facts = lazy.history(["app/util.py"], rows, "2030-01-01")
    assert calls == [False] and rows[0]["commits"] == 2
    eager_rows: list[dict[str, object]] = [{"path": "app/util.py"}]
    assert Engine(handle).history(["app/util.py"], eager_rows, "2030-01-01") == facts
    # Asked for up front, the whole history is needed: at this process's priority too.
    assert (eager_rows, calls) == (rows, [False, False])


def test_lint_runs_no_git_log_when_its_orphan_check_is_off(
    make_repo: RepoFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from consolidate.assess.lint import lint

    repo = history(make_repo)
    calls = starts_recorded(monkeypatch)
    found = lint(Git.open(repo), date="2030-01-01")
    assert calls == [False] and "orphan" in {f["id"] for f in found["findings"]}
    (repo / ".consolidate.toml").write_text('disable = ["orphan"]\n')
    found = lint(Git.open(repo), date="2030-01-01")
    assert calls == [False] and "orphan" not in {f["id"] for f in found["findings"]}


def test_a_log_nobody_reads_ends_with_the_process(make_repo: RepoFactory) -> None:
    """A command that ends without asking for the history leaves no `git log` running."""
    repo = history(make_repo)
    for _ in range(60):  # a history long enough that its log is still running at exit
        git(repo, "commit", "-q", "--allow-empty", "-m", "more")
    program = (
        "import sys; from pathlib import Path; from consolidate.gitio import Git; "
        "print(Git.open(Path(sys.argv[1])).start_log().process.pid)"
    )
    done = subprocess.run(
        [sys.executable, "-c", program, str(repo)], capture_output=True, text=True, check=True
    )
    pid = int(done.stdout)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # reaped: gone, not a zombie either


def test_orphans_reads_the_whole_history_at_this_process_s_priority(
    make_repo: RepoFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`orphans` waits for the whole history at its end: its `git log` shares the cores with
    the scan instead of taking only what the scan leaves (at nice 10 it was the last to end,
    by 0.3-0.5 s on 21,308 files)."""
    import structlog
    from typer.testing import CliRunner

    from consolidate import cli

    repo = history(make_repo)
    calls = starts_recorded(monkeypatch)
    try:
        done = CliRunner().invoke(cli.app, ["orphans", "--json", "--repo", str(repo)])
    finally:
        structlog.reset_defaults()  # the CLI configures logging in this process
    assert done.exit_code == 0, done.output
    assert calls == [False]
    found = json.loads(done.stdout)
    assert found["code_files"] == 2
    assert {row["path"]: row["commits"] for row in found["orphans"]} == {
        "app/main.py": 1,
        "app/util.py": 2,  # from the whole history
    }
