"""Resume after a fix of the validation (issue 15).

A run whose validate command failed stops before the commit; "fix the cause and run again"
often means fixing the command itself. `validate` and `on_failure` are read by the validate
step alone (and the runner's failure policy), so a playbook that changed only in those keys is
accepted on resume while validation has not completed (a failed one has not): the attempt
that ran is undone (the files its commands wrote, the report it filled) and the validate
action is planned again from the new commands, with the rest of its settings as the run
planned them. The commit's plan reads neither key, so it stands. Any other change is refused,
naming the keys that changed, as before.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path
from typing import Any

from consolidate.actions import base
from consolidate.actions.base import Env
from consolidate.actions.checks import RunValidation
from consolidate.errors import Refusal
from consolidate.journal import Store
from consolidate.playbook import LoadedPlaybook, Playbook, load_playbook
from consolidate.steps.validate import command_specs

REPLANNABLE = ("validate", "on_failure")


def check(journal: dict[str, Any], loaded: LoadedPlaybook, store: Store) -> None:
    """Refuse a resume with a playbook changed beyond REPLANNABLE (nothing changed yet)."""
    component = journal["component"]
    back = "put them back as they were to resume, or `consolidate rollback` and run again"
    before = _playbook_of(journal, store)
    if before is None:
        raise Refusal(f"the playbook changed since the run of {component} started", back)
    keys = changed_keys(before, loaded.playbook)
    others = [k for k in keys if k not in REPLANNABLE]
    if others:
        raise Refusal(
            f"the playbook changed since the run of {component} started: {', '.join(others)}"
            f" (only {' and '.join(REPLANNABLE)} may change on resume)",
            back,
        )
    if _validate_step(journal)["status"] == "done":
        raise Refusal(
            f"the playbook's {' and '.join(keys)} changed, but the run of {component} has"
            " passed validation already",
            "put the playbook back as it was to resume, or `consolidate rollback` and run again",
        )


def refit(env: Env, journal: dict[str, Any], loaded: LoadedPlaybook) -> None:
    """Undo the validation that ran, plan it again from `loaded`; the caller saves."""
    step = _validate_step(journal)
    records = step["actions"]
    commands = command_specs(env.root, loaded.playbook)
    for index, record in enumerate(records):
        old = base.load(record["action"], env.store)
        if not isinstance(old, RunValidation):
            continue
        if record["state"] != "planned":
            env.progress("undo: the validation that ran before the fix")
            old.undo(env, record.get("receipt") or dict(record.get("prior", {})))
        settings = {**old.settings(), "commands": commands}
        new = RunValidation(json.dumps(settings), old.report, old.report_before)
        records[index] = {"state": "planned", "action": base.dump(new, env.store)}
        records[index]["text"] = new.describe()
    step["status"] = "pending"
    journal["on_failure"] = loaded.playbook.on_failure
    journal["playbook"] = {**journal["playbook"], **remember(loaded, env.store)}


def remember(loaded: LoadedPlaybook, store: Store) -> dict[str, str]:
    """The playbook's identity and bytes, kept with the journal for `check`."""
    data = loaded.path.read_bytes()
    if hashlib.sha256(data).hexdigest() != loaded.sha256:
        raise Refusal(f"{loaded.path} changed while it was read", "run again")
    return {"sha256": loaded.sha256, "blob": store.put_blob(data)}


def changed_keys(before: Playbook, after: Playbook) -> list[str]:
    """The top-level keys, as written in a playbook, whose values differ."""
    old = before.model_dump(mode="json", by_alias=True)
    new = after.model_dump(mode="json", by_alias=True)
    return sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))


def _playbook_of(journal: dict[str, Any], store: Store) -> Playbook | None:
    blob = journal["playbook"].get("blob")
    if not blob:
        return None  # a journal from before playbooks were kept with it
    data = store.get_blob(blob)
    with tempfile.TemporaryDirectory(prefix="consolidate-playbook-") as scratch:
        path = Path(scratch) / Path(journal["playbook"]["path"]).name
        path.write_bytes(data)
        return load_playbook(path).playbook


def _validate_step(journal: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in journal["steps"] if s["name"] == "validate")
