from __future__ import annotations

import json
from pathlib import Path

import pytest

from consolidate.errors import Refusal
from consolidate.journal import Store


def test_save_load_round_trip(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.save({"run_id": "abc", "status": "running", "steps": []})
    assert store.load() == {"run_id": "abc", "status": "running", "steps": []}
    assert not list(store.dir.glob(".*consolidate-tmp"))


@pytest.mark.parametrize("damage", ["truncate", "edit", "garbage"])
def test_damaged_journal_is_refused(tmp_path: Path, damage: str) -> None:
    store = Store(tmp_path)
    store.save({"run_id": "abc", "status": "running", "steps": []})
    raw = store.journal_path.read_bytes()
    if damage == "truncate":
        store.journal_path.write_bytes(raw[: len(raw) // 2])
    elif damage == "edit":
        doc = json.loads(raw)
        doc["body"]["status"] = "complete"
        store.journal_path.write_text(json.dumps(doc))
    else:
        store.journal_path.write_bytes(b"\x00\x01not json")
    with pytest.raises(Refusal, match="is damaged"):
        store.load()


def test_blob_store_detects_damage(tmp_path: Path) -> None:
    store = Store(tmp_path)
    digest = store.put_blob(b"original bytes")
    assert store.get_blob(digest) == b"original bytes"
    (store.blob_dir / digest).write_bytes(b"tampered")
    with pytest.raises(Refusal, match="damaged"):
        store.get_blob(digest)


def test_archive_moves_the_journal_and_drops_blobs(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.put_blob(b"x")
    store.save({"run_id": "r1", "status": "rolled-back"})
    target = store.archive("r1")
    assert target.exists() and not store.journal_path.exists() and not store.blob_dir.exists()


def test_a_failed_fsync_aborts_with_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from consolidate import journal
    from consolidate.errors import StepFailed

    store = journal.Store(tmp_path)

    def broken(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(journal.os, "fsync", broken)
    with pytest.raises(StepFailed, match=r"cannot write .*journal\.json: Input/output error"):
        store.save({"run_id": "r", "steps": []})
    assert not any(p.name.endswith(".consolidate-tmp") for p in tmp_path.rglob("*"))
    assert not (tmp_path / "consolidate" / "journal.json").exists()
