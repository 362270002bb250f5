"""Pipeline runs for the orchestrator.

A run walks through a pipeline's steps one backend job at a time. Runs are
kept in their own SQLite table in the orchestrator's state volume, with
claim / retry / backoff / stale-run handling so that a whole pipeline can be
retried as a unit.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jobs import DEAD, SUCCEEDED, JobQueue, enqueue_many

PENDING = "pending"
RUNNING = "running"
DONE = "done"
FAILED = "failed"

MAX_ATTEMPTS = 5
BACKOFF_BASE = 2.0
BACKOFF_CAP = 15 * 60.0
VISIBILITY_TIMEOUT = 15 * 60.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS pipeline_runs (
    id          TEXT PRIMARY KEY,
    pipeline    TEXT NOT NULL,
    step        INTEGER NOT NULL DEFAULT 0,
    status      TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    job_id      TEXT,
    run_at      REAL NOT NULL,
    created_at  REAL NOT NULL,
    updated_at  REAL NOT NULL,
    last_error  TEXT
);
CREATE INDEX IF NOT EXISTS pipeline_runs_due ON pipeline_runs (status, run_at);
"""


@dataclass(frozen=True)
class Step:
    kind: str
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Pipeline:
    name: str
    schedule: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Run:
    id: str
    pipeline: str
    step: int
    status: str
    attempts: int
    job_id: str | None
    run_at: float
    created_at: float
    updated_at: float
    last_error: str | None


def load_pipelines(path: Path) -> dict[str, Pipeline]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {
        name: Pipeline(
            name=name,
            schedule=spec["schedule"],
            steps=tuple(Step(s["kind"], s.get("payload", {})) for s in spec["steps"]),
        )
        for name, spec in raw.items()
    }


def backoff_seconds(attempt: int) -> float:
    if attempt < 1:
        return 0.0
    return float(min(BACKOFF_CAP, BACKOFF_BASE**attempt))


class RunStore:
    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(str(path), isolation_level=None)
        self._conn.executescript(SCHEMA)

    def _row(self, row: tuple[Any, ...]) -> Run:
        return Run(*row)

    def create(self, pipeline: str) -> Run:
        now = time.time()
        run = Run(uuid.uuid4().hex, pipeline, 0, PENDING, 0, None, now, now, now, None)
        self._conn.execute(
            "INSERT INTO pipeline_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            dataclasses.astuple(run),
        )
        return run

    def claim(self) -> Run | None:
        now = time.time()
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            row = self._conn.execute(
                "SELECT * FROM pipeline_runs WHERE status = ? AND run_at <= ? "
                "ORDER BY run_at, created_at LIMIT 1",
                (PENDING, now),
            ).fetchone()
            if row is None:
                self._conn.execute("COMMIT")
                return None
            run = self._row(row)
            self._conn.execute(
                "UPDATE pipeline_runs SET status = ?, attempts = attempts + 1, updated_at = ? "
                "WHERE id = ?",
                (RUNNING, now, run.id),
            )
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        return dataclasses.replace(run, status=RUNNING, attempts=run.attempts + 1, updated_at=now)

    def running(self) -> list[Run]:
        rows = self._conn.execute("SELECT * FROM pipeline_runs WHERE status = ?", (RUNNING,))
        return [self._row(row) for row in rows]

    def update(self, run: Run, **changes: Any) -> Run:
        run = dataclasses.replace(run, updated_at=time.time(), **changes)
        self._conn.execute(
            "UPDATE pipeline_runs SET step = ?, status = ?, job_id = ?, run_at = ?, "
            "updated_at = ?, last_error = ? WHERE id = ?",
            (run.step, run.status, run.job_id, run.run_at, run.updated_at, run.last_error, run.id),
        )
        return run

    def fail(self, run: Run, error: str) -> Run:
        if run.attempts >= MAX_ATTEMPTS:
            return self.update(run, status=FAILED, last_error=error)
        return self.update(
            run,
            status=PENDING,
            step=0,
            job_id=None,
            run_at=time.time() + backoff_seconds(run.attempts),
            last_error=error,
        )

    def requeue_stale(self) -> int:
        now = time.time()
        cursor = self._conn.execute(
            "UPDATE pipeline_runs SET status = ?, run_at = ?, updated_at = ? "
            "WHERE status = ? AND updated_at < ?",
            (PENDING, now, now, RUNNING, now - VISIBILITY_TIMEOUT),
        )
        return cursor.rowcount


class PipelineRunner:
    def __init__(self, queue: JobQueue, pipelines: dict[str, Pipeline], state_dir: Path) -> None:
        self.queue = queue
        self.pipelines = pipelines
        self.store = RunStore(state_dir / "runs.db")

    def start(self, name: str) -> Run:
        if name not in self.pipelines:
            raise KeyError(f"unknown pipeline {name!r}")
        return self.store.create(name)

    def _enqueue_step(self, run: Run, index: int) -> Run:
        step = self.pipelines[run.pipeline].steps[index]
        payload = {**step.payload, "pipeline_run": run.id}
        (job,) = enqueue_many(self.queue, [(step.kind, payload)])
        return self.store.update(run, step=index, job_id=job.id)

    def advance(self) -> int:
        """Move every run forward by at most one step; returns how many moved."""
        moved = 0
        self.store.requeue_stale()
        while (run := self.store.claim()) is not None:
            self._enqueue_step(run, 0)
            moved += 1
        for run in self.store.running():
            job = self.queue.get(run.job_id) if run.job_id else None
            if job is None or job.status not in (SUCCEEDED, DEAD):
                continue
            if job.status == DEAD:
                self.store.fail(run, f"step {run.step} ({job.kind}) died: {job.last_error}")
            elif run.step + 1 < len(self.pipelines[run.pipeline].steps):
                self._enqueue_step(run, run.step + 1)
            else:
                self.store.update(run, status=DONE, last_error=None)
            moved += 1
        return moved
