"""The scan on worker processes finds what the scan in one process finds, whoever scans what."""

from __future__ import annotations

import marshal
import os
import time
from pathlib import Path

import pytest
from repo_support import RepoFactory

from consolidate.analysis import scan
from consolidate.analysis.investigation import Engine
from consolidate.analysis.pyresolve import ModuleIndex
from consolidate.analysis.scan import Pending, Snapshot
from consolidate.analysis.strings import named_in_strings
from consolidate.gitio import Git


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
    assert alone.crew is None
    pending = Pending(snapshot(60), workers=2)
    assert pending.crew is not None and pending.crew.forked
    assert pending.chunks == scan.chunks(pending.code, 2)
    together, single = pending.result(), alone.result()
    assert together.uses == single.uses
    assert together.code_files == single.code_files
    assert together.main_guards == single.main_guards == ["app/main.py"]
    assert len(single.code_files) == 122


MAIN = os.getpid()
REAL_CHUNK = scan._resolve_chunk


def slow_in_workers(paths: list[str]) -> list[scan.Found]:
    """The scan, slowed down in the forked workers only, so chunks are left for the caller."""
    if os.getpid() != MAIN:
        time.sleep(0.05)
    return REAL_CHUNK(paths)


@pytest.mark.parametrize(
    ("files_from", "bytes_from", "parallel"),
    [(10**6, 10**9, False), (100, 10**9, True), (10**6, 2000, True)],
    ids=["small", "many-files", "many-bytes"],
)
def test_workers_by_default_from_enough_files_or_bytes(
    monkeypatch: pytest.MonkeyPatch, files_from: int, bytes_from: int, parallel: bool
) -> None:
    """Without --jobs, workers start on a repository of many code files, or of few files
    that hold many bytes (committed bundles), and not on a small one."""
    monkeypatch.setattr(scan, "PARALLEL_FROM", files_from)
    monkeypatch.setattr(scan, "PARALLEL_BYTES", bytes_from)
    pending = Pending(snapshot(60), workers=None)  # 122 code files, 3.5 KB
    try:
        assert (pending.crew is not None) is parallel
        assert len(pending.result().code_files) == 122
    finally:
        pending.close()


