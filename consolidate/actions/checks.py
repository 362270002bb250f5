"""Actions that look rather than change: record findings, run the validation commands."""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from typing import Any, ClassVar

from consolidate import failpoints
from consolidate.actions.base import Action, Env, Receipt, UndoView
from consolidate.actions.files import conflict, prune_parents, read_state
from consolidate.journal import atomic_write
from consolidate.report.removal import fill_validation, validation_summary
from consolidate.validate import leftovers
from consolidate.validate.baseline import ALREADY, Baseline, remove_stale
from consolidate.validate.commands import Tracker, execute, runner
from consolidate.validate.static_checks import run_static

# Statuses that let the run go on to the commit: a failure the commit before the removal
# already had (see validate/baseline.py) is reported, not blocking.
NOT_BLOCKING = ("passed", "warning", "skipped", ALREADY)


@dataclass(frozen=True)
class RecordFindings(Action):
    """The investigation's findings, kept in the journal for the report and `status`."""

    kind: ClassVar[str] = "record-findings"
    summary: str

    def describe(self) -> str:
        return f"record findings: {self.summary}"

    def apply(self, env: Env) -> Receipt:
        return {}

    def settle(self, env: Env) -> Receipt | None:
        return {}


@dataclass(frozen=True)
class RunValidation(Action):
    """Run the playbook's commands (no shell), fill the report, fail the step on a failure."""

    kind: ClassVar[str] = "run-validation"
    spec: str
    report: str | None = None
    report_before: bytes | None = None

    def settings(self) -> dict[str, Any]:
        """{"commands": [...], "static": {...} | None, "docker": {...} | None,
        "baseline": {"commit", "dirty"} | None}."""
        loaded = json.loads(self.spec)
        return {"commands": loaded} if isinstance(loaded, list) else dict(loaded)

    def commands(self) -> list[dict[str, Any]]:
        return list(self.settings().get("commands", []))

    def describe(self) -> str:
        settings = self.settings()
        names = [c["name"] for c in self.commands()]
        names = (["static checks"] if settings.get("static") else []) + names
        names += ["docker checks"] if settings.get("docker") else []
        return f"run validation ({', '.join(names) or 'no commands'})" + (
            f" and fill {self.report}" if self.report else ""
        )

    def diff(self) -> str:
        lines = [
            f"$ {' '.join(c['argv'])}    # {c['name']}, timeout {c['timeout']:g}s, in {c['cwd']}"
            for c in self.commands()
        ]
        baseline = self.settings().get("baseline")
        if lines and baseline:
            lines.append(
                f"# a failing command runs again on {baseline['commit'][:12]} (before the"
                " removal); only what it did not print there blocks"
            )
        return "\n".join(lines)

    def paths(self) -> tuple[str, ...]:
        return (self.report,) if self.report else ()

    def prepare(self, env: Env) -> Receipt:
        return leftovers.snapshot(env.git, env.store)

    def apply(self, env: Env) -> Receipt:
        self._clean_start(env)
        settings = self.settings()
        results = self._static(env, settings.get("static"))
        stopped = any(r["status"] == "failed" for r in results)
        with Baseline(env.git, settings.get("baseline"), env.progress) as baseline:
            for index, command in enumerate(self.commands()):
                if stopped:
                    results.append(skipped(command))
                    continue
                results.append(self._run_one(env, command, baseline, index))
                failpoints.hit(f"validate:command:{index}:done")
        if settings.get("docker") and not stopped:
            results += docker_rows(env, settings["docker"])
        summary = validation_summary(results)
        receipt: Receipt = {"results": results, "summary": summary}
        if self.report and self.report_before is not None:
            text = fill_validation(self.report_before.decode("utf-8"), results).encode("utf-8")
            full = env.root / self.report
            atomic_write(full, text, _mode_of(full), scratch=env.store.scratch_dir)
            receipt["report_sha"] = hashlib.sha256(text).hexdigest()
        receipt["created"] = self._created_files(env)
        before = leftovers.load(env.store, env.prior) or {}
        receipt["changed"] = leftovers.changed(env.git, before, self._keep())
        failed = [r for r in results if r["status"] not in NOT_BLOCKING]
        if failed:
            first = failed[0]
            receipt["failed"] = True
            detail = first["output"].strip().splitlines()[:1] if not first["argv"] else []
            new = first.get("baseline", {}).get("new") or []
            detail = [f"new since the removal: {new[0].strip()}"] if new else detail
            receipt["error"] = (
                f"validation failed: {first['name']} {first['status']}"
                + (f" (exit {first['exit']})" if first.get("exit") is not None else "")
                + (f": {detail[0]}" if detail else "")
            )
        return receipt

    def settle(self, env: Env) -> Receipt | None:
        return None

    def undo(self, env: Env, receipt: Receipt) -> None:
        if self.settings().get("baseline"):
            remove_stale(env.git)  # a run killed while a baseline checkout existed
        created = receipt.get("created")
        if created is None:  # killed mid-validation: what the commands wrote until they died
            env.warnings += leftovers.sweep(env.git, env.store, receipt, self._keep()).warnings()
        else:
            self._remove_created(env, created)
            env.warnings += leftovers.Swept(changed=receipt.get("changed", [])).warnings()
        if self.report and self.report_before is not None:
            full = env.root / self.report
            current = read_state(full)
            if current is None or current == self.report_before:
                return
            written = receipt.get("report_sha")
            if written and hashlib.sha256(current).hexdigest() != written:
                conflict(env, self.report, "changed after consolidate wrote it")
            atomic_write(full, self.report_before, _mode_of(full), scratch=env.store.scratch_dir)

    def undo_conflicts(self, view: UndoView, receipt: Receipt | None) -> list[str]:
        """Mirrors `undo` for the report (files the commands created are removed only when
        unchanged, never a conflict): a report edited since validation filled it is one."""
        if not self.report or self.report_before is None:
            return []
        current = view.read(self.report)
        if current is None or current == self.report_before:
            return []
        view.write(self.report, self.report_before)
        written = (receipt or {}).get("report_sha")
        changed = written and hashlib.sha256(current).hexdigest() != written
        return [self.report] if changed else []

    def _static(self, env: Env, spec: dict[str, Any] | None) -> list[dict[str, Any]]:
        if not spec:
            return []
        env.progress("validate: static checks (imports, compose, links)")
        head = env.git.head()
        commit = head.commit if head else None
        rows = run_static(
            env.root,
            env.git.tracked_files(),
            spec,
            lambda path: env.git.file_at(commit, path) if commit else None,
        )
        for r in rows:
            env.progress(f"validate: {r['name']} {r['status']}")
        return rows

    def _run_one(
        self, env: Env, command: dict[str, Any], baseline: Baseline, index: int
    ) -> dict[str, Any]:
        env.progress(f"validate: {command['name']}")
        started = time.monotonic()
        path = leftovers.record_path(env.store)
        tracker = Tracker(path, f"command:{index}")
        cwd = env.root / command["cwd"]
        result, output = execute(command["argv"], cwd, command["timeout"], tracker)
        result = baseline.judge(command, result, output, runner(Tracker(path, "baseline")))
        result.update(name=command["name"], argv=command["argv"])
        result["seconds"] = round(time.monotonic() - started, 2)
        env.progress(f"validate: {command['name']} {result['status']} in {result['seconds']}s")
        return result

    def _keep(self) -> set[str]:
        return {self.report} if self.report else set()

    def _clean_start(self, env: Env) -> None:
        """A validation that ran before (killed, or failed and resumed after a fix) starts
        again from where the commands found the work tree; the first attempt finds nothing."""
        swept = leftovers.sweep(env.git, env.store, env.prior, self._keep())
        if swept.removed:
            env.progress(f"validate: removed {len(swept.removed)} files an earlier attempt wrote")
        for warning in swept.warnings():
            env.progress(f"validate: {warning}")

    def _created_files(self, env: Env) -> dict[str, str]:
        before = leftovers.load(env.store, env.prior) or {}
        created: dict[str, str] = {}
        for path in env.git.untracked_files():
            state = read_state(env.root / path)
            if path not in before and path not in self._keep() and state is not None:
                created[path] = hashlib.sha256(state).hexdigest()
        return created

    @staticmethod
    def _remove_created(env: Env, created: dict[str, str]) -> None:
        """The files the commands created, unless changed since (then they are somebody's)."""
        for path, digest in sorted(created.items(), reverse=True):
            full = env.root / path
            state = read_state(full)
            if state is not None and hashlib.sha256(state).hexdigest() == digest:
                full.unlink()
                prune_parents(env.root, path)


def skipped(command: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": command["name"],
        "argv": command["argv"],
        "status": "skipped",
        "exit": None,
        "output": "not run: the static checks failed",
        "seconds": 0.0,
    }


def docker_rows(env: Env, spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The running stack, when the playbook asks: container counts and health URLs."""
    from consolidate.validate.docker_checks import HealthSpec, check_containers, check_health

    docker = env.docker()
    checks = check_containers(
        docker, spec["project"], spec.get("expect_running"), spec.get("removed_services", [])
    )
    for health in spec.get("health", []):
        checks.append(
            check_health(
                HealthSpec(
                    health["url"], health.get("expect", ""), tuple(health.get("status", [])),
                    float(health.get("timeout", 5)),
                )
            )
        )  # fmt: skip
    return [
        {
            "name": c.name,
            "argv": [],
            "status": "passed" if c.passed else "failed",
            "exit": None,
            "output": c.detail,
            "seconds": round(c.seconds, 2),
        }
        for c in checks
    ]


def _mode_of(full: Any) -> int:
    try:
        return int(os.stat(full).st_mode & 0o7777)
    except FileNotFoundError:
        return 0o644
