"""The history of some files (`Git.log_all(specs)`, `Git.start_log(specs=...)`,
`Engine.start_history`): read through a few pathspecs, and the same facts for those files
as the whole history gives."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Collection
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from repo_support import RepoFactory, git

from consolidate.analysis.history import history, pathspecs, reads_less
from consolidate.analysis.investigation import Engine, investigate
from consolidate.gitio import Git, LogEntry, LogRun


def touching(entries: list[LogEntry], paths: Collection[str]) -> list[tuple[str, tuple[str, ...]]]:
    """Each commit that touches one of `paths`, with those of them it touches."""
    out = []
    for entry in entries:
        mine = tuple(p for p in entry.paths if p in paths)
        if mine:
            out.append((entry.commit, mine))
    return out


def test_few_paths_are_their_own_pathspecs_and_many_become_their_folders() -> None:
    assert pathspecs(["b/x.py", "a.py", "b/x.py"]) == ["a.py", "b/x.py"]
    many = [f"backend/pkg{i}/mod{j}.py" for i in range(100) for j in range(10)]
    assert pathspecs([*many, "backend/app.py"], most=64) == ["backend"]
    assert pathspecs([*many, "frontend/src/a.ts"], most=64) == ["backend", "frontend"]
    some = [f"backend/pkg{i}/mod{j}.py" for i in range(30) for j in range(10)]
    assert pathspecs([*some, "backend/app.py"], most=64) == [
        "backend/app.py",
        *sorted(f"backend/pkg{i}" for i in range(30)),
    ]
    assert pathspecs([f"top{i}.py" for i in range(65)], most=64) is None  # only everything
    assert pathspecs([]) == []


paths = st.lists(
    st.lists(st.sampled_from(["a", "b", "c.py", "d", "e.ts"]), min_size=1, max_size=4).map(
        "/".join
    ),
    max_size=40,
)


@given(paths, st.integers(min_value=1, max_value=8))
def test_every_path_is_under_a_pathspec_and_there_are_never_too_many(
    chosen: list[str], most: int
) -> None:
    specs = pathspecs(chosen, most=most)
    if specs is None:  # more top-level entries than `most`
        assert len({p.split("/")[0] for p in chosen}) > most
        return
    assert len(specs) <= most
    for path in chosen:
        assert any(path == s or path.startswith(s + "/") for s in specs)


def merged_history(make_repo: RepoFactory) -> Path:
    """A side branch changes a/x.py; its merge keeps main's version (`-s ours`), so git's
    default simplification of `git log -- a/x.py` leaves the side branch's commit out."""
    repo = make_repo({"a/x.py": "x = 1\n", "b/y.py": "y = 1\n", "a/[x].py": "z = 1\n"})
    git(repo, "checkout", "-q", "-b", "side")
    (repo / "a" / "x.py").write_text("x = 2\n")
    git(repo, "commit", "-qam", "side", env={"GIT_AUTHOR_NAME": "Side Author"})
    git(repo, "checkout", "-q", "main")
    (repo / "b" / "y.py").write_text("y = 2\n")
    (repo / "a" / "[x].py").write_text("z = 2\n")  # a name that is a glob pattern
    git(repo, "commit", "-qam", "main")
    git(repo, "merge", "-q", "-s", "ours", "side", "-m", "merge")
    return repo


def test_a_files_history_holds_a_merged_branch_commit_that_kept_nothing(
    make_repo: RepoFactory,
) -> None:
    repo = merged_history(make_repo)
    side = git(repo, "rev-parse", "side").strip()
    simplified = git(repo, "log", "--format=%H", "--", "a/x.py").split()
    assert side not in simplified  # what git's default would have missed
    handle = Git.open(repo)
    for chosen in (["a/x.py"], ["a/[x].py"], ["a/x.py", "b/y.py"]):
        whole = touching(handle.log_all(), chosen)
        assert touching(handle.log_all(pathspecs(chosen)), chosen) == whole
        assert touching(handle.start_log(specs=pathspecs(chosen)).result(), chosen) == whole
    assert (side, ("a/x.py",)) in touching(handle.log_all(pathspecs(["a/x.py"])), ["a/x.py"])


def test_a_repository_that_follows_renames_still_gives_one_files_own_history(
    make_repo: RepoFactory,
) -> None:
    repo = make_repo({"old/z.py": "a\nb\nc\nd\ne\n"})
    git(repo, "mv", "old/z.py", "z.py")
    git(repo, "commit", "-qm", "move")
    git(repo, "config", "log.follow", "true")  # a user's setting: one path gets --follow
    handle = Git.open(repo)
    assert touching(handle.log_all(pathspecs(["z.py"])), {"z.py", "old/z.py"}) == touching(
        handle.log_all(), {"z.py"}
    )


def test_no_paths_run_no_git_log(make_repo: RepoFactory) -> None:
    handle = Git.open(make_repo({"a.py": "x = 1\n"}))
    run = handle.start_log(specs=[])
    assert (run.process, run.result(), handle.log_all(pathspecs([])), handle.log_all([])) == (
        None,
        [],
        [],
        [],
    )
    run.stop()  # nothing to stop


def test_a_pathspec_reads_less_unless_it_holds_the_largest_folders() -> None:
    tracked = [f"frontend/src/m{i}.ts" for i in range(400)]
    tracked += [f"backend/pkg{i}/mod{j}.py" for i in range(40) for j in range(10)]
    assert reads_less(["backend"], tracked)
    assert reads_less(["frontend/src/m1.ts", "backend/pkg1"], tracked)  # a file beside them
    assert not reads_less(["frontend"], tracked)
    assert not reads_less(["frontend/src", "backend/pkg1"], tracked)
    assert reads_less([], tracked)


