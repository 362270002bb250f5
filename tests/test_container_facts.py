"""Container facts for `assess`: error lines from logs (pure), and a crash loop on a real daemon.

The Docker test builds compose-labelled containers from the registry-free test image: one
crash-looping "orchestrator" that logs a ModuleNotFoundError, and a healthy sleeping service
that must not be reported. Every container is removed in a finalizer.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from consolidate.assess.container_facts import (
    TRACEBACK,
    ContainerFacts,
    component_containers,
    error_lines,
)
from consolidate.dockerio import Docker, named_for

PROJECT = "com.docker.compose.project"
SERVICE = "com.docker.compose.service"
OWNER = {"consolidate-test": "test_container_facts"}

# --- error_lines: pure ---------------------------------------------------------------------

IMPORT_TRACEBACK = """\
INFO starting orchestrator
Traceback (most recent call last):
  File "/app/orchestrator.py", line 3, in <module>
    from jobs import schedule
  File "/app/jobs/__init__.py", line 1, in <module>
    import redis
ModuleNotFoundError: No module named 'redis'
"""

CHAINED = """\
Traceback (most recent call last):
  File "/app/config.py", line 12, in load
    return settings[key]
           ~~~~~~~~^^^^^
KeyError: 'QUEUE_URL'

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/app/main.py", line 5, in <module>
    config.load("QUEUE_URL")
  File "/app/config.py", line 14, in load
    raise ConfigError(key) from None
config.ConfigError: QUEUE_URL

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/app/main.py", line 7, in <module>
    raise SystemExit("cannot start")
RuntimeError: cannot start without a queue
"""

NODE_CJS = """\
node:internal/modules/cjs/loader:1080
  throw err;
  ^

Error: Cannot find module 'express'
Require stack:
- /app/server.js
    at Module._resolveFilename (node:internal/modules/cjs/loader:1077:15)
    at Module._load (node:internal/modules/cjs/loader:922:27)
{
  code: 'MODULE_NOT_FOUND',
  requireStack: [ '/app/server.js' ]
}

