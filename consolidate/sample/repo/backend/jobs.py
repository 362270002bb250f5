"""The taskhub job queue.

Jobs are rows in the ``jobs`` table. Producers call :meth:`JobQueue.enqueue`;
workers call :meth:`JobQueue.claim`, run the job, then report the outcome with
:meth:`JobQueue.complete` or :meth:`JobQueue.fail`.

Life cycle::

    queued --claim--> running --complete--> succeeded
       ^                 |
       +----fail---------+ (attempts left: retried after exponential backoff)
                         |
                         +--fail--> dead (no attempts left; POST /jobs/<id>/retry)

A job that stays ``running`` longer than the visibility timeout (its worker
died mid-job) is put back in the queue by :meth:`JobQueue.requeue_stale`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from db import Database, connect

QUEUED = "queued"
RUNNING = "running"
SUCCEEDED = "succeeded"
DEAD = "dead"
STATUSES = (QUEUED, RUNNING, SUCCEEDED, DEAD)

DEFAULT_MAX_ATTEMPTS = 5
VISIBILITY_TIMEOUT = 15 * 60.0  # seconds a job may stay "running"
BACKOFF_BASE = 2.0
BACKOFF_CAP = 15 * 60.0
MAX_ERROR_LENGTH = 2000

SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS jobs (
        id           TEXT PRIMARY KEY,
        kind         TEXT NOT NULL,
        payload      TEXT NOT NULL,
        status       TEXT NOT NULL,
        attempts     INTEGER NOT NULL DEFAULT 0,
        max_attempts INTEGER NOT NULL,
        run_at       DOUBLE PRECISION NOT NULL,
        created_at   DOUBLE PRECISION NOT NULL,
        updated_at   DOUBLE PRECISION NOT NULL,
        last_error   TEXT
    )
    """,
    "CREATE INDEX IF NOT EXISTS jobs_due ON jobs (status, run_at)",
)

COLUMNS = (
    "id, kind, payload, status, attempts, max_attempts, run_at, created_at, updated_at, last_error"
)


class JobNotFound(KeyError):
    """No job has the given id."""


class InvalidTransition(RuntimeError):
    """The job is not in a state that allows the requested change."""


@dataclass(frozen=True)
class Job:
    id: str
    kind: str
    payload: dict[str, Any]
    status: str
    attempts: int
    max_attempts: int
    run_at: float
    created_at: float
    updated_at: float
    last_error: str | None = None

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> Job:
        (job_id, kind, payload, status, attempts, max_attempts,
         run_at, created_at, updated_at, last_error) = row  # fmt: skip
        return cls(
            id=job_id,
            kind=kind,
            payload=json.loads(payload),
            status=status,
            attempts=int(attempts),
            max_attempts=int(max_attempts),
            run_at=float(run_at),
            created_at=float(created_at),
            updated_at=float(updated_at),
            last_error=last_error,
        )

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def backoff_seconds(attempt: int, base: float = BACKOFF_BASE, cap: float = BACKOFF_CAP) -> float:
    """Delay before retrying after failed attempt number ``attempt`` (1-based).

    2s, 4s, 8s, ... capped at 15 minutes.
    """
    if attempt < 1:
        return 0.0
    return float(min(cap, base**attempt))


