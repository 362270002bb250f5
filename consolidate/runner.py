"""Plans a run, applies it step by step with the journal as checkpoint, resumes, rolls back."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from consolidate import failpoints
from consolidate.actions import base, checks, files, refs  # noqa: F401  (registers actions)
from consolidate.actions.base import Env
from consolidate.dockerio import Docker
from consolidate.errors import ConsolidateError, Refusal, StepFailed
from consolidate.gitio import Git, Head
from consolidate.journal import Store
from consolidate.journal import status as journal_status
from consolidate.logs import get_logger
from consolidate.playbook import LoadedPlaybook, find_playbook, load_playbook
from consolidate.preflight import check_fresh_start
from consolidate.report.removal import today
from consolidate.steps import Context, StepPlan, planners, replan
from consolidate.workspace import Workspace

log = get_logger()
ACTIVE = ("running", "failed")


@dataclass(frozen=True)
class Options:
    repo: Path
    dry_run: bool = False
    yes: bool = False
    interactive: bool = False
    allow_dirty: bool = False
    image_backup: bool = True
    run_hooks: bool = False
    force: bool = False
    rollback_on_failure: bool = False
    delete_in_use: bool = False
    confirm: Callable[[list[StepPlan]], bool] | None = None


def plan_run(git: Git, loaded: LoadedPlaybook, options: Options, head: Head) -> list[StepPlan]:
    ctx = Context(
        git=git,
        loaded=loaded,
        playbook_path=_display_path(loaded.path, git.root),
        head=head,
        date=today(os.environ.get("SOURCE_DATE_EPOCH")),
        image_backup=options.image_backup,
        docker=_docker_once(),
        delete_in_use=options.delete_in_use,
    )
    ws = Workspace(git.root, git.tracked_files())
    plans: dict[str, StepPlan] = {}
    for name, planner in planners():
        log.debug("planning", step=name)
        plans[name] = planner(ctx, ws, plans)
    return list(plans.values())


def run(target: str, options: Options) -> dict[str, Any]:
    git = Git.open(options.repo)
    loaded = load_playbook(find_playbook(target, git.root))
    store = Store(git.git_dir)
    journal = store.load()
    if journal:
        _refuse_over_finished(journal, loaded)
    if journal and journal["status"] in ACTIVE:
        if options.dry_run:
            raise Refusal(
                f"a run of {journal['component']} is in progress ({journal['status']})",
                "resume it with `consolidate run`, or undo it with `consolidate rollback`",
            )
        return _resume(git, store, loaded, journal, options)
    head = check_fresh_start(git, allow_dirty=options.allow_dirty)
    plans = plan_run(git, loaded, options, head)
    if options.dry_run:
        return {"status": "planned", "component": loaded.playbook.component, "plans": plans}
    _confirm(plans, options)
    with store.locked():
        current = store.load()
        if current and current["status"] in ACTIVE:
            raise Refusal("another run started meanwhile", "check `consolidate status`")
        if current:
            store.archive(current["run_id"])
        journal = _new_journal(git, loaded, head, plans, store)
        store.save(journal)
        return _execute(git, store, journal, options)


def _resume(
    git: Git, store: Store, loaded: LoadedPlaybook, journal: dict[str, Any], options: Options
) -> dict[str, Any]:
    if journal["playbook"]["sha256"] != loaded.sha256:
        replan.check(journal, loaded, store)
    if not (options.yes or options.interactive):
        raise Refusal("resuming needs confirmation", "pass --yes (no terminal to ask on)")
    with store.locked():
        journal = store.load() or journal
        if journal["playbook"]["sha256"] != loaded.sha256:  # only validate or on_failure
            replan.check(journal, loaded, store)
            replan.refit(_env(git, store, journal, options), journal, loaded)
            store.save(journal)
        log.info("resuming", component=journal["component"], status=journal["status"])
        return _execute(git, store, journal, options)


def _execute(git: Git, store: Store, journal: dict[str, Any], options: Options) -> dict[str, Any]:
    env = _env(git, store, journal, options)
    journal["status"] = "running"
    journal.pop("error", None)
    store.save(journal)
    try:
        for step in journal["steps"]:
            _run_step(env, store, journal, step)
    except ConsolidateError as exc:
        journal["status"] = "failed"
        journal["error"] = exc.line()
        store.save(journal)
        if options.rollback_on_failure or journal.get("on_failure") == "rollback":
            log.warning("rolling back after the failure", error=exc.line())
            rolled = _rollback(git, store, journal, options)
            rolled["error"] = exc.line()
            rolled["rolled_back_after_failure"] = True
            return rolled
        failed = StepFailed(exc.message, exc.hint or _resume_hint(journal))
        failed.result = {"status": "failed", "journal": journal}
        raise failed from None
    journal["status"] = "complete"
    store.save(journal)
    log.info("run complete", component=journal["component"])
    return {"status": "complete", "journal": journal}


def _run_step(env: Env, store: Store, journal: dict[str, Any], step: dict[str, Any]) -> None:
    if step["status"] == "done":
        return
    failpoints.hit(f"step:{step['name']}:start")
    step["status"] = "running"
    store.save(journal)
    log.info("step", step=step["name"], actions=len(step["actions"]))
    for index, record in enumerate(step["actions"]):
        _run_action(env, store, journal, record, f"{step['name']}:{index}")
    step["status"] = "done"
    store.save(journal)
    failpoints.hit(f"step:{step['name']}:done")


def _run_action(
    env: Env, store: Store, journal: dict[str, Any], record: dict[str, Any], where: str
) -> None:
    if record["state"] == "done":
        return
    action = base.load(record["action"], store)
    if record["state"] == "started":
        settled = action.settle(env)
        if settled is not None:
            _finish(env, store, journal, record, action.kind, settled)
            return
    if "prior" not in record:
        record["prior"] = action.prepare(env)
    record["state"] = "started"
    store.save(journal)
    failpoints.hit(f"action:{where}:before")
    env.prior = record["prior"]
    env.progress(action.describe())
    try:
        receipt = action.apply(env)
    except ConsolidateError as exc:
        record["error"] = exc.line()
        store.save(journal)
        raise
    except OSError as exc:
        record["error"] = str(exc)
        store.save(journal)
        raise StepFailed(f"{action.describe()} failed: {exc}") from None
    failpoints.hit(f"action:{where}:applied")  # done, but the journal does not know yet
    _finish(env, store, journal, record, action.kind, receipt)
    failpoints.hit(f"action:{where}:after")


def _finish(
    env: Env, store: Store, journal: dict[str, Any], record: dict[str, Any], kind: str, got: Any
) -> None:
    receipt = {**record.get("prior", {}), **got}
    record["receipt"] = receipt
    record["state"] = "failed" if receipt.get("failed") else "done"
    store.save(journal)
    env.receipts[kind] = receipt
    if receipt.get("failed"):
        raise StepFailed(str(receipt.get("error", "the step failed")))


def rollback(options: Options) -> dict[str, Any]:
    git = Git.open(options.repo)
    store = Store(git.git_dir)
    if store.load() is None:
        if store.dir.is_dir():
            with store.locked():  # a run that holds the lock may be about to write its journal
                pass
        return {"status": "nothing", "message": "no run to roll back"}
    if not (options.yes or options.interactive):
        raise Refusal("rollback needs confirmation", "pass --yes (no terminal to ask on)")
    with store.locked():
        journal = store.load()
        if journal is None:
            return {"status": "nothing", "message": "no run to roll back"}
        return _rollback(git, store, journal, options)


def _rollback(git: Git, store: Store, journal: dict[str, Any], options: Options) -> dict[str, Any]:
    env = _env(git, store, journal, options)
    if not options.force:
        _refuse_conflicts(base.undo_conflicts(env, journal["steps"]))
    journal["status"] = "rolling-back"
    store.save(journal)
    undone = 0
    for step in reversed(journal["steps"]):
        for index, record in reversed(list(enumerate(step["actions"]))):
            if record["state"] in ("planned", "undone"):
                continue
            action = base.load(record["action"], store)
            receipt = record.get("receipt")
            if receipt is None:
                receipt = {**record.get("prior", {}), **(action.settle(env) or {})}
            env.progress(f"undo: {action.describe()}")
            action.undo(env, receipt)
            failpoints.hit(f"undo:{step['name']}:{index}:applied")
            record["state"] = "undone"
            store.save(journal)
            failpoints.hit(f"undo:{step['name']}:{index}")
            undone += 1
        step["status"] = "undone"
    journal["status"] = "rolled-back"
    store.save(journal)
    archived = store.archive(journal["run_id"])
    log.info("rolled back", component=journal["component"], actions=undone)
    return {
        "status": "rolled-back",
        "journal": journal,
        "undone": undone,
        "archived": str(archived),
        "not_restored": env.warnings,
    }


def _refuse_conflicts(conflicts: list[str]) -> None:
    """Refuse before the first undo (exit 2, journal untouched) rather than stop half way: every
    conflict is named at once, so one look tells what `--force` would overwrite (issue 15)."""
    if not conflicts:
        return
    count = len(conflicts)
    raise Refusal(
        f"rollback: {count} path{'s' if count != 1 else ''} changed since the run: "
        f"{', '.join(conflicts)}; nothing was undone",
        "pass --force to overwrite them",
    )


def status(repo: Path) -> dict[str, Any]:
    """The journal's state, and whether a live process is at work on it."""
    return journal_status(Git.open(repo).git_dir)


