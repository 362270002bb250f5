from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import repo_support
from cli_server import cli_pool
from hypothesis import settings
from repo_support import RepoFactory

IDENTITY = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.invalid",
    "GIT_COMMITTER_NAME": "Test Committer",
    "GIT_COMMITTER_EMAIL": "committer@example.invalid",
}


# Generated examples are checked for what they give, never for how long they take: a shared
# or busy machine (and two test processes on two cores) must not fail a property.
settings.register_profile("consolidate", deadline=None)
settings.load_profile("consolidate")
NO_DAEMON = "unix:///nonexistent/consolidate-tests/docker.sock"


def uses_docker(item: pytest.Item) -> bool:
    """A test that asks for the test image, or is marked `docker`, may use the real daemon."""
    return "docker_image" in getattr(item, "fixturenames", ()) or bool(
        item.get_closest_marker("docker")
    )


# The tests that use the daemon take turns: across pytest-xdist's processes and across test
# sessions on one machine (two clones tested at once), since they tag and remove images of
# shared names, such as the sample's `taskhub/orchestrator`. A lock, not an xdist group:
# `--dist loadgroup` does not group on pytest 9.2 (pytest-dev/pytest-xdist#1386).
DOCKER_LOCK = Path(tempfile.gettempdir()) / f"consolidate-tests-docker-{os.getuid()}.lock"


@pytest.fixture(autouse=True)
def docker_turn(request: pytest.FixtureRequest) -> Iterator[None]:
    if not uses_docker(request.node):
        yield
        return
    with DOCKER_LOCK.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(autouse=True)
def isolated_git(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Tests never read the developer's git config or identity, and only the tests that use
    the daemon (`uses_docker`) can reach it: the others see none, whatever the machine has,
    so a Docker test's images never meet another test's run."""
    if not uses_docker(request.node):
        monkeypatch.setenv("DOCKER_HOST", NO_DAEMON)
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