Node.js v18.19.0
"""

CLEAN = """\
INFO  Uvicorn running on http://0.0.0.0:8000 (Press CTRL+C to quit)
INFO  127.0.0.1:51234 - "GET /health HTTP/1.1" 200 OK
WARNING  slow request: /jobs took 2.1s
Error handling is configured: retries=3
"""


def test_a_traceback_collapses_to_its_exception_line() -> None:
    assert error_lines(IMPORT_TRACEBACK) == ["ModuleNotFoundError: No module named 'redis'"]


def test_a_chained_traceback_reports_the_last_exception_only() -> None:
    assert error_lines(CHAINED) == ["RuntimeError: cannot start without a queue"]


def test_a_crash_loop_reports_each_error_once_newest_last() -> None:
    other = IMPORT_TRACEBACK.replace("'redis'", "'celery'")
    log = IMPORT_TRACEBACK + other + IMPORT_TRACEBACK + CHAINED + IMPORT_TRACEBACK
    assert error_lines(log) == [
        "ModuleNotFoundError: No module named 'celery'",
        "RuntimeError: cannot start without a queue",
        "ModuleNotFoundError: No module named 'redis'",
    ]


def test_back_to_back_tracebacks_are_not_taken_for_a_chain() -> None:
    first = IMPORT_TRACEBACK.replace("'redis'", "'a'")
    second = IMPORT_TRACEBACK.replace("'redis'", "'b'")
    assert error_lines(first + "\n" + second) == [
        "ModuleNotFoundError: No module named 'a'",
        "ModuleNotFoundError: No module named 'b'",
    ]


def test_the_limit_keeps_the_newest() -> None:
    log = "".join(f"ImportError: cannot import name 'f{i}' from 'm'\n" for i in range(15))
    found = error_lines(log, limit=10)
    assert len(found) == 10
    assert found[0] == "ImportError: cannot import name 'f5' from 'm'"
    assert found[-1] == "ImportError: cannot import name 'f14' from 'm'"


def test_node_cannot_find_module() -> None:
    esm = "Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'zod' imported from /app/x.mjs\n"
    assert error_lines(NODE_CJS + esm) == [
        "Error: Cannot find module 'express'",
        "Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'zod' imported from /app/x.mjs",
    ]


def test_import_errors_logged_outside_a_traceback() -> None:
    log = (
        "2024-05-01 12:00:00 ERROR worker: ImportError: cannot import name 'run' from 'jobs'\n"
        "    raise\n"  # the tail began mid-traceback: its final line still stands alone
        "ModuleNotFoundError: No module named 'jobs'\n"
    )
    assert error_lines(log) == [
        "2024-05-01 12:00:00 ERROR worker: ImportError: cannot import name 'run' from 'jobs'",
        "ModuleNotFoundError: No module named 'jobs'",
    ]


def test_a_traceback_cut_off_by_the_end_of_the_log_is_still_reported() -> None:
    log = 'Traceback (most recent call last):\n  File "/app/x.py", line 1, in <module>\n'
    assert error_lines(log) == [TRACEBACK]


def test_a_clean_log_has_no_errors() -> None:
    assert error_lines(CLEAN) == []
    assert error_lines("") == []


def test_inspect_data_with_missing_keys() -> None:
    facts = ContainerFacts.from_inspect({"Id": "0123456789abcdef"}, "")
    assert facts == ContainerFacts("0123456789ab", None, "unknown", 0, None, (), 0)


@pytest.mark.parametrize(
    ("name", "labels", "expected"),
    [
        ("/taskhub-orchestrator-1", {SERVICE: "orchestrator"}, True),
        ("/custom", {SERVICE: "orchestrator"}, True),  # container_name: overrides the name
        ("/taskhub-orchestrator-1", {SERVICE: "web"}, False),  # the label decides
        ("/taskhub-orchestrator-1", {}, True),
        ("/task_hub_orchestrator_2", {}, True),
        ("/orchestrator", {}, True),
        ("/taskhub-orchestrator_1", {}, False),  # mixed separators: not compose's
        ("/taskhub-orchestrator-old", {}, False),
        ("/orchestrator-1", {}, False),  # no project part
    ],
)
def test_which_containers_belong_to_a_service(
    name: str, labels: dict[str, str], expected: bool
) -> None:
    attrs = {"Name": name, "Config": {"Labels": labels}}
    assert named_for(attrs, {"orchestrator"}) is expected


# --- a crash loop on a real daemon ---------------------------------------------------------

CRASH = (
    'echo "Traceback (most recent call last):"; '
    'echo "  File \\"/app/orchestrator.py\\", line 3, in <module>"; '
    'echo "ModuleNotFoundError: No module named \\"jobs\\"" >&2; exit 1'
)


@pytest.fixture
def project(docker_image: str) -> Iterator[tuple[Any, str]]:
    """A compose project name unique to this test; its containers are removed at the end."""
    import docker

    client = docker.from_env()
    name = f"cf-{uuid.uuid4().hex[:8]}"
    yield client, name
    for container in client.containers.list(all=True, filters={"label": f"{PROJECT}={name}"}):
        with contextlib.suppress(Exception):  # already gone; keep the test's own failure
            container.remove(force=True)
    client.close()


def _run(client: Any, project: str, service: str, command: str, **kwargs: Any) -> Any:
    return client.containers.run(
        "consolidate-test/busybox:latest",
        ["sh", "-c", command],
        detach=True,
        name=f"{project}-{service}-1",
        labels={PROJECT: project, SERVICE: service, **OWNER},
        **kwargs,
    )


def _wait_for_restarts(container: Any, count: int, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while True:
        container.reload()
        if container.attrs.get("RestartCount", 0) >= count:
            return
        if time.monotonic() >= deadline:
            pytest.fail(f"{container.name} restarted only {container.attrs['RestartCount']}x")
        time.sleep(0.2)


@pytest.mark.docker
def test_a_crash_looping_orchestrator_is_reported(project: tuple[Any, str]) -> None:
    client, name = project
    crashing = _run(client, name, "orchestrator", CRASH, restart_policy={"Name": "always"})
    _run(
        client,
        name,
        "web",
        "exec sleep 300",
        healthcheck={"test": ["CMD", "true"], "interval": 1_000_000_000},
    )
    _wait_for_restarts(crashing, 2)

    facts = component_containers(Docker(client), {"orchestrator"})
    mine = [fact for fact in facts if fact.name.startswith(f"{name}-")]

    assert [fact.service for fact in mine] == ["orchestrator"]
    (orchestrator,) = mine
    assert orchestrator.name == f"{name}-orchestrator-1"
    assert orchestrator.restarts >= 2
    assert orchestrator.state in {"restarting", "running", "exited"}
    assert orchestrator.health is None
    assert 'ModuleNotFoundError: No module named "jobs"' in orchestrator.errors
    assert orchestrator.log_lines >= 6  # three lines per run, at least two runs


@pytest.mark.docker
def test_a_healthy_service_reports_its_health_and_no_errors(project: tuple[Any, str]) -> None:
    client, name = project
    _run(
        client,
        name,
        "web",
        "echo listening; exec sleep 300",
        healthcheck={"test": ["CMD", "true"], "interval": 200_000_000},
    )
    deadline = time.monotonic() + 15
    while True:
        (web,) = component_containers(Docker(client), {f"{name}-web-1"})
        if web.health == "healthy" or time.monotonic() >= deadline:
            break
        time.sleep(0.2)
    assert (web.state, web.health, web.restarts) == ("running", "healthy", 0)
    assert web.errors == ()
    assert web.log_lines == 1
