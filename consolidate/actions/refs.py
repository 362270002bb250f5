"""Actions on git refs, the index and Docker tags."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from consolidate.actions.base import Action, Env, Receipt, UndoView
from consolidate.errors import StepFailed
from consolidate.journal import atomic_write


@dataclass(frozen=True)
class SnapshotIndex(Action):
    """Keep the index as it was, so rollback can put it back byte for byte."""

    kind: ClassVar[str] = "snapshot-index"

    def describe(self) -> str:
        return "keep a copy of the git index for rollback"

    def prepare(self, env: Env) -> Receipt:
        path = env.git.index_path
        return {"index": env.store.put_blob(path.read_bytes()) if path.exists() else None}

    def apply(self, env: Env) -> Receipt:
        return {}

    def settle(self, env: Env) -> Receipt | None:
        return {}

    def undo(self, env: Env, receipt: Receipt) -> None:
        blob = receipt.get("index")
        path = env.git.index_path
        if blob is None:
            path.unlink(missing_ok=True)
            return
        data = env.store.get_blob(blob)
        if not path.exists() or path.read_bytes() != data:
            atomic_write(path, data, 0o644)


@dataclass(frozen=True)
class CreateBranch(Action):
    kind: ClassVar[str] = "create-branch"
    name: str
    commit: str

    def describe(self) -> str:
        return f"create branch {self.name} at {self.commit[:12]}"

    def apply(self, env: Env) -> Receipt:
        env.git.create_branch(self.name, self.commit)
        return {}

    def settle(self, env: Env) -> Receipt | None:
        return {} if env.git.ref_commit(f"refs/heads/{self.name}") == self.commit else None

    def undo(self, env: Env, receipt: Receipt) -> None:
        current = env.git.ref_commit(f"refs/heads/{self.name}")
        if current is None:
            return
        if current != self.commit:
            if env.force:
                return
            raise StepFailed(
                f"backup branch {self.name} was moved to {current[:12]}; it is left alone",
                "delete it yourself if you no longer need it, or use --force to skip it",
            )
        env.git.delete_branch(self.name, self.commit)

    def undo_conflicts(self, view: UndoView, receipt: Receipt | None) -> list[str]:
        """Mirrors `undo`: a backup branch moved since the run is a conflict (it is kept)."""
        ref = f"refs/heads/{self.name}"
        current = view.ref(ref)
        if current is None:
            return []
        if current != self.commit:
            return [ref]
        view.set_ref(ref, None)
        return []


@dataclass(frozen=True)
class TagImage(Action):
    kind: ClassVar[str] = "tag-image"
    source: str
    image_id: str
    tag: str
    previous: str | None = None

    def describe(self) -> str:
        return f"tag image {self.source} ({self.image_id[7:19]}) as {self.tag}"

    def apply(self, env: Env) -> Receipt:
        env.docker().tag(self.image_id, self.tag)
        return {}

    def settle(self, env: Env) -> Receipt | None:
        return {} if env.docker().image_id(self.tag) == self.image_id else None

    def undo(self, env: Env, receipt: Receipt) -> None:
        docker = env.docker()
        if docker.image_id(self.tag) != self.image_id:
            return
        if self.previous:
            docker.tag(self.previous, self.tag)
        else:
            docker.untag(self.tag)


@dataclass(frozen=True)
class CommitChanges(Action):
    """One commit of exactly the paths the run changed."""

    kind: ClassVar[str] = "commit"
    paths_: tuple[str, ...]
    subject: str
    body: str
    ref: str | None
    old_commit: str

    def describe(self) -> str:
        return f"commit {len(self.paths_)} paths: {self.subject}"

    def diff(self) -> str:
        return self.message(None)

    def message(self, env: Env | None) -> str:
        text = f"{self.subject}\n\n{self.body.rstrip()}\n"
        validation = env.receipts.get("run-validation", {}).get("summary") if env else None
        if validation:
            text += f"\nValidation:\n{validation}\n"
        return text

    def apply(self, env: Env) -> Receipt:
        env.git.stage(list(self.paths_))
        commit = env.git.commit(self.message(env), list(self.paths_), run_hooks=env.run_hooks)
        return {"commit": commit}

    def settle(self, env: Env) -> Receipt | None:
        head = env.git.head()
        if head is None or head.commit == self.old_commit:
            return None
        parent = env.git.ref_commit(f"{head.commit}^")
        body = env.git.run("log", "-1", "--format=%B", head.commit)
        if parent == self.old_commit and body.strip() == self.message(env).strip():
            return {"commit": head.commit}
        return None

    def undo(self, env: Env, receipt: Receipt) -> None:
        commit = receipt.get("commit")
        ref = self.ref or "HEAD"
        current = env.git.ref_commit(ref)
        if commit is None or current == self.old_commit:
            return
        if current != commit:
            if env.force:
                return
            raise StepFailed(
                f"{ref} moved on past the removal commit (it is now {current and current[:12]})",
                "revert the removal commit with `git revert` instead, or --force to leave HEAD",
            )
        env.git.move_ref(ref, self.old_commit, commit)

    def undo_conflicts(self, view: UndoView, receipt: Receipt | None) -> list[str]:
        """Mirrors `undo`: the branch moved on past the removal commit is a conflict. With no
        recorded outcome (a kill), `settle` tells whether HEAD is the run's commit; it only reads."""
        if receipt is None:
            receipt = self.settle(view.env) or {}
        commit = receipt.get("commit")
        ref = self.ref or "HEAD"
        current = view.ref(ref)
        if commit is None or current == self.old_commit:
            return []
        if current != commit:
            return [ref]
        view.set_ref(ref, self.old_commit)
        return []
