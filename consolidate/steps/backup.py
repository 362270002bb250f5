"""Step 2: a backup branch at HEAD and a backup tag of every image a removed service uses."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from ruamel.yaml import YAML

from consolidate.actions.base import Action
from consolidate.actions.refs import CreateBranch, SnapshotIndex, TagImage
from consolidate.dockerio import ImageRef
from consolidate.steps.base import Context, StepPlan
from consolidate.workspace import Workspace


def plan(ctx: Context, ws: Workspace, earlier: dict[str, StepPlan]) -> StepPlan:
    pb = ctx.playbook
    step = StepPlan("backup", [SnapshotIndex()])
    if pb.backup.branch:
        name = _free_branch(ctx, f"backup/{pb.component}-removal-{ctx.date}")
        step.actions.append(CreateBranch(name, ctx.head.commit))
        step.facts["branch"] = name
    step.facts["tags"] = []
    images = _images(ctx, ws)
    if not images:
        return step
    if not (pb.backup.images and ctx.image_backup):
        step.notes.append("image backups are turned off; no Docker tags are made")
        return step
    step.actions += _tag_actions(ctx, images, step)
    return step


def _free_branch(ctx: Context, base: str) -> str:
    name, n = base, 1
    while ctx.git.ref_commit(f"refs/heads/{name}") is not None:
        n += 1
        name = f"{base}-{n}"
    return name


def _tag_actions(ctx: Context, images: list[tuple[str, list[str]]], step: StepPlan) -> list[Action]:
    docker = ctx.docker()
    actions: list[Action] = []
    for service, candidates in images:
        found = [(ref, docker.image_id(ref)) for ref in candidates]
        present = [(ref, image_id) for ref, image_id in found if image_id]
        if not present:
            warning = f"image {' or '.join(candidates)} of service {service} is not present locally; nothing to back up"
            step.notes.append(warning)
            step.facts.setdefault("warnings", []).append(warning)
            continue
        ref, image_id = present[0]
        tag = f"{ImageRef.parse(ref).repository}:backup-{ctx.date}"
        previous = docker.image_id(tag)
        step.facts["tags"].append(tag)
        if previous == image_id:
            step.notes.append(f"{tag} already points at {ref}")
            continue
        actions.append(TagImage(ref, image_id, tag, previous))
    return actions


def _images(ctx: Context, ws: Workspace) -> list[tuple[str, list[str]]]:
    """(service, candidate image refs) for each removed service: its image, or compose's name."""
    out: list[tuple[str, list[str]]] = []
    for file, services in ctx.playbook.compose.items():
        data = ws.read(file)
        if data is None:
            continue
        try:
            doc = YAML(typ="safe", pure=True).load(data.decode("utf-8-sig"))
        except Exception:  # the compose step reports a broken file with its own message
            continue
        defined = (doc or {}).get("services") or {}
        project = _project_name(doc, file, ctx)
        for name in services:
            service: Any = defined.get(name) or {}
            if service.get("image"):
                out.append((name, [str(service["image"])]))
            elif service.get("build") is not None:
                out.append((name, [f"{project}-{name}", f"{project}_{name}"]))
    return out


def _project_name(doc: Any, file: str, ctx: Context) -> str:
    name = doc.get("name") if isinstance(doc, dict) else None
    if not name:
        folder = PurePosixPath(file).parent
        name = folder.name if str(folder) != "." else ctx.git.root.name
    return re.sub(r"[^a-z0-9_-]", "", str(name).lower())
