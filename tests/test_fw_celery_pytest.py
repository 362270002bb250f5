"""The Celery and pytest plugins through the real CLI: task modules a Celery app names in
strings (include, imports, autodiscovery, a config module, `celery -A` of a package) and plugin
modules pytest loads (`pytest_plugins`, `-p` in addopts, pytest11 entry points)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from repo_support import RepoFactory, consolidate

CELERY_PROJECT = {
    "requirements.txt": "celery[redis]==5.4.0\nrequests==2.32.3\n",
    # Heroku-style process types; `-A proj` names a package whose app lives in proj/celery.py.
    "Procfile": (
        "worker: celery -A proj worker --loglevel=info --concurrency=4\n"
        "beat: celery --app=proj beat --loglevel=info\n"
    ),
    "proj/__init__.py": "",
    "proj/celery.py": (
        "from celery import Celery\n\n"
        "app = Celery(\n"
        '    "proj",\n'
        '    broker="redis://localhost:6379/0",\n'
        '    include=["proj.tasks.emails", "proj.tasks.reports"],\n'
        ")\n"
        'app.config_from_object("proj.celeryconfig")\n'
        "app.conf.update(result_expires=3600)\n"
        'app.autodiscover_tasks(["proj.billing", "proj.inventory"])\n'
        "app.conf.beat_schedule = {\n"
        '    "nightly-report": {"task": "proj.reports.jobs.nightly", "schedule": 86400.0},\n'
        "}\n\n"
        'if __name__ == "__main__":\n    app.start()\n'
    ),
    "proj/celeryconfig.py": (
        'broker_url = "redis://localhost:6379/0"\n'
        'imports = ("proj.tasks.cleanup",)\n'
        'task_routes = {"proj.tasks.emails.*": {"queue": "mail"}}\n'
    ),
    "proj/tasks/__init__.py": "",
    "proj/tasks/emails.py": (
        "from proj.celery import app\n\n\n@app.task\ndef send_welcome(user_id):\n"
        "    return user_id\n"
    ),
    "proj/tasks/reports.py": (
        "from proj.celery import app\n\n\n@app.task\ndef monthly():\n    return 'ok'\n"
    ),
    "proj/tasks/cleanup.py": (
        "from proj.celery import app\n\n\n@app.task\ndef purge_sessions():\n    return 0\n"
    ),
    # Truly dead: no include, import or autodiscovery reaches it.
    "proj/tasks/legacy_sms.py": (
        "from proj.celery import app\n\n\n@app.task\ndef send_sms(number):\n    return number\n"
    ),
    "proj/billing/__init__.py": "",
    "proj/billing/tasks.py": (
        "from celery import shared_task\n\n\n@shared_task\ndef charge(invoice_id):\n"
        "    return invoice_id\n"
    ),
    "proj/inventory/__init__.py": "",
    "proj/inventory/tasks.py": (
        "from celery import shared_task\n\nfrom .stock import recount\n\n\n"
        "@shared_task\ndef nightly_recount():\n    return recount()\n"
    ),
    "proj/inventory/stock.py": "def recount():\n    return 0\n",
    "proj/reports/__init__.py": "",
    "proj/reports/jobs.py": (
        "from celery import shared_task\n\n\n@shared_task\ndef nightly():\n    return 'done'\n"
    ),
}

PROCFILE_WORKER = "run by Procfile:1: celery --app proj (Celery loads proj.celery)"


def cli(repo: Path, *args: str) -> dict[str, Any]:
    result = consolidate(repo, *args, "--json")
    assert result.returncode == 0, result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def rows(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["path"]: row for row in doc["files"]}


@pytest.fixture(scope="module")
def celery_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return RepoFactory(tmp_path_factory.mktemp("celery"))(CELERY_PROJECT)


def test_celery_only_the_dead_task_module_is_an_orphan(celery_repo: Path) -> None:
    orphans = [row["path"] for row in cli(celery_repo, "orphans")["orphans"]]
    assert orphans == ["proj/tasks/legacy_sms.py"]


def test_the_app_module_of_a_package_named_by_dash_a_runs(celery_repo: Path) -> None:
    found = rows(cli(celery_repo, "investigate", "celery"))
    app = found["proj/celery.py"]  # proj/__init__.py is empty: only Celery's lookup finds it
    assert app["verdict"] == "keep"
    assert "proj/tasks/emails.py" in app["used_by"]  # `from proj.celery import app`
    assert f"{PROCFILE_WORKER.removeprefix('run by ')} (framework)" in app["used_by"]
    assert app["chain"] == ["proj/celery.py", PROCFILE_WORKER]


@pytest.fixture(scope="module")
def tasks(celery_repo: Path) -> dict[str, dict[str, Any]]:
    return rows(cli(celery_repo, "investigate", "tasks"))


@pytest.mark.parametrize(
    ("path", "via"),
    [
        ("proj/tasks/emails.py", ["proj/celery.py"]),  # Celery(include=[...])
        ("proj/tasks/reports.py", ["proj/celery.py"]),
        ("proj/tasks/cleanup.py", ["proj/celeryconfig.py", "proj/celery.py"]),  # imports = (...)
        ("proj/billing/tasks.py", ["proj/celery.py"]),  # autodiscover_tasks(["proj.billing", ...])
        ("proj/inventory/tasks.py", ["proj/celery.py"]),
    ],
)
def test_task_modules_the_app_names_stay(
    tasks: dict[str, dict[str, Any]], path: str, via: list[str]
) -> None:
    row = tasks[path]
    assert row["verdict"] == "keep", row
    assert row["used_by"] == via[:1]
    assert row["chain"] == [path, *via, PROCFILE_WORKER]


def test_the_dead_task_module_goes(tasks: dict[str, dict[str, Any]]) -> None:
    assert {p for p, row in tasks.items() if row["verdict"] == "remove"} == {
        "proj/tasks/legacy_sms.py"
    }


def test_a_beat_schedule_task_name_keeps_its_module(celery_repo: Path) -> None:
    jobs = rows(cli(celery_repo, "investigate", "reports"))["proj/reports/jobs.py"]
    assert jobs["verdict"] == "keep" and jobs["used_by"] == ["proj/celery.py"]
    assert jobs["chain"] == ["proj/reports/jobs.py", "proj/celery.py", PROCFILE_WORKER]


PYTEST_PROJECT = {
    "pyproject.toml": (
        '[project]\nname = "inventory"\nversion = "1.0"\ndependencies = ["sqlalchemy>=2"]\n\n'
        '[project.optional-dependencies]\ntest = ["pytest>=8"]\n\n'
        '[project.entry-points.pytest11]\ninventory = "inventory.testing.plugin"\n\n'
        "[tool.pytest.ini_options]\n"
        'addopts = "-ra -p inventory.testing.timing -p no:cacheprovider"\n'
        'testpaths = ["tests"]\n'
    ),
    "inventory/__init__.py": "",
    "inventory/stock.py": "def available(item):\n    return item > 0\n",
    "inventory/testing/__init__.py": "",
    "inventory/testing/plugin.py": "def pytest_report_header(config):\n    return 'inventory'\n",
    "inventory/testing/timing.py": (
        "import time\n\n\ndef pytest_runtest_call(item):\n    item.started = time.time()\n"
    ),
    "inventory/testing/fixtures_db.py": (
        "import pytest\n\n\n@pytest.fixture\ndef db():\n    return {}\n"
    ),
    "inventory/testing/factories.py": (
        "import pytest\n\n\n@pytest.fixture\ndef item_factory():\n    return lambda: 1\n"
    ),
    # Truly dead: the fixtures it held moved to fixtures_db.py.
    "inventory/testing/old_fixtures.py": (
        "import pytest\n\n\n@pytest.fixture\ndef legacy_db():\n    return {}\n"
    ),
    # An in-house fixture package, loaded by its bare name.
    "testkit/__init__.py": (
        "import pytest\n\n\n@pytest.fixture\ndef clock():\n    return lambda: 0\n"
    ),
    "tests/conftest.py": 'pytest_plugins = ["testkit", "inventory.testing.fixtures_db"]\n',
    "tests/test_stock.py": (
        'pytest_plugins = ("inventory.testing.factories",)\n\n'
        "from inventory.stock import available\n\n\n"
        "def test_available(db, item_factory):\n    assert available(item_factory())\n"
    ),
}


@pytest.fixture(scope="module")
def pytest_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return RepoFactory(tmp_path_factory.mktemp("pytest"))(PYTEST_PROJECT)


def test_pytest_only_the_dead_fixture_module_is_an_orphan(pytest_repo: Path) -> None:
    orphans = [row["path"] for row in cli(pytest_repo, "orphans")["orphans"]]
    assert orphans == ["inventory/testing/old_fixtures.py"]


def test_pytest_plugins_named_by_tests_and_options_are_for_review(pytest_repo: Path) -> None:
    found = rows(cli(pytest_repo, "investigate", "testing"))
    verdicts = {path: row["verdict"] for path, row in found.items()}
    assert verdicts == {
        # the entry point's root is plugin.py alone; the tests import the package
        "inventory/testing/__init__.py": "review",
        "inventory/testing/plugin.py": "keep",  # a pytest11 entry point ships with the package
        "inventory/testing/timing.py": "review",
        "inventory/testing/fixtures_db.py": "review",
        "inventory/testing/factories.py": "review",
        "inventory/testing/old_fixtures.py": "remove",
    }
    assert found["inventory/testing/fixtures_db.py"]["used_by"] == ["tests/conftest.py"]
    assert found["inventory/testing/fixtures_db.py"]["chain"] == [
        "inventory/testing/fixtures_db.py",
        "tests/conftest.py",
        "run by tests/conftest.py: named like a test",
    ]
    assert found["inventory/testing/factories.py"]["used_by"] == ["tests/test_stock.py"]
    kit = rows(cli(pytest_repo, "investigate", "testkit"))["testkit/__init__.py"]
    assert kit["verdict"] == "review" and kit["used_by"] == ["tests/conftest.py"]
    timing = "pyproject.toml:13: addopts -p inventory.testing.timing"
    assert f"{timing} (framework)" in found["inventory/testing/timing.py"]["used_by"]
    assert found["inventory/testing/timing.py"]["chain"] == [
        "inventory/testing/timing.py",
        f"run by {timing}",
    ]
    assert found["inventory/testing/plugin.py"]["chain"] == [
        "inventory/testing/plugin.py",
        "run by pyproject.toml: project.entry-points.pytest11.inventory",
    ]
