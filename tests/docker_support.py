"""Helpers for tests that need a real Docker daemon.

Plain functions (no pytest fixtures) so conftest and individual tests can share them.
The daemon and the registry-free test image are provided by ``.ci/docker-up.sh``.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

TEST_IMAGE = "consolidate-test/busybox:latest"

REPO_ROOT = Path(__file__).resolve().parent.parent
DOCKER_UP_SCRIPT = REPO_ROOT / ".ci" / "docker-up.sh"

PING_TIMEOUT_SECONDS = 3
# A cold run installs docker.io from apt; leave plenty of room on a slow mirror.
DOCKER_UP_TIMEOUT_SECONDS = 600

_FALSE_VALUES = frozenset({"", "0", "false", "no", "off"})


def running_in_ci() -> bool:
    """True when the CI environment variable is set (tests must then fail, not skip)."""
    return os.environ.get("CI", "").strip().lower() not in _FALSE_VALUES


def daemon_available() -> bool:
    """True when a Docker daemon answers a ping within a few seconds."""
    try:
        import docker

        client = docker.from_env(timeout=PING_TIMEOUT_SECONDS)
    except Exception:
        return False
    try:
        return bool(client.ping())
    except Exception:
        return False
    finally:
        client.close()


def image_present() -> bool:
    """True when the daemon answers and has TEST_IMAGE."""
    try:
        import docker

        client = docker.from_env(timeout=PING_TIMEOUT_SECONDS)
    except Exception:
        return False
    try:
        client.images.get(TEST_IMAGE)
        return True
    except Exception:
        return False
    finally:
        client.close()


def _last_line(text: str, limit: int = 300) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    line = lines[-1] if lines else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


def ensure_docker() -> str | None:
    """Make sure a daemon and TEST_IMAGE are available, starting them if needed.

    Runs ``.ci/docker-up.sh`` when no daemon answers or the test image is missing.
    Returns None when everything is ready, otherwise a one-line reason why not.
    """
    if daemon_available() and image_present():
        return None
    if not DOCKER_UP_SCRIPT.is_file():
        return f"Docker daemon unavailable and {DOCKER_UP_SCRIPT} is missing"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        result = subprocess.run(
            ["bash", str(DOCKER_UP_SCRIPT)],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=DOCKER_UP_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f".ci/docker-up.sh timed out after {DOCKER_UP_TIMEOUT_SECONDS}s"
    except OSError as exc:
        return f"could not run .ci/docker-up.sh: {exc}"
    if result.returncode != 0:
        detail = _last_line(result.stderr) or _last_line(result.stdout) or "no output"
        return f".ci/docker-up.sh exited with {result.returncode}: {detail}"
    if not daemon_available():
        return ".ci/docker-up.sh succeeded but no Docker daemon answers"
    if not image_present():
        return f".ci/docker-up.sh succeeded but image {TEST_IMAGE} is missing"
    return None
