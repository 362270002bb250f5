"""A failing validate command is compared with the same command on the commit before the
removal: what was already broken does not block, what the removal broke does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from repo_support import RepoFactory, cli_json, consolidate, git, python_m, repo_state

from consolidate.gitio import Git
from consolidate.validate.baseline import PREFIX, Baseline, new_lines, normaliser
from consolidate.validate.commands import Tracker, runner

PLAYBOOK = """\
component: relay
summary: The relay never forwarded a message in production.
files: [relay/**]
compose:
  docker-compose.yml: [relay]
backup: {images: false}
validate:
  - name: compile
    run: python3 -m compileall -q services
"""
FILES = {
    "services/api/app.py": "import helpers\n\nprint(helpers.greet())\n",
    "services/api/helpers.py": 'def greet():\n    return "hi"\n',
    # unrelated to the relay, and already broken at HEAD
    "services/api/legacy_tool.py": "def half(:\n    pass\n",
    "relay/main.py": 'print("relay")\n',
    "docker-compose.yml": (
        "services:\n  api:\n    build: ./services/api\n"
        "  relay:\n    build: ./relay\n    depends_on: [api]\n"
    ),
    "playbooks/relay.yaml": PLAYBOOK,
    ".gitignore": "__pycache__/\n",
}
REPORT = "RELAY_REMOVAL_REPORT.md"
# a migrate step that breaks a kept file: the removal brings a new syntax error
BREAKS_HELPERS = (
    "migrate:\n  - replace: {file: services/api/helpers.py, pattern: 'return \"hi\"', "
    "with: 'return \"hi\" +'}\n"
)

_execute = runner(Tracker(None))  # the command runner the run uses, recording nothing


def worktrees(repo: Path) -> list[str]:
    return git(repo, "worktree", "list", "--porcelain").split("\n\n")[:-1]


def test_a_failure_already_there_before_the_removal_does_not_block(
    make_repo: RepoFactory, tmp_path: Path
) -> None:
    repo = make_repo(FILES, name="shop")
    temp = tmp_path / "tmp"
    temp.mkdir()
    # a fresh interpreter, so that TMPDIR decides where the baseline checkout goes
    result = python_m(
        repo, ["run", "relay", "--yes", "--repo", str(repo)], env={"TMPDIR": str(temp)}
    )
    assert result.returncode == 0, result.stderr
    assert "validate:          compile: failed before this removal (" in result.stdout
    report = (repo / REPORT).read_text()
    assert (
        "| compile | `python3 -m compileall -q services` | **failed before this removal** (exit 1) |"
        in report
    )
    assert "Already failing before this removal: the same command failed on " in report
    assert "*** Error compiling 'services/api/legacy_tool.py'..." in report
    assert len(worktrees(repo)) == 1
    assert list(temp.iterdir()) == []
    assert not (repo / ".git/worktrees").exists()
    assert "- compile: **failed before this removal** (exit 1)" in git(repo, "log", "-1")


def test_a_new_error_the_removal_brought_blocks_and_is_named(make_repo: RepoFactory) -> None:
    files = {**FILES, "playbooks/relay.yaml": PLAYBOOK + BREAKS_HELPERS}
    repo = make_repo(files, name="shop")
    head = git(repo, "rev-parse", "HEAD")
    result = consolidate(repo, "run", "relay", "--yes")
    assert result.returncode == 1, result.stdout
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith(
        "consolidate: error: validation failed: compile failed (exit 1): new since the removal: "
        "*** Error compiling 'services/api/helpers.py'..."
    )
    report = (repo / REPORT).read_text()
    assert "| compile | `python3 -m compileall -q services` | **failed** (exit 1) |" in report
    new = report.split("New since the removal: ", 1)[1].split("\n\nOutput:\n", 1)[0]
    assert "the commit before it.\n  *** Error compiling 'services/api/helpers.py'..." in new
    assert "legacy_tool.py" not in new  # the old error is not listed as new
    assert git(repo, "rev-parse", "HEAD") == head
    assert len(worktrees(repo)) == 1


def test_baseline_false_makes_every_failure_block(make_repo: RepoFactory) -> None:
    files = {**FILES, "playbooks/relay.yaml": PLAYBOOK + "baseline: false\n"}
    repo = make_repo(files, name="shop")
    result = consolidate(repo, "run", "relay", "--yes")
    assert result.returncode == 1
    assert "validation failed: compile failed (exit 1): fix it" in result.stderr
    report = (repo / REPORT).read_text()
    assert "| compile | `python3 -m compileall -q services` | **failed** (exit 1) |" in report
    assert "the commit before" not in report
    assert len(worktrees(repo)) == 1


def test_under_allow_dirty_the_report_says_what_the_baseline_is(make_repo: RepoFactory) -> None:
    repo = make_repo(FILES, name="shop")
    (repo / "services/api/app.py").write_text("import helpers\n\nprint(helpers.greet(), 2)\n")
    result = consolidate(repo, "run", "relay", "--yes", "--allow-dirty")
    assert result.returncode == 0, result.stderr
    report = (repo / REPORT).read_text()
    assert "without the uncommitted changes the run started with (--allow-dirty)" in report


def test_a_dry_run_says_a_failure_is_compared_with_the_commit_before(
    make_repo: RepoFactory,
) -> None:
    repo = make_repo(FILES, name="shop")
    head = git(repo, "rev-parse", "HEAD").strip()
    plan = cli_json(repo, "run", "relay", "--dry-run")
    validate = next(s for s in plan["steps"] if s["name"] == "validate")
    assert validate["actions"][0]["diff"].splitlines()[1:] == [
        f"# a failing command runs again on {head[:12]} (before the removal); only what it did"
        " not print there blocks"
    ]


# --- the comparison -----------------------------------------------------------------------


def test_paths_and_positions_are_normalised(tmp_path: Path) -> None:
    root = tmp_path / "work" / "shop"
    checkout = tmp_path / f"{PREFIX}x" / "shop"
    normal = normaliser(root, checkout)
    assert normal(f'  File "{checkout}/svc/a.py", line 12\n') == 'File "svc/a.py", line N'
    assert normal(f"{root}/svc/a.py:12:5: E999 SyntaxError") == "svc/a.py:N: E999 SyntaxError"
    assert normal("src/app.ts(12,5): error TS2304: x") == "src/app.ts(N,N): error TS2304: x"
    assert normal(f"at run ({checkout}/src/x.js:40:11)") == "at run (src/x.js:N)"
    assert normal("1 failed in 0.53s") == normal("1 failed in 12.04s")
    assert normal(f"cd {checkout}") == "cd ."
    assert normal("svc/a12.py: error") == "svc/a12.py: error"  # digits in names stay


def test_only_lines_the_baseline_did_not_print_are_new(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    checkout = tmp_path / f"{PREFIX}x" / "shop"
    before = f"{checkout}/a.py:3: error: old problem\n{checkout}/b.py:9: error: other\n"
    after = (
        f"{root}/a.py:4: error: old problem\n\n{root}/c.py:1: error: new problem\n"
        f"{root}/c.py:7: error: new problem\n"
    )
    assert new_lines(after, before, root, checkout) == [f"{root}/c.py:1: error: new problem"]
    assert new_lines(f"{root}/a.py:40: error: old problem\n", before, root, checkout) == []


# --- the checkout itself ------------------------------------------------------------------


def command(argv: list[str]) -> dict[str, Any]:
    return {"name": "check", "argv": argv, "timeout": 60, "cwd": "."}


def failed(output: str) -> dict[str, Any]:
    return {"status": "failed", "exit": 1, "output": output}


def test_a_command_that_passed_before_the_removal_blocks(make_repo: RepoFactory) -> None:
    repo = make_repo({"check.py": "print('fine')\n"}, name="shop")
    g = Git.open(repo)
    argv = ["python3", "check.py"]
    with Baseline(g, {"commit": git(repo, "rev-parse", "HEAD").strip()}, print) as baseline:
        row = baseline.judge(command(argv), failed("boom\n"), "boom\n", _execute)
    assert row["status"] == "failed"
    assert row["output"].startswith("New since the removal: it passed on ")
    assert row["baseline"]["new"] == ["boom"]
    assert len(worktrees(repo)) == 1


def test_a_commit_git_cannot_check_out_leaves_the_failure_blocking(
    make_repo: RepoFactory,
) -> None:
    repo = make_repo({"check.py": "raise SystemExit(1)\n"}, name="shop")
    with Baseline(Git.open(repo), {"commit": "0" * 40}, print) as baseline:
        row = baseline.judge(command(["python3", "check.py"]), failed(""), "", _execute)
    assert row["status"] == "failed"
    assert row["output"].startswith(
        "Could not run it on 000000000000, the commit before the removal: git worktree add failed"
    )
    assert len(worktrees(repo)) == 1


def test_a_checkout_left_by_a_killed_run_is_removed(make_repo: RepoFactory, tmp_path: Path) -> None:
    repo = make_repo({"a.txt": "a\n"}, name="shop")
    left = tmp_path / f"{PREFIX}left" / "shop"
    git(repo, "worktree", "add", "--detach", "-q", str(left), "HEAD")
    mine = tmp_path / "mine" / "shop"  # a person's own worktree stays
    git(repo, "worktree", "add", "--detach", "-q", str(mine), "HEAD")
    with Baseline(Git.open(repo), {"commit": git(repo, "rev-parse", "HEAD").strip()}, print):
        pass
    assert not left.parent.exists()
    assert mine.is_dir()
    assert len(worktrees(repo)) == 2


@pytest.mark.parametrize("status", ["passed", "timed out after 5s"])
def test_only_a_failed_command_is_compared(make_repo: RepoFactory, status: str) -> None:
    repo = make_repo({"a.txt": "a\n"}, name="shop")
    row = {"status": status, "exit": None, "output": "x"}
    with Baseline(Git.open(repo), {"commit": "0" * 40}, print) as baseline:
        assert baseline.judge(command(["false"]), row, "x", _execute) is row


# --- a run killed while the checkout exists -------------------------------------------------


@pytest.mark.parametrize("then", ["run", "rollback"])
def test_a_checkout_left_by_a_killed_run_goes_on_resume_or_rollback(
    make_repo: RepoFactory, tmp_path: Path, then: str
) -> None:
    repo = make_repo(FILES, name="shop")
    before = repo_state(repo)
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {"TMPDIR": str(temp)}
    killed = python_m(
        repo,
        ["run", "relay", "--yes", "--repo", str(repo)],
        env={**env, "CONSOLIDATE_FAILPOINT": "validate:command:0:done"},
    )
    assert killed.returncode == -9
    assert len(worktrees(repo)) == 2  # the baseline checkout was there when it died
    again = python_m(repo, [then, "--yes", "--repo", str(repo)] if then == "rollback" else
                     [then, "relay", "--yes", "--repo", str(repo)], env=env)  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert len(worktrees(repo)) == 1
    assert list(temp.iterdir()) == []
    if then == "rollback":
        assert repo_state(repo) == before


def test_the_baseline_runs_in_the_same_folder_of_the_checkout(make_repo: RepoFactory) -> None:
    script = "import os, sys\nprint('broken in', os.getcwd())\nsys.exit(1)\n"
    repo = make_repo({"tools/check.py": script}, name="shop")
    argv = ["python3", "check.py"]
    row, output = _execute(argv, repo / "tools", 60.0)
    spec = {"commit": git(repo, "rev-parse", "HEAD").strip()}
    with Baseline(Git.open(repo), spec, print) as baseline:
        judged = baseline.judge({**command(argv), "cwd": "tools"}, row, output, _execute)
    assert output == f"broken in {repo.resolve()}/tools\n"
    assert judged["status"] == "failed before this removal"
    assert judged["baseline"]["new"] == []
