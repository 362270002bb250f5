"""Checks of the running stack after a removal: container counts, removed services, health URLs.

A removal can pass every static check and still leave the stack wrong: the removed service's
container keeps running (compose calls it an orphan and leaves it alone), another service
crashes at start because it still needed the removed one, or a health endpoint answers 200
with a body that says a dependency is down. These checks look at the stack itself.

Every check returns a `CheckResult` and none raises: the validate step runs them all and
puts each result, with a one-line detail a person can act on, into the report.
"""

from __future__ import annotations

import http.client
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from consolidate.dockerio import PROJECT_LABEL, ContainerInfo, Docker
from consolidate.errors import StepFailed

BODY_SHOWN = 120  # characters of a body quoted in a failure
BODY_LIMIT = 1 << 20  # a health answer larger than this is cut: it is not a health answer
# States in which a container still runs (or will again) the removed service's code.
ALIVE_STATES = frozenset({"running", "restarting", "paused"})

# Health URLs point at the local stack: a proxy from the environment (http_proxy) would
# answer for it, or fail, instead of the service under test.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    detail: str  # one line a person can act on
    seconds: float


@dataclass(frozen=True)
class HealthSpec:
    url: str
    expect: str = ""  # regex the body must match (re.search); "" = any body
    status: tuple[int, ...] = ()  # () = any 2xx
    timeout: float = 5.0


# --- containers ---------------------------------------------------------------------------


def check_containers(
    docker: Docker, project: str, expect_running: int | None, removed_services: Collection[str]
) -> list[CheckResult]:
    """The running-container count of `project` (when expected) and one result per removed
    service. A Docker error fails every requested check rather than stopping the others."""
    services = list(dict.fromkeys(removed_services))
    if expect_running is None and not services:
        return []
    started = time.monotonic()
    try:
        containers = docker.project_containers(project)
    except StepFailed as exc:
        seconds = time.monotonic() - started
        names = _container_check_names(project, expect_running, services)
        reason = exc.message.splitlines()[0] if exc.message else "docker: cannot list containers"
        return [CheckResult(name, False, reason, seconds) for name in names]
    seconds = time.monotonic() - started
    results = []
    if expect_running is not None:
        results.append(_count_result(project, expect_running, containers, seconds))
    results += [_removed_result(project, s, containers, seconds) for s in services]
    return results


def _container_check_names(
    project: str, expect_running: int | None, services: Sequence[str]
) -> list[str]:
    names = [f"containers of project {project}"] if expect_running is not None else []
    return names + [f"no container of removed service {s}" for s in services]


def _count_result(
    project: str, expected: int, containers: Sequence[ContainerInfo], seconds: float
) -> CheckResult:
    """Only running containers count; one-off ones (`docker compose run`) are not the stack."""
    running = [c for c in containers if c.running and not c.oneoff]
    listed = f": {_summary(running)}" if running else ""
    wanted = f"{_plural(expected, 'running container')} of project {project}"
    passed = len(running) == expected
    if passed:
        detail = wanted + listed
    else:
        detail = f"expected {wanted}, found {len(running)}{listed}"
        detail += _why_not_running(project, containers)
    return CheckResult(f"containers of project {project}", passed, detail, seconds)


def _why_not_running(project: str, containers: Sequence[ContainerInfo]) -> str:
    """The hint that turns a wrong count into a next step."""
    if not containers:
        return (
            f"; no container has label {PROJECT_LABEL}={project}: "
            "is the stack up, and is the project name right?"
        )
    idle = [c for c in containers if not c.running and not c.oneoff]
    if not idle:
        return ""
    states = ", ".join(f"{_label(c)} ({c.state})" for c in idle)
    return f"; not running: {states}; see `docker logs {idle[0].name}`"


def _removed_result(
    project: str, service: str, containers: Sequence[ContainerInfo], seconds: float
) -> CheckResult:
    """Compose leaves a removed service's container alone (an orphan); say how to remove it."""
    name = f"no container of removed service {service}"
    mine = [c for c in containers if c.service == service]
    alive = [c for c in mine if c.state in ALIVE_STATES]
    if alive:
        listed = ", ".join(f"{c.name} ({c.state})" for c in alive)
        names = " ".join(c.name for c in alive)
        detail = (
            f"removed service {service} still has a container running: {listed}; "
            f"remove it with `docker rm -f {names}` "
            f"(or `docker compose -p {project} up -d --remove-orphans`)"
        )
        return CheckResult(name, False, detail, seconds)
    if mine:
        listed = ", ".join(f"{c.name} ({c.state})" for c in mine)
        names = " ".join(c.name for c in mine)
        detail = (
            f"none running; a stopped container of {service} still exists: {listed}; "
            f"remove it with `docker rm {names}`"
        )
        return CheckResult(name, True, detail, seconds)
    return CheckResult(
        name, True, f"no container of project {project} is labelled service {service}", seconds
    )


def _label(container: ContainerInfo) -> str:
    return container.service or container.name


