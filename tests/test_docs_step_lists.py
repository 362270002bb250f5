"""The docs step stops docs from listing the removed service, through the real CLI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from repo_support import RepoFactory, consolidate, git

FIXED = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
REPRO = {"SOURCE_DATE_EPOCH": str(int(FIXED.timestamp()))}

PLAYBOOK = """\
component: conductor
summary: The conductor never ran a pipeline; the api's own queue does its work.
files: [conductor/**]
compose:
  docker-compose.yml: [conductor]
backup: {images: false}
"""

COMPOSE = """\
services:
  db:
    image: postgres:16
  api:
    build: ./api
    depends_on: [db]
  conductor:
    build: ./conductor
    container_name: shop_conductor
  web:
    image: nginx
"""

ARCHITECTURE = (
    "# Architecture\r\n"
    "\r\n"
    "| Component   | Role                  |\r\n"
    "|-------------|-----------------------|\r\n"
    "| `api`       | HTTP API              |\r\n"
    "| `conductor` | pipeline runs         |\r\n"
    "| `web`       | UI                    |\r\n"
    "\r\n"
    "The api and the web UI share `db`.\r\n"
    "\r\n"
    "---\r\n"
    "\r\n"
    "Last updated: 2026-01-01\r\n"
)

OPERATIONS = """\
# Operations

The stack runs 4 containers:

- `db`: Postgres 16
- `api`: the HTTP API on :8000
- `conductor`: pipeline runs
  (experimental, see `conductor/README.md`)
- `web`: the UI on :3000

`docker ps` lists db, api, conductor and web; `shop_conductor` is the one that restarts.

## Reading logs

Use `conductor-ui` for the dashboard.
"""

CHANGELOG = """\
# Changelog

## [Unreleased]

### Added

- Dark mode.

## [1.0.0] - 2025-01-01

### Added

- `conductor` service, next to api, conductor and web.
"""

ADR = "# 1. Add the conductor\n\nWe run api, conductor and web.\n"


@pytest.fixture
def repo(make_repo: RepoFactory) -> Path:
    return make_repo(
        {
            "conductor/main.py": "print('pipelines')\n",
            "api/app.py": "print('api')\n",
            "docker-compose.yml": COMPOSE,
            "ARCHITECTURE.md": ARCHITECTURE,
            "docs/operations.md": OPERATIONS,
            "docs/adr/0001-conductor.md": ADR,
            "CHANGELOG.md": CHANGELOG,
            "playbooks/conductor.yaml": PLAYBOOK,
        }
    )


def test_run_edits_the_lists_and_leaves_history(repo: Path) -> None:
    result = consolidate(repo, "run", "conductor", "--yes", env=REPRO)

    assert result.returncode == 0, result.stderr
    architecture = (repo / "ARCHITECTURE.md").read_bytes().decode()
    assert architecture == (
        "# Architecture\r\n"
        "\r\n"
        "| Component   | Role                  |\r\n"
        "|-------------|-----------------------|\r\n"
        "| `api`       | HTTP API              |\r\n"
        "| `web`       | UI                    |\r\n"
        "\r\n"
        "The api and the web UI share `db`.\r\n"
        "\r\n"
        "## Removed components\r\n"
        "\r\n"
        "- **conductor**, removed 2026-11-20. The conductor never ran a pipeline; the api's"
        " own queue does its work. Backup: branch `backup/conductor-removal-2026-11-20`.\r\n"
        "\r\n"
        "---\r\n"
        "\r\n"
        "Last updated: 2026-01-01\r\n"
    )
    assert (repo / "docs/operations.md").read_text() == (
        OPERATIONS.replace("4 containers", "3 containers")
        .replace("- `conductor`: pipeline runs\n  (experimental, see `conductor/README.md`)\n", "")
        .replace("db, api, conductor and web", "db, api and web")
    )
    changelog = (repo / "CHANGELOG.md").read_text()
    assert changelog.endswith(CHANGELOG.split("## [1.0.0]")[1])
    assert changelog.startswith("# Changelog\n\n## [Unreleased]\n\n### Added\n\n- Dark mode.\n")
    assert (repo / "docs/adr/0001-conductor.md").read_text() == ADR
    assert git(repo, "status", "--porcelain") == ""


def test_report_lists_what_changed_and_what_is_left(repo: Path) -> None:
    result = consolidate(repo, "run", "conductor", "--yes", env=REPRO)

    assert result.returncode == 0, result.stderr
    report = (repo / "CONDUCTOR_REMOVAL_REPORT.md").read_text()
    assert "line 3: count 4 -> 3" in report
    assert (
        "- edit docs/operations.md (line 3: count 4 -> 3; line 7: list item `conductor` removed;"
        " line 11: `conductor` removed from a list)\n" in report
    )
    assert (
        "- edit ARCHITECTURE.md (record the removal in architecture; line 6: table row of"
        " `conductor` removed)\n" in report
    )
    # The edited doc still names the container: listed as a mention, not edited.
    left = report.split("## Mentions left")[1]
    assert "| `docs/operations.md` | 9 | docs |" in left
    assert "| `docs/adr/0001-conductor.md` | 3 |" in left
    # History is listed where it is now; the run's own entries are not mentions.
    changelog = (repo / "CHANGELOG.md").read_text().splitlines()
    line = changelog.index("- `conductor` service, next to api, conductor and web.") + 1
    assert f"| `CHANGELOG.md` | {line} | docs |" in left
    assert left.count("CHANGELOG.md") == 1
    assert "ARCHITECTURE.md" not in left


def test_dry_run_shows_the_doc_diffs_and_changes_nothing(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")

    result = consolidate(repo, "run", "conductor", "--dry-run")

    assert result.returncode == 0, result.stderr
    assert "+++ b/docs/operations.md" in result.stdout
    assert "-The stack runs 4 containers:\n+The stack runs 3 containers:" in result.stdout
    assert "-| `conductor` | pipeline runs         |" in result.stdout
    assert (repo / "docs/operations.md").read_text() == OPERATIONS
    assert git(repo, "rev-parse", "HEAD") == head
