"""The bundled sample through the framework layer: nothing live is an orphan, and the file only
a framework loads (the console script setup.cfg declares) is kept, with the rule that keeps it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from repo_support import consolidate

from consolidate.demo import build_sample


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample(tmp_path_factory.mktemp("sample") / "taskhub").root


def run_json(repo: Path, *args: str) -> Any:
    result = consolidate(repo, *args, "--json")  # run in the sample: it is the repository
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_no_source_file_of_the_sample_is_an_orphan(sample: Path) -> None:
    found = run_json(sample, "orphans")
    assert found["orphans"] == []
    assert found["uncertain"] == []


def test_lint_keeps_only_the_deliberate_health_check_finding(sample: Path) -> None:
    found = run_json(sample, "lint")
    assert [(f["check"], f["where"]) for f in found["findings"]] == [
        ("healthcheck tests a dependency", "docker-compose.yml:87")
    ]


def test_the_console_script_setup_cfg_declares_is_kept(sample: Path) -> None:
    rows = {r["path"]: r for r in run_json(sample, "investigate", "admin_cli")["files"]}
    admin = rows["backend/admin_cli.py"]
    assert admin["verdict"] == "keep"
    assert admin["chain"] == [
        "backend/admin_cli.py",
        "run by backend/setup.cfg:11: console_scripts taskhub-admin",
    ]
    assert rows["backend/jobs.py"]["verdict"] == "keep"
