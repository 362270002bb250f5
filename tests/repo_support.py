"""Real git repositories for tests, and byte-level snapshots to compare them."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cli_server import CliPool

ROOT = Path(__file__).resolve().parents[1]


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        ["git", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    return result.stdout


class RepoFactory:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.count = 0

    def __call__(self, files: dict[str, str | bytes], *, name: str | None = None) -> Path:
        self.count += 1
        repo = self.base / (name or f"repo{self.count}")
        repo.mkdir(parents=True)
        git(repo, "init", "-q", "-b", "main")
        write_files(repo, files)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "initial")
        return repo


def write_files(repo: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)


def consolidate(
    repo: Path,
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    pool: CliPool | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a process of its own, without a terminal: `python -m consolidate`,
    or a child forked from a `pool` server that has the CLI imported already."""
    commands = ("run", "status", "rollback", "investigate")
    command = next((a for a in args if not a.startswith("-")), "")
    repo_opt = ["--repo", str(repo)] if command in commands else []
    pool = pool or DEFAULT_POOL
    if pool is not None:
        return pool.run([*args, *repo_opt], repo, {**os.environ, **(env or {})}, timeout)
    return python_m(repo, [*args, *repo_opt], env=env, timeout=timeout)


# Set for the whole session by conftest.py: most tests run the CLI through a fork server (the
# same `main()` in a process of its own, without paying for Python's start-up each time).
DEFAULT_POOL: CliPool | None = None


def python_m(
    repo: Path, argv: list[str], *, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`python -m consolidate ARGV` in a fresh interpreter, as a user runs it."""
    return python(repo, ["-m", "consolidate", *argv], env=env, timeout=timeout)


def python(
    repo: Path, args: list[str], *, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`python ARGS` in a fresh interpreter in `repo`, without a terminal."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=repo,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def tree_hash(root: Path) -> dict[str, str]:
    """Every file and folder under root (the .git folder too) by type, mode and content."""
    out: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = Path(dirpath) / name
            info = full.lstat()
            rel = str(full.relative_to(root))
            if stat.S_ISLNK(info.st_mode):
                out[rel] = f"link {os.readlink(full)}"
            elif stat.S_ISDIR(info.st_mode):
                out[rel] = f"dir {stat.S_IMODE(info.st_mode):o}"
            else:
                digest = hashlib.sha256(full.read_bytes()).hexdigest()
                out[rel] = f"file {stat.S_IMODE(info.st_mode):o} {digest}"
    return out


def repo_state(repo: Path) -> dict[str, Any]:
    """What rollback must restore: HEAD, refs, index (logically and as bytes), work tree."""
    work = {k: v for k, v in tree_hash(repo).items() if not k.startswith(".git")}
    git_dir = repo / ".git"
    return {
        "head": (git_dir / "HEAD").read_text(),
        "head_commit": git(repo, "rev-parse", "HEAD"),
        "refs": git(repo, "for-each-ref", "--format=%(refname) %(objectname)"),
        "index": git(repo, "ls-files", "--stage"),
        "index_bytes": hashlib.sha256((git_dir / "index").read_bytes()).hexdigest(),
        "work": work,
        "locks": sorted(str(p) for p in git_dir.rglob("*.lock")),
    }


def cli_json(repo: Path, *args: str) -> Any:
    """The CLI's `--json` document for a command that must succeed."""
    result = consolidate(repo, *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def orphan_paths(repo: Path) -> list[str]:
    """`consolidate orphans --json`: the paths nothing reaches, sorted."""
    return sorted(row["path"] for row in cli_json(repo, "orphans")["orphans"])


def verdicts(repo: Path, name: str) -> dict[str, dict[str, Any]]:
    """`consolidate investigate NAME --json`: each judged file's row, by path."""
    return {row["path"]: row for row in cli_json(repo, "investigate", name)["files"]}


# A service whose build copies api/ to /app, with another folder bind-mounted over it: the
# "bind mount hides build" finding the lint, baseline and SARIF tests start from.
API_DOCKERFILE = 'FROM python:3.12\nWORKDIR /app\nCOPY . /app\nCMD ["python", "app.py"]\n'
MOUNT_OVER_BUILD = 'services:\n  api:\n    build: ./api\n    volumes: ["./shared:/app"]\n'


def ledger_playbook(validate: dict[str, str], extra: str = "") -> str:
    """The playbook that removes `ledger.py` and its compose service (no image backup), with
    `extra` keys and these validate commands (name -> run)."""
    commands = "".join(f"  - name: {name}\n    run: {run}\n" for name, run in validate.items())
    return (
        "component: ledger\nsummary: Replaced by the billing service.\nfiles: [ledger.py]\n"
        "compose:\n  docker-compose.yml: [ledger]\n"
        f"{extra}backup: {{images: false}}\nvalidate:\n{commands}"
    )


def start_ledger_run(repo: Path) -> subprocess.Popen[bytes]:
    """`consolidate run ledger --yes` in a fresh interpreter and a process group of its own,
    as a user's terminal starts it; nothing read from or shown to it."""
    return subprocess.Popen(
        [sys.executable, "-m", "consolidate", "run", "ledger", "--yes", "--repo", str(repo)],
        cwd=repo,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
