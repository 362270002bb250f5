"""The validate step's Docker checks through the real CLI, against a real daemon."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from repo_support import RepoFactory, consolidate, git
from test_docker_checks import running_stack

COMPOSE = (
    "services:\n  web:\n    image: consolidate-test/busybox:latest\n"
    "  worker:\n    image: consolidate-test/busybox:latest\n"
    "  orchestrator:\n    image: consolidate-test/busybox:latest\n    depends_on: [worker]\n"
)


def playbook(project: str, url: str) -> str:
    return (
        "component: orchestrator\nsummary: Never ran.\n"
        "compose:\n  docker-compose.yml: [orchestrator]\n"
        "backup: {images: false}\n"
        f"docker:\n  project: {project}\n  expect_running: 2\n"
        f'  health:\n    - url: {url}\n      expect: \'"status": "ok"\'\n      timeout: 2\n'
    )


@pytest.fixture
def docker_client(docker_image: str) -> Any:
    import docker

    client = docker.from_env(timeout=30)
    yield client
    client.close()


def test_the_stack_is_checked_before_the_commit(
    make_repo: RepoFactory, docker_client: Any, docker_image: str, tmp_path: Path
) -> None:
    with running_stack(docker_client, docker_image) as stack:
        repo = make_repo(
            {
                "docker-compose.yml": COMPOSE,
                "playbooks/orchestrator.yaml": playbook(stack.project, stack.url()),
            }
        )
        result = consolidate(repo, "run", "orchestrator", "--yes")
        assert result.returncode == 0, result.stderr
        report = (repo / "ORCHESTRATOR_REMOVAL_REPORT.md").read_text()
        assert f"| containers of project {stack.project} | (built in) | passed |" in report
        assert f"| health {stack.url()} | (built in) | passed |" in report

        git(repo, "reset", "-q", "--hard", "HEAD~1")
        (repo / ".git/consolidate").rename(tmp_path / "old-journal")
        stack.containers["web"].stop(timeout=1)
        head = git(repo, "rev-parse", "HEAD")
        result = consolidate(repo, "run", "orchestrator", "--yes", "--rollback-on-failure")
        assert result.returncode == 1
        assert result.stdout.startswith(
            f"The run failed (validation failed: containers of project {stack.project} failed: "
            f"expected 2 running containers of project {stack.project}, found 1: worker; "
            "not running: web (exited)"
        )
        assert "so it was rolled back." in result.stdout
        assert git(repo, "rev-parse", "HEAD") == head
