"""`Forked`: a value computed in a forked child, or here when the child cannot give it; and an
investigation whose mentions come from a child is the one computed in a single process."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from repo_support import RepoFactory

from consolidate.analysis import forked, investigation
from consolidate.analysis.forked import Crew, Forked
from consolidate.gitio import Git

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


def test_the_value_is_computed_in_a_child_and_comes_back_whole() -> None:
    here = os.getpid()
    big = "x" * (3 << 20)  # more than a pipe holds: the child waits for the reader
    job = Forked(lambda: (os.getpid(), big, {"nested": [1, 2, (3, None)]}))
    pid, text, nested = job.result()
    assert pid != here  # the child's pid: it ran there
    assert text == big
    assert nested == {"nested": [1, 2, (3, None)]}


def test_a_child_asked_to_be_nice_runs_below_this_process() -> None:
    """The mentions' child yields the core to this process and to the candidates' `git log`,
    which the end of an investigation waits for first."""
    ours = os.nice(0)
    job = Forked(lambda: (os.getpid(), os.nice(0)), nice=5)
    pid, theirs = job.result()
    assert pid != os.getpid() and theirs == min(ours + 5, 19)
    assert os.nice(0) == ours


def test_a_child_that_fails_leaves_the_work_to_this_process() -> None:
    here = os.getpid()

    def only_here() -> int:
        if os.getpid() != here:
            raise RuntimeError("the child cannot do this")
        return os.getpid()

    assert Forked(only_here).result() == here


def test_a_failure_in_both_is_the_error_of_this_process() -> None:
    def broken() -> int:
        raise ValueError(f"broken in {os.getpid()}")

    with pytest.raises(ValueError, match=f"broken in {os.getpid()}$"):
        Forked(broken).result()


def test_no_fork_while_another_thread_runs() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        job = Forked(os.getpid)
        assert job.pid == 0  # never forked
        assert job.result() == os.getpid()
    finally:
        stop.set()
        other.join()


def test_close_stops_a_child_nobody_asked_and_reaps_it() -> None:
    job = Forked(lambda: time.sleep(60))
    child = job.pid
    assert child
    started = time.monotonic()
    job.close()
    assert time.monotonic() - started < 30  # killed, not waited out
    assert job.pid == 0
    with pytest.raises(ChildProcessError):  # reaped: no zombie left behind
        os.waitpid(child, os.WNOHANG)


@pytest.mark.parametrize("call", ["pipe", "fork"])
def test_when_the_system_refuses_a_pipe_or_a_child_the_value_is_computed_here(
    monkeypatch: pytest.MonkeyPatch, call: str
) -> None:
    def refused() -> None:
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(forked.os, call, refused)
    job = Forked(os.getpid)
    assert job.pid == 0
    assert job.result() == os.getpid()


def test_without_fork_the_value_is_computed_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(forked.os, "fork")
    job = Forked(os.getpid)
    assert job.pid == 0
    assert job.result() == os.getpid()


def slow_in_a_child(piece: int) -> tuple[int, int]:
    if os.getpid() != MAIN:
        time.sleep(0.02)
    return piece, os.getpid()


MAIN = os.getpid()


def test_a_crew_does_each_piece_once_whoever_is_free_takes_it() -> None:
    """The children take pieces while this process does something else; it then takes the
    ones left, and every piece has exactly one value."""
    crew = Crew(slow_in_a_child, 200, 2)
    assert crew.forked
    time.sleep(0.5)  # this process is busy elsewhere: the children work meanwhile
    done = crew.finish(lambda piece: (piece, MAIN))
    assert sorted(done) == list(range(200))
    assert all(value[0] == piece for piece, value in done.items())
    by = [pid for _, pid in done.values()]
    assert by.count(MAIN) == crew.here > 0  # what was left, taken here
    assert len(set(by) - {MAIN}) == 2  # and each child did some
    assert crew.fd == -1 and not any(member.pid for member in crew.members)


def test_a_crew_member_that_dies_leaves_its_pieces_to_this_process() -> None:
    def dies_on_the_first(piece: int) -> int:
        if piece == 0 and os.getpid() != MAIN:
            os._exit(3)
        return piece * 10

    crew = Crew(dies_on_the_first, 40, 2)
    time.sleep(0.3)
    done = crew.finish(lambda piece: piece * 10)
    assert done == {piece: piece * 10 for piece in range(40)}
    assert crew.here >= 1  # piece 0 at least, which the child never gave back


def test_a_crew_works_here_alone_when_it_cannot_fork() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        crew = Crew(slow_in_a_child, 30, 2)
        assert not crew.forked
        done = crew.finish(lambda piece: (piece, MAIN))
    finally:
        stop.set()
        other.join()
    assert done == {piece: (piece, MAIN) for piece in range(30)} and crew.here == 30


def test_pieces_past_what_the_pipe_holds_are_left_for_this_process() -> None:
    """The numbers are written without waiting: a pipe that is full takes no more, and the
    pieces it did not take are done by this process (`finish`)."""
    read_end, write_end = os.pipe()
    forked._hand_out(write_end, 100_000)  # 400 KB of numbers: more than any pipe holds
    os.close(write_end)
    numbers = list(forked._taken(read_end))
    os.close(read_end)
    assert 0 < len(numbers) < 100_000 and numbers == list(range(len(numbers)))
    crew = Crew(lambda piece: -piece, 100_000, 1)
    done = crew.finish(lambda piece: -piece)
    assert done == {piece: -piece for piece in range(100_000)}
    assert crew.here >= 100_000 - len(numbers)


def test_an_investigation_is_the_same_with_its_mentions_from_a_child(
    make_repo: RepoFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(
        {
            "docker-compose.yml": "services:\n  relay:\n    build: ./relay\n"
            "  api:\n    build: ./api\n    environment:\n      RELAY_URL: http://relay\n",
            "relay/main.py": "from relay import util\n",
            "relay/util.py": "VALUE = 1\n",
            "relay/Dockerfile": 'CMD ["python", "main.py"]\n',
            "api/Dockerfile": 'CMD ["python", "app.py"]\n',
            "api/app.py": "import os\nURL = os.environ['RELAY_URL']\n",
            "docs/operations.md": "# Relay\nThe relay forwards events; see relay/main.py.\n",
            "scripts/restart.sh": "docker compose restart relay\n",
        }
    )
    git = Git.open(Path(repo))
    forks: list[int] = []
    real = forked.os.fork

    def counted() -> int:
        pid = real()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(forked.os, "fork", counted)
    from_child = investigation.investigate(git, "relay", date="2026-11-29")
    assert len(forks) == 1  # the mentions came from a child
    monkeypatch.delattr(forked.os, "fork")
    alone = investigation.investigate(git, "relay", date="2026-11-29")
    assert from_child == alone
    mentions = {(r["path"], r["line"]) for r in alone["references"]}
    assert {("docs/operations.md", 1), ("api/app.py", 2), ("scripts/restart.sh", 1)} <= mentions
