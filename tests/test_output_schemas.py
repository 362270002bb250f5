"""Every command's `--json` output is one JSON document its schema in docs/json/ accepts, on
success and on failure; and the files in docs/json/ are what the types make now."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import repo_support
import typer
from repo_support import ROOT, consolidate, git, python_m

from consolidate.cli import app
from consolidate.demo import build_sample
from consolidate.schema.outputs import DOCUMENTS, dumps, output_schemas, write_docs

DOCS = ROOT / "docs" / "json"
SCHEMAS = output_schemas()
# Passes after the removal only while the orchestrator's files exist: fails on the new commit
# and not on the one before, so the baseline cannot excuse it.
FAILING_CHECK = """\
  - name: needs the orchestrator
    run: python -c "import os, sys; sys.exit(0 if os.path.exists('orchestrator/Dockerfile') else 3)"
    timeout: 60
"""


def problems(command: str, doc: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(SCHEMAS[command])
    return [f"{list(e.absolute_path)}: {e.message[:300]}" for e in validator.iter_errors(doc)]


def document(result: subprocess.CompletedProcess[str]) -> Any:
    """The whole of stdout as one JSON document (`json.loads` refuses anything after it)."""
    assert result.stdout.strip(), result.stderr
    return json.loads(result.stdout)


def cli(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """The real CLI with exactly these arguments (`consolidate()` adds its own `--repo`)."""
    pool = repo_support.DEFAULT_POOL
    if pool is not None:
        return pool.run(list(argv), cwd, dict(os.environ), 120)
    return python_m(cwd, list(argv))


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample, for the commands that change nothing."""
    return build_sample(tmp_path_factory.mktemp("schemas") / "taskhub").root


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("investigate", ["investigate", "orchestrator"]),
        ("orphans", ["orphans"]),
        ("assess", ["assess", "orchestrator"]),
        ("lint", ["lint"]),
        ("run", ["run", "orchestrator", "--dry-run"]),
        ("status", ["status"]),
        ("rollback", ["rollback", "--yes"]),
        ("version", ["version"]),
    ],
)
def test_a_command_prints_one_document_its_schema_accepts(
    sample: Path, command: str, args: list[str], docker_image: str
) -> None:
    # docker_image: the sample's playbook backs up images, so a run needs the daemon
    result = consolidate(sample, *args, "--json")
    doc = document(result)
    expected = 1 if command == "lint" and doc["findings"] else 0
    assert result.returncode == expected, result.stderr
    assert "error" not in doc
    assert problems(command, doc) == []


def test_the_sample_gives_the_documents_the_schemas_describe(
    sample: Path, docker_image: str
) -> None:
    """The parametrized test above passes on the documents it means: a plan, no recorded
    run, a lint finding, a verdict with its reason."""
    assert document(consolidate(sample, "run", "orchestrator", "--dry-run", "--json"))["dry_run"]
    assert document(consolidate(sample, "status", "--json"))["status"] == "none"
    assert document(consolidate(sample, "rollback", "--yes", "--json"))["status"] == "nothing"
    found = document(consolidate(sample, "investigate", "orchestrator", "--json"))
    row = next(r for r in found["files"] if r["path"] == "orchestrator/orchestrator.py")
    assert (row["verdict"], row["seed"]) == ("remove", True)
    assert row["reason"]


def test_plan_prints_the_draft_it_wrote(sample: Path, tmp_path: Path) -> None:
    target = tmp_path / "draft.yaml"
    result = consolidate(sample, "plan", "orchestrator", "--output", str(target), "--json")
    assert result.returncode == 0, result.stderr
    doc = document(result)
    assert problems("plan", doc) == []
    assert doc["playbook"] == str(target) and target.is_file()


def test_the_schemas_are_strict(sample: Path) -> None:
    """A document missing a key the code always sets, or carrying one the schema does not
    name, is refused: the schemas cannot drift from the code unnoticed."""
    doc = document(consolidate(sample, "investigate", "orchestrator", "--json"))
    assert problems("investigate", {k: v for k, v in doc.items() if k != "files"}) != []
    assert problems("investigate", {**doc, "surprise": 1}) != []
    row = {**doc["files"][0], "verdict": "maybe"}
    assert problems("investigate", {**doc, "files": [row]}) != []
    assert problems("version", {"version": "1", "error": "x"}) != []


