"""taskhub HTTP API.

GET  /health              liveness + database check (used by the compose healthcheck)
GET  /jobs                recent jobs; ?status=queued|running|succeeded|dead&limit=N
POST /jobs                {"kind": "...", "payload": {...}, "delay": 0, "max_attempts": 5}
GET  /jobs/<id>           one job
POST /jobs/<id>/retry     re-queue a dead job

python app.py             listens on 0.0.0.0:$TASKHUB_PORT (default 8000)
"""

from __future__ import annotations

import json
import logging
import os
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import jobs

VERSION = "1.2.0"
MAX_BODY = 1 << 20

log = logging.getLogger("taskhub.api")


class TaskhubServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], queue: jobs.JobQueue) -> None:
        super().__init__(address, Handler)
        self.queue = queue


class Handler(BaseHTTPRequestHandler):
    server_version = f"taskhub/{VERSION}"
    protocol_version = "HTTP/1.1"

    @property
    def queue(self) -> jobs.JobQueue:
        return cast(TaskhubServer, self.server).queue

    # -- routing -----------------------------------------------------------

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        parts = [part for part in url.path.split("/") if part]
        if parts == ["health"]:
            self._health()
        elif parts == ["jobs"]:
            self._list_jobs(parse_qs(url.query))
        elif len(parts) == 2 and parts[0] == "jobs":
            self._get_job(parts[1])
        else:
            self._error(HTTPStatus.NOT_FOUND, "not found")

    def do_POST(self) -> None:
        parts = [part for part in urlsplit(self.path).path.split("/") if part]
        if parts == ["jobs"]:
            self._create_job()
        elif len(parts) == 3 and parts[0] == "jobs" and parts[2] == "retry":
            self._retry_job(parts[1])
        else:
            self._error(HTTPStatus.NOT_FOUND, "not found")

    def do_OPTIONS(self) -> None:
        self.send_response(HTTPStatus.NO_CONTENT)
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type")
        self.send_header("Content-Length", "0")
        self.end_headers()

    # -- endpoints ---------------------------------------------------------

    def _health(self) -> None:
        try:
            self.queue.db.ping()
        except Exception as exc:
            log.warning("health check failed: %s", exc)
            self._json(
                HTTPStatus.SERVICE_UNAVAILABLE,
                {"status": "error", "version": VERSION, "database": str(exc)},
            )
            return
        self._json(HTTPStatus.OK, {"status": "ok", "version": VERSION, "database": "ok"})

    def _list_jobs(self, query: dict[str, list[str]]) -> None:
        status = query.get("status", [None])[0]
        try:
            limit = int(query.get("limit", ["50"])[0])
            found = self.queue.list_jobs(status, limit=limit)
        except ValueError as exc:
            self._error(HTTPStatus.BAD_REQUEST, str(exc))
            return
        self._json(
            HTTPStatus.OK,
            {"jobs": [job.to_dict() for job in found], "counts": self.queue.counts()},
        )

    def _get_job(self, job_id: str) -> None:
        try:
            job = self.queue.get(job_id)
        except jobs.JobNotFound:
            self._error(HTTPStatus.NOT_FOUND, f"no job {job_id}")
            return
        self._json(HTTPStatus.OK, job.to_dict())

    def _create_job(self) -> None:
        body = self._read_json()
        if body is None:
            return
        payload = body.get("payload", {})
        if not isinstance(body.get("kind"), str) or not isinstance(payload, dict):
            self._error(HTTPStatus.BAD_REQUEST, "expected {'kind': str, 'payload': object}")
            return
        try:
            job = self.queue.enqueue(
                body["kind"],
                payload,
                delay=float(body.get("delay", 0)),
                max_attempts=int(body.get("max_attempts", jobs.DEFAULT_MAX_ATTEMPTS)),
            )
        except (TypeError, ValueError) as exc:
            self._error(HTTPStatus.BAD_REQUEST, str(exc))
            return
        self._json(HTTPStatus.CREATED, job.to_dict())

    def _retry_job(self, job_id: str) -> None:
        try:
            job = self.queue.retry(job_id)
        except jobs.JobNotFound:
            self._error(HTTPStatus.NOT_FOUND, f"no job {job_id}")
            return
        except jobs.InvalidTransition as exc:
            self._error(HTTPStatus.CONFLICT, str(exc))
            return
        self._json(HTTPStatus.OK, job.to_dict())

    # -- helpers -----------------------------------------------------------

    def _read_json(self) -> dict[str, Any] | None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body too large")
            return None
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except json.JSONDecodeError as exc:
            self._error(HTTPStatus.BAD_REQUEST, f"invalid JSON: {exc}")
            return None
        if not isinstance(body, dict):
            self._error(HTTPStatus.BAD_REQUEST, "expected a JSON object")
            return None
        return body

    def _json(self, status: HTTPStatus, data: Any) -> None:
        encoded = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(encoded)))
        self.end_headers()
        self.wfile.write(encoded)

    def _error(self, status: HTTPStatus, message: str) -> None:
        self._json(status, {"error": message})

    def end_headers(self) -> None:
        # The web UI is served from another origin (frontend container).
        self.send_header("Access-Control-Allow-Origin", os.environ.get("CORS_ORIGIN", "*"))
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)


def make_server(queue: jobs.JobQueue, host: str = "0.0.0.0", port: int = 8000) -> TaskhubServer:
    return TaskhubServer((host, port), queue)


def main() -> int:
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    port = int(os.environ.get("TASKHUB_PORT", "8000"))
    server = make_server(jobs.JobQueue.from_env(), port=port)
    log.info("taskhub %s listening on :%d", VERSION, port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