# ---- helpers ---------------------------------------------------------------------------
def _refuse_over_finished(journal: dict[str, Any], loaded: LoadedPlaybook) -> None:
    """A second `run` of a component whose last run is complete would plan against a tree
    without its files ("matches no file git tracks"); and a run over an unfinished rollback
    would archive the journal that rollback still needs. Both are refused, nothing changed."""
    component, run_id = journal["component"], journal["run_id"]
    if journal["status"] == "rolling-back":
        raise Refusal(
            f"the rollback of run {run_id} of {component} did not finish",
            "finish it with `consolidate rollback --yes`, then run again",
        )
    if journal["status"] != "complete" or loaded.playbook.component != component:
        return
    commit = _commit_of(journal)
    raise Refusal(
        f"the last run of {component} ({run_id}) is complete"
        + (f", commit {commit[:12]}" if commit else ""),
        "roll it back with `consolidate rollback --yes`, "
        "or start another removal with a playbook for another component",
    )


def _commit_of(journal: dict[str, Any]) -> str | None:
    for step in journal["steps"]:
        for record in step["actions"]:
            commit = (record.get("receipt") or {}).get("commit")
            if step["name"] == "commit" and isinstance(commit, str):
                return commit
    return None


def _new_journal(
    git: Git, loaded: LoadedPlaybook, head: Head, plans: list[StepPlan], store: Store
) -> dict[str, Any]:
    pb = loaded.playbook
    return {
        "run_id": uuid.uuid4().hex[:12],
        "component": pb.component,
        "playbook": {"path": str(loaded.path), **replan.remember(loaded, store)},
        "on_failure": pb.on_failure,
        "head": {"commit": head.commit, "ref": head.ref},
        "date": today(os.environ.get("SOURCE_DATE_EPOCH")),
        "status": "running",
        "steps": [
            {
                "name": plan.name,
                "status": "pending",
                "notes": plan.notes,
                "facts": plan.facts,
                "actions": [
                    {"state": "planned", "action": base.dump(a, store), "text": a.describe()}
                    for a in plan.actions
                ],
            }
            for plan in plans
        ],
    }


def _env(git: Git, store: Store, journal: dict[str, Any], options: Options) -> Env:
    receipts = {
        record["action"]["kind"]: record["receipt"]
        for step in journal["steps"]
        for record in step["actions"]
        if record.get("receipt") is not None
    }
    return Env(
        git=git,
        store=store,
        docker=_docker_once(),
        receipts=receipts,
        force=options.force,
        run_hooks=options.run_hooks,
        progress=lambda message: log.info(message),
    )


def _docker_once() -> Callable[[], Docker]:
    cache: list[Docker] = []

    def connect() -> Docker:
        if not cache:
            cache.append(Docker.connect())
        return cache[0]

    return connect


def _confirm(plans: list[StepPlan], options: Options) -> None:
    if options.yes:
        return
    if not options.interactive or options.confirm is None:
        raise Refusal("a real run needs confirmation", "pass --yes, or run it in a terminal")
    if not options.confirm(plans):
        raise Refusal("not confirmed; nothing was changed")


def _resume_hint(journal: dict[str, Any]) -> str:
    return "fix it, then `consolidate run` again to resume, or `consolidate rollback` to undo"


def _display_path(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path)
