"""The `--json` documents of the commands that read a repository and change nothing:
`investigate`, `orphans`, `assess` and `lint`, as typed dictionaries.

Written from the code that builds each document (`analysis/investigation.py`,
`analysis/history.py`, `analysis/references.py`, `compose/hosts.py`, `assess/assessment.py`,
`assess/capabilities.py`, `assess/container_facts.py`, `assess/lint.py`); `outputs.py` turns
them into the JSON Schemas in docs/json/. A key the code always sets is required; a key it sets
only sometimes is `NotRequired`; a document closes its keys (`extra="forbid"`) so that a key
added to the code without a word here fails `tests/test_output_schemas.py`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired

from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

CLOSED = ConfigDict(extra="forbid")
Line = Annotated[int, Field(description="1-based line number")]


# --- investigate --------------------------------------------------------------------------
@with_config(CLOSED)
class FileRow(TypedDict):
    """One file a removal may touch, with its verdict and its git facts."""

    path: str
    lines: int
    bytes: int
    verdict: Annotated[
        Literal["remove", "keep", "review"],
        Field(description="remove: only the component uses it; keep: something kept uses it; "
              "review: a person must decide"),
    ]  # fmt: skip
    reason: str
    used_by: Annotated[list[str], Field(description="files that import or run it")]
    chain: Annotated[list[str], Field(description="the files from it to what keeps it")]
    route: Annotated[
        list[str], Field(description="the chain with each link's line and rule: `a.py:3 (import)`")
    ]
    seed: Annotated[bool, Field(description="one of the component's own files")]
    commits: int
    first: Annotated[str | None, Field(description="day of the first commit, YYYY-MM-DD")]
    last: Annotated[str | None, Field(description="day of the last commit, YYYY-MM-DD")]
    authors: list[str]


@with_config(CLOSED)
class Reference(TypedDict):
    """A line elsewhere that mentions the component or a file the removal deletes."""

    path: str
    line: Line
    kind: Annotated[str, Field(description="what sort of file: docs, compose, script, code, ...")]
    text: Annotated[str, Field(description="the line, stripped, at most 200 characters")]
    group: Literal["live", "docs", "history"]


@with_config(CLOSED)
class ComposeService(TypedDict):
    """A compose service of the component."""

    file: str
    service: str
    line: Line
    image: str | None
    depended_on_by: list[str]
    entry_files: Annotated[list[str], Field(description="repository files the service runs")]


@with_config(CLOSED)
class ComposeProjectRow(TypedDict):
    """A compose project the component's services belong to."""

    folder: str
    files: list[str]
    joined_by: list[str]


@with_config(CLOSED)
class HostRow(TypedDict):
    """A kept service that uses one of the component's services as a host name."""

    file: Annotated[str, Field(description="the compose file, or the env file the line is in")]
    line: Line
    service: Annotated[str, Field(description="the kept service")]
    key: Annotated[str, Field(description='where: "environment REDIS_URL", "command", ...')]
    host: str
    text: str


@with_config(CLOSED)
class AnalysisWarning(TypedDict):
    """A compose trap or a config the analysis could not read."""

    file: str
    line: Line
    service: Annotated[str, Field(description='the compose service, or "-"')]
    kind: Annotated[
        str,
        Field(description='"bind mount hides build", "healthcheck tests a dependency", '
              '"unresolved config", ...'),
    ]  # fmt: skip
    message: str


@with_config(CLOSED)
class UncertainUse(TypedDict):
    """An import the scanners could not pin down that touches a candidate."""

    path: str
    line: Line
    text: str
    could_be: list[str]


@with_config(CLOSED)
class ImportError_(TypedDict):
    """An import that is likely to fail, or to work only by accident."""

    path: str
    line: Line
    text: str
    reason: str


@with_config(CLOSED)
class ComponentHistory(TypedDict):
    """The component's git history; only `commits` (0) when no commit touches its files."""

    commits: int
    first: NotRequired[str]
    last: NotRequired[str]
    authors: NotRequired[list[str]]
    age_days: NotRequired[Annotated[int, Field(description="from its first commit to today")]]