def _summary(containers: Sequence[ContainerInfo]) -> str:
    """Services, replicas counted, bad health shown: `backend, web (unhealthy), worker x2`."""
    counts = Counter(
        _label(c) + (f" ({c.health})" if c.health and c.health != "healthy" else "")
        for c in containers
    )
    return ", ".join(
        label if count == 1 else f"{label} x{count}" for label, count in sorted(counts.items())
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


# --- health URLs --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Answer:
    status: int
    body: str


@dataclass(frozen=True)
class _Unreachable:
    reason: str
    retryable: bool  # the service may still be starting
    hint: str = ""

    def detail(self, attempts: int, seconds: float) -> str:
        tries = f" ({attempts} attempts over {seconds:.1f}s)" if attempts > 1 else ""
        return self.reason + tries + (f": {self.hint}" if self.hint else "")


def check_health(spec: HealthSpec, *, retries: int = 3, delay: float = 1.0) -> CheckResult:
    """GET `spec.url`: it must answer the expected status, with a body matching `spec.expect`.

    A connection refused or reset is tried again up to `retries` times, `delay` seconds
    apart (a container may still be starting); a timeout or a wrong answer is not.
    """
    name = f"health {spec.url}"
    started = time.monotonic()
    problem = _unusable(spec)
    if problem:
        return CheckResult(name, False, problem, 0.0)
    attempts = 1
    outcome = _fetch(spec.url, spec.timeout)
    while isinstance(outcome, _Unreachable) and outcome.retryable and attempts <= retries:
        time.sleep(delay)
        attempts += 1
        outcome = _fetch(spec.url, spec.timeout)
    seconds = time.monotonic() - started
    if isinstance(outcome, _Unreachable):
        return CheckResult(name, False, outcome.detail(attempts, seconds), seconds)
    passed, detail = _judge(spec, outcome, seconds)
    return CheckResult(name, passed, detail, seconds)


def _unusable(spec: HealthSpec) -> str:
    """Why the spec cannot be checked at all ("" when it can)."""
    scheme = urllib.parse.urlsplit(spec.url).scheme
    if scheme not in ("http", "https"):
        return f"not an http(s) URL: {spec.url!r}"
    try:
        re.compile(spec.expect)
    except re.error as exc:
        return f"invalid pattern /{spec.expect}/: {exc}"
    return ""


def _judge(spec: HealthSpec, answer: _Answer, seconds: float) -> tuple[bool, str]:
    wanted = " or ".join(str(s) for s in spec.status) if spec.status else "2xx"
    ok = answer.status in spec.status if spec.status else 200 <= answer.status < 300
    if not ok:
        return False, f"status {answer.status}, expected {wanted}; body: {_snippet(answer.body)}"
    if spec.expect and not re.search(spec.expect, answer.body):
        return False, (
            f"status {answer.status} but the body did not match /{spec.expect}/; "
            f"body: {_snippet(answer.body)}"
        )
    matched = f", body matched /{spec.expect}/" if spec.expect else ""
    return True, f"status {answer.status} in {seconds:.2f}s{matched}"


def _snippet(body: str) -> str:
    """The start of a body on one line: enough to see what the service said instead."""
    flat = " ".join(body.split())
    if not flat:
        return "(empty)"
    return flat if len(flat) <= BODY_SHOWN else flat[:BODY_SHOWN].rstrip() + "..."


def _fetch(url: str, timeout: float) -> _Answer | _Unreachable:
    """One GET. Non-2xx statuses are answers too (urllib raises them as HTTPError)."""
    deadline = time.monotonic() + timeout
    try:
        with _OPENER.open(url, timeout=timeout) as response:
            return _Answer(response.status, _read(response, deadline))
    except urllib.error.HTTPError as exc:
        return _error_answer(exc, deadline, timeout)
    except urllib.error.URLError as exc:
        return _unreachable(exc.reason, timeout)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return _unreachable(exc, timeout)


def _error_answer(
    exc: urllib.error.HTTPError, deadline: float, timeout: float
) -> _Answer | _Unreachable:
    try:
        with exc:
            return _Answer(exc.code, _read(exc, deadline))
    except (OSError, http.client.HTTPException) as read_error:
        return _unreachable(read_error, timeout)


def _read(response: Any, deadline: float) -> str:
    """The body, decoded as the server says (UTF-8 otherwise), within the same timeout."""
    chunks: list[bytes] = []
    size = 0
    while size < BODY_LIMIT:
        chunk = response.read(min(65536, BODY_LIMIT - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if time.monotonic() > deadline:
            raise TimeoutError("timed out")
    charset = response.headers.get_content_charset() or "utf-8"
    try:
        return b"".join(chunks).decode(charset, errors="replace")
    except LookupError:
        return b"".join(chunks).decode("utf-8", errors="replace")


def _unreachable(error: object, timeout: float) -> _Unreachable:
    """A one-line reason for a request that got no HTTP answer, and whether to try again."""
    if isinstance(error, TimeoutError):
        return _Unreachable(f"no answer within {timeout:g}s (timeout)", False)
    if isinstance(error, ConnectionRefusedError):
        hint = "is the service up and its port published?"
        return _Unreachable("connection refused", True, hint)
    if isinstance(error, http.client.RemoteDisconnected):
        hint = "the service may be starting or crashing"
        return _Unreachable("connection closed without an answer", True, hint)
    if isinstance(error, ConnectionError):
        return _Unreachable(f"connection failed: {_text(error)}", True)
    if isinstance(error, socket.gaierror):
        return _Unreachable(f"cannot resolve the host: {error.strerror or error}", False)
    if isinstance(error, http.client.HTTPException):
        return _Unreachable(f"not a valid HTTP answer ({type(error).__name__}: {error})", False)
    if isinstance(error, ValueError):
        return _Unreachable(f"not a usable URL: {error}", False)
    return _Unreachable(f"request failed: {_text(error)}", False)


def _text(error: object) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    return str(error) or type(error).__name__