class JobQueue:
    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self._clock = clock
        for statement in SCHEMA:
            db.run(statement)

    @classmethod
    def from_url(cls, url: str) -> JobQueue:
        return cls(connect(url))

    @classmethod
    def from_env(cls) -> JobQueue:
        return cls.from_url(os.environ.get("DATABASE_URL", "sqlite:///taskhub.db"))

    # -- producers ---------------------------------------------------------

    def enqueue(
        self,
        kind: str,
        payload: Mapping[str, Any] | None = None,
        *,
        delay: float = 0.0,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    ) -> Job:
        if not kind or not isinstance(kind, str):
            raise ValueError("job kind must be a non-empty string")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        now = self._clock()
        job = Job(
            id=uuid.uuid4().hex,
            kind=kind,
            payload=dict(payload or {}),
            status=QUEUED,
            attempts=0,
            max_attempts=max_attempts,
            run_at=now + max(0.0, delay),
            created_at=now,
            updated_at=now,
        )
        self.db.run(
            f"INSERT INTO jobs ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                job.id,
                job.kind,
                json.dumps(job.payload, sort_keys=True),
                job.status,
                job.attempts,
                job.max_attempts,
                job.run_at,
                job.created_at,
                job.updated_at,
                job.last_error,
            ),
        )
        return job

    def enqueue_batch(
        self,
        items: Iterable[tuple[str, Mapping[str, Any]]],
        *,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    ) -> list[Job]:
        """Enqueue several jobs atomically: either all are queued or none is.

        Replaces the module-level ``enqueue_many()`` helper removed in 1.1.0.
        """
        with self.db.transaction():
            return [
                self.enqueue(kind, payload, max_attempts=max_attempts) for kind, payload in items
            ]

    # -- workers -----------------------------------------------------------

    def claim(self) -> Job | None:
        """Take the oldest due job and mark it running; ``None`` if nothing is due."""
        now = self._clock()
        # Postgres: let concurrent workers skip rows another worker is claiming.
        # SQLite: BEGIN IMMEDIATE already serialises writers.
        lock = " FOR UPDATE SKIP LOCKED" if self.db.dialect == "postgres" else ""
        with self.db.transaction():
            rows = self.db.query(
                f"SELECT {COLUMNS} FROM jobs WHERE status = ? AND run_at <= ? "
                f"ORDER BY run_at, created_at LIMIT 1{lock}",
                (QUEUED, now),
            )
            if not rows:
                return None
            job = Job.from_row(rows[0])
            self.db.run(
                "UPDATE jobs SET status = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?",
                (RUNNING, now, job.id),
            )
        return dataclasses.replace(job, status=RUNNING, attempts=job.attempts + 1, updated_at=now)

    def complete(self, job_id: str) -> Job:
        now = self._clock()
        with self.db.transaction():
            job = self._require(job_id, RUNNING)
            self.db.run(
                "UPDATE jobs SET status = ?, updated_at = ?, last_error = NULL WHERE id = ?",
                (SUCCEEDED, now, job_id),
            )
        return dataclasses.replace(job, status=SUCCEEDED, updated_at=now, last_error=None)

    def fail(self, job_id: str, error: str) -> Job:
        """Record a failed attempt: retry later, or park the job as dead."""
        now = self._clock()
        error = error[:MAX_ERROR_LENGTH]
        with self.db.transaction():
            job = self._require(job_id, RUNNING)
            if job.attempts >= job.max_attempts:
                status, run_at = DEAD, job.run_at
            else:
                status, run_at = QUEUED, now + backoff_seconds(job.attempts)
            self.db.run(
                "UPDATE jobs SET status = ?, run_at = ?, updated_at = ?, last_error = ? "
                "WHERE id = ?",
                (status, run_at, now, error, job_id),
            )
        return dataclasses.replace(
            job, status=status, run_at=run_at, updated_at=now, last_error=error
        )

    def requeue_stale(self, timeout: float = VISIBILITY_TIMEOUT) -> int:
        """Put back jobs whose worker disappeared; returns how many were requeued."""
        now = self._clock()
        return self.db.run(
            "UPDATE jobs SET status = ?, run_at = ?, updated_at = ?, "
            "last_error = 'visibility timeout expired' WHERE status = ? AND updated_at < ?",
            (QUEUED, now, now, RUNNING, now - timeout),
        )

    # -- operators ---------------------------------------------------------

    def retry(self, job_id: str) -> Job:
        """Give a dead job a fresh set of attempts."""
        now = self._clock()
        with self.db.transaction():
            job = self._require(job_id, DEAD)
            self.db.run(
                "UPDATE jobs SET status = ?, attempts = 0, run_at = ?, updated_at = ? WHERE id = ?",
                (QUEUED, now, now, job_id),
            )
        return dataclasses.replace(job, status=QUEUED, attempts=0, run_at=now, updated_at=now)

    def purge(self, older_than: float) -> int:
        """Delete succeeded jobs last updated more than ``older_than`` seconds ago."""
        cutoff = self._clock() - older_than
        return self.db.run(
            "DELETE FROM jobs WHERE status = ? AND updated_at < ?", (SUCCEEDED, cutoff)
        )

    # -- queries -----------------------------------------------------------

    def get(self, job_id: str) -> Job:
        rows = self.db.query(f"SELECT {COLUMNS} FROM jobs WHERE id = ?", (job_id,))
        if not rows:
            raise JobNotFound(job_id)
        return Job.from_row(rows[0])

    def list_jobs(self, status: str | None = None, *, limit: int = 50) -> list[Job]:
        """Most recently created jobs first, optionally filtered by status."""
        if status is not None and status not in STATUSES:
            raise ValueError(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}")
        limit = max(1, min(limit, 500))
        if status is None:
            rows = self.db.query(
                f"SELECT {COLUMNS} FROM jobs ORDER BY created_at DESC LIMIT ?", (limit,)
            )
        else:
            rows = self.db.query(
                f"SELECT {COLUMNS} FROM jobs WHERE status = ? ORDER BY created_at DESC LIMIT ?",
                (status, limit),
            )
        return [Job.from_row(row) for row in rows]

    def counts(self) -> dict[str, int]:
        totals = dict.fromkeys(STATUSES, 0)
        for status, count in self.db.query("SELECT status, COUNT(*) FROM jobs GROUP BY status"):
            totals[status] = int(count)
        return totals

    def _require(self, job_id: str, status: str) -> Job:
        job = self.get(job_id)
        if job.status != status:
            raise InvalidTransition(f"job {job_id} is {job.status}, expected {status}")
        return job
