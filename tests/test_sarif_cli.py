"""`consolidate lint|orphans --format text|json|sarif` through the real CLI: SARIF on stdout
and nothing else there, the same exit codes as the text, `--json` an alias of `--format json`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from repo_support import API_DOCKERFILE, MOUNT_OVER_BUILD, RepoFactory, consolidate
from sarif_pydantic import Sarif

from consolidate import __version__

DOCKERFILE = API_DOCKERFILE
COMPOSE = (
    MOUNT_OVER_BUILD
    + """\
  redis:
    image: redis:7
"""
)
FILES = {
    "api/Dockerfile": DOCKERFILE,
    "api/app.py": "print('api')\n",
    "api/legacy.py": "def unused() -> int:\n    return 1\n",
    "shared/y.py": "y = 2\n",
    "docker-compose.yml": COMPOSE,
}
# 90 days from now, so every file of the fresh repository is an old orphan for lint.
LATER = {"SOURCE_DATE_EPOCH": str(int(dt.datetime.now(dt.UTC).timestamp()) + 90 * 86400)}


@pytest.fixture
def repo(make_repo: RepoFactory) -> Path:
    return make_repo(FILES)


def sarif_of(stdout: str) -> Sarif:
    return Sarif.model_validate_json(stdout)


def test_lint_as_sarif_exits_1_on_findings_with_the_log_alone_on_stdout(repo: Path) -> None:
    result = consolidate(repo, "lint", "--format", "sarif", "--repo", str(repo), env=LATER)
    assert result.returncode == 1, result.stderr
    log = sarif_of(result.stdout)
    driver = log.runs[0].tool.driver
    assert (driver.name, driver.version) == ("consolidate", __version__)
    found = sorted(
        (r.rule_id, r.locations[0].physical_location.artifact_location.uri)  # type: ignore[index,union-attr]
        for r in log.runs[0].results or []
    )
    assert found == [
        ("bind-mount-hides-build", "docker-compose.yml"),
        ("old-orphan", "api/legacy.py"),
        ("old-orphan", "shared/y.py"),
    ]
    again = consolidate(repo, "lint", "--format", "sarif", "--repo", str(repo), env=LATER)
    assert again.stdout == result.stdout  # byte for byte


def test_a_clean_lint_as_sarif_exits_0_with_no_results(make_repo: RepoFactory) -> None:
    clean = make_repo({"docker-compose.yml": "services:\n  redis:\n    image: redis:7\n"})
    result = consolidate(clean, "lint", "--format", "sarif", "--repo", str(clean))
    assert result.returncode == 0, result.stderr
    log = sarif_of(result.stdout)
    assert log.runs[0].results == []
    assert [r.id for r in log.runs[0].tool.driver.rules or []][:1] == ["bind-mount-hides-build"]


def test_orphans_as_sarif_gives_a_note_per_orphan(repo: Path) -> None:
    result = consolidate(repo, "orphans", "--format", "sarif", "--repo", str(repo))
    assert result.returncode == 0, result.stderr
    results = sarif_of(result.stdout).runs[0].results or []
    assert sorted((r.rule_id, r.level) for r in results) == [
        ("orphan", "note"),
        ("orphan", "note"),
    ]
    assert result.stdout.startswith(
        '{\n  "$schema": "https://json.schemastore.org/sarif-2.1.0.json"'
    )


@pytest.mark.parametrize("command", ["lint", "orphans"])
def test_json_is_an_alias_of_format_json_and_text_the_default(repo: Path, command: str) -> None:
    alias = consolidate(repo, command, "--json", "--repo", str(repo))
    named = consolidate(repo, command, "--format", "json", "--repo", str(repo))
    both = consolidate(repo, command, "--json", "--format", "json", "--repo", str(repo))
    assert alias.stdout == named.stdout == both.stdout
    assert alias.returncode == named.returncode == both.returncode
    assert isinstance(json.loads(named.stdout), dict)
    text = consolidate(repo, command, "--format", "text", "--repo", str(repo))
    plain = consolidate(repo, command, "--repo", str(repo))
    assert text.stdout == plain.stdout and text.returncode == plain.returncode
    assert not text.stdout.startswith("{")


@pytest.mark.parametrize("command", ["lint", "orphans"])
@pytest.mark.parametrize("other", ["sarif", "text"])
def test_json_with_another_format_is_refused_in_one_line(
    repo: Path, command: str, other: str
) -> None:
    result = consolidate(repo, command, "--json", "--format", other, "--repo", str(repo))
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("consolidate: error: ")
    assert "--json" in line and f"--format {other}" in line
    # Nothing ran: stdout is empty, or under --json the error document alone.
    if result.stdout:
        error = json.loads(result.stdout)
        assert error["exit_code"] == 2 and f"--format {other}" in error["error"]


def test_an_unknown_format_is_refused_in_one_line(repo: Path) -> None:
    result = consolidate(repo, "lint", "--format", "xml", "--repo", str(repo))
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert "'xml'" in line and "sarif" in line