@with_config(CLOSED)
class InvestigateDoc(TypedDict):
    """`consolidate investigate NAME --json`: what a removal of NAME may delete."""

    component: str
    files: list[FileRow]
    references: list[Reference]
    compose: list[ComposeService]
    projects: list[ComposeProjectRow]
    hosts: list[HostRow]
    compose_files: Annotated[
        dict[str, list[str]],
        Field(description="what a playbook's `compose:` must say: file -> services it defines"),
    ]
    warnings: list[AnalysisWarning]
    uncertain: list[UncertainUse]
    import_errors: list[ImportError_]
    edges: Annotated[
        list[tuple[str, str]], Field(description="[importer, imported] among the judged files")
    ]
    history: ComponentHistory


# --- orphans ------------------------------------------------------------------------------
@with_config(CLOSED)
class OrphanRow(TypedDict):
    """A source file no entry point reaches (or only uncertain uses reach)."""

    path: str
    lines: int
    bytes: int
    commits: int
    first: str | None
    last: str | None
    authors: list[str]


@with_config(CLOSED)
class OrphansDoc(TypedDict):
    """`consolidate orphans --json`: the next removals, largest and oldest first."""

    orphans: Annotated[list[OrphanRow], Field(description="nothing reaches these")]
    uncertain: Annotated[list[OrphanRow], Field(description="only uncertain uses reach these")]
    code_files: int
    roots: Annotated[int, Field(description="entry points found")]


# --- assess -------------------------------------------------------------------------------
@with_config(CLOSED)
class CapabilityEvidence(TypedDict):
    """One fact behind a capability; `line` is 0 for a manifest-level fact."""

    capability: str
    path: str
    line: int
    what: str


@with_config(CLOSED)
class OverlapRow(TypedDict):
    """A capability of the component and where the rest of the repository has it too."""

    capability: str
    in_component: list[CapabilityEvidence]
    existing: Annotated[list[CapabilityEvidence], Field(description="the first few")]
    existing_count: int


@with_config(CLOSED)
class Trigger(TypedDict):
    """One of the five triggers for consolidation, met or not, with its evidence."""

    name: str
    met: bool
    evidence: list[str]


@with_config(CLOSED)
class Overhead(TypedDict):
    """What keeping the component costs."""

    services: list[str]
    containers: list[str]
    resources: Annotated[
        dict[str, dict[str, Any]],
        Field(description="service -> its compose `deploy.resources`, as written"),
    ]
    lines: int
    files: int
    health_checks: int
    docs_mentions: int


@with_config(CLOSED)
class Container(TypedDict):
    """A container of the component, when a Docker daemon answered."""

    name: str
    service: str | None
    state: str
    restarts: int
    health: str | None
    errors: list[str]
    log_lines: int


@with_config(CLOSED)
class Recommendation(TypedDict):
    """What to do, and why."""

    action: Literal["keep", "consolidate", "remove"]
    target: Annotated[str | None, Field(description="the file to consolidate into")]
    reasons: list[str]


@with_config(CLOSED)
class AssessDoc(TypedDict):
    """`consolidate assess NAME --json`: should NAME exist at all?"""

    component: str
    capabilities: list[str]
    overlap: list[OverlapRow]
    overlap_percent: Annotated[int, Field(ge=0, le=100)]
    duplicated: list[str]
    triggers: list[Trigger]
    overhead: Overhead
    containers: list[Container]
    recommendation: Recommendation


# --- lint ---------------------------------------------------------------------------------
@with_config(CLOSED)
class Finding(TypedDict):
    """One finding of the prevention checklist."""

    check: Annotated[str, Field(description="the check's name")]
    where: Annotated[str, Field(description="`file:line`, or a file")]
    message: str
    id: Annotated[
        str, Field(description="the check's id, for `disable` and `consolidate: ignore[ID]`")
    ]


@with_config(CLOSED)
class LintDoc(TypedDict):
    """`consolidate lint --json`: exit 1 when `findings` is not empty."""

    findings: list[Finding]
    compose_files: int
