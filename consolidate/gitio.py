"""The one place that talks to git.

Commands run as `git` subprocesses, the way GitPython runs them (C locale, output decoded
with surrogates kept), without importing GitPython: a read-only command starts 40-60 ms
sooner. GitPython is loaded only to create a repository and write its config (`Git.init`).

Reads never take git's optional locks (so `git status` does not rewrite the index) and never
run the repository's fsmonitor. No git call runs the repository's hooks (reference-transaction,
post-index-change, post-checkout fire on plumbing too, not only on commit): every command gets
`-c core.hooksPath=/dev/null`, a path that is not a folder, so git finds no hook there
(githooks(5): "core.hooksPath"). Only the commit of a `run --run-hooks` keeps the repository's
hooks path, so the hooks git fires for that commit run and no others.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from consolidate.errors import Refusal, StepFailed

READ_OPTS = ("-c", "core.fsmonitor=false", "-c", "core.quotepath=false")
NO_HOOKS = ("-c", "core.hooksPath=/dev/null")
OPTS = (*READ_OPTS, *NO_HOOKS)  # every git call but a commit asked to run hooks
READ_ENV = {"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}
IN_PROGRESS = {
    "MERGE_HEAD": "a merge",
    "rebase-merge": "a rebase",
    "rebase-apply": "a rebase or git am",
    "CHERRY_PICK_HEAD": "a cherry-pick",
    "REVERT_HEAD": "a revert",
    "BISECT_LOG": "a bisect",
}


@dataclass(frozen=True)
class Head:
    commit: str
    ref: str | None  # "refs/heads/main", or None when detached


@dataclass(frozen=True)
class LogEntry:
    commit: str
    timestamp: int
    author: str
    paths: tuple[str, ...]


class GitError(Exception):
    """A git command exited with an error."""

    def __init__(self, stdout: str, stderr: str) -> None:
        super().__init__(stderr)
        self.stdout, self.stderr = stdout, stderr


def execute(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run `command` in `cwd` as GitPython's `execute` does: C locale, no input, output
    decoded as UTF-8 with undecodable bytes kept as surrogates; `GitError` on failure."""
    pipe = subprocess.PIPE
    try:
        with subprocess.Popen(
            command,
            cwd=cwd,
            env=_environment(env),
            stdin=subprocess.DEVNULL,
            stdout=pipe,
            stderr=pipe,
        ) as process:
            stdout, stderr = process.communicate()
    except OSError as exc:  # no git, or the folder went away
        raise GitError("", str(exc)) from None
    out = stdout.decode("utf-8", "surrogateescape")
    if process.returncode:
        raise GitError(out, stderr.decode("utf-8", "surrogateescape"))
    return out


def _environment(env: dict[str, str] | None) -> dict[str, str]:
    return {**os.environ, "LANGUAGE": "C", "LC_ALL": "C", **(env or {})}


def _failed(args: tuple[str, ...] | list[str], stderr: str) -> StepFailed:
    """`git COMMAND failed: what git said`, on one line."""
    command = next((a for a in args if not a.startswith("-") and "=" not in a), "")
    return StepFailed(f"git {command} failed: {stderr.strip().replace(chr(10), ' ')[:300]}")


def _lower(pid: int, nice: int) -> None:
    """Lower a process's priority by `nice` below ours (POSIX only; it may have ended)."""
    if nice and hasattr(os, "setpriority"):
        with contextlib.suppress(OSError):
            ours = os.getpriority(os.PRIO_PROCESS, 0)
            os.setpriority(os.PRIO_PROCESS, pid, min(ours + nice, 19))


