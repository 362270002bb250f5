import unittest
from datetime import UTC, datetime, timedelta
from typing import Any

import handlers
import jobs
import worker
from db import connect


class Clock:
    """One controllable clock for both the worker (datetime) and the queue (epoch)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def epoch(self) -> float:
        return self.now.timestamp()

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


class WorkerTest(unittest.TestCase):
    def setUp(self) -> None:
        self.clock = Clock(datetime(2026, 9, 1, 2, 30, tzinfo=UTC))  # a Tuesday
        self.queue = jobs.JobQueue(connect("sqlite://"), clock=self.clock.epoch)
        self.calls: list[dict[str, Any]] = []

    def tearDown(self) -> None:
        self.queue.db.close()

    def make_worker(self, **kwargs: Any) -> worker.Worker:
        kwargs.setdefault("registry", {"record": self.record, "explode": self.explode})
        return worker.Worker(self.queue, clock=self.clock, **kwargs)

    def record(self, queue: jobs.JobQueue, payload: dict[str, Any]) -> None:
        self.calls.append(payload)

    def explode(self, queue: jobs.JobQueue, payload: dict[str, Any]) -> None:
        raise RuntimeError("handler blew up")

    def test_run_one_when_idle(self) -> None:
        self.assertIsNone(self.make_worker(periodic=()).run_one())

    def test_run_one_completes_job(self) -> None:
        job = self.queue.enqueue("record", {"n": 1})
        result = self.make_worker(periodic=()).run_one()
        assert result is not None
        self.assertEqual((result.id, result.status), (job.id, jobs.SUCCEEDED))
        self.assertEqual(self.calls, [{"n": 1}])

    def test_handler_error_fails_attempt(self) -> None:
        self.queue.enqueue("explode")
        with self.assertLogs("taskhub.worker", "ERROR"):
            result = self.make_worker(periodic=()).run_one()
        assert result is not None
        self.assertEqual(result.status, jobs.QUEUED)
        self.assertEqual(result.last_error, "RuntimeError: handler blew up")

    def test_unknown_kind_fails_attempt(self) -> None:
        self.queue.enqueue("nobody-handles-this", max_attempts=1)
        with self.assertLogs("taskhub.worker", "ERROR"):
            result = self.make_worker(periodic=()).run_one()
        assert result is not None
        self.assertEqual(result.status, jobs.DEAD)
        self.assertIn("no handler", result.last_error or "")

    def test_periodic_job_enqueued_when_due(self) -> None:
        nightly = worker.Periodic("record", "0 3 * * *", {"nightly": True})
        w = self.make_worker(periodic=[nightly])
        self.assertEqual(w.next_due["record"], datetime(2026, 9, 1, 3, 0, tzinfo=UTC))
        self.assertEqual(w.schedule_periodic(), [])
        self.clock.advance(minutes=30)
        (job,) = w.schedule_periodic()
        self.assertEqual((job.kind, job.payload), ("record", {"nightly": True}))
        self.assertEqual(w.next_due["record"], datetime(2026, 9, 2, 3, 0, tzinfo=UTC))
        self.assertEqual(w.schedule_periodic(), [])
        w.run_one()
        self.assertEqual(self.calls, [{"nightly": True}])

    def test_missed_runs_are_not_replayed(self) -> None:
        w = self.make_worker(periodic=[worker.Periodic("record", "*/5 * * * *")])
        self.clock.advance(hours=2)
        self.assertEqual(len(w.schedule_periodic()), 1)
        self.assertEqual(w.next_due["record"], datetime(2026, 9, 1, 4, 35, tzinfo=UTC))

    def test_default_periodic_jobs_have_handlers_and_valid_schedules(self) -> None:
        w = worker.Worker(self.queue, clock=self.clock)
        for periodic in worker.PERIODIC:
            with self.subTest(kind=periodic.kind):
                self.assertIn(periodic.kind, handlers.REGISTRY)
                self.assertGreater(w.next_due[periodic.kind], self.clock.now)

    def test_cleanup_handler_purges_old_jobs(self) -> None:
        old = self.queue.enqueue("record")
        self.queue.claim()
        self.queue.complete(old.id)
        self.clock.advance(days=30)
        self.queue.enqueue("cleanup-expired", {"older_than_days": 14})
        result = worker.Worker(self.queue, periodic=(), clock=self.clock).run_one()
        assert result is not None
        self.assertEqual(result.status, jobs.SUCCEEDED)
        with self.assertRaises(jobs.JobNotFound):
            self.queue.get(old.id)

    def test_stop(self) -> None:
        w = self.make_worker(periodic=())
        w.stop()
        w.run_forever(poll_interval=0)  # returns immediately once stopped


if __name__ == "__main__":
    unittest.main()