def test_a_finished_scan_is_freed_without_the_collector(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing the workers were given refers back to the scan: once the caller lets it go,
    it goes (with the module index and the names it holds), not at the next full pass of
    the collector."""
    import gc
    import weakref

    monkeypatch.setattr(scan, "PARALLEL_FROM", 1)
    gc.disable()
    try:
        pending = Pending(snapshot(60), workers=2)
        assert pending.crew is not None
        assert len(pending.result().code_files) == 122
        gone = weakref.ref(pending)
        del pending
        assert gone() is None
    finally:
        gc.enable()


def test_chunks_no_worker_started_are_scanned_here(monkeypatch: pytest.MonkeyPatch) -> None:
    # Many small chunks, and slow workers: most are still waiting when this process asks.
    monkeypatch.setattr(scan, "PARALLEL_FROM", 1)
    monkeypatch.setattr(scan, "SMALLEST", 1)
    monkeypatch.setattr(scan, "_resolve_chunk", slow_in_workers)
    pending = Pending(snapshot(200), workers=2)
    result = pending.result()
    assert pending.stolen > 0
    expected = Pending(snapshot(200), workers=1).result()
    assert result.uses == expected.uses
    assert result.code_files == expected.code_files


def test_chunks_hold_every_file_once_and_shrink_toward_the_end() -> None:
    """The workers start on large chunks; the last ones, which this process takes back or
    waits for, are small; files a stride apart share a chunk."""
    code = [f"pkg{i % 7}/m{i}.{'py' if i % 3 else 'ts'}" for i in range(21_000)]
    chunks = scan.chunks(code, 2)
    assert sorted(p for chunk in chunks for p in chunk) == sorted(code)
    sizes = [len(chunk) for chunk in chunks]
    assert sizes[0] == 21_000 // (scan.SHARE * 2)
    assert sizes == sorted(sizes, reverse=True) and sizes[-2] == scan.SMALLEST >= sizes[-1]
    assert chunks[0][:2] == [code[0], code[64]]
    assert scan.chunks(code[:50], 2) == [[code[i] for i in range(50)]]


def test_a_workers_result_comes_back_marshalled_or_else_as_it_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Name(str):
        pass

    plain: list[scan.Found] = [("a.py", True, [("a.py", ("b.py",), 1, "import", True, "x")], [])]
    odd: list[scan.Found] = [(Name("a.py"), False, [], [])]
    for found in (plain, odd):
        monkeypatch.setattr(scan, "_resolve_chunk", lambda paths, found=found: found)
        packed = scan._resolve_packed(["a.py"])
        if found is plain:
            assert isinstance(packed, bytes) and marshal.loads(packed) == plain
        else:
            assert packed is odd


# What resolving one file needs from others: folders other files put on `sys.path` (before the
# standard library: a shadowing `json.py` there counts), a conftest's additions for the tests
# below it, and a tsconfig's paths.
SHAPED = {
    "tools/run.py": (
        b"import os, sys\n"
        b"sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'vendored'))\n"
        b"import json\nimport helper\n"
    ),
    "vendored/json.py": b"x = 1\n",
    "vendored/helper.py": b"y = 2\n",
    "lib/util.py": b"import json\nimport helper\n",
    "tests/conftest.py": b"import sys, os\nsys.path.append(os.path.join(os.path.dirname(__file__), '..', 'src'))\n",
    "tests/test_core.py": b"import core\nfrom core import thing\n",
    "src/core/__init__.py": b"",
    "src/core/thing.py": b"",
    "web/tsconfig.json": b'{"compilerOptions": {"baseUrl": ".", "paths": {"@/*": ["src/*"]}}}',
    "web/src/a.ts": b'import { b } from "@/b";\nconst c = require(`./c/${name}`);\n',
    "web/src/b.ts": b"export const b = 1;\n",
    "web/src/c/one.ts": b"export default 1;\n",
}


def test_resolved_file_by_file_as_all_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan, "PARALLEL_FROM", 1)
    data = {**files(20), **SHAPED}
    snap = Snapshot(Path("/nonexistent"), sorted(data), data)
    at_once = Pending(snap, workers=1, resolve=False).scans().resolve(snap.paths, snap.read)
    for workers in (1, 2, 3):
        assert Pending(snap, workers=workers).result().uses == at_once
    kinds = {(u.source, u.kind, u.targets) for u in at_once}
    assert ("lib/util.py", "uncertain import", ("vendored/json.py",)) in kinds
    assert ("tests/test_core.py", "import", ("src/core/__init__.py",)) in kinds
    assert any(u.source == "web/src/a.ts" and u.targets == ("web/src/b.ts",) for u in at_once)


def test_each_code_file_is_scanned_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from consolidate.analysis import pyimports, tsimports

    seen: list[str] = []
    for module in (pyimports, tsimports):
        real = module.scan_file
        monkeypatch.setattr(
            module, "scan_file", lambda path, data, real=real: seen.append(path) or real(path, data)
        )
    data = {**files(20), **SHAPED}
    snap = Snapshot(Path("/nonexistent"), sorted(data), data)
    result = Pending(snap, workers=1).result()
    again = [p for p in set(seen) if seen.count(p) > 1]
    assert sorted(seen) == sorted([*result.code_files, *again])
    # Only the files that change `sys.path` are scanned twice: once before the pass, for the
    # other files' resolution.
    assert sorted(again) == ["tests/conftest.py", "tools/run.py"]


def test_a_module_index_made_from_the_paths_before_resolves_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The investigation makes the module index while a child reads the files; shaped by
    what files put on `sys.path` (a copy: the index itself stays as the paths made it), it
    resolves what an index made with the scans resolves."""
    monkeypatch.setattr(scan, "PARALLEL_FROM", 1)
    data = {**files(20), **SHAPED}
    snap = Snapshot(Path("/nonexistent"), sorted(data), data)
    index = ModuleIndex(snap.paths)
    for workers in (1, 2):
        made_before = Pending(snap, workers=workers, index=index).result().uses
        assert made_before == Pending(snap, workers=workers).result().uses
    assert (index.inserted, index.conftest) == (set(), {})
    shaped = index.shaped(scan._shaping(snap))
    assert shaped.inserted == {"vendored"} and shaped.conftest == {"tests": {"src"}}


NAMING = {
    "app/tasks.py": b"JOBS = ['app.jobs.nightly', 'web/src/b.ts']\n",
    "app/jobs/nightly.py": b"def run(): pass\n",
    "web/src/loader.ts": b'const page = "./b";\nexport const cfg = "app/tasks.py";\n',
    "deploy/worker.yaml": b"handler: app.jobs.nightly:run\n",
    "playbooks/old.yaml": b"files: [app/jobs/nightly.py]\n",
    "docker-compose.yml": b"services:\n  worker:\n    command: python -m app.jobs.nightly\n",
}


def test_strings_found_in_the_scan_pass_are_those_of_a_pass_of_their_own(
    make_repo: RepoFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scan, "PARALLEL_FROM", 1)
    repo = make_repo({**files(10), **SHAPED, **NAMING})
    git = Git.open(repo)
    for workers in (1, 2):
        engine = Engine(git, workers=workers)
        alone = named_in_strings(engine.paths, engine.snapshot.read, skip=engine.read_elsewhere())
        assert engine.strings == alone
        assert {u.source for u in alone} >= {
            "app/tasks.py",
            "web/src/loader.ts",
            "deploy/worker.yaml",
        }
        assert not {u.source for u in alone} & {"playbooks/old.yaml", "docker-compose.yml"}


def test_what_exists_at_the_fork_is_frozen_until_the_scan_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The collector skips the snapshot and the rest while the workers run (they would copy
    every page it walks), and the caller's collector is as it was afterwards."""
    import gc

    monkeypatch.setattr(scan, "PARALLEL_FROM", 1)
    assert gc.get_freeze_count() == 0
    pending = Pending(snapshot(30), workers=2)
    assert gc.get_freeze_count() > 0
    assert len(scan._RESOLVERS) == 1  # made before the fork: the workers have it already
    assert len(pending.result().code_files) == 62
    assert gc.get_freeze_count() == 0 and not scan._RESOLVERS
    assert Pending(snapshot(30), workers=1).crew is None and gc.get_freeze_count() == 0


def test_an_error_beside_the_workers_stops_them_and_unfreezes(
    make_repo: RepoFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from consolidate.analysis import investigation

    started: list[Pending] = []

    class Watched(Pending):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            started.append(self)

    def broken(*_: object) -> None:
        raise OSError("the disk went away")

    monkeypatch.setattr(scan, "PARALLEL_FROM", 1)
    monkeypatch.setattr(investigation, "Pending", Watched)
    monkeypatch.setattr(investigation, "find_projects", broken)
    with pytest.raises(OSError, match="the disk went away"):
        Engine(Git.open(make_repo(files(10))), workers=2)
    [pending] = started
    assert pending.crew is not None and pending.crew.members  # they ran, and are reaped
    assert not any(member.pid for member in pending.crew.members) and pending.crew.fd == -1
    assert gc.get_freeze_count() == 0 and not scan._SHARED


def test_the_command_line_spaces_out_the_collectors_passes() -> None:
    """`consolidate` raises the youngest generation's threshold (Python's default is 700),
    for itself and the workers it forks; a process that only imports the package keeps it."""
    import subprocess
    import sys

    code = (
        "import gc, sys; from consolidate import cli\n"
        "before = gc.get_threshold()[0]\n"
        "sys.argv = ['consolidate', 'version']\n"
        "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
        "print(before, gc.get_threshold()[0], file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    from consolidate.analysis.tuning import YOUNG_PASS

    assert done.stderr.split() == ["700", str(YOUNG_PASS)]
