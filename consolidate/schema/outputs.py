"""What each command prints with `--json`, as typed dictionaries, and the JSON Schemas made
from them (docs/json/<command>.schema.json, draft 2020-12).

Written from the code that builds each document (`render.py`: `plan_doc`, `run_doc`,
`status_doc`; `runner.py`; `demo.py`; `cli.py`); the analysis commands' documents are in
`outputs_analysis.py`. Every command's schema also admits the error document: under `--json`
a command that fails prints `{"error", "hint", "exit_code"}` on stdout besides its stderr line.
`tests/test_output_schemas.py` validates real outputs against these schemas and checks that the
files in docs/json/ are what `output_schemas()` makes now. Regenerate them with
`python -m consolidate.schema.outputs`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal, NotRequired

from pydantic import Field, TypeAdapter, with_config
from pydantic.json_schema import GenerateJsonSchema
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from consolidate.schema.outputs_analysis import (
    CLOSED,
    AssessDoc,
    InvestigateDoc,
    LintDoc,
    OrphansDoc,
)

DRAFT = "https://json-schema.org/draft/2020-12/schema"
FOLDER = Path(__file__).resolve().parents[2] / "docs" / "json"

RunStatus = Literal["running", "failed", "complete", "rolling-back", "rolled-back"]
StepStatus = Literal["pending", "running", "done", "undone"]
ActionState = Literal["planned", "started", "done", "failed", "undone"]


# --- the error document -------------------------------------------------------------------
@with_config(CLOSED)
class ErrorDoc(TypedDict):
    """What a command prints on stdout under `--json` when it fails, besides its line on stderr
    (`outputs.fail`). Exit 2: nothing was changed; exit 1: a run failed after it started (its
    journal is kept: `consolidate status`); exit 130: interrupted. A run that fails in a step
    prints its run document with these three keys added instead."""

    error: Annotated[str, Field(pattern=r"^[^\n]*$", description="what went wrong, one line")]
    hint: Annotated[str | None, Field(description="the next step, or null")]
    exit_code: Annotated[int, Field(ge=1, description="the process's exit code")]


# --- run --dry-run ------------------------------------------------------------------------
@with_config(CLOSED)
class PlannedAction(TypedDict):
    """An action the run would apply."""

    kind: Annotated[str, Field(description="remove-file, write-file, commit, create-branch, ...")]
    description: str
    paths: Annotated[list[str], Field(description="work-tree paths it changes")]
    diff: Annotated[str, Field(description='a unified diff, a commit message, or ""')]


@with_config(CLOSED)
class PlannedStep(TypedDict):
    """A step of the pipeline and what it plans."""

    name: str
    actions: list[PlannedAction]
    notes: list[str]


@with_config(CLOSED)
class PlanDoc(TypedDict):
    """`consolidate run PLAYBOOK --dry-run --json`: the plan; nothing was changed."""

    dry_run: Literal[True]
    component: str
    steps: list[PlannedStep]


# --- run, rollback, status, demo ----------------------------------------------------------
@with_config(CLOSED)
class CommandResult(TypedDict):
    """One validation command's outcome."""

    name: str
    status: Annotated[str, Field(description="passed, failed, skipped, timed out, not found, ...")]
    exit: int | None
    seconds: float


@with_config(CLOSED)
class RunAction(TypedDict):
    """An action of the run as its journal records it, with the parts of its receipt a person
    needs: the commit it made, the validation results."""

    description: str
    state: ActionState
    commit: NotRequired[str]
    summary: NotRequired[Annotated[str, Field(description="the validation results, Markdown")]]
    results: NotRequired[list[CommandResult]]


@with_config(CLOSED)
class RunStep(TypedDict):
    """A step of the run."""

    name: str
    status: StepStatus
    actions: list[RunAction]
    notes: list[str]


@with_config(CLOSED)
class RunDoc(TypedDict):
    """`consolidate run PLAYBOOK --json` (and `rollback`): the run as its journal records it.

    A run that fails in a step prints this document as far as it got, with `error` (and
    `hint`, `exit_code`); a run rolled back after a failure has `rolled_back_after_failure`."""

    status: RunStatus
    component: str
    run_id: str
    steps: list[RunStep]
    backup_branch: str | None
    backup_tags: Annotated[list[str], Field(description="Docker image tags made as backups")]
    warnings: list[str]
    report: Annotated[str | None, Field(description="the removal report's path")]
    removed_files: int
    removed_services: Annotated[
        list[tuple[str, str]], Field(description="[compose file, service] pairs")
    ]
    commit: Annotated[str | None, Field(description="the removal commit")]
    rollback_command: NotRequired[Literal["consolidate rollback --yes"]]
    error: NotRequired[Annotated[str, Field(pattern=r"^[^\n]*$")]]
    hint: NotRequired[str | None]
    exit_code: NotRequired[int]
    undone: NotRequired[Annotated[int, Field(description="actions undone by the rollback")]]
    archived: NotRequired[Annotated[str, Field(description="where the journal was archived")]]
    message: NotRequired[str]
    rolled_back_after_failure: NotRequired[bool]
    not_restored: NotRequired[
        Annotated[list[str], Field(description="what the rollback could not put back")]
    ]