def test_a_run_its_status_and_its_rollback(tmp_path: Path) -> None:
    repo = build_sample(tmp_path / "taskhub").root
    ran = consolidate(repo, "run", "orchestrator", "--yes", "--no-image-backup", "--json")
    assert ran.returncode == 0, ran.stderr
    run = document(ran)
    assert (run["status"], problems("run", run)) == ("complete", [])
    assert run["commit"] == git(repo, "rev-parse", "HEAD").strip()
    status = document(consolidate(repo, "status", "--json"))
    assert (status["status"], problems("status", status)) == ("complete", [])
    rolled = document(consolidate(repo, "rollback", "--yes", "--json"))
    assert (rolled["status"], problems("rollback", rolled)) == ("rolled-back", [])
    assert rolled["undone"] > 0


def test_a_run_that_fails_in_a_step_prints_its_partial_run_with_the_error(tmp_path: Path) -> None:
    repo = build_sample(tmp_path / "taskhub").root
    with (repo / "playbooks" / "orchestrator.yaml").open("a", encoding="utf-8") as playbook:
        playbook.write(FAILING_CHECK)
    git(repo, "commit", "-qam", "a check the removal fails")
    result = consolidate(repo, "run", "orchestrator", "--yes", "--no-image-backup", "--json")
    assert result.returncode == 1, result.stderr
    doc = document(result)
    assert problems("run", doc) == []
    assert (doc["status"], doc["exit_code"]) == ("failed", 1)
    assert doc["error"].startswith("validation failed: needs the orchestrator failed (exit 3)")
    assert doc["commit"] is None  # the commit step never ran
    status = document(consolidate(repo, "status", "--json"))
    assert (status["status"], problems("status", status)) == ("failed", [])
    assert status["resume_command"] == f"consolidate run {status['playbook']} --yes"


def test_demo_prints_the_sample_and_its_run(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    result = cli(tmp_path, "demo", "--dir", str(target), "--no-docker", "--json")
    assert result.returncode == 0, result.stderr
    doc = document(result)
    assert problems("demo", doc) == []
    assert (doc["sample"], doc["status"]) == (str(target), "complete")


@pytest.mark.parametrize(
    ("command", "playbook"),
    [
        ("investigate", None),
        ("run", "component: [\n"),  # not YAML
        ("run", "component: orchestrator\nfiles: 3\n"),  # YAML, not a playbook
    ],
)
def test_a_failure_prints_the_error_document(
    tmp_path: Path, sample: Path, command: str, playbook: str | None
) -> None:
    if playbook is None:
        argv = ["investigate", "x", "--repo", str(tmp_path / "nonexistent"), "--json"]
    else:
        (tmp_path / "bad.yaml").write_text(playbook, encoding="utf-8")
        argv = ["run", str(tmp_path / "bad.yaml"), "--repo", str(sample), "--dry-run", "--json"]
    result = cli(tmp_path, *argv)
    assert result.returncode == 2, result.stderr
    doc = document(result)
    assert set(doc) == {"error", "hint", "exit_code"}
    assert doc["exit_code"] == 2
    assert problems("error", doc) == [] and problems(command, doc) == []
    [line] = result.stderr.strip().splitlines()[-1:]
    assert line.startswith("consolidate: error: ") and doc["error"] in line


def test_every_command_with_json_has_a_schema() -> None:
    group = typer.main.get_command(app)
    assert hasattr(group, "commands")
    with_json = {
        name
        for name, command in group.commands.items()
        if any("--json" in p.opts for p in command.params)
    }
    assert with_json <= set(DOCUMENTS), "add the command's document to schema/outputs.py"


def test_each_schema_is_valid_draft_2020_12() -> None:
    for schema in SCHEMAS.values():
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        jsonschema.Draft202012Validator.check_schema(schema)


def test_the_files_in_docs_json_are_what_the_types_make_now(tmp_path: Path) -> None:
    """Regenerate with `python -m consolidate.schema.outputs` when this fails."""
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in DOCS.glob("*.schema.json")}
    made = {f"{name}.schema.json": dumps(schema) for name, schema in SCHEMAS.items()}
    assert on_disk == made
    written = write_docs(tmp_path)
    assert {p.name: p.read_text(encoding="utf-8") for p in written} == made
    readme = (DOCS / "README.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in readme for name in made)
