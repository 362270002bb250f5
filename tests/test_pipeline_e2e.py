"""The whole pipeline on the bundled sample repository, through the real CLI."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from repo_support import consolidate, git, repo_state, tree_hash

from consolidate.demo import build_sample

FIXED = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
DATE = "2026-11-20"
REPRO = {
    "SOURCE_DATE_EPOCH": str(int(FIXED.timestamp())),
    "GIT_AUTHOR_DATE": FIXED.isoformat(),
    "GIT_COMMITTER_DATE": FIXED.isoformat(),
}


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return build_sample(tmp_path / "taskhub", now=FIXED).root


def test_dry_run_changes_nothing_and_shows_every_diff(sample: Path, docker_image: str) -> None:
    before = tree_hash(sample)
    result = consolidate(sample, "run", "orchestrator", "--dry-run", env=REPRO)
    assert result.returncode == 0, result.stderr
    assert tree_hash(sample) == before
    out = result.stdout
    assert "--- a/orchestrator/orchestrator.py\n+++ /dev/null" in out
    assert "--- a/docker-compose.yml\n+++ b/docker-compose.yml" in out
    assert "-  orchestrator:" in out
    assert "+++ b/CHANGELOG.md" in out and "+++ b/ORCHESTRATOR_REMOVAL_REPORT.md" in out
    assert f"backup/orchestrator-removal-{DATE}" in out


def test_dry_run_json_is_one_document(sample: Path, docker_image: str) -> None:
    result = consolidate(sample, "run", "orchestrator", "--dry-run", "--json", env=REPRO)
    doc = json.loads(result.stdout)
    assert doc["dry_run"] is True
    names = [s["name"] for s in doc["steps"]]
    assert names == [
        "investigate",
        "backup",
        "migrate",
        "remove",
        "compose",
        "docs",
        "validate",
        "commit",
    ]


def test_run_then_rollback_restores_everything(sample: Path) -> None:
    before = repo_state(sample)
    head = before["head_commit"].strip()
    result = consolidate(
        sample, "run", "orchestrator", "--yes", "--no-image-backup", "--json", env=REPRO
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["status"] == "complete"
    assert not (sample / "orchestrator").exists()
    assert (sample / "backend" / "lib" / "scheduler.py").exists()
    compose = (sample / "docker-compose.yml").read_text()
    assert "orchestrator:" not in compose and "python orchestrator.py" not in compose
    branch = f"backup/orchestrator-removal-{DATE}"
    assert git(sample, "rev-parse", branch).strip() == head
    assert git(sample, "rev-parse", "HEAD~1").strip() == head
    message = git(sample, "log", "-1", "--format=%B")
    assert message.startswith("Remove orchestrator\n")
    assert "orchestrator/orchestrator.py" in message and "Validation:" in message
    changelog = (sample / "CHANGELOG.md").read_text()
    assert "### Removed" in changelog and "`orchestrator`" in changelog
    assert "## Removed components" in (sample / "ARCHITECTURE.md").read_text()
    report = (sample / "ORCHESTRATOR_REMOVAL_REPORT.md").read_text()
    assert "| byte-compile |" in report and "Not run yet" not in report
    assert git(sample, "status", "--porcelain", "--untracked-files=no") == ""

    status = json.loads(consolidate(sample, "status", "--json").stdout)
    assert status["status"] == "complete"

    undo = consolidate(sample, "rollback", "--yes")
    assert undo.returncode == 0, undo.stderr
    assert repo_state(sample) == before
    again = consolidate(sample, "rollback", "--yes")
    assert again.returncode == 0 and "nothing to do" in again.stdout


def test_untracked_and_ignored_files_are_never_touched(sample: Path) -> None:
    stray = {
        "orchestrator/notes.local": b"my notes\n",
        "backend/scratch.py": b"x = 1\n",
        "frontend/node_modules/x/index.js": b"module.exports = 1\n",
        ".env": b"SECRET=1\n",
    }
    for rel, data in stray.items():
        (sample / rel).parent.mkdir(parents=True, exist_ok=True)
        (sample / rel).write_bytes(data)
    before = repo_state(sample)
    result = consolidate(sample, "run", "orchestrator", "--yes", "--no-image-backup", env=REPRO)
    assert result.returncode == 0, result.stderr
    for rel, data in stray.items():
        assert (sample / rel).read_bytes() == data, rel
    assert "orchestrator/notes.local" not in git(sample, "show", "--stat", "HEAD")
    assert consolidate(sample, "rollback", "--yes").returncode == 0
    assert repo_state(sample) == before


def test_failed_validation_stops_before_commit_and_rolls_back(sample: Path) -> None:
    playbook = sample / "playbooks" / "orchestrator.yaml"
    text = (
        playbook.read_text()
        + "  - name: always fails\n    run: python -c 'raise SystemExit(3)'\n"
        + "baseline: false\n"  # it fails before the removal too: without this, no block
    )
    playbook.write_text(text)
    git(sample, "commit", "-qam", "a failing check")
    before = repo_state(sample)
    result = consolidate(sample, "run", "orchestrator", "--yes", "--no-image-backup")
    assert result.returncode == 1
    assert "always fails" in result.stderr and "Traceback" not in result.stderr
    assert git(sample, "rev-parse", "HEAD") == before["head_commit"]
    report = (sample / "ORCHESTRATOR_REMOVAL_REPORT.md").read_text()
    assert "**failed** (exit 3)" in report
    status = json.loads(consolidate(sample, "status", "--json").stdout)
    assert status["status"] == "failed"
    assert consolidate(sample, "rollback", "--yes").returncode == 0
    assert repo_state(sample) == before


def _without_durations(text: str) -> str:
    """Timings differ between any two runs: the report's seconds column, a runner's own."""
    text = re.sub(r"\b\d+\.\d+s\b", "<t>s", text)
    lines = []
    for line in text.splitlines():
        if line.startswith("| ") and line.rstrip().endswith(" |") and line.count("|") == 5:
            line = line.rsplit("|", 2)[0] + "| - |"
        lines.append(line)
    return "\n".join(lines)


def _final_tree(repo: Path) -> dict[str, str]:
    files = git(repo, "ls-tree", "-r", "--name-only", "HEAD").split("\n")
    return {f: _without_durations(git(repo, "show", f"HEAD:{f}")) for f in files if f}


def test_sigkill_in_validate_resumes_or_rolls_back(tmp_path: Path) -> None:
    reference = build_sample(tmp_path / "reference", now=FIXED).root
    assert (
        consolidate(
            reference, "run", "orchestrator", "--yes", "--no-image-backup", env=REPRO
        ).returncode
        == 0
    )

    for recovery in ("resume", "rollback"):
        repo = build_sample(tmp_path / recovery, now=FIXED).root
        before = repo_state(repo)
        killed = consolidate(
            repo,
            "run",
            "orchestrator",
            "--yes",
            "--no-image-backup",
            env={**REPRO, "CONSOLIDATE_FAILPOINT": "validate:command:0:done"},
        )
        assert killed.returncode == -9, killed.stderr
        assert json.loads(consolidate(repo, "status", "--json").stdout)["status"] == "running"
        if recovery == "resume":
            resumed = consolidate(
                repo, "run", "orchestrator", "--yes", "--no-image-backup", env=REPRO
            )
            assert resumed.returncode == 0, resumed.stderr
            assert _final_tree(repo) == _final_tree(reference)
            assert git(repo, "log", "-1", "--format=%B") == git(
                reference, "log", "-1", "--format=%B"
            )
            assert git(repo, "rev-parse", "HEAD~1") == git(reference, "rev-parse", "HEAD~1")
            assert git(repo, "status", "--porcelain") == ""
        else:
            undo = consolidate(repo, "rollback", "--yes")
            assert undo.returncode == 0, undo.stderr
            assert repo_state(repo) == before


@pytest.mark.docker
def test_image_backup_tag_made_and_removed(sample: Path, docker_image: str) -> None:
    import docker

    client = docker.from_env()
    image = client.images.get(docker_image)
    image.tag("taskhub/orchestrator", "latest")
    backup = f"taskhub/orchestrator:backup-{DATE}"
    try:
        before = repo_state(sample)
        result = consolidate(sample, "run", "orchestrator", "--yes", env=REPRO)
        assert result.returncode == 0, result.stderr
        assert client.images.get(backup).id == image.id
        report = (sample / "ORCHESTRATOR_REMOVAL_REPORT.md").read_text()
        assert f"`{backup}`" in report
        assert consolidate(sample, "rollback", "--yes").returncode == 0
        assert repo_state(sample) == before
        with pytest.raises(docker.errors.ImageNotFound):
            client.images.get(backup)
        assert client.images.get("taskhub/orchestrator:latest").id == image.id
    finally:
        for ref in (backup, "taskhub/orchestrator:latest"):
            with contextlib.suppress(docker.errors.ImageNotFound):
                client.api.remove_image(ref, noprune=True)


def test_missing_image_is_a_warning(sample: Path, docker_image: str) -> None:
    result = consolidate(sample, "run", "orchestrator", "--dry-run", env=REPRO)
    assert result.returncode == 0, result.stderr
    assert (
        "taskhub/orchestrator:latest of service orchestrator is not present locally"
        in result.stdout
    )


def test_unreachable_daemon_refuses_with_a_way_forward(sample: Path) -> None:
    before = tree_hash(sample)
    result = consolidate(
        sample, "run", "orchestrator", "--yes", env={"DOCKER_HOST": "unix:///nonexistent.sock"}
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--no-image-backup" in result.stderr
    assert tree_hash(sample) == before
