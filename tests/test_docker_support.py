"""Checks that the real Docker daemon and the registry-free test image work."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

# tests/ is not a package: pytest puts this directory on sys.path (rootdir "prepend" mode).
from docker_support import TEST_IMAGE, ensure_docker, running_in_ci

pytestmark = pytest.mark.docker

LABEL = {"consolidate-test": "test_docker_support"}


@pytest.fixture(scope="module")
def docker_client() -> Iterator[Any]:
    reason = ensure_docker()
    if reason is not None:
        if running_in_ci():
            pytest.fail(f"Docker is required in CI: {reason}")
        pytest.skip(reason)
    import docker

    client = docker.from_env(timeout=30)
    try:
        yield client
    finally:
        client.close()


def test_test_image_runs_a_command(docker_client: Any) -> None:
    output = docker_client.containers.run(
        TEST_IMAGE, ["sh", "-c", "echo hi && ls /bin/sh"], remove=True, labels=LABEL
    )
    assert output.decode().split() == ["hi", "/bin/sh"]


def _get(url: str, deadline: float) -> bytes:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                body: bytes = response.read()
                return body
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.2)


def test_published_port_serves_http_to_the_host(docker_client: Any) -> None:
    body = f"consolidate-{uuid.uuid4().hex}"
    container = docker_client.containers.run(
        TEST_IMAGE,
        ["sh", "-c", f"echo {body} > /www/index.html && exec httpd -f -p 80 -h /www"],
        detach=True,
        ports={"80/tcp": ("127.0.0.1", None)},
        labels=LABEL,
    )
    try:
        container.reload()
        binding = container.ports["80/tcp"][0]
        assert binding["HostIp"] == "127.0.0.1"
        url = f"http://127.0.0.1:{binding['HostPort']}/index.html"
        assert _get(url, deadline=time.monotonic() + 15).decode().strip() == body
    finally:
        container.remove(force=True)
