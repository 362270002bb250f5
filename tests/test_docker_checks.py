"""Checks of the running stack: a real daemon for containers, a real HTTP server for health.

The Docker tests build "a compose project" the way compose labels it (project and service
labels) from the registry-free test image; every container is removed in a finalizer.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from consolidate.dockerio import Docker
from consolidate.validate.docker_checks import (
    CheckResult,
    HealthSpec,
    check_containers,
    check_health,
)

PROJECT = "com.docker.compose.project"
SERVICE = "com.docker.compose.service"
OWNER = {"consolidate-test": "test_docker_checks"}
WEB_BODY = '{"status": "ok", "service": "web"}'
WEB_COMMAND = [
    "sh",
    "-c",
    f"mkdir -p /www && echo '{WEB_BODY}' > /www/health && exec httpd -f -p 8080 -h /www",
]


# --- a compose-like project on the real daemon ---------------------------------------------


@dataclass
class Stack:
    client: Any
    project: str
    containers: dict[str, Any] = field(default_factory=dict)
    image: str = "consolidate-test/busybox:latest"
    port: int = 0

    def add(self, service: str, command: list[str], **kwargs: Any) -> Any:
        container = self.client.containers.run(
            self.image,
            command,
            detach=True,
            name=f"{self.project}-{service}-1",
            labels={PROJECT: self.project, SERVICE: service, **OWNER},
            **kwargs,
        )
        self.containers[service] = container
        return container

    def url(self, path: str = "/health") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def remove(self, service: str | None = None) -> None:
        """By label (all services, or one), so a container whose `run` failed half-way goes too."""
        labels = [f"{PROJECT}={self.project}"] + ([f"{SERVICE}={service}"] if service else [])
        for container in self.client.containers.list(all=True, filters={"label": labels}):
            self.containers.pop(container.labels.get(SERVICE, ""), None)
            with contextlib.suppress(Exception):  # already gone; keep the test's own failure
                container.remove(force=True)


def _wait_until_served(url: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                response.read()
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.1)


@contextlib.contextmanager
def running_stack(client: Any, image: str) -> Iterator[Stack]:
    """web (httpd serving /health) and worker (sleep), as project cdt<random>."""
    stack = Stack(client, f"cdt{uuid.uuid4().hex[:10]}", image=image)
    try:
        web = stack.add("web", WEB_COMMAND, ports={"8080/tcp": ("127.0.0.1", None)})
        stack.add("worker", ["sleep", "600"])
        web.reload()
        stack.port = int(web.ports["8080/tcp"][0]["HostPort"])
        _wait_until_served(stack.url())
        yield stack
    finally:
        stack.remove()


@pytest.fixture(scope="module")
def docker_client(docker_image: str) -> Iterator[Any]:
    import docker

    client = docker.from_env(timeout=30)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture(scope="module")
def adapter(docker_client: Any) -> Docker:
    return Docker(docker_client)


@pytest.fixture(scope="module")
def stack(docker_client: Any, docker_image: str) -> Iterator[Stack]:
    """Shared by the tests that do not change it; a test that adds a container removes it."""
    with running_stack(docker_client, docker_image) as shared:
        yield shared


@pytest.fixture
def own_stack(docker_client: Any, docker_image: str) -> Iterator[Stack]:
    """For a test that stops or breaks a container."""
    with running_stack(docker_client, docker_image) as mine:
        yield mine


@pytest.fixture
def orchestrator(stack: Stack) -> Iterator[Stack]:
    """The shared stack, plus a container of the removed service `orchestrator` (removed after)."""
    try:
        yield stack
    finally:
        stack.remove("orchestrator")


def fast(spec: HealthSpec) -> CheckResult:
    """One retry, soon: these tests know whether the server is up."""
    return check_health(spec, retries=1, delay=0.1)


@pytest.mark.docker
def test_a_healthy_stack_passes(adapter: Docker, stack: Stack) -> None:
    results = check_containers(adapter, stack.project, 2, ["orchestrator"])
    health = fast(HealthSpec(stack.url(), expect=r'"status":\s*"ok"', timeout=2))

    assert [r.passed for r in results] == [True, True], results
    count, removed = results
    assert count.name == f"containers of project {stack.project}"
    assert count.detail == f"2 running containers of project {stack.project}: web, worker"
    assert removed.name == "no container of removed service orchestrator"
    assert health.passed, health
    assert health.name == f"health {stack.url()}"
    assert health.detail.startswith("status 200 in ")


@pytest.mark.docker
def test_a_running_container_of_a_removed_service_fails(
    adapter: Docker, orchestrator: Stack
) -> None:
    orchestrator.add("orchestrator", ["sleep", "600"])

    count, removed = check_containers(adapter, orchestrator.project, 2, ["orchestrator"])

    assert not count.passed
    assert count.detail == (
        f"expected 2 running containers of project {orchestrator.project}, "
        "found 3: orchestrator, web, worker"
    )
    assert not removed.passed
    name = f"{orchestrator.project}-orchestrator-1"
    assert f"still has a container running: {name} (running)" in removed.detail
    assert f"docker rm -f {name}" in removed.detail


@pytest.mark.docker
def test_a_stopped_container_of_a_removed_service_passes_with_a_note(
    adapter: Docker, orchestrator: Stack
) -> None:
    container = orchestrator.add("orchestrator", ["true"])
    container.wait(timeout=20)

    count, removed = check_containers(adapter, orchestrator.project, 2, ["orchestrator"])

    assert count.passed, count
    assert removed.passed, removed
    name = f"{orchestrator.project}-orchestrator-1"
    assert f"still exists: {name} (exited)" in removed.detail
    assert f"docker rm {name}" in removed.detail


@pytest.mark.docker
def test_a_stopped_web_container_fails_health_and_count(adapter: Docker, own_stack: Stack) -> None:
    own_stack.containers["web"].stop(timeout=0)

    health = fast(HealthSpec(own_stack.url(), timeout=1))
    (count,) = check_containers(adapter, own_stack.project, 2, [])

    assert not health.passed
    assert health.detail.startswith(
        ("connection refused", "connection closed", "connection failed")
    )
    assert "(2 attempts over " in health.detail
    assert not count.passed
    assert count.detail.startswith(
        f"expected 2 running containers of project {own_stack.project}, found 1: worker"
    )
    assert count.detail.endswith(
        f"; not running: web (exited); see `docker logs {own_stack.project}-web-1`"
    )


@pytest.mark.docker
@pytest.mark.parametrize(
    ("path", "expect", "detail"),
    [
        pytest.param(
            "/health", r'"status":\s*"healthy"',
            f'status 200 but the body did not match /"status":\\s*"healthy"/; body: {WEB_BODY}',
            id="body-does-not-match",
        ),
        pytest.param(
            "/nope", "", "status 404, expected 2xx; body: <HTML><HEAD><TITLE>404 Not Found",
            id="404",
        ),
    ],
)  # fmt: skip
def test_a_wrong_answer_fails_and_shows_it(
    stack: Stack, path: str, expect: str, detail: str
) -> None:
    result = fast(HealthSpec(stack.url(path), expect=expect, timeout=2))

    assert not result.passed
    assert result.detail.startswith(detail), result


@pytest.mark.docker
def test_a_project_without_containers_says_where_to_look(adapter: Docker) -> None:
    project = f"cdt{uuid.uuid4().hex[:10]}"

    (count,) = check_containers(adapter, project, 1, [])

    assert not count.passed
    assert count.detail == (
        f"expected 1 running container of project {project}, found 0; no container has label "
        f"com.docker.compose.project={project}: is the stack up, and is the project name right?"
    )


def test_an_unreachable_daemon_fails_each_requested_check() -> None:
    import docker

    nowhere = docker.DockerClient(base_url="unix:///nonexistent/docker.sock", version="1.41")
    try:
        results = check_containers(Docker(nowhere), "taskhub", 2, ["orchestrator", "orchestrator"])
    finally:
        nowhere.close()

    assert [r.name for r in results] == [
        "containers of project taskhub",
        "no container of removed service orchestrator",
    ]
    assert not any(r.passed for r in results)
    assert results[0].detail.startswith("docker: cannot list containers of project taskhub: ")


# --- check_health against a local HTTP server (no Docker) ----------------------------------

LONG_BODY = "word " * 100
ROUTES: dict[str, tuple[int, str]] = {
    "/ok": (200, '{"status": "ok"}'),
    "/created": (201, "made"),
    "/down": (503, '{"status": "down",\n "db": "unreachable"}'),
    "/missing": (404, "no such page"),
    "/long": (200, LONG_BODY),
    "/empty": (200, ""),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(1.0)
        status, body = ROUTES.get(self.path, (200, "late"))
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out closed the socket: expected here


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    server = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


NO_MATCH = "status 200 but the body did not match"


@pytest.mark.parametrize(
    ("path", "expect", "status", "passed", "detail"),
    [
        pytest.param("/created", "", (), True, "status 201 in ", id="any-2xx"),
        pytest.param(
            "/created", "", (200, 204), False, "status 201, expected 200 or 204; body: made",
            id="status-list-replaces-2xx",
        ),
        pytest.param("/down", "down", (503,), True, "status 503 in ", id="listed-503-passes"),
        pytest.param(
            "/down", "", (), False,
            'status 503, expected 2xx; body: {"status": "down", "db": "unreachable"}',
            id="503-body-on-one-line",
        ),
        pytest.param(
            "/missing", "", (), False, "status 404, expected 2xx; body: no such page", id="404"
        ),
        pytest.param("/ok", '"ok"', (), True, "status 200 in ", id="pattern-searched"),
        pytest.param(
            "/ok", "^ok$", (), False, f'{NO_MATCH} /^ok$/; body: {{"status": "ok"}}',
            id="pattern-not-matched",
        ),
        pytest.param(
            "/long", "healthy", (), False,
            f"{NO_MATCH} /healthy/; body: {LONG_BODY[:120].rstrip()}...",
            id="body-cut-at-120",
        ),
        pytest.param(
            "/empty", "ok", (), False, f"{NO_MATCH} /ok/; body: (empty)", id="empty-body"
        ),
    ],
)  # fmt: skip
def test_status_and_body_decide(
    base_url: str, path: str, expect: str, status: tuple[int, ...], passed: bool, detail: str
) -> None:
    result = fast(HealthSpec(f"{base_url}{path}", expect=expect, status=status))

    assert result.passed is passed, result
    if passed:
        assert result.detail.startswith(detail), result
        assert result.detail.endswith(f", body matched /{expect}/" if expect else "s")
    else:
        assert result.detail == detail


def test_a_slow_answer_times_out_without_retrying(base_url: str) -> None:
    result = check_health(HealthSpec(f"{base_url}/slow", timeout=0.2), retries=3, delay=0.5)

    assert not result.passed
    assert result.detail == "no answer within 0.2s (timeout)"
    assert result.seconds < 0.9


def test_connection_refused_is_retried_then_reported() -> None:
    url = f"http://127.0.0.1:{_free_port()}/health"

    result = check_health(HealthSpec(url, timeout=1), retries=2, delay=0.05)

    assert not result.passed
    assert result.detail.startswith("connection refused (3 attempts over ")
    assert result.detail.endswith("s): is the service up and its port published?")


def test_a_service_that_starts_late_passes_after_retries() -> None:
    server = QuietServer(("127.0.0.1", 0), Handler, bind_and_activate=False)
    server.server_bind()  # bound but not listening: connections are refused
    url = f"http://127.0.0.1:{server.server_address[1]}/ok"

    def start_late() -> None:
        time.sleep(0.3)
        server.server_activate()
        server.serve_forever()

    threading.Thread(target=start_late, daemon=True).start()
    try:
        result = check_health(HealthSpec(url, expect="ok", timeout=1), retries=40, delay=0.05)
    finally:
        server.shutdown()
        server.server_close()
    assert result.passed, result


def test_a_proxy_in_the_environment_is_not_used(
    base_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{_free_port()}")
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{_free_port()}")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)

    assert fast(HealthSpec(f"{base_url}/ok")).passed


@pytest.mark.parametrize(
    ("spec", "detail"),
    [
        (HealthSpec("file:///etc/passwd"), "not an http(s) URL: 'file:///etc/passwd'"),
        (HealthSpec("localhost:8000/health"), "not an http(s) URL: 'localhost:8000/health'"),
        (
            HealthSpec("http://127.0.0.1:1/", expect="("),
            "invalid pattern /(/: missing ), unterminated subpattern at position 0",
        ),
    ],
)
def test_an_unusable_spec_fails_without_raising(spec: HealthSpec, detail: str) -> None:
    result = check_health(spec)
    assert (result.passed, result.detail, result.seconds) == (False, detail, 0.0)
