"""Random-kill soak: SIGKILL a removal at a random moment, recover, and compare byte for byte.

    python benchmarks/soak.py [--tries N] [--seed S] [--dir DIR] [--json]

Each run makes a new folder (in DIR, or the system's temporary folder) and leaves it there
for a look at a failing try: `try-NNN/repo`, next to `before/`, `reference/`, `template/`.

Builds the bundled sample repository once (`consolidate.demo.build_sample`), with its
playbook changed to back up a branch only (no Docker) and to validate with commands that
write files and take about a second (`compileall` writes `__pycache__`, then a Python loop
writes `build-out/f0.txt`..`f19.txt`, 50 ms apart, and a child it starts `c0.txt`..`c19.txt`).
Then:

- one uninterrupted `consolidate run` of a fresh copy: its wall time T and the reference
  final state (every file of the work tree, tracked, untracked and ignored, by sha256;
  `.git/` left out; a symlink by its target), with the tree of HEAD (the removal report's
  table of validation seconds is masked: those differ from run to run),
- `--tries` times (50 by default): a fresh copy, `consolidate run` in a new session,
  SIGKILL at a moment drawn uniformly from [0, 1.1 T], to the whole process group or the
  main process only (two tries of each in turn), `consolidate status --json`, then
  recovery, alternately (so each kill kind meets each): `consolidate rollback` (must give
  back the state before the run byte for byte: files, HEAD and every ref, so the backup
  branch is gone; the tool keeps no refs of its own), or `consolidate run`
  again (must give the reference files and HEAD's tree; commit ids carry the wall clock, so
  they are not compared). After recovery no process of the killed run may be alive (same
  session or process group as the killed pid, or a working folder inside the copy: validate
  commands run in their own session) and no `*consolidate-*` scratch file may remain.

How to read it: "finished before the kill" tries prove little (the kill came too late);
"status after kill" counts what status found (`none`: killed before the journal was written),
"alive after kill" the run's processes still alive just after the kill (they may finish on
their own; only those still alive after recovery count as lingering).
A try fails when its recovery exited non-zero (other than a resume refused over a run that
was already complete), its state differs (the first paths are listed), status did not say
"interrupted" over a journal left at work, a process lingered or a scratch file remained.
The exit code is 0 when every try held, 1 otherwise. Lingering processes are killed after
they are counted, so one try does not disturb the next.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from consolidate.demo import build_sample

ENV = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    "GIT_AUTHOR_NAME": "soak",
    "GIT_AUTHOR_EMAIL": "soak@example.com",
    "GIT_COMMITTER_NAME": "soak",
    "GIT_COMMITTER_EMAIL": "soak@example.com",
    "SOURCE_DATE_EPOCH": "1700000000",
    "CI": "true",
}
TOOL = [sys.executable, "-m", "consolidate"]
PLAYBOOK = "playbooks/orchestrator.yaml"
# The second command writes for about a second, and starts a child that writes beside it: a
# kill of the main process only leaves that grandchild to the recovery.
CHILD = (
    "import time, pathlib; [(pathlib.Path(f'build-out/c{i}.txt').write_text(str(i)),"
    " time.sleep(0.05)) for i in range(20)]"
)
WRITER = (
    "import subprocess, sys, time, pathlib; out = pathlib.Path('build-out');"
    f" out.mkdir(exist_ok=True); child = subprocess.Popen([sys.executable, '-c', {CHILD!r}]);"
    " [((out / f'f{i}.txt').write_text(str(i)), time.sleep(0.05)) for i in range(20)];"
    " child.wait()"
)
# The removal report's validation table ends each row with the command's seconds: masked.
REPORT = "_REMOVAL_REPORT.md"
SECONDS = re.compile(rb"\| \d+\.\d+ \|$", re.MULTILINE)
AT_WORK = ("running", "rolling-back")
SHOWN = 5  # differing paths listed per failing try


@dataclass
class Snapshot:
    files: dict[str, str]
    head: str
    tree: str
    refs: list[str]


@dataclass
class Try:
    index: int
    kill_at: float
    kill_kind: str  # "group" or "main"
    recovery: str  # "rollback" or "resume"
    finished_first: bool = False
    status: str = ""
    interrupted: bool = False
    recovery_exit: int = 0
    differs: bool = False
    alive_after_kill: int = 0  # processes of the run still alive as recovery starts
    lingering: list[str] = field(default_factory=list)
    scratch: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "core.hooksPath=/dev/null", *args],
        cwd=repo,
        env=ENV,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TOOL, *args], env=ENV, capture_output=True, text=True, check=False)


def file_hashes(root: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under `root` but `.git/` (a link: its target)."""
    found: dict[str, str] = {}
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        if here == root:
            dirs[:] = [d for d in dirs if d != ".git"]
        for name in [*dirs, *names]:
            path = here / name
            if path.is_symlink():
                data = os.readlink(path).encode()
            elif name in names:
                data = path.read_bytes()
                data = SECONDS.sub(b"| T |", data) if name.endswith(REPORT) else data
            else:
                continue
            found[str(path.relative_to(root))] = hashlib.sha256(data).hexdigest()
    return found


