"""The real CLI in a real process that did not pay for Python's start-up: a fork server.

The crash harness starts the CLI about four hundred times, and most of each start is the
interpreter and the imports. A server process imports the CLI once; for every command it forks
a child, which takes the command's environment, folder and standard streams and calls
`consolidate.cli.main()`, exactly what `python -m consolidate` runs. The child is a process of
its own: a failpoint's SIGKILL kills it (return code -9) and nothing else, and the server stays
single-threaded, so forking is safe. Run as a script, this file is the server.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


class CliServer:
    """One server process; serves one command at a time."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )
        assert self.process.stdout is not None and self.process.stdin is not None
        self.requests: IO[str] = self.process.stdin
        self.answers: IO[str] = self.process.stdout
        ready = self.answers.readline()
        assert ready.strip() == "ready", f"the CLI server did not start: {ready!r}"

    def run(
        self, argv: list[str], cwd: Path, env: dict[str, str], timeout: float
    ) -> subprocess.CompletedProcess[str]:
        with tempfile.TemporaryDirectory(prefix="cli-server-") as tmp:
            out, err = Path(tmp) / "stdout", Path(tmp) / "stderr"
            request = {
                "argv": argv,
                "cwd": str(cwd),
                "env": env,
                "stdout": str(out),
                "stderr": str(err),
                "timeout": timeout,
            }
            self.requests.write(json.dumps(request) + "\n")
            self.requests.flush()
            answer = json.loads(self.answers.readline())
            stdout = out.read_text(encoding="utf-8", errors="replace")
            stderr = err.read_text(encoding="utf-8", errors="replace")
        if answer.get("timeout"):
            raise subprocess.TimeoutExpired(argv, timeout, stdout, stderr)
        return subprocess.CompletedProcess(argv, answer["returncode"], stdout, stderr)

    def close(self) -> None:
        self.requests.close()
        self.process.wait(timeout=30)


class CliPool:
    """Servers for callers on several threads: each call borrows one."""

    def __init__(self, size: int) -> None:
        self.idle: queue.Queue[CliServer] = queue.Queue()
        self.servers = [CliServer() for _ in range(size)]
        for server in self.servers:
            self.idle.put(server)

    def run(
        self, argv: list[str], cwd: Path, env: dict[str, str], timeout: float
    ) -> subprocess.CompletedProcess[str]:
        server = self.idle.get()
        try:
            return server.run(argv, cwd, env, timeout)
        finally:
            self.idle.put(server)

    def close(self) -> None:
        for server in self.servers:
            server.close()


@contextmanager
def cli_pool(size: int) -> Iterator[CliPool]:
    pool = CliPool(size)
    try:
        yield pool
    finally:
        pool.close()


def _child(request: dict[str, Any]) -> None:
    """In the forked child: become the command, run the CLI, never return."""
    code = 1
    try:
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.setpgid(0, 0)  # its own group, so a timeout kills what it started too
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
            target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(target, fd)
            os.close(target)
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        import consolidate
        from consolidate.cli import main

        # As `python -m consolidate` sets them: click names the program from both.
        sys.argv = [
            os.path.join(os.path.dirname(consolidate.__file__), "__main__.py"),
            *request["argv"],
        ]
        sys.modules["__main__"].__package__ = "consolidate"

        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # a traceback, as `python -m consolidate` would print it
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                code = code or 1
        os._exit(code)


def _wait(pid: int, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return {"returncode": os.waitstatus_to_exitcode(status)}
        if time.monotonic() > deadline:
            os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return {"returncode": -9, "timeout": True}
        time.sleep(0.005)


def serve() -> None:
    import regex  # noqa: F401  (the playbook compiles its patterns with it)
    import structlog  # noqa: F401  (logging loads it at its first line)

    import consolidate.cli
    import consolidate.runner  # noqa: F401  (cli imports it inside the commands)
    from consolidate.steps import planners

    planners()  # every step and the parts it uses, imported once here
    print("ready", flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request)
        print(json.dumps(_wait(pid, float(request["timeout"]))), flush=True)


if __name__ == "__main__":
    serve()