def component_beside_a_large_folder(make_repo: RepoFactory) -> Path:
    files = {
        "orchestrator/main.py": "from orchestrator import util\n",
        "orchestrator/util.py": "X = 1\n",
        "web/Dockerfile": 'CMD ["python", "web/app.py"]\n',
    }
    files |= {f"web/page{i}.py": f"P = {i}\n" for i in range(30)}
    repo = make_repo(files)
    for i in range(3):
        (repo / "web" / f"page{i}.py").write_text(f"P = -{i}\n")
        (repo / "orchestrator" / "util.py").write_text(f"X = {i}\n")
        git(repo, "commit", "-qam", f"change {i}", env={"GIT_AUTHOR_NAME": f"Dev {i}"})
    return repo


def test_the_history_of_some_files_stops_the_whole_one_when_it_reads_less(
    make_repo: RepoFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole history starts in the background; the candidates' history, which the end
    of the investigation waits for, at this process's priority."""
    asked: list[tuple[list[str] | None, bool]] = []
    real = Git.start_log

    def start(self: Git, *, background: bool = False, specs: list[str] | None = None) -> LogRun:
        asked.append((specs, background))
        return real(self, background=background, specs=specs)

    monkeypatch.setattr(Git, "start_log", start)
    engine = Engine(Git.open(component_beside_a_large_folder(make_repo)), narrow=True)
    whole = engine.log
    assert whole is not None and asked == [(None, True)]
    monkeypatch.setattr(whole, "running", lambda: True)  # not done when the candidates are
    engine.start_history(["orchestrator/main.py", "orchestrator/util.py"])
    few = (["orchestrator/main.py", "orchestrator/util.py"], False)
    assert asked == [(None, True), few]
    assert whole.out.closed  # stopped
    rows: list[dict[str, object]] = [{"path": "orchestrator/util.py"}]
    engine.history(["orchestrator/util.py"], rows, "2030-01-01")
    assert rows[0]["commits"] == 4
    # Where the whole history reads less, it goes on.
    engine = Engine(Git.open(component_beside_a_large_folder(make_repo)), narrow=True)
    whole = engine.log
    assert whole is not None
    monkeypatch.setattr(whole, "running", lambda: True)
    engine.start_history(["web/page1.py", "web/page2.py", "orchestrator/util.py", "web"])
    assert asked == [(None, True), few, (None, True)]
    assert engine.log is whole and not whole.out.closed
    rows = [{"path": "web/page1.py"}]
    engine.history(["web/page1.py"], rows, "2030-01-01")
    assert rows[0]["commits"] == 2


def state(pid: int, wanted: set[str]) -> str:
    """The process's state once it is one of `wanted` (a signal lands at once, unless the
    process is busy in the kernel), or the last one seen within 5 s."""
    for _ in range(500):
        seen = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
        if seen in wanted:
            break
        time.sleep(0.01)
    return seen


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_paused_log_waits_until_it_is_resumed_and_stops_while_paused(
    make_repo: RepoFactory,
) -> None:
    run = Git.open(make_repo({"a.py": "x = 1\n"})).start_log()
    run.result()
    run.process = subprocess.Popen(["sleep", "30"])  # a git that takes long
    run.entries = None
    run.pause()
    assert state(run.process.pid, {"T"}) == "T"
    run.resume()
    assert state(run.process.pid, {"S", "R"}) in {"S", "R"}
    run.pause()
    run.stop()  # a stopped process is killed all the same
    assert run.process.returncode is not None and not run.running()


def test_an_investigation_gives_the_whole_historys_facts_for_its_files(
    make_repo: RepoFactory,
) -> None:
    handle = Git.open(component_beside_a_large_folder(make_repo))
    found = investigate(handle, "orchestrator", date="2030-01-01", docker=None)
    rows = found["files"]
    again = [{"path": r["path"]} for r in rows]
    removal = [r["path"] for r in rows if r["verdict"] == "remove"]
    whole = history(
        handle, [r["path"] for r in rows], again, "2030-01-01", removal, handle.log_all()
    )
    assert found["history"] == whole and whole["commits"] == 4
    assert [{k: r[k] for k in again[0]} for r in rows] == again
    util = next(r for r in rows if r["path"] == "orchestrator/util.py")
    assert util["commits"] == 4 and {"Dev 0", "Dev 1", "Dev 2"} < set(util["authors"])


PAUSED_THEN_KILLED = """
import os, signal, sys
from pathlib import Path
from consolidate import gitio
gitio.log_args = lambda specs=None: ["-c", "alias.slow=!sleep 30", "slow"]  # a long git
run = gitio.Git.open(Path(sys.argv[1])).start_log()
run.pause()
print(run.process.pid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # no clean-up: the process dies with git paused
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_paused_log_ends_when_the_process_that_paused_it_dies(make_repo: RepoFactory) -> None:
    repo = make_repo({"a.py": "x = 1\n"})
    # A shell in a group of its own runs the program and outlives it: had git stayed in the
    # program's group, the shell would keep that group from being orphaned.
    program = [sys.executable, "-c", PAUSED_THEN_KILLED, str(repo)]
    shell = subprocess.Popen(
        ["sh", "-c", '"$@"; sleep 10', "sh", *program],
        stdout=subprocess.PIPE,
        text=True,
        process_group=0,
    )
    assert shell.stdout is not None
    pid = int(shell.stdout.readline())
    try:
        for _ in range(300):
            try:
                seen = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
            except OSError:
                break  # gone
            if seen == "Z":
                break  # ended, not yet reaped by whoever adopted it
            time.sleep(0.01)
        else:
            pytest.fail(f"git is still there, state {seen}")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.killpg(shell.pid, signal.SIGKILL)  # the shell and its sleep
        shell.wait()
