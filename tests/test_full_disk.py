"""A full disk (issue 15): every write error is one line with the path and the next step, a
failed journal write keeps the previous journal, and rollback restores the repository byte for
byte once there is room again.

The end-to-end tests put the repository on a small tmpfs and fill it (root can mount one); where
mounting is not allowed they skip with the reason, and the unit tests inject the error instead.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from repo_support import RepoFactory, consolidate, repo_state

from consolidate.errors import StepFailed, WriteFailed
from consolidate.journal import Store

FILES = {
    "web/app.py": "print('web')\n",
    "ledger/main.py": "print('ledger')\n",
    "ledger/sync.py": "SYNC = 1\n",
    "docker-compose.yml": (
        "services:\n  web:\n    build: ./web\n\n  ledger:\n    image: ledger:1\n"
    ),
    "CHANGELOG.md": "# Changelog\n\n## [Unreleased]\n\n## [0.1.0] - 2026-01-01\n\n- First.\n",
    "playbooks/ledger.yaml": (
        "component: ledger\nsummary: The ledger service never shipped.\n"
        "files: [ledger/main.py, ledger/sync.py]\n"
        "compose:\n  docker-compose.yml: [ledger]\n"
        "backup:\n  images: false\n"
    ),
}
SIZE = 8 * 1024 * 1024


@contextlib.contextmanager
def tmpfs(where: Path) -> Iterator[Path]:
    """A small tmpfs of our own at `where`, unmounted afterwards."""
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SIZE}", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(disk: Path, leave: int = 0) -> Path:
    """Write a filler file until the disk is full, then give back `leave` bytes."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (1 << 20, 65536, 4096, 512, 1):
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\0" * size)
    finally:
        os.close(fd)
    size = filler.stat().st_size
    os.truncate(filler, max(0, size - leave))
    return filler


def one_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.startswith("consolidate: error:")]
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    with tmpfs(tmp_path / "disk") as mounted:
        yield mounted


def test_run_on_a_full_disk_is_one_line_and_rollback_restores_all(disk: Path) -> None:
    repo = RepoFactory(disk)(FILES, name="svc")
    before = repo_state(repo)
    filler = fill(disk)
    run = consolidate(repo, "run", "ledger", "--yes")
    assert run.returncode in (1, 2), run.stderr
    line = one_line(run.stderr)
    assert "No space left on device" in line, line
    assert "free space" in line, line
    journal = repo / ".git/consolidate/journal.json"
    if run.returncode == 2:  # nothing started
        assert "nothing was changed" in line
        assert not journal.exists()
    else:
        assert "consolidate rollback" in line
        assert json.loads(journal.read_bytes())["body"]["component"] == "ledger"
    filler.unlink()
    back = consolidate(repo, "rollback", "--yes")
    assert back.returncode == 0, back.stderr
    assert repo_state(repo) == before


@pytest.mark.parametrize("leave", [4096, 16384, 65536, 262144])
def test_a_run_stopped_by_the_disk_at_any_point_rolls_back_exactly(disk: Path, leave: int) -> None:
    """Less or more room stops the run at different writes (the journal's, a blob, a file,
    git's objects); each time one line, then an exact rollback once there is room."""
    repo = RepoFactory(disk)(FILES, name="svc")
    before = repo_state(repo)
    filler = fill(disk, leave)
    run = consolidate(repo, "run", "ledger", "--yes")
    if run.returncode != 0:
        line = one_line(run.stderr)
        assert "free space" in line or "No space left" in line, line
    filler.unlink()
    status = consolidate(repo, "status")
    assert status.returncode == 0, status.stderr  # the journal, if any, still loads
    back = consolidate(repo, "rollback", "--yes")
    assert back.returncode == 0, back.stderr
    assert repo_state(repo) == before


def test_rollback_on_a_full_disk_says_what_to_do_then_finishes(disk: Path) -> None:
    repo = RepoFactory(disk)(FILES, name="svc")
    before = repo_state(repo)
    assert consolidate(repo, "run", "ledger", "--yes").returncode == 0
    journal = repo / ".git/consolidate/journal.json"
    saved = journal.read_bytes()
    filler = fill(disk)
    back = consolidate(repo, "rollback", "--yes")
    assert back.returncode == 1, back.stderr
    line = one_line(back.stderr)
    assert "free space, then `consolidate rollback`" in line, line
    json.loads(journal.read_bytes())  # intact: still a whole journal
    assert journal.exists() and saved
    filler.unlink()
    again = consolidate(repo, "rollback", "--yes")
    assert again.returncode == 0, again.stderr
    assert repo_state(repo) == before


# ---- injected errors (no mount needed) -------------------------------------------------
def _failing_write(code: int) -> object:
    def write(fd: int, data: object) -> int:
        raise OSError(code, os.strerror(code))

    return write


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EIO, errno.EROFS, errno.EACCES])
def test_a_failed_journal_write_keeps_the_previous_journal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    store = Store(tmp_path / "git")
    store.save({"component": "ledger", "status": "running"})
    saved = store.journal_path.read_bytes()
    monkeypatch.setattr(os, "write", _failing_write(code))
    with pytest.raises(StepFailed) as caught:
        store.save({"component": "ledger", "status": "failed"})
    monkeypatch.undo()
    assert store.journal_path.read_bytes() == saved
    assert store.load() == {"component": "ledger", "status": "running"}
    assert sorted(p.name for p in store.dir.iterdir()) == ["journal.json"]  # no temporary left
    line = caught.value.line()
    assert str(store.journal_path) in line and os.strerror(code) in line, line
    assert "then `consolidate rollback`" in line, line


def test_a_failed_rename_keeps_the_previous_journal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path / "git")
    store.save({"n": 1})
    saved = store.journal_path.read_bytes()

    def replace(src: object, dst: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(StepFailed, match="No space left on device"):
        store.save({"n": 2})
    monkeypatch.undo()
    assert store.journal_path.read_bytes() == saved
    assert sorted(p.name for p in store.dir.iterdir()) == ["journal.json"]


def test_a_first_journal_that_cannot_be_written_changed_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no journal on disk, no run is under way: exit 2, and the way on is to run again."""
    store = Store(tmp_path / "fresh")
    monkeypatch.setattr(os, "write", _failing_write(errno.ENOSPC))
    with pytest.raises(WriteFailed) as caught:
        store.save({"component": "ledger"})
    monkeypatch.undo()
    assert store.load() is None
    assert caught.value.exit_code == 2
    assert caught.value.line().endswith("nothing was changed; free space, then run again")


@pytest.mark.parametrize(("under_way", "code"), [(False, 2), (True, 1)])
def test_any_other_os_error_is_one_line_with_the_next_step(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    under_way: bool,
    code: int,
) -> None:
    """An OSError no layer turned into the tool's error (the lock's pid write, a folder that
    cannot be made) still ends as one line: exit 1 while a run's journal is on disk, else 2."""
    from consolidate import cli, journal

    target = tmp_path / "git" / "consolidate" / "lock"

    def app(**_: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))

    monkeypatch.setattr(cli, "app", app)
    monkeypatch.setattr(journal, "_ON_DISK", {target} if under_way else set())
    with pytest.raises(SystemExit) as ended:
        cli.main()
    assert ended.value.code == code
    err = capsys.readouterr().err
    next_step = "then `consolidate rollback`" if under_way else "nothing was changed"
    assert err == (
        f"consolidate: error: cannot write or read {target}: No space left on device: "
        + (
            "free space, then `consolidate rollback` (or `consolidate run` again to resume)\n"
            if under_way
            else "nothing was changed; free space, then run again\n"
        )
    )
    assert next_step in err