def head_tree(repo: Path) -> str:
    """HEAD's tree, its removal report left out (that one is compared, masked, as a file)."""
    entries = git(repo, "ls-tree", "-r", "--full-tree", "HEAD").splitlines()
    kept = "\n".join(e for e in entries if not e.endswith(REPORT))
    return hashlib.sha256(kept.encode()).hexdigest()


def snapshot(repo: Path) -> Snapshot:
    refs = git(repo, "for-each-ref", "--format=%(refname) %(objectname)").splitlines()
    head = git(repo, "rev-parse", "HEAD")
    return Snapshot(file_hashes(repo), head, head_tree(repo), refs)


def make_template(root: Path) -> Path:
    """The sample repository with a branch-only backup and slow, file-writing validation."""
    repo = root / "template" / "repo"
    build_sample(repo)
    book = repo / PLAYBOOK
    text = book.read_text()
    assert "images: true" in text and "\nvalidate:" in text, "the sample playbook changed"
    text = text.replace("images: true", "images: false").split("\nvalidate:")[0]
    commands = [
        ("byte-compile", ["python", "-m", "compileall", "-q", "backend"]),
        ("write build output", ["python", "-c", WRITER]),
    ]
    text += "\nvalidate:\n" + "".join(
        f"  - name: {name}\n    run: {json.dumps(argv)}\n    timeout: 60\n"
        for name, argv in commands
    )
    book.write_text(text)
    git(repo, "commit", "-qam", "soak")
    return repo


def fresh_copy(template: Path, target: Path) -> Path:
    shutil.copytree(template, target / "repo", symlinks=True)
    return target / "repo"


def run_argv(repo: Path) -> list[str]:
    return [*TOOL, "run", str(repo / PLAYBOOK), "--repo", str(repo), "--yes", "--no-image-backup"]


def differences(before: Snapshot, after: Snapshot, *, whole: bool) -> list[str]:
    """What differs: paths first (added +, removed -, changed ~), then HEAD, tree, refs."""
    out = [f"-{p}" for p in sorted(before.files.keys() - after.files.keys())]
    out += [f"+{p}" for p in sorted(after.files.keys() - before.files.keys())]
    out += [f"~{p}" for p in sorted(before.files) if after.files.get(p, before.files[p]) != before.files[p]]  # fmt: skip
    if before.tree != after.tree:
        out.append("HEAD^{tree} (the removal report aside)")
    if whole and before.head != after.head:
        out.append(f"HEAD {before.head[:12]} -> {after.head[:12]}")
    if whole and before.refs != after.refs:
        out.append(f"refs {sorted(set(before.refs) ^ set(after.refs))}")
    return out


