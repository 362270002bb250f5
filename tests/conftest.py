from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import repo_support
from cli_server import cli_pool
from repo_support import RepoFactory

IDENTITY = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.invalid",
    "GIT_COMMITTER_NAME": "Test Committer",
    "GIT_COMMITTER_EMAIL": "committer@example.invalid",
}


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never read the developer's git config or identity."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))  # the investigation cache
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for key, value in IDENTITY.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("CONSOLIDATE_FAILPOINT", raising=False)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture(scope="session", autouse=True)
def cli_server() -> Iterator[None]:
    """One fork server for the session's CLI runs (`repo_support.consolidate`), unless
    CONSOLIDATE_TESTS_PYTHON_M is set: then every run starts `python -m consolidate`."""
    if os.environ.get("CONSOLIDATE_TESTS_PYTHON_M"):
        yield
        return
    with cli_pool(1) as pool:
        repo_support.DEFAULT_POOL = pool
        try:
            yield
        finally:
            repo_support.DEFAULT_POOL = None


@pytest.fixture
def make_repo(tmp_path: Path) -> RepoFactory:
    return RepoFactory(tmp_path)


@pytest.fixture(scope="session")
def docker_image() -> str:
    """The registry-free test image on a real daemon; in CI a missing daemon fails the test."""
    from docker_support import TEST_IMAGE, ensure_docker, running_in_ci

    reason = ensure_docker()
    if reason:
        if running_in_ci():
            pytest.fail(f"Docker is required in CI: {reason}")
        pytest.skip(f"no Docker daemon could be started: {reason}")
    return TEST_IMAGE
