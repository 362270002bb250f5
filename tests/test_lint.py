"""`consolidate lint` on real repositories: the prevention checklist, exit 1 on a finding."""

from __future__ import annotations

import json

from repo_support import RepoFactory, consolidate

DOCKERFILE = 'FROM python:3.12\nWORKDIR /app\nCOPY . /app\nCMD ["python", "app.py"]\n'
CLEAN = """\
services:
  api:
    build: ./api
    volumes: ["./api:/app"]
    healthcheck:
      test: ["CMD", "curl", "-fsS", "http://localhost:8000/health"]
    depends_on:
      redis:
        condition: service_healthy
  redis:
    image: redis:7
    healthcheck:
      test: ["CMD", "redis-cli", "ping"]
"""
BROKEN = """\
services:
  api:
    build: ./api
    volumes: ["./shared:/app"]
    healthcheck:
      test: ["CMD", "redis-cli", "-h", "redis", "ping"]
    depends_on:
      redis:
        condition: service_healthy
  worker:
    build: ./api
    command: python worker.py
  redis:
    image: redis:7
"""
FILES = {"api/Dockerfile": DOCKERFILE, "api/app.py": "print('api')\n", "shared/x.py": "x = 1\n"}


def test_a_clean_stack_has_no_findings(make_repo: RepoFactory) -> None:
    repo = make_repo({**FILES, "docker-compose.yml": CLEAN})
    result = consolidate(repo, "lint", "--repo", str(repo))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("lint: no findings in 1 compose file(s)")


def test_every_check_fires_on_a_stack_that_has_the_problems(make_repo: RepoFactory) -> None:
    repo = make_repo({**FILES, "docker-compose.yml": BROKEN})
    result = consolidate(repo, "lint", "--json", "--repo", str(repo))
    assert result.returncode == 1
    findings = json.loads(result.stdout)["findings"]
    checks = sorted({(f["check"], f["where"]) for f in findings})
    assert checks == [
        ("bind mount hides build", "docker-compose.yml:4"),
        ("entry file missing", "docker-compose.yml:10"),
        ("healthcheck tests a dependency", "docker-compose.yml:5"),
        ("waits for a health check that does not exist", "docker-compose.yml"),
    ]
    text = consolidate(repo, "lint", "--repo", str(repo)).stdout
    assert "service api waits for redis to be healthy, but redis has no healthcheck" in text
    assert text.endswith("lint: 4 finding(s)\n")
