"""No binary archive is tracked: wheels, tarballs and packages belong to registries."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from docker_support import running_in_ci
from repo_support import RepoFactory

PROJECT = Path(__file__).resolve().parents[1]
ARCHIVES = ("*.whl", "*.tar.gz", "*.tgz", "*.zip", "*.jar", "*.deb", "*.rpm", "*.egg")


def tracked_archives(root: Path) -> list[str]:
    out = subprocess.run(
        ["git", "-C", str(root), "ls-files", "-z", "--", *ARCHIVES],  # `*` spans folders
        capture_output=True,
        check=True,
    ).stdout
    return sorted({p for p in out.decode("utf-8", "surrogateescape").split("\0") if p})


def test_the_project_tracks_no_binary_archive() -> None:
    if not (PROJECT / ".git").exists():
        if running_in_ci():
            pytest.fail(f"{PROJECT} is not a git checkout; CI runs in a clone")
        pytest.skip(f"{PROJECT} is not a git checkout")
    assert tracked_archives(PROJECT) == []


def test_the_check_finds_an_archive_anywhere(make_repo: RepoFactory) -> None:
    repo = make_repo(
        {
            "README.md": "x\n",
            "deps/attrs-1.0-py3-none-any.whl": "PK",
            "vendor/lib.tar.gz": "gz",
            "archive.zip.md": "not an archive\n",
        }
    )
    assert tracked_archives(repo) == ["deps/attrs-1.0-py3-none-any.whl", "vendor/lib.tar.gz"]
