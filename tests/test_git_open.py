"""Finding the repository without GitPython: the folders git itself would pick, and one clear
refusal (exit 2) for a folder that is no work tree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from repo_support import RepoFactory, consolidate, git

from consolidate.errors import Refusal
from consolidate.gitio import Git


def test_a_subfolder_opens_its_repository(make_repo: RepoFactory) -> None:
    repo = make_repo({"pkg/mod.py": "x = 1\n"})
    opened = Git.open(repo / "pkg")
    assert (opened.root, opened.git_dir) == (repo.resolve(), (repo / ".git").resolve())
    assert opened.tracked_files() == ["pkg/mod.py"]


def test_a_linked_worktree_has_its_own_git_dir(make_repo: RepoFactory, tmp_path: Path) -> None:
    repo = make_repo({"a.py": "x = 1\n"})
    git(repo, "worktree", "add", "-q", "--detach", str(tmp_path / "linked"))
    opened = Git.open(tmp_path / "linked")
    assert opened.root == (tmp_path / "linked").resolve()
    assert opened.git_dir == (repo / ".git" / "worktrees" / "linked").resolve()
    here, there = opened.head(), Git.open(repo).head()
    assert here is not None and there is not None
    assert (here.commit, here.ref, there.ref) == (there.commit, None, "refs/heads/main")


@pytest.mark.parametrize(
    ("where", "said"),
    [
        ("plain", "is not inside a git repository"),
        ("missing", "is not inside a git repository"),
        ("bare", "is a bare repository"),
        ("dotgit", "is not in a work tree (inside the .git folder?)"),
    ],
)
def test_what_is_no_work_tree_is_refused(
    make_repo: RepoFactory, tmp_path: Path, where: str, said: str
) -> None:
    folders = {
        "plain": tmp_path / "plain",
        "missing": tmp_path / "missing",
        "bare": tmp_path / "bare.git",
        "dotgit": make_repo({"a.py": "x = 1\n"}) / ".git",
    }
    (tmp_path / "plain").mkdir()
    git(tmp_path, "init", "-q", "--bare", str(tmp_path / "bare.git"))
    with pytest.raises(Refusal) as caught:
        Git.open(folders[where])
    assert said in caught.value.args[0]


def test_the_cli_refuses_a_bare_repository_in_one_line(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "--bare", str(tmp_path / "bare.git"))
    done = consolidate(tmp_path / "bare.git", "investigate", "x")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "is a bare repository" in done.stderr
    assert "Traceback" not in done.stderr


def test_read_only_commands_do_not_import_gitpython(make_repo: RepoFactory) -> None:
    repo = make_repo({"a.py": "import b\n", "b.py": "x = 1\n"})
    code = (
        "import sys; from pathlib import Path; from consolidate.gitio import Git\n"
        "from consolidate.analysis.investigation import find_orphans\n"
        f"find_orphans(Git.open(Path({str(repo)!r})), date='2026-11-27')\n"
        "print('git' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
