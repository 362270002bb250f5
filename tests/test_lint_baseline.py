"""The lint baseline: record today's findings, then report only new ones, matched by check,
file and message (numbers aside), never by line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from repo_support import API_DOCKERFILE, MOUNT_OVER_BUILD, RepoFactory, consolidate, git

from consolidate.assess.lint import lint
from consolidate.assess.lint_baseline import filter_new, write_baseline
from consolidate.errors import Refusal
from consolidate.gitio import Git

DOCKERFILE = API_DOCKERFILE
COMPOSE = MOUNT_OVER_BUILD
WORKER = """\
  worker:
    build: ./api
    volumes: ["./shared:/app"]
"""
FILES = {
    "api/Dockerfile": DOCKERFILE,
    "api/app.py": "print('api')\n",
    "shared/x.py": "x = 1\n",
    "docker-compose.yml": COMPOSE,
}
TODAY = "2026-01-01"  # the commits are newer: no orphan is old enough to report


def findings(repo: Path) -> list[dict[str, Any]]:
    return list(lint(Git.open(repo), date=TODAY)["findings"])


def where(found: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(f["check"], f["where"]) for f in found]


def test_only_a_new_finding_remains_when_an_old_one_moved(
    make_repo: RepoFactory, tmp_path: Path
) -> None:
    repo = make_repo(FILES)
    before = findings(repo)
    assert where(before) == [("bind mount hides build", "docker-compose.yml:4")]
    baseline = tmp_path / "lint-baseline.json"
    assert write_baseline(before, baseline) == 1
    # three lines above move the old finding; a second service brings a new one, same
    # check and file, other text
    moved = "# the stack\n# of the api\n\n" + COMPOSE + WORKER
    (repo / "docker-compose.yml").write_text(moved)
    git(repo, "commit", "-qam", "worker")
    after = findings(repo)
    assert where(after) == [
        ("bind mount hides build", "docker-compose.yml:7"),
        ("bind mount hides build", "docker-compose.yml:10"),
    ]
    new = filter_new(after, baseline)
    assert where(new) == [("bind mount hides build", "docker-compose.yml:10")]
    assert "worker" in new[0]["message"]


def test_the_baseline_file_is_sorted_and_stable(tmp_path: Path) -> None:
    found = [finding("b.yml:3", "two"), finding("a.yml:9", "one")]
    first, second = tmp_path / "1.json", tmp_path / "2.json"
    write_baseline(found, first)
    write_baseline(list(reversed(found)), second)
    assert first.read_bytes() == second.read_bytes()
    doc = json.loads(first.read_text())
    assert [e["path"] for e in doc["findings"]] == ["a.yml", "b.yml"]
    assert "9" not in first.read_text().replace(doc["findings"][0]["fingerprint"], "")


def finding(where: str, message: str, check: str = "entry file missing") -> dict[str, Any]:
    return {"check": check, "where": where, "message": message, "id": "entry-file-missing"}


def test_duplicates_are_counted(tmp_path: Path) -> None:
    baseline = tmp_path / "b.json"
    same = finding("c.yml:1", "service x runs a.py")
    write_baseline([same, same], baseline)
    assert filter_new([same, same], baseline) == []
    assert filter_new([same, same, same], baseline) == [same]


def test_numbers_in_the_message_do_not_make_a_finding_new(tmp_path: Path) -> None:
    baseline = tmp_path / "b.json"
    write_baseline([finding("x.py", "last changed 2025-01-02 (40 days ago)")], baseline)
    assert filter_new([finding("x.py", "last changed 2025-01-02 (71 days ago)")], baseline) == []
    other_file = finding("y.py", "last changed 2025-01-02 (40 days ago)")
    other_check = finding("x.py", "last changed 2025-01-02 (40 days ago)", check="orphan")
    other_text = finding("x.py", "last touched 2025-01-02 (40 days ago)")
    assert filter_new([other_file, other_check, other_text], baseline) == [
        other_file,
        other_check,
        other_text,
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no lint baseline at"),
        ("{not json", "cannot read the lint baseline"),
        ('{"version": 2, "findings": []}', "is not a lint baseline"),
        ('{"version": 1, "findings": [{"check": "x"}]}', "lacks check, path or fingerprint"),
    ],
)
def test_a_missing_or_broken_baseline_is_a_refusal(
    tmp_path: Path, content: str | None, expected: str
) -> None:
    baseline = tmp_path / "b.json"
    if content is not None:
        baseline.write_text(content)
    with pytest.raises(Refusal) as caught:
        filter_new([], baseline)
    assert expected in caught.value.line()
    assert "--write-baseline" in caught.value.line()


# -- CLI: `lint --write-baseline FILE` and `lint --baseline FILE` ------------------------------
# These two tests FAIL until the lead wires the two options into consolidate/cli.py (see the
# report of issue 16, "project configuration and suppressions").


def test_cli_write_baseline_then_lint_against_it(make_repo: RepoFactory, tmp_path: Path) -> None:
    repo = make_repo(FILES)
    baseline = tmp_path / "baseline.json"
    written = consolidate(repo, "lint", "--repo", str(repo), "--write-baseline", str(baseline))
    assert written.returncode == 0, written.stderr
    assert "1 finding" in written.stdout and baseline.is_file()
    clean = consolidate(repo, "lint", "--repo", str(repo), "--baseline", str(baseline))
    assert clean.returncode == 0, clean.stdout + clean.stderr
    (repo / "docker-compose.yml").write_text("\n" + COMPOSE + WORKER)
    git(repo, "commit", "-qam", "worker")
    new = consolidate(repo, "lint", "--json", "--repo", str(repo), "--baseline", str(baseline))
    assert new.returncode == 1, new.stderr
    assert where(json.loads(new.stdout)["findings"]) == [
        ("bind mount hides build", "docker-compose.yml:8")
    ]


def test_cli_missing_baseline_is_exit_2(make_repo: RepoFactory, tmp_path: Path) -> None:
    repo = make_repo(FILES)
    result = consolidate(repo, "lint", "--repo", str(repo), "--baseline", str(tmp_path / "no"))
    assert result.returncode == 2
    assert "no lint baseline at" in result.stderr
