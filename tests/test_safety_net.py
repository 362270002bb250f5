"""The safety net under the framework plugins: a file a string names is never `remove`.

Two projects on frameworks the layer knows nothing about, through the real CLI: a Python
worker whose `plugins.yaml` names the handler modules `importlib` loads, and a Node job runner
whose `jobs.json` and `.env.example` name the scripts it requires. What a config or a literal
names is `review` (with the chain through the config) and listed under `uncertain`, not under
`orphans`; a bare word, a commented-out line and prose name nothing, so the truly dead files
stay orphans and `remove`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from repo_support import RepoFactory, consolidate
from repo_support import cli_json as run_json

from consolidate.analysis.strings import Names

LOADER = '''\
"""Load the handlers plugins.yaml lists and feed them the events of the queue."""

import importlib
import logging
from pathlib import Path

import yaml

CONFIG = Path(__file__).with_name("plugins.yaml")
DISABLED = {"refunds"}  # switched off until the new provider is live
log = logging.getLogger(__name__)


def load(cfg):
    module = importlib.import_module(cfg["handler"].split(":")[0])
    return getattr(module, cfg["handler"].split(":")[1])


class Worker:
    def __init__(self):
        self.billing = None  # the client, once the first invoice arrives
        plugins = yaml.safe_load(CONFIG.read_text())["plugins"]
        self.handlers = [load(c) for c in plugins if c["name"] not in DISABLED]


def main():
    Worker()
'''

PLUGINS = """\
# Handlers the worker loads at start, in order.
plugins:
  - name: billing
    handler: "acme.handlers.billing:handle"
  - name: shipping
    handler: acme.handlers.shipping:handle
  # - name: fax
  #   handler: acme.handlers.fax:handle
  - name: refunds
    enabled: false
