"""`consolidate demo`: build the bundled sample repository and remove its orchestrator."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from consolidate import render, runner
from consolidate.dockerio import Docker
from consolidate.errors import Refusal
from consolidate.gitio import Git
from consolidate.logs import get_logger

log = get_logger()
# The sample's history, oldest first: (days ago, message, paths). The rest comes first.
HISTORY = [
    (120, "taskhub: backend, worker, frontend", None),
    (60, "Add orchestrator service", ["orchestrator/Dockerfile", "orchestrator/orchestrator.py"]),
    (45, "orchestrator: pipelines", ["orchestrator"]),
]


def sample_tree() -> Path:
    return Path(str(resources.files("consolidate.sample") / "repo"))


def playbook_file() -> Path:
    packaged = resources.files("consolidate") / "_playbooks" / "orchestrator.yaml"
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[1] / "playbooks" / "orchestrator.yaml"


def build_sample(target: Path, *, now: dt.datetime | None = None) -> Git:
    """Copy the sample into `target` and commit it in a short, dated history."""
    if target.exists() and any(target.iterdir()):
        raise Refusal(f"{target} is not empty", "name an empty or new folder with --dir")
    shutil.copytree(
        sample_tree(), target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
    )
    (target / "playbooks").mkdir(exist_ok=True)
    shutil.copy(playbook_file(), target / "playbooks" / "orchestrator.yaml")
    schema = playbook_file().with_name("playbook.schema.json")  # the playbook's modeline names it
    if schema.is_file():
        shutil.copy(schema, target / "playbooks" / "playbook.schema.json")
    git = Git.init(target, name="Taskhub Maintainers", email="maintainers@taskhub.invalid")
    now = now or dt.datetime.now(dt.UTC).replace(microsecond=0)
    first = [p.name for p in sorted(target.iterdir()) if p.name not in (".git", "orchestrator")]
    for days, message, paths in HISTORY:
        date = (now - dt.timedelta(days=days)).isoformat()
        git.commit_all(message, paths or first, date=date)
    return git


def run_demo(directory: Path | None, *, use_docker: bool = True) -> dict[str, Any]:
    target = directory or Path(tempfile.mkdtemp(prefix="consolidate-demo-")) / "taskhub"
    git = build_sample(target)
    log.info("sample repository created", path=str(git.root))
    image_backup = use_docker and _docker_reachable()
    options = runner.Options(repo=git.root, yes=True, image_backup=image_backup)
    result = runner.run("orchestrator", options)
    status = runner.status(git.root)
    text = (
        f"Sample repository: {git.root}\n\n"
        + render.run_text(result)
        + "\n"
        + render.status_text(status)
        + f"\nLook around: cd {git.root} && git show --stat HEAD && "
        "cat ORCHESTRATOR_REMOVAL_REPORT.md\n"
    )
    if not image_backup:
        text += "(No Docker daemon here, so image backups were skipped.)\n"
    return {"doc": {"sample": str(git.root), **render.run_doc(result)}, "text": text}


def _docker_reachable() -> bool:
    try:
        Docker.connect(timeout=3)
    except Refusal:
        return False
    return True
