"""Job handlers, keyed by job kind.

A handler receives the queue (so it can enqueue follow-up jobs) and the job's
payload. Raising marks the attempt as failed; the queue decides whether to
retry. Handlers must be idempotent: a job can run more than once if a worker
dies after finishing the work but before reporting success.
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import jobs

log = logging.getLogger("taskhub.handlers")

Handler = Callable[[jobs.JobQueue, dict[str, Any]], None]

REGISTRY: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        if kind in REGISTRY:
            raise ValueError(f"duplicate handler for {kind!r}")
        REGISTRY[kind] = func
        return func

    return register


def _send_mail(to: str, subject: str, body: str) -> None:
    host = os.environ.get("SMTP_HOST")
    if not host:
        log.info("SMTP_HOST not set; would send %r to %s", subject, to)
        return
    message = EmailMessage()
    message["From"] = os.environ.get("MAIL_FROM", "taskhub@localhost")
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(host, int(os.environ.get("SMTP_PORT", "25")), timeout=10) as smtp:
        smtp.send_message(message)


@handler("send-email")
def send_email(queue: jobs.JobQueue, payload: dict[str, Any]) -> None:
    _send_mail(payload["to"], payload["subject"], payload.get("body", ""))


@handler("digest-email")
def digest_email(queue: jobs.JobQueue, payload: dict[str, Any]) -> None:
    counts = queue.counts()
    dead = queue.list_jobs(jobs.DEAD, limit=20)
    lines = [f"{status:>10}: {count}" for status, count in counts.items()]
    if dead:
        lines += ["", "Dead jobs:"]
        lines += [f"  {job.id}  {job.kind}  {job.last_error or ''}" for job in dead]
    _send_mail(payload["to"], f"taskhub digest: {counts[jobs.DEAD]} dead", "\n".join(lines))


@handler("generate-report")
def generate_report(queue: jobs.JobQueue, payload: dict[str, Any]) -> None:
    out_dir = Path(os.environ.get("REPORTS_DIR", "reports"))
    out_dir.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    report = {
        "report": payload.get("report", "adhoc"),
        "generated_at": now.isoformat(timespec="seconds"),
        "counts": queue.counts(),
    }
    path = out_dir / f"{report['report']}-{now:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    log.info("wrote %s", path)


@handler("cleanup-expired")
def cleanup_expired(queue: jobs.JobQueue, payload: dict[str, Any]) -> None:
    days = float(payload.get("older_than_days", 14))
    removed = queue.purge(days * 86400)
    log.info("purged %d succeeded jobs older than %g days", removed, days)


@handler("webhook")
def webhook(queue: jobs.JobQueue, payload: dict[str, Any]) -> None:
    request = urllib.request.Request(
        payload["url"],
        data=json.dumps(payload.get("body", {})).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "taskhub-worker"},
        method="POST",
    )
    # Non-2xx responses raise HTTPError, which fails the attempt.
    with urllib.request.urlopen(request, timeout=10) as response:
        log.info("webhook %s -> %s", payload["url"], response.status)
