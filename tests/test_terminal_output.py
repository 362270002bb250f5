"""Output people read and tools parse (issue 16): colour and width follow the terminal, global
flags work after the subcommand, help is plain, and every failure under --json is a document.

The terminal is a real pseudo-terminal with its window set to 80 columns (TIOCSWINSZ), not a
COLUMNS variable: the CLI must find the width the way it does in a person's terminal.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from repo_support import RepoFactory, consolidate, python_m

from consolidate.demo import build_sample

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
PLAIN_ENV = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS")}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample(tmp_path_factory.mktemp("terminal") / "taskhub").root


def in_terminal(
    repo: Path, *args: str, columns: int = 80, env: dict[str, str] | None = None
) -> str:
    """Run the CLI with stdout and stderr on a pseudo-terminal of `columns` columns."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "consolidate", *args],
        cwd=repo,
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
        env={**PLAIN_ENV, **(env or {})},
        close_fds=True,
    )
    os.close(slave)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            proc.kill()
            pytest.fail("the command wrote nothing for 60 s")
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert proc.wait(timeout=60) in (0, 1), b"".join(chunks)[-2000:]
    return b"".join(chunks).decode("utf-8", errors="replace").replace("\r\n", "\n")


def test_a_terminal_gets_colour_and_lines_that_fit_its_width(sample: Path) -> None:
    out = in_terminal(sample, "investigate", "orchestrator", "--repo", ".")
    assert ANSI.search(out), "no colour on a terminal"
    lines = ANSI.sub("", out).splitlines()
    assert "Files" in "\n".join(lines) and any("remove" in line for line in lines)
    too_wide = [line for line in lines if len(line) > 80]
    assert too_wide == [], too_wide[:3]
    # Verdicts are never cut: every row of the Files table still says its whole verdict.
    assert not any(re.search(r"│ (rem|rev|kee)\S*…", line) for line in lines)


def test_a_pipe_gets_no_escape_codes_and_120_columns(sample: Path) -> None:
    result = python_m(sample, ["investigate", "orchestrator"], env={"NO_COLOR": ""})
    assert result.returncode == 0, result.stderr
    assert not ANSI.search(result.stdout) and not ANSI.search(result.stderr)
    assert max(len(line) for line in result.stdout.splitlines()) > 80  # not cut to a terminal's


def test_no_color_is_honoured_on_a_terminal_and_force_color_on_a_pipe(sample: Path) -> None:
    out = in_terminal(sample, "investigate", "orchestrator", env={"NO_COLOR": "1"})
    assert not ANSI.search(out) and "Files" in out
    forced = python_m(sample, ["investigate", "orchestrator"], env={"FORCE_COLOR": "1"})
    assert ANSI.search(forced.stdout)


def test_global_flags_work_before_and_after_the_subcommand(sample: Path, docker_image: str) -> None:
    for args in (["-q", "status"], ["status", "-q"], ["status", "--quiet"]):
        result = consolidate(sample, *args)
        assert result.returncode == 0, (args, result.stderr)
        assert result.stderr == "", (args, result.stderr)
    dry_run = ["run", "orchestrator", "--dry-run"]
    for args in (["--log-json", "-v", *dry_run], [*dry_run, "-v", "--log-json"]):
        result = consolidate(sample, *args)
        assert result.returncode == 0, (args, result.stderr)
        lines = [json.loads(line) for line in result.stderr.splitlines()]
        assert any(line["event"] == "planning" for line in lines), (args, result.stderr)


def test_help_is_plain(sample: Path) -> None:
    for args in (["--help"], ["run", "--help"], ["lint", "--help"]):
        result = consolidate(sample, *args)
        assert result.returncode == 0
        assert ("<bool>" not in result.stdout and "--json" in result.stdout) or args == ["--help"]
        assert not ANSI.search(result.stdout)


def test_every_failure_under_json_is_one_document_with_the_exit_code(tmp_path: Path) -> None:
    cases = [
        (["investigate", "x", "--repo", str(tmp_path / "nowhere"), "--json"], 2),
        (["run", "nosuch", "--repo", str(tmp_path), "--json"], 2),
        (["status", "--json", "--bogus"], 2),
    ]
    (tmp_path / ".git").mkdir()  # not a usable repository either
    for args, code in cases:
        result = python_m(tmp_path, args)
        assert result.returncode == code, (args, result.stderr)
        doc = json.loads(result.stdout)
        assert doc["exit_code"] == code and doc["error"], (args, doc)
        assert set(doc) >= {"error", "hint", "exit_code"}
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("consolidate: error: "), result.stderr


def test_log_json_makes_the_error_line_json(tmp_path: Path) -> None:
    result = python_m(tmp_path, ["investigate", "x", "--log-json", "--repo", str(tmp_path)])
    assert result.returncode == 2
    line = json.loads(result.stderr.strip())
    assert line["level"] == "error" and line["exit_code"] == 2
    assert "not inside a git repository" in line["error"] and line["hint"]


def test_a_run_that_fails_in_a_step_prints_its_partial_result(make_repo: RepoFactory) -> None:
    repo = make_repo(
        {
            "ledger.py": "print('ledger')\n",
            "app.py": "import ledger\n",
            "docker-compose.yml": "services:\n  web:\n    image: nginx\n  ledger:\n    image: busybox\n",
            "playbooks/ledger.yaml": (
                "component: ledger\nsummary: Replaced by the billing service.\n"
                "files: [ledger.py]\ncompose:\n  docker-compose.yml: [ledger]\n"
                "backup: {images: false}\nbaseline: false\n"
                "validate:\n  - name: imports\n    run: python3 -c 'import ledger'\n"
            ),
        }
    )
    result = consolidate(repo, "run", "ledger", "--yes", "--delete-in-use", "--json")
    assert result.returncode == 1, result.stderr
    doc = json.loads(result.stdout)
    assert doc["exit_code"] == 1 and doc["status"] == "failed"
    assert doc["error"].startswith("validation failed: imports of removed files failed")
    steps = {s["name"]: s["status"] for s in doc["steps"]}
    assert steps["remove"] == "done" and steps["validate"] == "running"
    assert "rollback_command" in doc


def test_plan_and_version_print_json(sample: Path, tmp_path: Path) -> None:
    version = json.loads(consolidate(sample, "version", "--json").stdout)
    assert set(version) == {"version"}
    target = tmp_path / "draft.yaml"
    result = consolidate(sample, "plan", "orchestrator", "--output", str(target), "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc == {
        "component": "orchestrator",
        "playbook": str(target),
        "next": "consolidate run orchestrator --dry-run",
    }
    assert target.is_file()
