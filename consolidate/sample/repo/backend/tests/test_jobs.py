import os
import tempfile
import threading
import unittest

import jobs
from db import connect


class FakeClock:
    def __init__(self, now: float = 1_788_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class JobQueueTest(unittest.TestCase):
    def setUp(self) -> None:
        self.clock = FakeClock()
        self.queue = jobs.JobQueue(connect("sqlite://"), clock=self.clock)

    def tearDown(self) -> None:
        self.queue.db.close()

    def test_enqueue_and_get(self) -> None:
        job = self.queue.enqueue("send-email", {"to": "a@example.com"})
        stored = self.queue.get(job.id)
        self.assertEqual(stored, job)
        self.assertEqual(stored.status, jobs.QUEUED)
        self.assertEqual(stored.payload, {"to": "a@example.com"})

    def test_enqueue_validates(self) -> None:
        with self.assertRaises(ValueError):
            self.queue.enqueue("")
        with self.assertRaises(ValueError):
            self.queue.enqueue("webhook", max_attempts=0)

    def test_get_unknown_job(self) -> None:
        with self.assertRaises(jobs.JobNotFound):
            self.queue.get("missing")

    def test_claim_takes_oldest_due_job(self) -> None:
        first = self.queue.enqueue("a")
        self.clock.advance(1)
        self.queue.enqueue("b")
        claimed = self.queue.claim()
        assert claimed is not None
        self.assertEqual(claimed.id, first.id)
        self.assertEqual(claimed.status, jobs.RUNNING)
        self.assertEqual(claimed.attempts, 1)
        self.assertEqual(self.queue.get(first.id).status, jobs.RUNNING)

    def test_claim_skips_jobs_not_yet_due(self) -> None:
        self.queue.enqueue("later", delay=60)
        self.assertIsNone(self.queue.claim())
        self.clock.advance(60)
        self.assertIsNotNone(self.queue.claim())

    def test_claim_on_empty_queue(self) -> None:
        self.assertIsNone(self.queue.claim())

    def test_complete(self) -> None:
        job = self.queue.enqueue("a")
        self.queue.claim()
        done = self.queue.complete(job.id)
        self.assertEqual(done.status, jobs.SUCCEEDED)
        self.assertEqual(self.queue.get(job.id).status, jobs.SUCCEEDED)
        self.assertIsNone(self.queue.claim())

    def test_complete_requires_running(self) -> None:
        job = self.queue.enqueue("a")
        with self.assertRaises(jobs.InvalidTransition):
            self.queue.complete(job.id)

    def test_fail_retries_with_backoff_then_dies(self) -> None:
        job = self.queue.enqueue("flaky", max_attempts=3)
        for attempt in (1, 2):
            claimed = self.queue.claim()
            assert claimed is not None
            self.assertEqual(claimed.attempts, attempt)
            failed = self.queue.fail(job.id, "boom")
            self.assertEqual(failed.status, jobs.QUEUED)
            self.assertEqual(failed.run_at, self.clock.now + jobs.backoff_seconds(attempt))
            self.assertIsNone(self.queue.claim(), "retried before the backoff elapsed")
            self.clock.advance(jobs.backoff_seconds(attempt))
        self.queue.claim()
        dead = self.queue.fail(job.id, "boom again")
        self.assertEqual(dead.status, jobs.DEAD)
        self.assertEqual(self.queue.get(job.id).last_error, "boom again")
        self.clock.advance(3600)
        self.assertIsNone(self.queue.claim())

    def test_error_is_truncated(self) -> None:
        job = self.queue.enqueue("a", max_attempts=1)
        self.queue.claim()
        self.queue.fail(job.id, "x" * 10_000)
        self.assertEqual(len(self.queue.get(job.id).last_error or ""), jobs.MAX_ERROR_LENGTH)

    def test_retry_dead_job(self) -> None:
        job = self.queue.enqueue("a", max_attempts=1)
        self.queue.claim()
        self.queue.fail(job.id, "boom")
        retried = self.queue.retry(job.id)
        self.assertEqual((retried.status, retried.attempts), (jobs.QUEUED, 0))
        self.assertIsNotNone(self.queue.claim())

    def test_retry_requires_dead(self) -> None:
        job = self.queue.enqueue("a")
        with self.assertRaises(jobs.InvalidTransition):
            self.queue.retry(job.id)

    def test_requeue_stale(self) -> None:
        job = self.queue.enqueue("a")
        self.queue.claim()
        self.clock.advance(jobs.VISIBILITY_TIMEOUT - 1)
        self.assertEqual(self.queue.requeue_stale(), 0)
        self.clock.advance(2)
        self.assertEqual(self.queue.requeue_stale(), 1)
        self.assertEqual(self.queue.get(job.id).status, jobs.QUEUED)
        reclaimed = self.queue.claim()
        assert reclaimed is not None
        self.assertEqual(reclaimed.attempts, 2)

    def test_enqueue_batch_is_atomic(self) -> None:
        with self.assertRaises(ValueError):
            self.queue.enqueue_batch([("a", {}), ("", {})])
        self.assertEqual(self.queue.counts()[jobs.QUEUED], 0)
        created = self.queue.enqueue_batch([("a", {"n": 1}), ("b", {"n": 2})])
        self.assertEqual([job.kind for job in created], ["a", "b"])
        self.assertEqual(self.queue.counts()[jobs.QUEUED], 2)

    def test_list_jobs_and_counts(self) -> None:
        for kind in ("a", "b", "c"):
            self.queue.enqueue(kind)
            self.clock.advance(1)
        self.queue.claim()
        self.assertEqual([job.kind for job in self.queue.list_jobs()], ["c", "b", "a"])
        self.assertEqual([job.kind for job in self.queue.list_jobs(jobs.RUNNING)], ["a"])
        self.assertEqual(len(self.queue.list_jobs(limit=2)), 2)
        self.assertEqual(
            self.queue.counts(), {"queued": 2, "running": 1, "succeeded": 0, "dead": 0}
        )
        with self.assertRaises(ValueError):
            self.queue.list_jobs("bogus")

    def test_purge_removes_old_succeeded_jobs_only(self) -> None:
        old = self.queue.enqueue("old")
        self.queue.claim()
        self.queue.complete(old.id)
        self.queue.enqueue("pending")
        self.clock.advance(86400 * 2)
        self.assertEqual(self.queue.purge(86400), 1)
        with self.assertRaises(jobs.JobNotFound):
            self.queue.get(old.id)
        self.assertEqual(self.queue.counts()[jobs.QUEUED], 1)


class BackoffTest(unittest.TestCase):
    def test_exponential_and_capped(self) -> None:
        self.assertEqual([jobs.backoff_seconds(n) for n in range(5)], [0.0, 2.0, 4.0, 8.0, 16.0])
        self.assertEqual(jobs.backoff_seconds(30), jobs.BACKOFF_CAP)


class ConcurrentClaimTest(unittest.TestCase):
    """Several workers sharing one SQLite file never run the same job twice."""

    def test_each_job_claimed_once(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            url = "sqlite:///" + os.path.join(tmp, "jobs.db")
            producer = jobs.JobQueue.from_url(url)
            producer.enqueue_batch([("n", {"i": i}) for i in range(40)])
            queues = [jobs.JobQueue.from_url(url) for _ in range(4)]
            claimed: list[str] = []
            lock = threading.Lock()

            def drain(queue: jobs.JobQueue) -> None:
                while (job := queue.claim()) is not None:
                    with lock:
                        claimed.append(job.id)

            threads = [threading.Thread(target=drain, args=(q,)) for q in queues]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
            for queue in [producer, *queues]:
                queue.db.close()
        self.assertEqual(len(claimed), 40)
        self.assertEqual(len(set(claimed)), 40)


if __name__ == "__main__":
    unittest.main()
