"""Capabilities from what a component does (issue 14): names it imports from the repository's
modules, and the lifecycle management of other services; against every manifest, compose and
the management scripts of the rest of the repository. Every row cites its lines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from repo_support import RepoFactory, consolidate

from consolidate.assess.capabilities import overlap
from consolidate.assess.capability_data import load_map
from consolidate.assess.capability_names import capabilities_of, words
from consolidate.assess.capability_roles import commands, health_urls, words_of

CONDUCTOR = """\
\"\"\"conductor: runs planned work and keeps the scraper and the indexer up.\"\"\"

import subprocess
import time
import urllib.request

from shared.planner import TaskPlanner, WorkRunner
from shared.redis_queue import dequeue, enqueue

MANAGED = ["scraper", "indexer"]


def healthy(service: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://{service}:8080/health", timeout=3) as reply:
            return reply.status == 200
    except OSError:
        return False


def restart(service: str) -> None:
    subprocess.run(["docker", "compose", "restart", service], check=True)


def stop(service: str) -> None:
    subprocess.run("docker compose stop " + service, shell=True, check=True)


def main() -> None:
    planner = TaskPlanner()
    runner = WorkRunner(planner)
    while True:
        for service in MANAGED:
            if not healthy(service):
                restart(service)
        job = dequeue(timeout=5)
        if job:
            planner.add(time.time(), job)
        for done in runner.run_once():
            enqueue("report", done)


if __name__ == "__main__":
    main()
"""

PLANNER = """\
\"\"\"Which piece of work runs next: a heap of (time, work) pairs.\"\"\"

import heapq
import time


class TaskPlanner:
    def __init__(self) -> None:
        self._heap: list[tuple[float, object]] = []

    def add(self, when: float, work: object) -> None:
        heapq.heappush(self._heap, (when, work))

    def due(self) -> list[object]:
        out = []
        while self._heap and self._heap[0][0] <= time.time():
            out.append(heapq.heappop(self._heap)[1])
        return out


class WorkRunner:
    def __init__(self, planner: TaskPlanner) -> None:
        self.planner = planner

    def run_once(self) -> list[object]:
        return self.planner.due()
"""

REDIS_QUEUE = """\
import json
import os

import redis

_client = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://redis:6379/0"))


def enqueue(kind: str, payload: object) -> None:
    _client.lpush("jobs", json.dumps({"kind": kind, "payload": payload}))


def dequeue(timeout: int = 5) -> object:
    item = _client.brpop("jobs", timeout=timeout)
    return json.loads(item[1]) if item else None
"""

SCRAPER = """\
from shared.planner import TaskPlanner
from shared.redis_queue import enqueue

if __name__ == "__main__":
    TaskPlanner()
    enqueue("scrape", {})
"""

COMPOSE = """\
services:
  redis:
    image: redis:7
    healthcheck:
      test: ["CMD", "redis-cli", "ping"]
  backend:
    build: ./backend
    depends_on:
      redis:
        condition: service_healthy
    healthcheck:
      test: ["CMD", "wget", "-qO-", "http://localhost:3000/health"]
  scraper:
    build: .
    command: python scraper/app.py
    depends_on:
      - redis
  indexer:
    image: example/indexer:2
  conductor:
    build: .
    command: python conductor/main.py
    depends_on:
      - redis
      - scraper
    healthcheck:
      test: ["CMD", "redis-cli", "-h", "redis", "ping"]
"""

PACKAGE = {
    "name": "backend",
    "dependencies": {
        "@nestjs/bull": "^10.0.0",
        "@nestjs/core": "^10.0.0",
        "@nestjs/schedule": "^4.0.0",
        "bull": "^4.12.0",
        "node-cron": "^3.0.3",
    },
}

APP_MODULE = """\
import { Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bull';
import { ScheduleModule } from '@nestjs/schedule';

@Module({ imports: [BullModule.forRoot({}), ScheduleModule.forRoot()] })
export class AppModule {}
"""

MANAGE = """\
#!/bin/sh
# Start, stop and check the stack.
case "$1" in
  start) docker compose up -d ;;
  stop) docker compose stop ;;
  status) docker compose ps ;;