class LogRun:
    """`git log` (of the whole history, or of the pathspecs `specs`; none when they are [])
    started now and read when it is wanted (`result`).

    Its output goes to an unnamed temporary file, not a pipe: git runs at its own pace with no
    thread of ours to read it, so it can start before the files are read and use the core
    that reading leaves idle, and the scan workers are forked while no other thread runs.
    """

    def __init__(self, git: Git, *, nice: int = 0, specs: list[str] | None = None) -> None:
        import tempfile

        self.entries: list[LogEntry] | None = None
        self.process: subprocess.Popen[bytes] | None = None
        if specs == []:  # the history of no file: nothing to run
            self.entries = []
            return
        # Closed by `result` or `stop`: they outlive this call.
        self.out = tempfile.TemporaryFile()  # noqa: SIM115
        self.err = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            self.process = subprocess.Popen(
                ["git", *OPTS, *log_args(specs)],
                cwd=git.root,
                env=_environment(READ_ENV),
                stdin=subprocess.DEVNULL,
                stdout=self.out,
                stderr=self.err,
                # A group of its own: if this process dies while git is paused, git's group
                # is orphaned, and the kernel ends a stopped member of an orphaned group
                # (SIGHUP, then SIGCONT) instead of leaving it stopped for ever.
                process_group=0,
            )
        except OSError as exc:  # no git, or the folder went away
            self._close()
            raise _failed(["log"], str(exc)) from None
        _lower(self.process.pid, nice)
        # A log nobody read (the command ended another way) does not outlive the process.
        atexit.register(self.stop)

    def result(self) -> list[LogEntry]:
        if self.entries is None and self.process is not None:
            atexit.unregister(self.stop)
            code = self.process.wait()
            out, err = (self._read(f) for f in (self.out, self.err))
            self._close()
            if code:
                raise _failed(["log"], err)
            self.entries = parse_log(out)
        return self.entries or []

    def running(self) -> bool:
        return self.process is not None and self.entries is None and self.process.poll() is None

    def pause(self) -> None:
        """Stop git where it is (SIGSTOP), while the cores have better things to do. Returns
        once git has stopped (or ended): should this process die then, the kernel finds a
        stopped member in git's orphaned group and ends it."""
        self._signal("SIGSTOP")
        if self.process is not None and hasattr(os, "waitid"):
            with contextlib.suppress(ChildProcessError):  # WNOWAIT: still for Popen to reap
                os.waitid(os.P_PID, self.process.pid, os.WSTOPPED | os.WEXITED | os.WNOWAIT)

    def resume(self) -> None:
        self._signal("SIGCONT")

    def _signal(self, name: str) -> None:
        number = getattr(signal, name, None)  # not on Windows
        if number is not None and self.process is not None and self.running():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, number)

    def stop(self) -> None:
        """End it unread: the investigation failed before it needed the history, or the
        process is ending without having asked for it."""
        if self.process is None:
            return
        atexit.unregister(self.stop)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._close()

    @staticmethod
    def _read(file: IO[bytes]) -> str:
        file.seek(0)
        return file.read().decode("utf-8", "surrogateescape")

    def _close(self) -> None:
        self.out.close()
        self.err.close()