def proc_stat(pid: str) -> tuple[str, int, int] | None:
    """(state, process group, session) of a process, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rpartition(")")[2].split()
    return fields[0], int(fields[2]), int(fields[3])


def lingering(killed: int, repo: Path) -> list[int]:
    """Live processes of the killed run: its session or group, or working inside the copy."""
    found = []
    for entry in os.listdir("/proc"):
        stat = proc_stat(entry) if entry.isdigit() else None
        if stat is None or stat[0] == "Z" or int(entry) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            cwd = os.readlink(f"/proc/{entry}/cwd")
            inside = cwd == str(repo) or cwd.startswith(f"{repo}/")
            if killed in (stat[1], stat[2]) or inside:
                found.append(int(entry))
    return found


def describe(pid: int) -> str:
    with contextlib.suppress(OSError):
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        return f"{pid}: {argv.strip()[:100]}"
    return str(pid)


def kill_lingering(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def scratch_files(repo: Path) -> list[str]:
    return sorted(p for p in file_hashes(repo) if "consolidate-" in Path(p).name)


def interrupt(attempt: Try, repo: Path) -> int:
    """Start the run, kill it at `kill_at`; the killed pid."""
    proc = subprocess.Popen(
        run_argv(repo),
        env=ENV,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    time.sleep(attempt.kill_at)
    attempt.finished_first = proc.poll() is not None
    with contextlib.suppress(ProcessLookupError):
        if attempt.kill_kind == "group":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return proc.pid


def record_status(attempt: Try, repo: Path) -> None:
    done = tool("status", "--repo", str(repo), "--json")
    try:
        doc = json.loads(done.stdout)
    except json.JSONDecodeError:
        attempt.problems.append(f"status exit {done.returncode}: no JSON")
        return
    attempt.status, attempt.interrupted = str(doc.get("status")), bool(doc.get("interrupted"))
    if attempt.status in AT_WORK and not attempt.interrupted:
        holder = doc.get("lock_holder")
        attempt.problems.append(f"status {attempt.status} but not interrupted (lock: {holder})")


def recover(attempt: Try, repo: Path, before: Snapshot, reference: Snapshot) -> None:
    if attempt.recovery == "rollback":
        done = tool("rollback", "--repo", str(repo), "--yes")
        diff = differences(before, snapshot(repo), whole=True)
    else:
        done = subprocess.run(run_argv(repo), env=ENV, capture_output=True, text=True)
        diff = differences(reference, snapshot(repo), whole=False)
    attempt.recovery_exit = done.returncode
    refused_complete = attempt.recovery == "resume" and attempt.status == "complete"
    if done.returncode and not refused_complete:
        tail = (done.stderr.strip().splitlines() or [""])[-1][:160]
        attempt.problems.append(f"{attempt.recovery} exit {done.returncode}: {tail}")
    attempt.differs = bool(diff)
    if diff:
        attempt.problems.append(f"{len(diff)} differences: {', '.join(diff[:SHOWN])}")


def one_try(attempt: Try, template: Path, work: Path, refs: tuple[Snapshot, Snapshot]) -> None:
    repo = fresh_copy(template, work / f"try-{attempt.index:03d}")
    killed = interrupt(attempt, repo)
    attempt.alive_after_kill = len(lingering(killed, repo))
    record_status(attempt, repo)
    recover(attempt, repo, *refs)
    pids = lingering(killed, repo)
    attempt.lingering = [describe(pid) for pid in pids]
    kill_lingering(pids)
    attempt.scratch = scratch_files(repo)
    if attempt.lingering:
        attempt.problems.append(f"lingering: {'; '.join(attempt.lingering[:SHOWN])}")
    if attempt.scratch:
        attempt.problems.append(f"scratch files: {', '.join(attempt.scratch[:SHOWN])}")


def measure(template: Path, work: Path) -> tuple[float, Snapshot, Snapshot]:
    """The uninterrupted run's wall time, the state before it and the reference after it."""
    before = snapshot(fresh_copy(template, work / "before"))
    repo = fresh_copy(template, work / "reference")
    start = time.perf_counter()
    done = subprocess.run(run_argv(repo), env=ENV, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"the uninterrupted run failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds, before, snapshot(repo)


def summary(tries: list[Try], seconds: float, total: float) -> dict[str, Any]:
    rollback = [t for t in tries if t.recovery == "rollback"]
    resume = [t for t in tries if t.recovery == "resume"]
    return {
        "tries": len(tries),
        "uninterrupted_seconds": round(seconds, 2),
        "killed_group": sum(t.kill_kind == "group" for t in tries),
        "killed_main_only": sum(t.kill_kind == "main" for t in tries),
        "finished_before_kill": sum(t.finished_first for t in tries),
        "rollback_tries": len(rollback),
        "rollback_identical": sum(not t.differs for t in rollback),
        "resume_tries": len(resume),
        "resume_equal": sum(not t.differs for t in resume),
        "status_interrupted": sum(t.interrupted for t in tries),
        "status_after_kill": dict(Counter(t.status or "?" for t in tries)),
        "alive_after_kill": sum(t.alive_after_kill for t in tries),
        "lingering_processes": sum(len(t.lingering) for t in tries),
        "scratch_files_left": sum(len(t.scratch) for t in tries),
        "failed": sum(bool(t.problems) for t in tries),
        "total_seconds": round(total, 1),
        "failures": [failure(t) for t in tries if t.problems],
    }


def failure(attempt: Try) -> dict[str, Any]:
    keys = ("index", "kill_at", "kill_kind", "recovery", "finished_first", "status", "problems")
    return {k: v for k, v in asdict(attempt).items() if k in keys}


def text_report(doc: dict[str, Any]) -> str:
    rows = [(k.replace("_", " "), v) for k, v in doc.items() if k != "failures"]
    lines = [f"{name:<24} {value}" for name, value in rows]
    for f in doc["failures"]:
        late = " (finished before the kill)" if f["finished_first"] else ""
        lines.append(
            f"\ntry {f['index']}: kill {f['kill_kind']} at {f['kill_at']:.2f}s{late}, "
            f"status {f['status'] or '?'}, then {f['recovery']}"
        )
        lines += [f"  {p}" for p in f["problems"]]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--tries", type=int, default=50)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.dir:
        args.dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="soak-", dir=args.dir)).resolve()
    started = time.perf_counter()
    template = make_template(work)
    seconds, before, reference = measure(template, work)
    rng = random.Random(args.seed)
    tries = []
    for index in range(args.tries):
        kind, recovery = ("group", "main")[index // 2 % 2], ("rollback", "resume")[index % 2]
        attempt = Try(index, round(rng.uniform(0, seconds * 1.1), 3), kind, recovery)
        one_try(attempt, template, work, (before, reference))
        tries.append(attempt)
    doc = summary(tries, seconds, time.perf_counter() - started)
    print(json.dumps(doc, indent=2) if args.json else text_report(doc))
    return 1 if doc["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
