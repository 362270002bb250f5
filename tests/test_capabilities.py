"""Capabilities from imports, manifests and code patterns, and the overlap `assess` reports."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from importlib import resources
from textwrap import dedent
from typing import Any

import pytest

from consolidate.assess.capabilities import (
    Evidence,
    find_capabilities,
    load_map,
    node_package,
    overlap,
    parse_map,
)


def repo(files: dict[str, str]) -> tuple[list[str], Callable[[str], bytes | None]]:
    texts = {path: dedent(text).lstrip("\n") for path, text in files.items()}

    def read(path: str) -> bytes | None:
        text = texts.get(path)
        return None if text is None else text.encode()

    return list(texts), read


def caps_of(files: dict[str, str]) -> dict[str, set[tuple[str, int, str]]]:
    paths, read = repo(files)
    found: dict[str, set[tuple[str, int, str]]] = {}
    for ev in find_capabilities(paths, read, paths):
        found.setdefault(ev.capability, set()).add((ev.path, ev.line, ev.what))
    return found


def row(result: dict[str, Any], capability: str) -> dict[str, Any]:
    rows = [r for r in result["overlap"] if r["capability"] == capability]
    assert len(rows) == 1, result["overlap"]
    found: dict[str, Any] = rows[0]
    return found


def whats(evidence: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(ev["path"], ev["what"]) for ev in evidence}


PYTHON_REPO = {
    "orchestrator/main.py": """
        import logging
        from apscheduler.schedulers.background import BackgroundScheduler

        from backend.jobs import JobQueue

        def main() -> None:
            scheduler = BackgroundScheduler()
            scheduler.add_job(JobQueue().enqueue, "interval", minutes=5)
    """,
    "orchestrator/requirements.txt": """
        APScheduler[sqlalchemy]>=3.10 ; python_version >= "3.9"  # the scheduler
        structlog==24.1
    """,
    "backend/jobs.py": """
        import json

        class JobQueue:
            def enqueue(self, job):
                ...

        def dequeue(queue):
            return queue.pop()
    """,
    "backend/worker.py": """
        import os, rq as rqlib
        from redis import Redis

        rqlib.Worker(["default"], connection=Redis()).work()
    """,
    "backend/api.py": "from fastapi import FastAPI\napp = FastAPI()\n",
    "tests/test_jobs.py": "import celery\nfrom backend.jobs import JobQueue\n",
    "README.md": "import apscheduler\n",
}


def test_python_orchestrator_against_backend_queue() -> None:
    paths, read = repo(PYTHON_REPO)
    component = ["orchestrator/main.py", "orchestrator/requirements.txt"]
    result = overlap(component, paths, read)

    # The queue it imports from the backend is named, not a library: credited to it all the same.
    assert result["capabilities"] == ["job queue", "scheduling"]
    assert row(result, "job queue")["in_component"] == [
        {
            "capability": "job queue",
            "path": "orchestrator/main.py",
            "line": 4,
            "what": "imports JobQueue from backend/jobs.py",
        }
    ]
    assert whats(row(result, "job queue")["existing"]) == {
        ("backend/jobs.py", "defines class JobQueue"),
        ("backend/jobs.py", "defines enqueue()"),
        ("backend/jobs.py", "defines dequeue()"),
        ("backend/worker.py", "imports rq"),
    }
    sched = row(result, "scheduling")
    assert sched["in_component"] == [
        {
            "capability": "scheduling",
            "path": "orchestrator/main.py",
            "line": 2,
            "what": "imports apscheduler",
        },
        {
            "capability": "scheduling",
            "path": "orchestrator/requirements.txt",
            "line": 1,
            "what": "declares apscheduler in requirements.txt",
        },
    ]
    assert sched["existing"] == []  # the backend queues jobs but schedules nothing
    assert result["overlap_percent"] == 50 and result["duplicated"] == ["job queue"]

    # The backend, as the component: its queue and workers exist elsewhere only partly.
    backend = ["backend/jobs.py", "backend/worker.py", "backend/api.py"]
    result = overlap(backend, paths, read)
    assert result["capabilities"] == ["cache", "http api", "job queue", "pub/sub", "workers"]
    assert whats(row(result, "job queue")["in_component"]) == {
        ("backend/jobs.py", "defines class JobQueue"),
        ("backend/jobs.py", "defines enqueue()"),
        ("backend/jobs.py", "defines dequeue()"),
        ("backend/worker.py", "imports rq"),
    }
    assert all(not r["existing"] for r in result["overlap"])  # tests do not count as solutions
    assert result["overlap_percent"] == 0


def test_python_percentages_when_the_rest_has_some() -> None:
    files = dict(PYTHON_REPO)
    files["scheduler/cron.py"] = "import schedule\nfrom rq import Queue\n"
    paths, read = repo(files)
    result = overlap(["backend/jobs.py", "backend/worker.py", "backend/api.py"], paths, read)
    # job queue and workers (rq) exist in scheduler/cron.py; cache, http api, pub/sub do not.
    assert {r["capability"] for r in result["overlap"] if r["existing"]} == {"job queue", "workers"}
    assert result["overlap_percent"] == 40
    assert row(result, "job queue")["existing"] == [
        {"capability": "job queue", "path": "scheduler/cron.py", "line": 2, "what": "imports rq"}
    ]
    result = overlap(["orchestrator/main.py"], paths, read)
    assert result["overlap_percent"] == 100
    assert whats(row(result, "scheduling")["existing"]) == {
        ("orchestrator/requirements.txt", "declares apscheduler in requirements.txt"),
        ("scheduler/cron.py", "imports schedule"),
    }


TS_REPO = {
    "src/cron/cron.service.ts": """
        import * as cron from 'node-cron';
        import {
          Queue,
          Worker,
        } from "bullmq";
        import { helper } from './helper';
        cron.schedule('* * * * *', () => new Queue('x'));
    """,
    "src/cron/helper.ts": "export const helper = 1;\n",
    "src/app.module.ts": """
        import { Module } from '@nestjs/common';
        import { ScheduleModule } from '@nestjs/schedule/dist/index';
        const { Queue } = require("bullmq");
        import type { Job } from "bullmq/dist/esm/classes";
    """,
    "src/app.service.spec.ts": "import cron from 'node-schedule';\n",
    "node_modules/agenda/index.js": "const redis = require('ioredis');\n",
    "src/types.d.ts": "import 'ioredis';\n",
}


def test_typescript_component_fully_duplicated() -> None:
    paths, read = repo(TS_REPO)
    result = overlap(["src/cron/cron.service.ts", "src/cron/helper.ts"], paths, read)
    assert result["capabilities"] == ["job queue", "scheduling", "workers"]
    assert result["overlap_percent"] == 100
    assert row(result, "scheduling")["in_component"] == [
        {
            "capability": "scheduling",
            "path": "src/cron/cron.service.ts",
            "line": 1,
            "what": "imports node-cron",
        }
    ]
    assert row(result, "job queue")["in_component"][0]["line"] == 5  # the line of the specifier
    assert whats(row(result, "scheduling")["existing"]) == {
        ("src/app.module.ts", "imports @nestjs/schedule")
    }
    assert whats(row(result, "workers")["existing"]) == {("src/app.module.ts", "imports bullmq")}
    assert [e["line"] for e in row(result, "workers")["existing"]] == [3]  # one per file and fact


def test_cross_language_overlap_in_a_monorepo() -> None:
    files = {
        "services/jobs/tasks.py": "from celery import Celery\nfrom apscheduler.triggers.cron import CronTrigger\n",
        "services/jobs/pyproject.toml": """
            [project]
            name = "jobs"
            description = "uses celery"
            dependencies = ["celery[redis]>=5", "APScheduler"]
        """,
        "apps/api/src/queue.ts": "import { Queue } from 'bullmq';\nimport { Cron } from '@nestjs/schedule';\n",
        "apps/api/src/main.ts": "import { NestFactory } from '@nestjs/core';\n",
    }
    paths, read = repo(files)
    result = overlap(["services/jobs/tasks.py", "services/jobs/pyproject.toml"], paths, read)
    assert result["capabilities"] == ["job queue", "scheduling", "workers"]
    assert result["overlap_percent"] == 100
    assert whats(row(result, "scheduling")["existing"]) == {
        ("apps/api/src/queue.ts", "imports @nestjs/schedule")
    }
    declared = {(e["what"], e["line"]) for e in row(result, "job queue")["in_component"]}
    assert ("declares celery in pyproject.toml", 4) in declared


def test_no_overlap_is_zero_percent() -> None:
    paths, read = repo({"a/app.py": "import flask\n", "b/orm.py": "import sqlalchemy\n"})
    result = overlap(["a/app.py"], paths, read)
    assert result == {
        "capabilities": ["http api"],
        "overlap": [
            {
                "capability": "http api",
                "in_component": [
                    {
                        "capability": "http api",
                        "path": "a/app.py",
                        "line": 1,
                        "what": "imports flask",
                    }
                ],
                "existing": [],
                "existing_count": 0,
            }
        ],
        "overlap_percent": 0,
        "duplicated": [],
    }
    assert overlap(["nothing.txt"], paths, read)["overlap_percent"] == 0
    assert overlap([], [], lambda p: None) == {
        "capabilities": [],
        "overlap": [],
        "overlap_percent": 0,
        "duplicated": [],
    }


def test_manifests_as_evidence() -> None:
    found = caps_of(
        {
            "requirements-dev.txt": "-r requirements.txt\n# celery\n-e git+https://x/y#egg=rq\ndramatiq[redis]==1.0\n",
            "requirements/base.txt": "python-crontab\nPyYAML\n",
            "py/pyproject.toml": """
                [tool.poetry.dependencies]
                python = "^3.11"
                SQLAlchemy = "^2"
            """,
            "web/package.json": json.dumps(
                {
                    "dependencies": {"@nestjs/schedule": "^4"},
                    "peerDependencies": {"bull": "^4"},
                    "devDependencies": {"express": "^4"},
                },
                indent=2,
            ),
        }
    )
    assert found["workers"] == {
        ("requirements-dev.txt", 4, "declares dramatiq in requirements-dev.txt"),
        ("web/package.json", 6, "declares bull in package.json"),
    }
    assert ("requirements/base.txt", 1, "declares python-crontab in base.txt") in found[
        "scheduling"
    ]
    assert ("web/package.json", 3, "declares @nestjs/schedule in package.json") in found[
        "scheduling"
    ]
    assert found["orm"] == {("py/pyproject.toml", 3, "declares sqlalchemy in pyproject.toml")}
    assert "http api" not in found  # devDependencies are not what it runs


@pytest.mark.parametrize(
    "text",
    ["{not json", "[1, 2]", '{"dependencies": ["bullmq"]}', '{"dependencies": null}', "\xff\xfe"],
)
def test_broken_manifests_do_not_crash(text: str) -> None:
    files = {"package.json": text, "pyproject.toml": "[project\n", "requirements.txt": text}
    files["ok.py"] = "import redis\n"
    assert set(caps_of(files)) == {"cache", "pub/sub"}
    bad_toml = {"pyproject.toml": '[project]\ndependencies = "celery"\n[tool]\npoetry = 1\n'}
    assert caps_of(bad_toml) == {}


def test_only_requested_files_and_large_or_missing_ones_skipped() -> None:
    paths, read = repo(
        {"a.py": "import celery\n", "b.py": "import redis\n" + "#" * (3 * 1024 * 1024)}
    )
    assert find_capabilities(paths, read, ["b.py", "missing.py"]) == []
    assert {ev.capability for ev in find_capabilities(paths, read, ["a.py"])} == {
        "job queue",
        "workers",
        "scheduling",
    }
    assert Evidence("x", "a.py", 1, "imports x") == Evidence("x", "a.py", 1, "imports x")


def test_python_import_forms() -> None:
    found = caps_of(
        {
            "m.py": """
                import os, Redis.client as r
                from django.db import models
                from . import celery
                from .rq import thing
                    import httpx
            """
        }
    )
    assert found["cache"] == {("m.py", 1, "imports redis")}
    assert found["orm"] == {("m.py", 2, "imports django")}
    assert found["http client"] == {("m.py", 5, "imports httpx")}
    assert "job queue" not in found  # relative imports are the repository's own modules


def test_node_package_of_specifier() -> None:
    assert node_package("@nestjs/schedule/dist") == "@nestjs/schedule"
    assert node_package("bullmq/dist/x") == "bullmq"
    assert node_package("./queue") is None
    assert node_package("node:fs") is None


def test_map_loads_and_patterns_use_known_capabilities() -> None:
    text = resources.files("consolidate.assess").joinpath("capability_map.json").read_text("utf-8")
    data = json.loads(text)
    cmap = load_map()
    library_caps = {c for caps in (*cmap.python.values(), *cmap.node.values()) for c in caps}
    assert {
        "scheduling",
        "job queue",
        "workers",
        "http api",
        "cache",
        "pub/sub",
        "orm",
    } <= library_caps
    assert set(data["patterns"]) <= library_caps
    assert all(re.compile(rx) for rxs in data["patterns"].values() for rx in rxs)
    for module in data["python_distributions"].values():
        assert module == module.lower()
    assert cmap.python["apscheduler"] == ("scheduling",)
    assert cmap.node["bullmq"] == ("job queue", "workers")
    assert parse_map({"python": {"My-Lib": ["x"]}, "node": {}}).python == {"my_lib": ("x",)}
