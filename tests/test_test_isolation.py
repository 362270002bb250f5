"""The suite's own rule for the Docker daemon (tests/conftest.py): a test that does not ask
for it cannot reach it, and the tests that use it share one xdist group (one process)."""

from __future__ import annotations

import os

import pytest
from conftest import NO_DAEMON


def test_a_test_that_does_not_ask_for_the_daemon_cannot_reach_it(
    request: pytest.FixtureRequest,
) -> None:
    import docker
    from docker.errors import DockerException

    assert os.environ["DOCKER_HOST"] == NO_DAEMON
    assert request.node.get_closest_marker("xdist_group") is None
    with pytest.raises(DockerException):
        docker.from_env(timeout=2).ping()


def test_a_test_that_uses_the_daemon_is_in_the_docker_group(
    request: pytest.FixtureRequest, docker_image: str
) -> None:
    import docker

    assert os.environ.get("DOCKER_HOST") != NO_DAEMON
    marker = request.node.get_closest_marker("xdist_group")
    assert marker is not None and marker.args == ("docker",)
    assert docker.from_env(timeout=30).images.get(docker_image).id
