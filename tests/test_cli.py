from __future__ import annotations

import json
import re
from pathlib import Path

from repo_support import consolidate, git

from consolidate.analysis.references import history_file
from consolidate.demo import build_sample


def test_demo_builds_the_sample_and_removes_the_orchestrator(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    result = consolidate(tmp_path, "demo", "--dir", str(target), "--json", "--no-docker")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["status"] == "complete" and doc["sample"] == str(target)
    assert not (target / "orchestrator").exists()
    assert git(target, "log", "--format=%s").splitlines()[0] == "Remove orchestrator"
    assert len(git(target, "log", "--format=%s").splitlines()) == 4


NAMED = re.compile(r"(?<![\w./-])orchestrator(?![\w-])", re.I)  # not ai-orchestrator


def test_after_the_demo_only_history_names_the_orchestrator(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    result = consolidate(tmp_path, "demo", "--dir", str(target), "--no-docker")
    assert result.returncode == 0, result.stderr
    left = [
        f"{path}:{number}: {line}"
        for path in git(target, "ls-files").splitlines()
        if not path.startswith("playbooks/") and not history_file(path)
        for number, line in enumerate((target / path).read_text().splitlines(), 1)
        if NAMED.search(line) and not line.startswith("- **orchestrator**, removed ")
    ]
    assert left == []  # the runbook, README, Makefile, health-check table, volume, scripts
    assert "orchestrator-state" not in (target / "docker-compose.yml").read_text()
    architecture = (target / "ARCHITECTURE.md").read_text()
    assert "## orchestrator\n" not in architecture and "## Removed components" in architecture


def test_investigate_reports_files_services_mentions_and_history(tmp_path: Path) -> None:
    repo = build_sample(tmp_path / "taskhub").root
    result = consolidate(repo, "investigate", "orchestrator", "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    verdicts = {f["path"]: f for f in doc["files"]}
    assert verdicts["orchestrator/orchestrator.py"]["verdict"] == "remove"
    assert "frontend/src/ai-orchestrator.service.ts" not in verdicts
    # the outage this tool exists for: the worker imports it through sys.path.insert
    scheduler = verdicts["backend/lib/scheduler.py"]
    assert scheduler["verdict"] == "keep"
    assert scheduler["reason"].startswith("used by backend/worker.py")
    assert scheduler["chain"][:2] == ["backend/lib/scheduler.py", "backend/worker.py"]
    assert doc["compose"] == [
        {
            "file": "docker-compose.yml",
            "service": "orchestrator",
            "line": 75,
            "image": "taskhub/orchestrator:latest",
            "depended_on_by": ["frontend"],
            "entry_files": ["orchestrator/orchestrator.py"],
        }
    ]
    assert any(r["path"] == "scripts/manage.ps1" for r in doc["references"])
    assert doc["history"]["commits"] == 2 and doc["history"]["age_days"] >= 59
    text = consolidate(repo, "investigate", "orchestrator")
    assert "backend/lib/scheduler.py stays: backend/lib/scheduler.py <- backend/worker.py" in (
        text.stdout
    )


def test_log_json_writes_json_lines_to_stderr_and_json_to_stdout(tmp_path: Path) -> None:
    repo = build_sample(tmp_path / "taskhub").root
    result = consolidate(
        repo, "--log-json", "run", "orchestrator", "--yes", "--no-image-backup", "--json"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "complete"
    events = [json.loads(line) for line in result.stderr.splitlines()]
    assert any(e["event"] == "step" and e["step"] == "validate" for e in events)
    assert all("level" in e and "timestamp" in e for e in events)
