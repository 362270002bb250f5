"""The pipeline's steps. Each `plan()` is pure: it reads the repository (through a
`Workspace` that already shows what earlier steps plan) and returns actions; the runner
applies them. May import: the shared top-level modules, `actions` and every part package."""

from __future__ import annotations

from consolidate.steps.base import Context, Planner, StepPlan

__all__ = ["Context", "Planner", "StepPlan", "planners"]


def planners() -> list[tuple[str, Planner]]:
    # Imported here so that loading a step's shared types does not load every step.
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
