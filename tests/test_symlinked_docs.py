"""A doc the run would edit that is tracked as a symlink (issue 15): never written, never a
quiet skip. The run goes on (exit 0) and says which doc it skipped and why."""

from __future__ import annotations

import json
import os
from pathlib import Path

from repo_support import RepoFactory, consolidate, git

FILES = {
    "web/app.py": "print('web')\n",
    "pager/main.py": "print('pager')\n",
    "docker-compose.yml": "services:\n  web:\n    build: ./web\n\n  pager:\n    image: pager:2\n",
    "ARCHITECTURE.md": "# Architecture\n\nThe web app and a pager.\n",
    "playbooks/pager.yaml": (
        "component: pager\nsummary: The pager was replaced by e-mail alerts.\n"
        "files: [pager/main.py]\n"
        "compose:\n  docker-compose.yml: [pager]\n"
        "backup:\n  images: false\n"
    ),
}
OUTSIDE = b"# Shared changelog\r\n\r\n## [Unreleased]\r\n\r\n- Kept as it is.\r\n"


def linked_repo(tmp_path: Path, target: str) -> Path:
    repo = RepoFactory(tmp_path)(FILES, name="svc")
    os.symlink(target, repo / "CHANGELOG.md")
    git(repo, "add", "CHANGELOG.md")
    git(repo, "commit", "-q", "-m", "link the changelog")
    return repo


def test_a_changelog_linked_outside_is_skipped_with_a_warning(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "CHANGELOG.md"
    outside.parent.mkdir()
    outside.write_bytes(OUTSIDE)
    repo = linked_repo(tmp_path, str(outside))
    result = consolidate(repo, "run", "pager", "--yes", "--json")
    assert result.returncode == 0, result.stderr
    expected = (
        "CHANGELOG.md was skipped (changelog not written): it is a symlink to a file outside "
        f"the repository ({outside})"
    )
    doc = json.loads(result.stdout)
    docs_step = next(s for s in doc["steps"] if s["name"] == "docs")
    assert expected in docs_step["notes"]
    report = (repo / "PAGER_REMOVAL_REPORT.md").read_text()
    assert f"- Warning: {expected}" in report
    assert outside.read_bytes() == OUTSIDE
    assert os.readlink(repo / "CHANGELOG.md") == str(outside)
    assert "CHANGELOG.md" not in git(repo, "show", "--name-only", "--format=", "HEAD").split()
    # the architecture doc, a regular file, is still updated
    assert "**pager**, removed" in (repo / "ARCHITECTURE.md").read_text()


def test_a_changelog_linked_inside_names_the_file_to_use(tmp_path: Path) -> None:
    """A link inside the repository is not followed either: the warning names its target, the
    file to set as docs.changelog."""
    repo = RepoFactory(tmp_path)(
        {**FILES, "docs/HISTORY.md": "# History\n\n## [Unreleased]\n"}, name="svc"
    )
    os.symlink("docs/HISTORY.md", repo / "CHANGELOG.md")
    git(repo, "add", "CHANGELOG.md")
    git(repo, "commit", "-q", "-m", "link the changelog")
    result = consolidate(repo, "run", "pager", "--yes", "--json")
    assert result.returncode == 0, result.stderr
    docs_step = next(s for s in json.loads(result.stdout)["steps"] if s["name"] == "docs")
    assert (
        "CHANGELOG.md was skipped (changelog not written): it is a symlink to docs/HISTORY.md; "
        "set docs.changelog to that file to update it"
    ) in docs_step["notes"]
    assert (repo / "docs/HISTORY.md").read_text() == "# History\n\n## [Unreleased]\n"
    assert (repo / "CHANGELOG.md").is_symlink()


def test_text_output_and_commit_message_warn(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "CHANGELOG.md"
    outside.parent.mkdir()
    outside.write_bytes(OUTSIDE)
    repo = linked_repo(tmp_path, str(outside))
    result = consolidate(repo, "run", "pager", "--yes")
    assert result.returncode == 0, result.stderr
    expected = (
        "CHANGELOG.md was skipped (changelog not written): it is a symlink to a file outside "
        f"the repository ({outside})"
    )
    assert f"  warning:           {expected}\n" in result.stdout
    message = git(repo, "log", "-1", "--format=%B")
    assert f"Warnings:\n- {expected}\n" in message
