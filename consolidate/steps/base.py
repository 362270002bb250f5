"""What every step shares: the run's frozen context and the plan a step returns."""

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
