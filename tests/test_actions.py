"""Every action: apply, then undo from its receipt, gives back the repository byte for byte."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from repo_support import RepoFactory, git, repo_state

from consolidate.actions import base
from consolidate.actions.base import Action, Env
from consolidate.actions.checks import RunValidation
from consolidate.actions.files import MoveFile, RemoveFile, WriteFile, read_state
from consolidate.actions.refs import CommitChanges, CreateBranch, SnapshotIndex
from consolidate.errors import StepFailed
from consolidate.gitio import Git
from consolidate.journal import Store


@pytest.fixture
def repo(make_repo: RepoFactory) -> Path:
    repo = make_repo(
        {
            "a/one.py": "one = 1\r\n",
            "a/deep/two.sh": "#!/bin/sh\necho two",
            "b.txt": b"\xef\xbb\xbfbom\n",
            ".gitignore": "*.pyc\n",
        }
    )
    os.chmod(repo / "a/deep/two.sh", 0o755)
    os.symlink("b.txt", repo / "link")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "mode and link")
    return repo


def env_for(repo: Path, **kwargs: object) -> Env:
    g = Git.open(repo)
    return Env(git=g, store=Store(g.git_dir), docker=lambda: None, **kwargs)  # type: ignore[arg-type]


def round_trip(repo: Path, *actions: Action) -> None:
    before = repo_state(repo)
    env = env_for(repo)
    receipts = []
    for action in actions:
        env.prior = action.prepare(env)
        receipts.append({**env.prior, **action.apply(env)})
    assert repo_state(repo) != before
    for action, receipt in reversed(list(zip(actions, receipts, strict=True))):
        reloaded = base.load(base.dump(action, env.store), env.store)
        assert reloaded == action
        reloaded.undo(env, receipt)
    assert repo_state(repo) == before


def test_remove_file_and_its_emptied_folders(repo: Path) -> None:
    full = repo / "a/deep/two.sh"
    action = RemoveFile("a/deep/two.sh", read_state(full) or b"", os.lstat(full).st_mode)
    round_trip(repo, action)


def test_remove_symlink(repo: Path) -> None:
    full = repo / "link"
    round_trip(repo, RemoveFile("link", read_state(full) or b"", os.lstat(full).st_mode))
    assert (repo / "link").is_symlink()


def test_write_file_keeps_mode_and_bytes(repo: Path) -> None:
    before = (repo / "a/deep/two.sh").read_bytes()
    round_trip(repo, WriteFile("a/deep/two.sh", before, before + b"\necho three\n"))
    assert stat.S_IMODE((repo / "a/deep/two.sh").stat().st_mode) == 0o755


def test_create_file_in_new_folders(repo: Path) -> None:
    round_trip(repo, WriteFile("new/dir/report.md", None, b"# report\n"))
    assert not (repo / "new").exists()


def test_move_file(repo: Path) -> None:
    round_trip(repo, MoveFile("a/one.py", "c/moved.py"))


def test_branch_index_and_commit(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD").strip()
    content = read_state(repo / "b.txt") or b""
    actions: list[Action] = [
        SnapshotIndex(),
        CreateBranch("backup/x-removal-2026-01-01", head),
        RemoveFile("b.txt", content, os.lstat(repo / "b.txt").st_mode),
        CommitChanges(("b.txt",), "Remove x", "because", "refs/heads/main", head),
    ]
    round_trip(repo, *actions)


def test_commit_on_a_detached_head_stays_detached(repo: Path) -> None:
    git(repo, "checkout", "-q", "--detach")
    head = git(repo, "rev-parse", "HEAD").strip()
    content = read_state(repo / "b.txt") or b""
    round_trip(
        repo,
        SnapshotIndex(),
        RemoveFile("b.txt", content, os.lstat(repo / "b.txt").st_mode),
        CommitChanges(("b.txt",), "Remove x", "because", None, head),
    )
    assert (repo / ".git/HEAD").read_text().strip() == head


def test_validation_output_is_removed_on_undo(repo: Path) -> None:
    spec = '[{"name": "compile", "argv": ["python", "-m", "compileall", "-q", "a"], "timeout": 60, "cwd": "."}]'
    round_trip(repo, RunValidation(spec))


def test_undo_will_not_overwrite_a_file_changed_after_the_run(repo: Path) -> None:
    env = env_for(repo)
    before = (repo / "a/one.py").read_bytes()
    action = WriteFile("a/one.py", before, b"changed by the tool\n")
    receipt = action.apply(env)
    (repo / "a/one.py").write_bytes(b"changed by a person\n")
    with pytest.raises(StepFailed, match="changed after consolidate wrote it"):
        action.undo(env, receipt)
    assert (repo / "a/one.py").read_bytes() == b"changed by a person\n"
    action.undo(env_for(repo, force=True), receipt)
    assert (repo / "a/one.py").read_bytes() == before


def test_settle_tells_whether_an_effect_happened(repo: Path) -> None:
    env = env_for(repo)
    before = (repo / "b.txt").read_bytes()
    action = RemoveFile("b.txt", before, os.lstat(repo / "b.txt").st_mode)
    assert action.settle(env) is None
    action.apply(env)
    assert action.settle(env) == {"pruned": []}
    branch = CreateBranch("backup/y", git(repo, "rev-parse", "HEAD").strip())
    assert branch.settle(env) is None
    branch.apply(env)
    assert branch.settle(env) == {}
