"""The fork server the tests run the CLI through behaves as `python -m consolidate` does."""

from __future__ import annotations

import pytest
import repo_support
from repo_support import RepoFactory, consolidate, python_m

CASES = [
    ["version"],
    ["run", "--no-such-flag"],
    ["investigate", "orchestrator", "--json", "--repo", "."],
    ["investigate", "nothing-here", "--repo", "."],
    ["rollback", "--yes", "--repo", "."],
    ["status", "--json", "--repo", "."],
    [],
]


@pytest.mark.parametrize("argv", CASES, ids=lambda a: " ".join(a) or "no arguments")
def test_same_output_and_exit_code_as_python_m(make_repo: RepoFactory, argv: list[str]) -> None:
    assert repo_support.DEFAULT_POOL is not None, "the session's fork server is not running"
    repo = make_repo(
        {
            "docker-compose.yml": "services:\n  orchestrator:\n    build: ./orchestrator\n",
            "orchestrator/main.py": "print('x')\n",
        }
    )
    forked = consolidate(repo, *argv)
    fresh = python_m(repo, argv)
    assert (forked.returncode, forked.stdout, forked.stderr) == (
        fresh.returncode,
        fresh.stdout,
        fresh.stderr,
    )