@with_config(CLOSED)
class NothingDoc(TypedDict):
    """`consolidate rollback --json` with no run to roll back."""

    status: Literal["nothing"]
    message: str


@with_config(CLOSED)
class StartedFrom(TypedDict):
    """Where the run started: HEAD's commit and the branch it was on (null: detached)."""

    commit: str
    ref: str | None


@with_config(CLOSED)
class StatusDoc(RunDoc):
    """`consolidate status --json`: the last run, and whether a live process is at work."""

    started_from: StartedFrom
    playbook: Annotated[str, Field(description="the playbook's path")]
    interrupted: Annotated[bool, Field(description="left by a killed process")]
    lock_holder: Annotated[str | None, Field(description="pid of the live process, or null")]
    resume_command: Annotated[str | None, Field(description="how to carry on, or null")]


@with_config(CLOSED)
class NoRunDoc(TypedDict):
    """`consolidate status --json` when no run is recorded."""

    status: Literal["none"]
    message: str


@with_config(CLOSED)
class DemoDoc(RunDoc):
    """`consolidate demo --json`: the sample repository's path, and the run in it."""

    sample: str


# --- plan, version ------------------------------------------------------------------------
@with_config(CLOSED)
class DraftDoc(TypedDict):
    """`consolidate plan NAME --json`: the draft playbook written."""

    component: str
    playbook: Annotated[str, Field(description="the playbook file written")]
    next: Annotated[str, Field(description="what to run next: `consolidate run NAME --dry-run`")]


@with_config(CLOSED)
class VersionDoc(TypedDict):
    """`consolidate version --json`."""

    version: str


class SchemaWrittenDoc(TypedDict):
    """`consolidate schema --write --json` (without --write the schema itself is printed)."""

    schema: str


# --- schemas ------------------------------------------------------------------------------
# Command -> what it prints on success; each schema admits `ErrorDoc` too.
DOCUMENTS: dict[str, Any] = {
    "run": PlanDoc | RunDoc,
    "status": NoRunDoc | StatusDoc,
    "rollback": NothingDoc | RunDoc,
    "investigate": InvestigateDoc,
    "orphans": OrphansDoc,
    "assess": AssessDoc,
    "lint": LintDoc,
    "plan": DraftDoc,
    "demo": DemoDoc,
    "version": VersionDoc,
    "schema": SchemaWrittenDoc,
}


class _Generator(GenerateJsonSchema):
    """Pydantic's generator without a title on every field: the key says it."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def schema_of(command: str, document: Any) -> dict[str, Any]:
    """One command's JSON Schema: its documents, or the error document."""
    return {
        "$schema": DRAFT,
        "title": f"consolidate {command} --json",
        "description": f"What `consolidate {command} --json` prints on stdout: one JSON "
        "document; on failure, the error document (ErrorDoc).",
        **_generate(document | ErrorDoc),
    }


def output_schemas() -> dict[str, dict[str, Any]]:
    """Command name -> the JSON Schema (draft 2020-12) of what it prints with `--json`; and
    "error": the error document alone."""
    schemas = {command: schema_of(command, doc) for command, doc in DOCUMENTS.items()}
    schemas["error"] = {"$schema": DRAFT, **_generate(ErrorDoc)}
    return schemas


def _generate(document: Any) -> dict[str, Any]:
    schema = TypeAdapter(document).json_schema(mode="serialization", schema_generator=_Generator)
    tidy: dict[str, Any] = _tidy(schema)
    return tidy


def _tidy(node: Any) -> Any:
    """Descriptions on one line each: docstrings keep their source line breaks."""
    if isinstance(node, dict):
        return {
            k: " ".join(v.split()) if k == "description" and isinstance(v, str) else _tidy(v)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_tidy(v) for v in node]
    return node


def dumps(schema: dict[str, Any]) -> str:
    """Byte-stable text: sorted keys, indent 2, a trailing newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_docs(folder: Path = FOLDER) -> list[Path]:
    """Write `<command>.schema.json` for every command into `folder`; return the files."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for command, schema in output_schemas().items():
        path = folder / f"{command}.schema.json"
        path.write_text(dumps(schema), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_docs():
        print(path)
