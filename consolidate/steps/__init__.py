"""The pipeline's steps. Each `plan()` is pure: it reads the repository (through a
`Workspace` that already shows what earlier steps plan) and returns actions; the runner
applies them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from consolidate.actions.base import Action
from consolidate.gitio import Git, Head
from consolidate.playbook import LoadedPlaybook
from consolidate.workspace import Workspace


@dataclass(frozen=True)
class Context:
    git: Git
    loaded: LoadedPlaybook
    playbook_path: str
    head: Head
    date: str
    image_backup: bool
    docker: Callable[[], Any]
    delete_in_use: bool = False  # delete playbook files still in use (validate still checks)

    @property
    def playbook(self) -> Any:
        return self.loaded.playbook


@dataclass
class StepPlan:
    name: str
    actions: list[Action] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)


Planner = Callable[[Context, Workspace, dict[str, StepPlan]], StepPlan]


def planners() -> list[tuple[str, Planner]]:
    from consolidate.steps import (
        backup,
        commit,
        compose,
        docs,
        investigate,
        migrate,
        remove,
        validate,
    )

    return [
        ("investigate", investigate.plan),
        ("backup", backup.plan),
        ("migrate", migrate.plan),
        ("remove", remove.plan),
        ("compose", compose.plan),
        ("docs", docs.plan),
        ("validate", validate.plan),
        ("commit", commit.plan),
    ]
