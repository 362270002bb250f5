"""The scan on worker processes finds what the scan in one process finds, whoever scans what."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from consolidate.analysis import scan
from consolidate.analysis.scan import Pending, Snapshot


def files(count: int) -> dict[str, bytes]:
    out: dict[str, bytes] = {"app/__init__.py": b""}
    for i in range(count):
        out[f"app/mod{i}.py"] = f"from app import mod{(i + 1) % count}\nimport os\n".encode()
        out[f"web/m{i}.ts"] = f'import {{ x }} from "./m{(i + 3) % count}";\n'.encode()
    out["app/main.py"] = b"import app.mod0\nif __name__ == '__main__':\n    pass\n"
    return out


def snapshot(count: int) -> Snapshot:
    data = files(count)
    return Snapshot(Path("/nonexistent"), sorted(data), data)


def test_workers_and_one_process_find_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan, "PARALLEL_FROM", 1)
    alone = Pending(snapshot(60), workers=1)
    assert alone.pool is None
    pending = Pending(snapshot(60), workers=2)
    assert pending.pool is not None and len(pending.futures) == 2 * scan.CHUNKS_PER_WORKER
    together, single = pending.result(), alone.result()
    assert together.uses == single.uses
    assert together.code_files == single.code_files
    assert together.main_guards == single.main_guards == ["app/main.py"]
    assert len(single.code_files) == 122


MAIN = os.getpid()
REAL_CHUNK = scan._scan_chunk


def slow_in_workers(paths: list[str]) -> list[tuple[str, object]]:
    """The scan, slowed down in the forked workers only, so chunks are left for the caller."""
    if os.getpid() != MAIN:
        time.sleep(0.05)
    return REAL_CHUNK(paths)


def test_chunks_no_worker_started_are_scanned_here(monkeypatch: pytest.MonkeyPatch) -> None:
    # Far more chunks than the pool queues ahead, and slow workers: most are still waiting.
    monkeypatch.setattr(scan, "PARALLEL_FROM", 1)
    monkeypatch.setattr(scan, "CHUNKS_PER_WORKER", 40)
    monkeypatch.setattr(scan, "_scan_chunk", slow_in_workers)
    pending = Pending(snapshot(200), workers=2)
    result = pending.result()
    assert pending.stolen > 0
    expected = Pending(snapshot(200), workers=1).result()
    assert result.uses == expected.uses
    assert result.code_files == expected.code_files