esac
"""


def repository(*, providers: bool) -> dict[str, str]:
    files = {
        "conductor/main.py": CONDUCTOR,
        "shared/__init__.py": "",
        "shared/planner.py": PLANNER,
        "shared/redis_queue.py": REDIS_QUEUE,
        "scraper/app.py": SCRAPER,
    }
    if providers:
        files |= {
            "docker-compose.yml": COMPOSE,
            "backend/package.json": json.dumps(PACKAGE, indent=2) + "\n",
            "backend/src/app.module.ts": APP_MODULE,
            "scripts/manage.sh": MANAGE,
        }
    else:  # the same services, started by hand: no health checks, no start-up order
        files["docker-compose.yml"] = "".join(
            line
            for line in COMPOSE.splitlines(keepends=True)
            if not any(k in line for k in ("depends_on", "condition", "healthcheck", "test:"))
            and not line.startswith("      - ")
            and not line.startswith("      redis:")
        )
    return files


def assess(repo: Path, *args: str) -> Any:
    result = consolidate(repo, "assess", "conductor", "--repo", str(repo), *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if "--json" in args else result.stdout


def evidence(path: str, line: int, what: str, capability: str) -> dict[str, Any]:
    return {"capability": capability, "path": path, "line": line, "what": what}


def rows_of(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["capability"]: row for row in doc["overlap"]}


def duplication(doc: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = next(
        t for t in doc["triggers"] if t["name"] == "functional duplication over 50%"
    )
    return found


def test_conductor_duplicates_the_queue_the_scheduler_and_compose(make_repo: RepoFactory) -> None:
    repo = make_repo(repository(providers=True))
    doc = assess(repo, "--json")
    rows = rows_of(doc)
    assert doc["capabilities"] == ["job queue", "lifecycle management", "scheduling", "workers"]
    assert doc["overlap_percent"] == 100 and doc["duplicated"] == doc["capabilities"]
    trigger = duplication(doc)
    assert trigger["met"]
    assert trigger["evidence"][0] == "100% of its 4 capabilities exist"
    assert (
        "scheduling: here imports TaskPlanner from shared/planner.py (conductor/main.py:7); "
        "already declares @nestjs/schedule in package.json (backend/package.json:6)"
    ) in trigger["evidence"]

    sched = rows["scheduling"]
    assert sched["in_component"] == [
        evidence("conductor/main.py", 7, "imports TaskPlanner from shared/planner.py", "scheduling")
    ]
    assert (
        evidence(
            "backend/package.json", 6, "declares @nestjs/schedule in package.json", "scheduling"
        )
        in sched["existing"]
    )
    assert (
        evidence("backend/package.json", 8, "declares node-cron in package.json", "scheduling")
        in sched["existing"]
    )
    assert (
        evidence("backend/src/app.module.ts", 3, "imports @nestjs/schedule", "scheduling")
        in sched["existing"]
    )
    assert rows["workers"]["in_component"] == [
        evidence("conductor/main.py", 7, "imports WorkRunner from shared/planner.py", "workers")
    ]
    queue = rows["job queue"]
    assert queue["in_component"] == [
        evidence("conductor/main.py", 8, "imports dequeue from shared/redis_queue.py", "job queue"),
        evidence("conductor/main.py", 8, "imports enqueue from shared/redis_queue.py", "job queue"),
    ]
    assert (
        evidence("backend/package.json", 7, "declares bull in package.json", "job queue")
        in queue["existing"]
    )
    assert evidence("shared/redis_queue.py", 14, "uses `.brpop(`", "job queue") in queue["existing"]

    life = rows["lifecycle management"]
    cap = "lifecycle management"
    assert life["in_component"] == [
        evidence("conductor/main.py", 10, "names services indexer, scraper", cap),
        evidence("conductor/main.py", 15, "requests http://{service}:8080/health", cap),
        evidence("conductor/main.py", 22, "runs `docker compose restart`", cap),
        evidence("conductor/main.py", 26, "runs `docker compose stop`", cap),
    ]
    existing = {(e["path"], e["line"], e["what"]) for e in life["existing"]}
    assert {
        ("docker-compose.yml", 4, "compose health check of redis"),
        ("docker-compose.yml", 9, "compose starts backend after redis (service_healthy)"),
        ("docker-compose.yml", 11, "compose health check of backend"),
        ("docker-compose.yml", 17, "compose starts scraper after redis"),
        ("scripts/manage.sh", 4, "runs `docker compose up`"),
        ("scripts/manage.sh", 5, "runs `docker compose stop`"),
        ("scripts/manage.sh", 6, "runs `docker compose ps`"),
    } == existing  # the conductor's own depends_on and health check go with it

    assert doc["recommendation"]["action"] == "consolidate"
    assert doc["recommendation"]["target"] == "backend/package.json"


def test_the_text_output_shows_the_table_with_lines(make_repo: RepoFactory) -> None:
    repo = make_repo(repository(providers=True))
    text = assess(repo)
    assert "| functional duplication over 50% | yes | 100% of its 4 capabilities exist;" in text
    assert (
        "| scheduling | `conductor/main.py:7` (imports TaskPlanner from shared/planner.py) | "
        "`backend/package.json:6` (declares @nestjs/schedule in package.json), "
        "`backend/package.json:8` (declares node-cron in package.json), "
        "`backend/src/app.module.ts:3` (imports @nestjs/schedule) |"
    ) in text
    assert (
        "| lifecycle management | `conductor/main.py:10` (names services indexer, scraper), "
        "`conductor/main.py:15` (requests http://{service}:8080/health), and 2 more | "
        "`docker-compose.yml:4` (compose health check of redis), "
        "`docker-compose.yml:9` (compose starts backend after redis (service_healthy)), "
        "`docker-compose.yml:11` (compose health check of backend), and 4 more |"
    ) in text
    assert (
        "job queue: here imports dequeue from shared/redis_queue.py (conductor/main.py:8); "
        "already declares @nestjs/bull in package.json (backend/package.json:4)"
    ) in text


def test_without_providers_the_same_conductor_duplicates_little(make_repo: RepoFactory) -> None:
    repo = make_repo(repository(providers=False))
    doc = assess(repo, "--json")
    rows = rows_of(doc)
    assert doc["capabilities"] == ["job queue", "lifecycle management", "scheduling", "workers"]
    assert rows["scheduling"]["existing"] == []  # the kept planner is no scheduling library
    assert rows["lifecycle management"]["existing"] == []
    assert rows["workers"]["existing"] == []
    # The kept helper is a queue of its own (a blocking pop on a redis list).
    assert {e["path"] for e in rows["job queue"]["existing"]} == {"shared/redis_queue.py"}
    assert doc["overlap_percent"] == 25 and doc["duplicated"] == ["job queue"]
    trigger = duplication(doc)
    assert not trigger["met"]
    assert trigger["evidence"][0] == "25% of its 4 capabilities exist"
    assert trigger["evidence"][-1] == (
        "not found elsewhere: lifecycle management, scheduling, workers"
    )


def read_from(files: dict[str, str]) -> tuple[list[str], Any]:
    return list(files), lambda p: files[p].encode() if p in files else None


def test_a_task_model_is_not_a_scheduler() -> None:
    paths, read = read_from(
        {
            "relay/main.py": "from shared.models import ScheduledJob\n"
            "from shared.store import Task, load_task\n"
            "from queue import Queue\n"
            "print(Task, load_task, ScheduledJob, Queue)\n",
            "shared/models.py": "class ScheduledJob: ...\n",
            "shared/store.py": "class Task: ...\ndef load_task(): ...\n",
            "shared/queue.py": "class Queue: ...\n",  # elsewhere: the standard library wins
            "api/package.json": '{"dependencies": {"node-cron": "^3", "bull": "^4"}}\n',
        }
    )
    assert overlap(["relay/main.py"], paths, read) == {
        "capabilities": [],
        "overlap": [],
        "overlap_percent": 0,
        "duplicated": [],
    }


def test_python_import_forms_for_names() -> None:
    paths, read = read_from(
        {
            "relay/app/main.py": "from backend.lib.timing import (\n"
            "    format_time,  # next_run is not imported here\n"
            "    next_run as when,\n"
            ")\n"
            "import jobs, task_queue as tq\n"
            "from .runner import TaskRunner\n"
            "jobs.JobQueue().put(tq, when, TaskRunner, jobs.load)\n",
            "relay/app/runner.py": "class TaskRunner: ...\n",
            "backend/lib/timing.py": "def next_run(): ...\n",
            "backend/jobs.py": "class JobQueue: ...\n",
            "backend/task_queue.py": "",
        }
    )
    result = overlap(["relay/app/main.py", "relay/app/runner.py"], paths, read)
    here = {
        (r["capability"], e["path"], e["line"], e["what"])
        for r in result["overlap"]
        for e in r["in_component"]
    }
    assert here == {
        ("scheduling", "relay/app/main.py", 3, "imports next_run from backend/lib/timing.py"),
        ("job queue", "relay/app/main.py", 5, "imports backend/task_queue.py as tq"),
        ("job queue", "relay/app/main.py", 7, "uses jobs.JobQueue from backend/jobs.py"),
        ("workers", "relay/app/main.py", 6, "imports TaskRunner from relay/app/runner.py"),
        ("workers", "relay/app/runner.py", 1, "defines class TaskRunner"),
    }
    # The backend defines the queue (a class pattern) and next_run (a def pattern).
    assert result["duplicated"] == ["job queue", "scheduling"]


def test_typescript_names_from_relative_modules() -> None:
    paths, read = read_from(
        {
            "dispatcher/src/main.ts": "import type { JobRunner } from './types-only';\n"
            "import { TaskQueue, type CronSpec, helper } from './queue';\n"
            "import { Job } from './job.entity';\n"
            "const { PeriodicTimer } = require('../lib/timers');\n",
            "api/package.json": '{"dependencies": {"bullmq": "^5"}}\n',
        }
    )
    result = overlap(["dispatcher/src/main.ts"], paths, read)
    assert result["capabilities"] == ["job queue", "scheduling"]
    here = {(e["line"], e["what"]) for r in result["overlap"] for e in r["in_component"]}
    assert here == {
        (2, "imports TaskQueue from ./queue"),
        (4, "imports PeriodicTimer from ../lib/timers"),
    }
    assert result["duplicated"] == ["job queue"] and result["overlap_percent"] == 50


def test_names_and_keywords() -> None:
    cmap = load_map()
    assert words("TaskPlanner") == ["task", "planner"]
    assert words("next_run_time") == ["next", "run", "time"]
    assert words("HTTPQueue") == ["http", "queue"]
    assert capabilities_of("TaskPlanner", cmap) == ["scheduling"]
    assert capabilities_of("ScraperScheduler", cmap) == ["scheduling"]
    assert capabilities_of("next_run", cmap) == ["scheduling"]
    assert capabilities_of("enqueue_many", cmap) == ["job queue"]
    assert capabilities_of("JobProcessor", cmap) == ["workers"]
    assert capabilities_of("WorkRunner", cmap) == ["workers"]
    plain_names = ("Task", "TaskStatus", "Job", "start", "status", "QueryPlanner", "MAX_WORKERS")
    for plain in plain_names:
        assert capabilities_of(plain, cmap) == [], plain


def test_commands_and_health_urls() -> None:
    def said(line: str, code: bool) -> list[str]:
        return list(commands(words_of(line, code)))

    assert said('run(["docker", "compose", "-f", COMPOSE, "restart", name])', True) == [
        "docker compose restart"
    ]
    assert said("os.system('docker-compose --project-name x up -d')", True) == ["docker-compose up"]
    assert said('check_call(["systemctl", "is-active", "nginx"])', True) == ["systemctl is-active"]
    assert said("docker inspect -f '{{.State.Health.Status}}' shop_relay", False) == [
        "docker inspect"
    ]
    assert said("& docker compose -f $ComposeFile up -d", False) == ["docker compose up"]
    assert said("docker run --rm node npm test", False) == []  # a one-off tool, not a service
    assert said("docker = client()  # docker restart", True) == []  # code: literals only
    assert list(health_urls('get("http://localhost:8080/health")', allow_local=False)) == []
    assert list(health_urls("curl -f http://localhost:8080/healthz", allow_local=True)) == [
        "http://localhost:8080/healthz"
    ]
    assert list(health_urls('get(f"http://{host}/api/status")', allow_local=False)) == []
    assert list(health_urls('get("http://indexer:9200/_cluster/health")', False)) == [
        "http://indexer:9200/_cluster/health"
    ]


def test_the_drafted_summary_says_what_duplicates(make_repo: RepoFactory) -> None:
    repo = make_repo(repository(providers=True))
    result = consolidate(repo, "plan", "conductor")
    assert result.returncode == 0, result.stderr
    draft = (repo / "playbooks" / "conductor.yaml").read_text()
    summary = next(line for line in draft.splitlines() if line.startswith("summary: "))
    assert summary.startswith(
        'summary: "100% of what it does already exists (mostly in backend/package.json);'
    )