class Git:
    def __init__(self, root: Path, git_dir: Path) -> None:
        self.root = root.resolve()
        self.git_dir = git_dir.resolve()

    @classmethod
    def open(cls, path: Path) -> Git:
        """The repository `path` is in (it or a folder above it)."""
        ask = ["git", *READ_OPTS, "rev-parse", "--is-bare-repository", "--absolute-git-dir"]
        try:
            bare, git_dir = execute(ask, path, {"GIT_OPTIONAL_LOCKS": "0"}).splitlines()[:2]
        except GitError as exc:
            said = exc.stderr.strip().splitlines()[:1]
            if path.is_dir() and said and "not a git repository" not in said[0]:
                # dubious ownership, a damaged .git, ...: git's own words say what to do
                raise Refusal(
                    f"git cannot open {path}: {said[0]}", "fix what git says, then run it again"
                ) from None
            raise Refusal(
                f"{path} is not inside a git repository",
                "run consolidate in a git checkout or pass --repo DIR",
            ) from None
        if bare == "true":
            raise Refusal(f"{path} is a bare repository", "run it in a checkout with a work tree")
        try:
            top = execute(["git", *READ_OPTS, "rev-parse", "--show-toplevel"], path).strip()
        except GitError:
            raise Refusal(
                f"{path} is not in a work tree (inside the .git folder?)",
                "run consolidate in the checkout's folder or pass --repo DIR",
            ) from None
        return cls(Path(top), Path(git_dir))

    def run(self, *args: str, read_only: bool = True, check: bool = True) -> str:
        env = dict(READ_ENV) if read_only else {"GIT_TERMINAL_PROMPT": "0"}
        try:
            return execute(["git", *OPTS, *args], self.root, env)
        except GitError as exc:
            if not check:
                return ""
            raise _failed(args, exc.stderr) from None

    # ---- reads -------------------------------------------------------------------------
    def file_at(self, commit: str, path: str) -> bytes | None:
        """A file's bytes at a commit, or None when it is not there."""
        command = ["git", *OPTS, "cat-file", "blob", f"{commit}:{path}"]
        done = subprocess.run(command, cwd=self.root, capture_output=True, check=False)
        return done.stdout if done.returncode == 0 else None

    def head(self) -> Head | None:
        commit = self.run("rev-parse", "--verify", "-q", "HEAD^{commit}", check=False).strip()
        if not commit:
            return None
        ref = self.run("symbolic-ref", "-q", "HEAD", check=False).strip() or None
        return Head(commit=commit, ref=ref)

    def in_progress(self) -> str | None:
        for name, what in IN_PROGRESS.items():
            if (self.git_dir / name).exists():
                return what
        return None

    def dirty_paths(self) -> list[str]:
        out = self.run("status", "--porcelain=v1", "-z", "--untracked-files=no")
        return [entry[3:] for entry in out.split("\0") if entry]

    def tracked_files(self) -> list[str]:
        return [p for p in self.run("ls-files", "-z").split("\0") if p]

    def untracked_files(self, *, ignored: bool = True) -> list[str]:
        args = ["ls-files", "-z", "--others"]
        if not ignored:
            args.append("--exclude-standard")
        return [p for p in self.run(*args).split("\0") if p]

    def submodules(self) -> list[str]:
        out = self.run("ls-files", "-z", "--stage")
        return [e.split("\t", 1)[1] for e in out.split("\0") if e.startswith("160000 ")]

    def identity_problem(self) -> str | None:
        for var in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
            try:
                execute(["git", *OPTS, "var", var], self.root)
            except GitError:
                return "git has no user.name/user.email for the commit"
        return None

    def ref_commit(self, ref: str) -> str | None:
        out = self.run("rev-parse", "--verify", "-q", f"{ref}^{{commit}}", check=False)
        return out.strip() or None

    def log_all(self, specs: list[str] | None = None) -> list[LogEntry]:
        """The whole history (or that of the pathspecs `specs`), one pass, names only."""
        return parse_log(self.run(*log_args(specs))) if specs != [] else []

    def start_log(self, *, background: bool = False, specs: list[str] | None = None) -> LogRun:
        """`log_all(specs)`, started now, read with `.result()`."""
        return LogRun(self, nice=10 if background else 0, specs=specs)

    # ---- writes ------------------------------------------------------------------------
    def create_branch(self, name: str, commit: str) -> None:
        self.run("update-ref", f"refs/heads/{name}", commit, "0" * 40, read_only=False)

    def delete_branch(self, name: str, expected: str) -> None:
        self.run("update-ref", "-d", f"refs/heads/{name}", expected, read_only=False)

    def move_ref(self, ref: str, new: str, old: str) -> None:
        self.run("update-ref", ref, new, old, read_only=False)

    def stage(self, paths: list[str]) -> None:
        """Stage these paths' current state. Deleted ones go through `git rm --cached
        --ignore-unmatch`, so staging again (a retried commit) does not fail on a deletion
        already staged, which `git add` would."""
        present = [p for p in paths if os.path.lexists(self.root / p)]
        absent = [p for p in paths if p not in set(present)]
        for chunk in _chunks(present, 500):
            self.run("add", "-A", "--", *chunk, read_only=False)
        for chunk in _chunks(absent, 500):
            self.run("rm", "--cached", "-q", "--ignore-unmatch", "--", *chunk, read_only=False)

    def commit(self, message: str, paths: list[str], *, run_hooks: bool) -> str:
        """Commit `paths` only. With `run_hooks` git uses the repository's own hooks path for
        this one command, so the hooks a commit fires run (pre-commit, prepare-commit-msg,
        commit-msg, post-commit, and reference-transaction for the commit's own ref update);
        every other call, the `rev-parse` after it included, runs none."""
        opts = READ_OPTS if run_hooks else OPTS
        args = ["commit", "--quiet", "--no-edit", "--cleanup=whitespace", "-m", message]
        args += ["--no-verify"] if not run_hooks else []
        args += ["--only", "--", *paths]
        command = ["git", *opts, *args]
        try:
            execute(command, self.root)
        except GitError as exc:
            output = (exc.stdout + exc.stderr).strip().replace("\n", " | ")
            raise StepFailed(f"git commit failed: {output[:500]}") from None
        return self.run("rev-parse", "HEAD").strip()

    @classmethod
    def init(cls, path: Path, *, name: str, email: str) -> Git:
        import git

        repo = git.Repo.init(path, initial_branch="main")
        with repo.config_writer() as config:
            config.set_value("user", "name", name)
            config.set_value("user", "email", email)
        return cls(Path(repo.working_tree_dir or path), Path(repo.git_dir))

    def commit_all(self, message: str, paths: list[str], *, date: str) -> str:
        """Stage `paths` and commit them with the given author and committer date."""
        self.stage(paths)
        env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
        command = ["git", *OPTS, "commit", "--quiet", "-m", message]
        try:
            execute(command, self.root, env)
        except GitError as exc:
            raise StepFailed(f"git commit failed: {exc.stderr.strip()[:300]}") from None
        return self.run("rev-parse", "HEAD").strip()

    @property
    def index_path(self) -> Path:
        return self.git_dir / "index"


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def log_args(specs: list[str] | None = None) -> list[str]:
    # With pathspecs, `--full-history` lists each commit that changes them, as the whole log
    # does, also on a branch whose merge kept the other side's version (git's default skips
    # it). A pathspec is a path, never a pattern, and `log.follow` would follow one file
    # across renames. git's cache of delta bases defaults to 96 MB; 16 MB keeps `git log` of
    # a 5,000-commit history at 43 MB instead of 128 MB, about 5% slower.
    limit = ["--full-history", "--", *specs] if specs else []
    options = ["-c", "core.deltaBaseCacheLimit=16m", "-c", "log.follow=false"]
    log = ["log", "--no-renames", "--name-only", "-z", "--format=%x01%H %at %aN"]
    return [*options, "--literal-pathspecs", *log, *limit]


def parse_log(out: str) -> list[LogEntry]:
    entries: list[LogEntry] = []
    for record in out.split("\x01")[1:]:
        header, _, rest = record.partition("\n")
        commit, stamp, author = header.strip("\0").split(" ", 2)
        paths = tuple(p.strip("\n") for p in rest.split("\0") if p.strip("\n"))
        entries.append(LogEntry(commit, int(stamp), author, paths))
    return entries


def environment_without_git_vars() -> dict[str, str]:
    """The environment for commands the playbook runs: no GIT_DIR leaking into them."""
    return {k: v for k, v in os.environ.items() if not k.startswith("GIT_DIR")}
