"""taskhub worker: runs queued jobs and enqueues the periodic ones.

    python worker.py

Environment: DATABASE_URL (see db.py), REDIS_URL for heartbeats (optional),
WORKER_POLL_INTERVAL in seconds (default 1).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import FrameType
from typing import Any

import handlers
import heartbeat
import jobs

# The cron helpers live in lib/ next to this file (they are shared with the
# ops scripts, which copy lib/ on its own), so make that folder importable.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from scheduler import next_run

log = logging.getLogger("taskhub.worker")

HOUSEKEEPING_INTERVAL = 60.0  # seconds between stale-job sweeps and heartbeats


@dataclass(frozen=True)
class Periodic:
    """A job enqueued on a cron schedule (UTC)."""

    kind: str
    schedule: str
    payload: dict[str, Any] = field(default_factory=dict)


PERIODIC: tuple[Periodic, ...] = (
    Periodic("cleanup-expired", "0 3 * * *", {"older_than_days": 14}),
    Periodic("digest-email", "0 7 * * mon-fri", {"to": "ops@taskhub.example"}),
    Periodic("generate-report", "0 6 * * 1", {"report": "weekly"}),
)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Worker:
    def __init__(
        self,
        queue: jobs.JobQueue,
        *,
        periodic: Sequence[Periodic] = PERIODIC,
        registry: Mapping[str, handlers.Handler] | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.queue = queue
        self.periodic = list(periodic)
        self.registry = dict(handlers.REGISTRY if registry is None else registry)
        self._clock = clock
        now = clock()
        self.next_due = {p.kind: next_run(p.schedule, now) for p in self.periodic}
        self._stopping = False

    def schedule_periodic(self) -> list[jobs.Job]:
        """Enqueue every periodic job that has come due since the last call."""
        now = self._clock()
        enqueued = []
        for periodic in self.periodic:
            if self.next_due[periodic.kind] <= now:
                enqueued.append(self.queue.enqueue(periodic.kind, periodic.payload))
                # Computed from *now*: runs missed while no worker was up are
                # skipped rather than replayed in a burst.
                self.next_due[periodic.kind] = next_run(periodic.schedule, now)
        return enqueued

    def run_one(self) -> jobs.Job | None:
        """Claim and run one job. Returns the job in its new state, or None if idle."""
        job = self.queue.claim()
        if job is None:
            return None
        handler = self.registry.get(job.kind)
        if handler is None:
            log.error("job %s: no handler for kind %r", job.id, job.kind)
            return self.queue.fail(job.id, f"no handler registered for kind {job.kind!r}")
        log.info("job %s: running %s (attempt %d)", job.id, job.kind, job.attempts)
        started = time.monotonic()
        try:
            handler(self.queue, job.payload)
        except Exception as exc:
            log.exception("job %s: %s failed", job.id, job.kind)
            return self.queue.fail(job.id, f"{type(exc).__name__}: {exc}")
        log.info("job %s: done in %.2fs", job.id, time.monotonic() - started)
        return self.queue.complete(job.id)

    def housekeeping(self) -> None:
        requeued = self.queue.requeue_stale()
        if requeued:
            log.warning("requeued %d stale job(s)", requeued)
        redis_url = os.environ.get("REDIS_URL")
        if redis_url:
            heartbeat.publish(redis_url)

    def run_forever(self, poll_interval: float = 1.0) -> None:
        last_housekeeping = float("-inf")
        while not self._stopping:
            if time.monotonic() - last_housekeeping >= HOUSEKEEPING_INTERVAL:
                self.housekeeping()
                last_housekeeping = time.monotonic()
            self.schedule_periodic()
            if self.run_one() is None:
                time.sleep(poll_interval)

    def stop(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        log.info("stopping after the current job")
        self._stopping = True


def main() -> int:
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    worker = Worker(jobs.JobQueue.from_env())
    signal.signal(signal.SIGTERM, worker.stop)
    signal.signal(signal.SIGINT, worker.stop)
    log.info("worker started; periodic: %s", ", ".join(p.kind for p in worker.periodic))
    worker.run_forever(float(os.environ.get("WORKER_POLL_INTERVAL", "1")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
