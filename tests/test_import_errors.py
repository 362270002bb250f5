"""Likely import errors, through the CLI: a service puts a folder the repository does not have
on `sys.path`, and its imports only find a same-named module somewhere else.

The repository: an API whose `lib/` holds a scheduler it imports properly, and a scrapers
service moved out of `python-scrapers/` whose entry point still points `sys.path` there.
"""

from __future__ import annotations

from typing import Any

from repo_support import RepoFactory
from repo_support import cli_json as run_json

COMPOSE = """\
services:
  api:
    build: ./backend
    command: python app.py
  scrapers:
    build: ./scrapers
    command: python run_scrapers.py
"""

FILES = {
    "docker-compose.yml": COMPOSE,
    "backend/Dockerfile": 'FROM python:3.12\nWORKDIR /app\nCOPY . /app\nCMD ["python", "app.py"]\n',
    "backend/app.py": (
        "import os\n"
        "import sys\n"
        "\n"
        'sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))\n'
        "\n"
        "from scheduler import Scheduler  # noqa: E402\n"
        "\n"
        "SCHEDULER = Scheduler()\n"
    ),
    "backend/lib/scheduler.py": (
        "class Scheduler:\n    def every(self, minutes):\n        return minutes\n"
    ),
    "backend/lib/old_cron.py": "def legacy():\n    return None\n",  # nothing imports it
    "scrapers/Dockerfile": "FROM python:3.12\nWORKDIR /srv\nCOPY . /srv\n",
    "scrapers/run_scrapers.py": (
        "import json\n"
        "import sys\n"
        "from pathlib import Path\n"
        "\n"
        'sys.path.insert(0, str(Path(__file__).parent.parent / "python-scrapers"))\n'
        "from scheduler import Scheduler  # noqa: E402\n"
        "from sites import SITES  # noqa: E402\n"
        "\n"
        'if __name__ == "__main__":\n'
        "    print(json.dumps(Scheduler().every(len(SITES))))\n"
    ),
    "scrapers/sites.py": 'SITES = ["news", "weather"]\n',
    "scrapers/json.py": "# a local helper named like the stdlib, in the script's folder\n",
}

REASON = (
    "it puts python-scrapers on sys.path, a folder the repository does not have;"
    " the module is found only by name, at backend/lib/scheduler.py"
)
LINE = "from scheduler import Scheduler  # noqa: E402"


def rows(found: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["path"]: f for f in found["files"]}


def test_a_missing_sys_path_folder_is_a_likely_import_error(make_repo: RepoFactory) -> None:
    repo = make_repo(FILES)
    found = run_json(repo, "investigate", "scrapers")
    assert found["import_errors"] == [
        {"path": "scrapers/run_scrapers.py", "line": 6, "text": LINE, "reason": REASON}
    ]
    files = rows(found)
    assert {p: f["verdict"] for p, f in files.items()} == {
        "backend/lib/scheduler.py": "keep",
        "scrapers/Dockerfile": "remove",
        "scrapers/json.py": "remove",  # shadows the stdlib json for the script: its own folder
        "scrapers/run_scrapers.py": "remove",
        "scrapers/sites.py": "remove",
    }
    scheduler = files["backend/lib/scheduler.py"]  # the edge stays, uncertain
    assert scheduler["chain"] == [
        "backend/lib/scheduler.py",
        "backend/app.py",
        "run by docker-compose.yml: service api command/entrypoint/Dockerfile CMD",
    ]
    assert found["uncertain"] == [
        {
            "path": "scrapers/run_scrapers.py",
            "line": 6,
            "text": LINE,
            "could_be": ["backend/lib/scheduler.py"],
        }
    ]
    orphans = run_json(repo, "orphans")
    assert [o["path"] for o in orphans["orphans"]] == ["backend/lib/old_cron.py"]

    doc = run_json(repo, "assess", "scrapers", "--repo", str(repo))
    errors = next(t for t in doc["triggers"] if t["name"] == "persistent import errors")
    assert errors == {
        "name": "persistent import errors",
        "met": True,
        "evidence": [f"scrapers/run_scrapers.py:6: {LINE}: {REASON}"],
    }


def test_the_folder_present_means_no_import_error(make_repo: RepoFactory) -> None:
    files = dict(FILES)
    files["python-scrapers/scheduler.py"] = "class Scheduler:\n    pass\n"
    repo = make_repo(files)
    found = run_json(repo, "investigate", "scrapers")
    assert found["import_errors"] == []
    assert rows(found)["python-scrapers/scheduler.py"]["verdict"] == "remove"
    assert "backend/lib/scheduler.py" not in rows(found)  # the scrapers use their own
    doc = run_json(repo, "assess", "scrapers", "--repo", str(repo))
    errors = next(t for t in doc["triggers"] if t["name"] == "persistent import errors")
    assert (errors["met"], errors["evidence"]) == (False, ["none found"])
