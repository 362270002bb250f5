"""What an action is: a small frozen object that describes, applies and undoes itself.

Dry-run is `describe()` + `diff()`. `apply()` returns a receipt (JSON) that `undo()` takes.
`settle()` answers, after a crash, whether an action whose outcome was never recorded did
take effect, by looking at the real state rather than guessing.
"""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Union

from consolidate.gitio import Git
from consolidate.journal import Store

Receipt = dict[str, Any]
REGISTRY: dict[str, type[Action]] = {}


@dataclass
class Env:
    """What actions may touch while they apply or undo."""

    git: Git
    store: Store
    docker: Callable[[], Any]
    receipts: dict[str, Receipt] = field(default_factory=dict)
    force: bool = False
    run_hooks: bool = False
    prior: Receipt = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # what an undo could not put back
    progress: Callable[[str], None] = lambda _message: None

    @property
    def root(self) -> Path:
        return self.git.root


@dataclass(frozen=True)
class Action:
    kind: ClassVar[str] = "action"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "kind" in cls.__dict__:
            REGISTRY[cls.kind] = cls

    def describe(self) -> str:
        raise NotImplementedError(type(self).__name__)

    def diff(self) -> str:
        return ""

    def paths(self) -> tuple[str, ...]:
        """Work-tree paths this action changes (the commit stages exactly these)."""
        return ()

    def simulate(self, ws: Any) -> None:
        """Change the planning workspace as apply would change the work tree."""

    def prepare(self, env: Env) -> Receipt:
        """The prior state undo needs, recorded in the journal before the side effect."""
        return {}

    def apply(self, env: Env) -> Receipt:
        raise NotImplementedError(type(self).__name__)

    def settle(self, env: Env) -> Receipt | None:
        """After a crash: the receipt if the effect is in place, None if it is not."""
        return None

    def undo(self, env: Env, receipt: Receipt) -> None:
        """Reverse apply, from its receipt. Default: nothing to undo."""

    def undo_conflicts(self, view: UndoView, receipt: Receipt | None) -> list[str]:
        """The paths or refs that stop `undo` (changed since the run left them), found without
        changing anything but `view`, which it moves on to the state its undo would leave, so
        rollback can refuse before it starts (issue 15). `receipt` is None when the journal
        never recorded the outcome (a kill): the effect is in place or not, never a conflict.
        Default: an undo that cannot meet a conflict."""
        return []


def read_state(full: Path) -> bytes | None:
    """The file's bytes; for a symlink, b'link:' + target; None when absent."""
    if full.is_symlink():
        return b"link:" + os.readlink(full).encode()
    try:
        return full.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None


class UndoView:
    """The repository as the rollback will have left it so far, without touching it.

    Undo runs newest action first, so an older action's precondition must be checked against
    what the newer undos will have written, not against today's disk: two actions that edit
    one file (the report is written, then filled by validation) both pass on a repository
    nobody touched since the run."""

    def __init__(self, env: Env) -> None:
        self.env = env
        self._files: dict[str, bytes | None] = {}
        self._refs: dict[str, str | None] = {}

    def read(self, path: str) -> bytes | None:
        if path in self._files:
            return self._files[path]
        return read_state(self.env.root / path)

    def write(self, path: str, data: bytes | None) -> None:
        self._files[path] = data

    def ref(self, name: str) -> str | None:
        if name in self._refs:
            return self._refs[name]
        return self.env.git.ref_commit(name)

    def set_ref(self, name: str, commit: str | None) -> None:
        self._refs[name] = commit


def undo_conflicts(env: Env, steps: list[dict[str, Any]]) -> list[str]:
    """Every conflict of every action a rollback would undo, in undo order, each named once.
    It walks the journal exactly as rollback does (newest first, skipping what never ran or
    is undone already), so a rollback that passes this check meets no conflict on its way."""
    view = UndoView(env)
    found: list[str] = []
    for step in reversed(steps):
        for record in reversed(step["actions"]):
            if record["state"] in ("planned", "undone"):
                continue
            action = load(record["action"], env.store)
            conflicts = action.undo_conflicts(view, record.get("receipt"))
            found += [c for c in conflicts if c not in found]
    return found


# ---- serialisation: bytes go to the blob store, everything else is JSON ---------------
def dump(action: Action, store: Store | None) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": action.kind}
    for f in dataclasses.fields(action):
        out[f.name] = _dump_value(getattr(action, f.name), store)
    return out


def load(data: dict[str, Any], store: Store) -> Action:
    cls = REGISTRY[data["kind"]]
    hints = typing.get_type_hints(cls)
    kwargs = {
        f.name: _load_value(data[f.name], hints[f.name], store)
        for f in dataclasses.fields(cls)
        if f.name in data
    }
    return cls(**kwargs)


def _dump_value(value: Any, store: Store | None) -> Any:
    if isinstance(value, bytes):
        if store is None:
            return {"$bytes": len(value)}
        return {"$blob": store.put_blob(value)}
    if isinstance(value, tuple | list):
        return [_dump_value(v, store) for v in value]
    if isinstance(value, dict):
        return {k: _dump_value(v, store) for k, v in value.items()}
    return value


def _load_value(value: Any, hint: Any, store: Store) -> Any:
    if isinstance(value, dict) and "$blob" in value:
        return store.get_blob(value["$blob"])
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return None if value is None else _load_value(value, options[0], store)
    if origin is tuple and isinstance(value, list):
        args = typing.get_args(hint)
        inner = args[0] if args else Any
        return tuple(_load_value(v, inner, store) for v in value)
    return value
