"""`consolidate assess` on realistic repositories: every trigger met and not met."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from repo_support import RepoFactory, consolidate

from consolidate.demo import build_sample

LATER = {"SOURCE_DATE_EPOCH": "1800000000"}  # 2027-01-15: the files are 50+ days old then


def assess(repo: Path, name: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = consolidate(repo, "assess", name, "--json", "--repo", str(repo), env=env)
    assert result.returncode == 0, result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def met(doc: dict[str, Any]) -> dict[str, bool]:
    return {t["name"]: t["met"] for t in doc["triggers"]}


def test_the_sample_orchestrator(tmp_path: Path) -> None:
    repo = build_sample(tmp_path / "taskhub").root
    doc = assess(repo, "orchestrator")
    assert met(doc) == {
        "functional duplication over 50%": True,
        "orphaned for more than 30 days": True,
        "persistent import errors": False,
        "health check reports healthy while broken": True,
        "zero production dependencies": True,
    }
    assert "scheduling" in doc["capabilities"] and doc["overlap_percent"] > 50
    assert doc["recommendation"]["action"] == "consolidate"
    assert doc["recommendation"]["target"].startswith("backend/")
    cost = doc["overhead"]
    assert cost["services"] == ["orchestrator"] and cost["health_checks"] == 1
    assert cost["resources"]["orchestrator"]["limits"] == {"cpus": "0.50", "memory": "256M"}
    health = next(t for t in doc["triggers"] if t["name"].startswith("health"))
    assert "only contacts service redis" in health["evidence"][0]


PY_SERVICE = {
    "docker-compose.yml": (
        "services:\n  api:\n    build: ./api\n    command: python app.py\n"
        "    healthcheck: {test: [CMD, curl, -f, 'http://localhost:8000/health']}\n"
        "  reporter:\n    build: ./reporter\n    command: python reporter.py\n"
        "    healthcheck: {test: [CMD, curl, -f, 'http://localhost:9000/health']}\n"
    ),
    "api/app.py": "from fastapi import FastAPI\napp = FastAPI()\n",
    "api/requirements.txt": "fastapi==0.110\n",
    "reporter/reporter.py": "import json\nprint(json.dumps({}))\n",
}


def test_a_young_used_healthy_component_is_kept(make_repo: RepoFactory) -> None:
    files = dict(PY_SERVICE)
    files["api/app.py"] += "import sys\nsys.path.insert(0, '../reporter')\nimport reporter\n"
    repo = make_repo(files)
    doc = assess(repo, "reporter")
    assert met(doc) == {
        "functional duplication over 50%": False,
        "orphaned for more than 30 days": False,
        "persistent import errors": False,
        "health check reports healthy while broken": False,
        "zero production dependencies": False,
    }
    assert doc["recommendation"]["action"] == "keep"
    assert doc["recommendation"]["reasons"][0].startswith(
        "reporter/reporter.py is used by api/app.py"
    )


def test_an_old_broken_unused_component_is_removed(make_repo: RepoFactory) -> None:
    files = dict(PY_SERVICE)
    files["reporter/reporter.py"] = "import jinja_reports_pro\nimport json\n"
    repo = make_repo(files)
    doc = assess(repo, "reporter", env=LATER)
    triggers = met(doc)
    assert triggers["orphaned for more than 30 days"] and triggers["persistent import errors"]
    assert triggers["zero production dependencies"]
    errors = next(t for t in doc["triggers"] if t["name"] == "persistent import errors")
    assert errors["evidence"] == [
        "reporter/reporter.py:1: imports jinja_reports_pro, which nothing here provides"
    ]
    assert doc["recommendation"]["action"] == "remove"


def test_python_schedulers_and_queues_against_nestjs_and_bullmq(make_repo: RepoFactory) -> None:
    repo = make_repo(
        {
            "jobs/worker.py": "from apscheduler.schedulers.blocking import BlockingScheduler\n"
            "import rq\n",
            "jobs/requirements.txt": "APScheduler==3.10\nrq==1.16\n",
            "api/package.json": '{"name": "api", "main": "src/main.ts", "dependencies": '
            '{"@nestjs/schedule": "^4", "bullmq": "^5", "@nestjs/core": "^10"}}\n',
            "api/src/main.ts": 'import { ScheduleModule } from "@nestjs/schedule";\n'
            'import { Queue } from "bullmq";\n',
        }
    )
    doc = assess(repo, "jobs")
    rows = {o["capability"]: o for o in doc["overlap"]}
    assert {"scheduling", "job queue"} <= set(rows)
    assert any(e["path"].startswith("api/") for e in rows["scheduling"]["existing"])
    assert any(e["path"].startswith("api/") for e in rows["job queue"]["existing"])
    assert doc["overlap_percent"] == 100
    assert met(doc)["functional duplication over 50%"]


def test_markdown_and_draft_playbook(tmp_path: Path) -> None:
    repo = build_sample(tmp_path / "taskhub").root
    report, draft = tmp_path / "assess.md", tmp_path / "draft.yaml"
    result = consolidate(
        repo, "assess", "orchestrator", "--markdown", str(report), "--playbook", str(draft)
    )
    assert result.returncode == 0, result.stderr
    assert "Recommendation: consolidate into backend/" in result.stdout
    assert report.read_text().startswith("## Assessment of `orchestrator`")
    assert "component: orchestrator" in draft.read_text()


@pytest.mark.docker
def test_a_restarting_container_with_an_import_error(
    make_repo: RepoFactory, docker_image: str
) -> None:
    import uuid

    import docker

    client = docker.from_env()
    project = f"assess{uuid.uuid4().hex[:8]}"
    script = (
        "echo 'Traceback (most recent call last):'; "
        "echo '  File \"/app/reporter.py\", line 1, in <module>'; "
        "echo \"ModuleNotFoundError: No module named 'jinja_reports_pro'\" >&2; exit 1"
    )
    container = client.containers.run(
        docker_image, ["sh", "-c", script], detach=True, name=f"{project}-reporter-1",
        labels={"com.docker.compose.project": project, "com.docker.compose.service": "reporter"},
        restart_policy={"Name": "always"},
    )  # fmt: skip
    try:
        import time

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            container.reload()
            if container.attrs["RestartCount"] >= 2:
                break
            time.sleep(0.3)
        repo = make_repo(PY_SERVICE)
        doc = assess(repo, "reporter")
        facts = doc["containers"][0]
        assert facts["name"] == f"{project}-reporter-1" and facts["restarts"] >= 2
        assert "ModuleNotFoundError: No module named 'jinja_reports_pro'" in facts["errors"]
        errors = next(t for t in doc["triggers"] if t["name"] == "persistent import errors")
        assert errors["met"] and "restarts" in errors["evidence"][0]
    finally:
        container.remove(force=True)


def test_imports_of_declared_distributions_are_no_errors(make_repo: RepoFactory) -> None:
    """A distribution installs modules by names of its own (`djangorestframework` installs
    `rest_framework`); pyproject.toml declares them as well as requirements files do."""
    files = dict(PY_SERVICE)
    files["pyproject.toml"] = (
        '[project]\nname = "shop"\ndependencies = [\n'
        '  "Django>=5.2", "djangorestframework>=3.15", "django-filter", "PyYAML", "rq",\n'
        '  "drf-flex-fields",\n]\n'
    )
    files["reporter/reporter.py"] = (
        "import django\nimport rest_framework\nimport django_filters\nimport yaml\nimport rq\n"
        "import rest_flex_fields\nimport jinja_reports_pro\n"
    )
    repo = make_repo(files)
    errors = next(
        t for t in assess(repo, "reporter")["triggers"] if t["name"] == "persistent import errors"
    )
    assert errors["evidence"] == [
        "reporter/reporter.py:7: imports jinja_reports_pro, which nothing here provides"
    ]