"""

WORKER: dict[str, str] = {
    "pyproject.toml": (
        '[project]\nname = "acme-worker"\nversion = "1.4.0"\ndependencies = ["pyyaml>=6"]\n\n'
        '[project.scripts]\nacme-worker = "acme.loader:main"\n'
    ),
    "README.md": (
        "# acme worker\n\nHandlers are listed in `acme/plugins.yaml`. The fax handler\n"
        "(`acme.handlers.fax:handle`, in acme/handlers/fax.py) was retired in 2021.\n"
    ),
    "acme/__init__.py": "",
    "acme/loader.py": LOADER,
    "acme/plugins.yaml": PLUGINS,
    "acme/handlers/__init__.py": "",
    "acme/handlers/billing.py": (
        "from acme.handlers.money import cents\n\n\ndef handle(event):\n    return cents(event)\n"
    ),
    "acme/handlers/money.py": "def cents(event):\n    return int(event['amount'] * 100)\n",
    "acme/handlers/shipping.py": "def handle(event):\n    return event['address']\n",
    # dead: only a commented-out config line and prose name it
    "acme/handlers/fax.py": "def handle(event):\n    raise RuntimeError('the fax line is gone')\n",
    # dead: only the bare word "refunds" names it
    "acme/handlers/refunds.py": "def handle(event):\n    return -event['amount']\n",
}

JOBS: dict[str, str] = {
    "package.json": (
        '{\n  "name": "reports",\n  "version": "2.3.0",\n  "main": "server.js",\n'
        '  "scripts": {"start": "node server.js"},\n'
        '  "dependencies": {"dotenv": "^16.4.5", "node-cron": "^3.0.3"}\n}\n'
    ),
    "server.js": (
        'require("dotenv").config();\n'
        'const path = require("path");\nconst cron = require("node-cron");\n'
        'const { schedule } = require("./jobs.json");\n\n'
        "for (const job of schedule) {\n"
        "  cron.schedule(job.cron, require(path.join(__dirname, job.file)));\n}\n"
        "const mailer = require(path.resolve(process.env.MAILER_ENTRY));\n"
        "mailer.start();\n"
    ),
    "jobs.json": (
        '{\n  "schedule": [\n'
        '    {"cron": "0 3 * * *", "file": "./jobs/nightly-export.js"},\n'
        '    {"cron": "*/5 * * * *", "file": "jobs/heartbeat"}\n  ]\n}\n'
    ),
    ".env.example": "# copy to .env\nMAILER_ENTRY=workers/mailer.js\nSMTP_HOST=mail.internal\n",
    "jobs/nightly-export.js": (
        'const { toCsv } = require("./lib/csv");\n\nmodule.exports = async (rows) => toCsv(rows);\n'
    ),
    "jobs/lib/csv.js": "exports.toCsv = (rows) => rows.map((r) => r.join(',')).join('\\n');\n",
    "jobs/heartbeat.js": "module.exports = () => console.log('alive');\n",
    "workers/mailer.js": "exports.start = () => {};\n",
    # dead: replaced by nightly-export; the docs still name it
    "jobs/old-sync.js": "// replaced by nightly-export in 2022\nmodule.exports = () => {};\n",
    "docs/jobs.md": 'Jobs live in `jobs/`; `jobs/old-sync.js` ("./jobs/old-sync") is the old one.\n',
}


def row(found: dict[str, Any], path: str) -> dict[str, Any]:
    return next(f for f in found["files"] if f["path"] == path)


def references(found: dict[str, Any]) -> list[tuple[str, int, str]]:
    return [(r["path"], r["line"], r["kind"]) for r in found["references"]]


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return RepoFactory(tmp_path_factory.mktemp("worker"))(WORKER)


@pytest.fixture(scope="module")
def billing(worker: Path) -> dict[str, Any]:
    return run_json(worker, "investigate", "billing")


@pytest.fixture(scope="module")
def jobs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return RepoFactory(tmp_path_factory.mktemp("jobs"))(JOBS)


def test_orphans_are_only_the_dead_handlers(worker: Path) -> None:
    found = run_json(worker, "orphans")
    assert [o["path"] for o in found["orphans"]] == [
        "acme/handlers/fax.py",  # the larger first
        "acme/handlers/refunds.py",
    ]
    assert sorted(o["path"] for o in found["uncertain"]) == [
        "acme/__init__.py",  # only what the handlers import reaches the packages
        "acme/handlers/__init__.py",
        "acme/handlers/billing.py",
        "acme/handlers/money.py",
        "acme/handlers/shipping.py",
    ]
    assert found["code_files"] == 8 and found["roots"] >= 1
    assert {"lines", "bytes", "first", "last"} <= set(found["uncertain"][0])


def test_a_handler_named_in_a_config_is_review_through_the_config(
    billing: dict[str, Any],
) -> None:
    handler = row(billing, "acme/handlers/billing.py")
    assert handler["verdict"] == "review"  # the YAML file is production: still not `keep`
    assert handler["reason"] == "named only in strings: acme/plugins.yaml"
    assert handler["chain"][:3] == [
        "acme/handlers/billing.py",
        "acme/plugins.yaml",  # "acme.handlers.billing:handle"
        "acme/loader.py",  # Path(__file__).with_name("plugins.yaml")
    ]
    assert handler["chain"][-1].startswith("run by pyproject.toml")
    money = row(billing, "acme/handlers/money.py")  # what only the handler imports
    assert money["verdict"] == "review"
    assert money["chain"][:3] == ["acme/handlers/money.py", *handler["chain"][:2]]


def test_its_dotted_name_is_a_reference_and_self_billing_is_not(
    billing: dict[str, Any],
) -> None:
    assert references(billing) == [
        ("acme/plugins.yaml", 3, "config"),  # name: billing
        ("acme/plugins.yaml", 4, "config"),  # "acme.handlers.billing:handle"
    ]


def test_a_bare_word_names_nothing(worker: Path) -> None:
    found = run_json(worker, "investigate", "refunds")
    refunds = row(found, "acme/handlers/refunds.py")
    assert (refunds["verdict"], refunds["reason"]) == ("remove", "part of the component")
    assert references(found) == [
        ("acme/loader.py", 10, "code"),  # DISABLED = {"refunds"}: a mention, not a use
        ("acme/plugins.yaml", 9, "config"),
    ]


def test_a_commented_out_line_and_prose_name_nothing_but_are_references(worker: Path) -> None:
    found = run_json(worker, "investigate", "fax")
    fax = row(found, "acme/handlers/fax.py")
    assert (fax["verdict"], fax["used_by"], fax["chain"]) == ("remove", [], [])
    assert references(found) == [
        ("README.md", 3, "docs"),
        ("README.md", 4, "docs"),
        ("acme/plugins.yaml", 7, "config"),
        ("acme/plugins.yaml", 8, "config"),  # acme.handlers.fax:handle, a dotted name
    ]


def test_the_orphans_table_shows_both_lists_apart(worker: Path) -> None:
    result = consolidate(worker, "orphans")
    assert result.returncode == 0, result.stderr
    dead, _, maybe = result.stdout.partition("more are reached only through uncertain uses")
    assert "2 of 8 source files are reached by none" in dead
    assert "acme/handlers/fax.py" in dead and "acme/handlers/billing.py" not in dead
    assert "acme/handlers/billing.py" in maybe and "acme/handlers/fax.py" not in maybe


def test_node_jobs_named_in_json_and_env_files_are_not_orphans(jobs: Path) -> None:
    found = run_json(jobs, "orphans")
    assert [o["path"] for o in found["orphans"]] == ["jobs/old-sync.js"]
    assert sorted(o["path"] for o in found["uncertain"]) == [
        "jobs/heartbeat.js",  # "jobs/heartbeat": a path without its extension
        "jobs/lib/csv.js",
        "jobs/nightly-export.js",  # "./jobs/nightly-export.js"
        "workers/mailer.js",  # MAILER_ENTRY=workers/mailer.js
    ]


def test_node_jobs_are_review_and_name_their_config(jobs: Path) -> None:
    found = run_json(jobs, "investigate", "heartbeat")
    heartbeat = row(found, "jobs/heartbeat.js")
    assert (heartbeat["verdict"], heartbeat["reason"]) == (
        "review",
        "named only in strings: jobs.json",
    )
    assert heartbeat["chain"] == [
        "jobs/heartbeat.js",
        "jobs.json",
        "server.js",
        "run by package.json: main",
    ]
    assert references(found) == [("jobs.json", 4, "config")]  # "jobs/heartbeat"
    mailer = row(run_json(jobs, "investigate", "mailer"), "workers/mailer.js")
    assert (mailer["verdict"], mailer["used_by"]) == ("review", [".env.example"])
    old = row(run_json(jobs, "investigate", "old-sync"), "jobs/old-sync.js")
    assert (old["verdict"], old["used_by"]) == ("remove", [])  # the docs are prose


NAMED = ["acme/__init__.py", "acme/handlers/billing.py", "web/jobs/index.js", "main.py", "c.json"]


@pytest.mark.parametrize(
    ("token", "folder", "files"),
    [
        ("acme.handlers.billing", "", {"acme/handlers/billing.py"}),
        ("acme.handlers.billing:handle", "", {"acme/handlers/billing.py"}),
        ("acme.handlers.billing.Handler", "", {"acme/handlers/billing.py"}),
        ("acme.handlers.billing.", "", {"acme/handlers/billing.py"}),  # the end of a sentence
        ("acme", "", set()),  # a bare word
        ("main:app", "", {"main.py"}),
        ("main.json", "", set()),  # a file name, not the module `main`
        ("redis:6379", "", set()),  # a host and port, not a module's attribute
        ("acme/handlers/billing", "", {"acme/handlers/billing.py"}),
        ("./jobs", "web", {"web/jobs/index.js"}),  # a folder's index file
        ("../c.json", "web", {"c.json"}),
        ("../../c.json", "web", set()),  # outside the repository
    ],
)
def test_what_a_string_names(token: str, folder: str, files: set[str]) -> None:
    assert Names.build(NAMED).files(token, folder) == files
