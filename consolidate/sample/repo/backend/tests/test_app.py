import json
import threading
import unittest
import urllib.error
import urllib.request
from typing import Any

import app
import jobs
from db import connect


class ApiTest(unittest.TestCase):
    def setUp(self) -> None:
        self.queue = jobs.JobQueue(connect("sqlite://"))
        self.server = app.make_server(self.queue, host="127.0.0.1", port=0)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def tearDown(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
        self.queue.db.close()

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=5) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as err:
            with err:
                return err.code, json.load(err)

    def test_health(self) -> None:
        status, body = self.request("GET", "/health")
        self.assertEqual(status, 200)
        self.assertEqual(body, {"status": "ok", "version": app.VERSION, "database": "ok"})

    def test_create_get_and_list(self) -> None:
        status, created = self.request("POST", "/jobs", {"kind": "webhook", "payload": {"x": 1}})
        self.assertEqual(status, 201)
        self.assertEqual(created["status"], "queued")
        status, fetched = self.request("GET", f"/jobs/{created['id']}")
        self.assertEqual((status, fetched), (200, created))
        status, listing = self.request("GET", "/jobs?status=queued&limit=10")
        self.assertEqual(status, 200)
        self.assertEqual([job["id"] for job in listing["jobs"]], [created["id"]])
        self.assertEqual(listing["counts"]["queued"], 1)

    def test_bad_requests(self) -> None:
        self.assertEqual(self.request("POST", "/jobs", {"payload": {}})[0], 400)
        self.assertEqual(self.request("POST", "/jobs", ["not", "an", "object"])[0], 400)
        self.assertEqual(self.request("GET", "/jobs?status=bogus")[0], 400)
        self.assertEqual(self.request("GET", "/jobs/nope")[0], 404)
        self.assertEqual(self.request("GET", "/nothing-here")[0], 404)

    def test_retry(self) -> None:
        job = self.queue.enqueue("webhook", max_attempts=1)
        self.assertEqual(self.request("POST", f"/jobs/{job.id}/retry")[0], 409)
        self.queue.claim()
        self.queue.fail(job.id, "boom")
        status, body = self.request("POST", f"/jobs/{job.id}/retry")
        self.assertEqual((status, body["status"]), (200, "queued"))


if __name__ == "__main__":
    unittest.main()
