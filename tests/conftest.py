from __future__ import annotations

import os
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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`--dist loadgroup`), the tests that use the daemon run one after
    another in one process: they tag and remove images of shared names."""
    for item in items:
        if uses_docker(item):
            item.add_marker(pytest.mark.xdist_group("docker"))


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
