"""What a command imports before it answers: `--help` and `version` load none of the heavy
libraries, `status` neither the runner nor the playbook's models, a `--json` investigation no
rich. Asserted on the modules a fresh interpreter holds after the command, never on timings
(the machines are shared; `benchmarks/startup.py` measures the time)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from repo_support import RepoFactory, python

import consolidate

# Runs the CLI as `python -m consolidate` does, then writes what was imported: at exit, since
# a read-only command ends the process itself once it has printed (`outputs.leave`).
PROBE = """
import atexit, runpy, sys
out, sys.argv = sys.argv[1], ["consolidate", *sys.argv[2:]]
ended = {"code": 0}
def report():
    import json  # after the command: not part of what it imported
    with open(out, "w", encoding="utf-8") as f:
        json.dump([ended["code"], sorted(sys.modules)], f)
atexit.register(report)
try:
    runpy.run_module("consolidate", run_name="__main__", alter_sys=True)
except SystemExit as exc:
    ended["code"] = exc.code
"""
HEAVY = {"pydantic", "git", "rich", "regex", "ruamel", "docker", "structlog"}
# typer 0.2x coerces every parameter's value with a pydantic TypeAdapter: a command that takes
# an option loads pydantic whatever consolidate imports. `--help` runs no command.
TYPER_NEEDS_PYDANTIC = importlib.util.find_spec("typer._adapters") is not None
HEAVY_IN_A_COMMAND = HEAVY - {"pydantic"} if TYPER_NEEDS_PYDANTIC else HEAVY


def probe(repo: Path, *argv: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    out = repo.parent / f"{repo.name}-modules.txt"
    result = python(repo, ["-c", PROBE, str(out), *argv], env=env)
    assert result.returncode == 0, result.stderr
    code, modules = json.loads(out.read_text(encoding="utf-8"))
    assert code in (0, None), result.stderr
    assert "consolidate.cli" in modules  # the probe ran the command
    return {"stdout": result.stdout, "stderr": result.stderr, "modules": set(modules)}


def packages(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_help_loads_none_of_the_heavy_libraries(tmp_path: Path) -> None:
    found = probe(tmp_path, "--help")
    assert "investigate" in found["stdout"]
    assert packages(found["modules"]) & HEAVY == set()


def test_version_loads_neither_git_nor_the_models_nor_the_renderers(tmp_path: Path) -> None:
    found = probe(tmp_path, "version")
    assert found["stdout"] == f"{consolidate.__version__}\n"
    assert packages(found["modules"]) & HEAVY_IN_A_COMMAND == set()
    assert "consolidate.playbook" not in found["modules"]


def test_status_json_loads_neither_the_runner_nor_the_playbook(
    make_repo: RepoFactory,
) -> None:
    repo = make_repo({"README.md": "hello\n"})
    found = probe(repo, "status", "--json")
    assert json.loads(found["stdout"]) == {
        "status": "none",
        "message": "no run recorded in this repository",
    }
    loaded = found["modules"]
    assert {"consolidate.runner", "consolidate.steps", "consolidate.playbook"} & loaded == set()
    assert packages(loaded) & (HEAVY_IN_A_COMMAND - {"git"}) == set()


def test_investigate_json_draws_no_table(make_repo: RepoFactory) -> None:
    repo = make_repo(
        {
            "compose.yaml": "services:\n  api:\n    build: ./api\n  worker:\n    build: ./worker\n",
            "api/main.py": "print('api')\n",
            "worker/main.py": "print('worker')\n",
        }
    )
    found = probe(repo, "investigate", "worker", "--json")
    doc = json.loads(found["stdout"])
    assert [f["path"] for f in doc["files"] if f["verdict"] == "remove"] == ["worker/main.py"]
    # rich comes with structlog (its console renderer), so nothing may log at the default level
    assert {"rich", "structlog", "regex"} & packages(found["modules"]) == set()


LOG_PROBE = """
import sys
from consolidate.logs import configure_logging, get_logger
configure_logging(json_logs=sys.argv[1] == "json")
log = get_logger()
log.debug("below the level")
print("structlog" in sys.modules)
import structlog
structlog.get_logger("consolidate").info("imported directly", where="a module")
log.warning("through consolidate.logs", n=2)
"""


def test_logging_waits_for_a_line_and_keeps_its_format(tmp_path: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    command = [sys.executable, "-c", LOG_PROBE]
    text = subprocess.run([*command, "text"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert text.stdout == "False\n", text.stderr  # a debug line did not import structlog
    lines = [line.split(" ", 1)[1] for line in text.stderr.splitlines()]  # without the time
    assert lines == [
        "[info     ] imported directly where='a module'",
        "[warning  ] through consolidate.logs n=2",
    ]
    as_json = subprocess.run([*command, "json"], capture_output=True, text=True, env=env)
    events = [json.loads(line) for line in as_json.stderr.splitlines()]
    assert [(e["event"], e["level"]) for e in events] == [
        ("imported directly", "info"),
        ("through consolidate.logs", "warning"),
    ]
    assert all("timestamp" in e for e in events)
