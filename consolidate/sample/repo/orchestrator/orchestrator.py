"""taskhub orchestrator: runs multi-step job pipelines on a schedule.

A pipeline (see pipelines.json) is an ordered list of job kinds. When its cron
schedule fires, the orchestrator enqueues the first step as a backend job; on
every tick it checks the running pipelines and enqueues the next step once the
previous job has succeeded.

Scheduling uses APScheduler when it is installed (requirements.txt) and a
simple built-in loop otherwise.

    python orchestrator.py

Environment:
    TASKHUB_BACKEND_DIR        backend sources (default /app/backend, bind-mounted
                               by docker-compose)
    DATABASE_URL               same database as the backend
    ORCHESTRATOR_STATE_DIR     run bookkeeping (default /var/lib/orchestrator)
    ORCHESTRATOR_TICK_SECONDS  default 30
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BACKEND_DIR = os.environ.get("TASKHUB_BACKEND_DIR", "/app/backend")
# Reuse the backend's queue and cron helpers rather than packaging them.
sys.path.insert(0, BACKEND_DIR)
sys.path.insert(0, os.path.join(BACKEND_DIR, "lib"))

import jobs  # noqa: E402
from scheduler import next_run  # noqa: E402

try:
    from apscheduler.schedulers.blocking import (  # type: ignore[import-not-found]
        BlockingScheduler,
    )
except ImportError:  # dev checkouts without requirements installed
    BlockingScheduler = None

log = logging.getLogger("taskhub.orchestrator")

PIPELINES_FILE = Path(__file__).with_name("pipelines.json")
STATE_DIR = Path(os.environ.get("ORCHESTRATOR_STATE_DIR", "/var/lib/orchestrator"))
TICK_SECONDS = float(os.environ.get("ORCHESTRATOR_TICK_SECONDS", "30"))


class Orchestrator:
    def __init__(self, queue: jobs.JobQueue, state_dir: Path, pipelines_file: Path) -> None:
        self.queue = queue
        self.state_dir = state_dir
        self.schedules: dict[str, str] = {
            name: spec["schedule"]
            for name, spec in json.loads(pipelines_file.read_text(encoding="utf-8")).items()
        }
        now = datetime.now(UTC)
        self.next_due = {name: next_run(cron, now) for name, cron in self.schedules.items()}
        self.pipelines_file = pipelines_file
        self.runner: Any = None
        self.consecutive_failures = 0

    def tick(self) -> None:
        """One scheduling pass. Never raises, so the container does not crash-loop."""
        try:
            # Imported lazily: if the backend is mid-deploy (bind mount), retry
            # on the next tick instead of dying.
            from pipeline import PipelineRunner, load_pipelines
        except ImportError:
            self.consecutive_failures += 1
            log.exception(
                "pipeline module failed to import (%d in a row); retrying in %ss",
                self.consecutive_failures,
                TICK_SECONDS,
            )
            return
        try:
            if self.runner is None:
                self.runner = PipelineRunner(
                    self.queue, load_pipelines(self.pipelines_file), self.state_dir
                )
            now = datetime.now(UTC)
            for name, due in self.next_due.items():
                if due <= now:
                    run = self.runner.start(name)
                    log.info("started pipeline %s (run %s)", name, run.id)
                    self.next_due[name] = next_run(self.schedules[name], now)
            self.runner.advance()
        except Exception:
            self.consecutive_failures += 1
            log.exception("tick failed")
            return
        self.consecutive_failures = 0
        # TODO: point the compose healthcheck at this file instead of redis.
        status = {
            "last_tick": now.isoformat(),
            "next_due": {name: due.isoformat() for name, due in self.next_due.items()},
        }
        (self.state_dir / "status.json").write_text(json.dumps(status), encoding="utf-8")


def main() -> int:
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    orchestrator = Orchestrator(jobs.JobQueue.from_env(), STATE_DIR, PIPELINES_FILE)
    for name, due in orchestrator.next_due.items():
        log.info("pipeline %s: next run %s", name, due.isoformat())

    if BlockingScheduler is not None:
        scheduler = BlockingScheduler(timezone="UTC")
        scheduler.add_job(
            orchestrator.tick,
            "interval",
            seconds=TICK_SECONDS,
            id="orchestrator-tick",
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(UTC),
        )
        signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
        scheduler.start()
        return 0

    log.warning("APScheduler not installed; using the built-in loop")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.is_set():
        orchestrator.tick()
        stop.wait(TICK_SECONDS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
