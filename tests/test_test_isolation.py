"""The suite's own rule for the Docker daemon (tests/conftest.py): a test that does not ask
for it cannot reach it, and the tests that use it take turns, holding a lock that other test
processes and sessions on this machine wait for."""

from __future__ import annotations

import fcntl
import os

import pytest
from conftest import DOCKER_LOCK, NO_DAEMON


def test_a_test_that_does_not_ask_for_the_daemon_cannot_reach_it() -> None:
    import docker
    from docker.errors import DockerException

    assert os.environ["DOCKER_HOST"] == NO_DAEMON
    with pytest.raises(DockerException):
        docker.from_env(timeout=2).ping()


def test_a_test_that_uses_the_daemon_holds_the_turn(docker_image: str) -> None:
    import docker

    assert os.environ.get("DOCKER_HOST") != NO_DAEMON
    assert docker.from_env(timeout=30).images.get(docker_image).id
    # Another open file description of the lock cannot take it while this test runs.
    with DOCKER_LOCK.open("a") as other, pytest.raises(BlockingIOError):
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)


def test_a_test_that_does_not_use_the_daemon_leaves_the_turn_free() -> None:
    with DOCKER_LOCK.open("a") as other:
        # Free unless a Docker test of another process holds it: then it is theirs, not ours.
        try:
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pytest.skip("a Docker test of another test process holds the turn now")
        fcntl.flock(other, fcntl.LOCK_UN)
