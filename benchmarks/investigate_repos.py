"""Investigation through the CLI on given repositories, next to the cost of reading them once.

    python benchmarks/investigate_repos.py REPO[:NAME] [REPO[:NAME] ...] [--rounds N] [--jobs N]
                                           [--json]

NAME is the component to investigate; without it, the top-level folder with the most tracked
code files. For every repository, in interleaved rounds (round 1 measures every repository,
then round 2, ...; the minimum of each time over `--rounds`, 5 by default, so a busy moment of
a shared machine does not count), after one unmeasured run that warms the cache:

- the floor: `git ls-files -z | xargs -0 cat > /dev/null` (reading every tracked file once)
  plus `git log --name-only --no-renames > /dev/null` (one pass over history), timed apart
  and added,
- `consolidate --no-cache investigate NAME --json` and `consolidate --no-cache orphans
  --json`, each a fresh process as a user runs it (interpreter start and imports included;
  `--jobs N` is passed on as the global option),
- vulture over the repository's tracked Python files, when it is installed
  (`pip install vulture`),
- import time: `python -X importtime -m consolidate version`, the cumulative microseconds of
  the top-level `consolidate` entries, without PYTHONDONTWRITEBYTECODE (as installed, pip
  writes bytecode, so this is the import a user pays),
- peak memory of `investigate`, from a second run of each command in each round (the time
  comes from the first, which nothing samples): of the main process (its high-water mark, VmHWM) and of all
  its processes together (the largest sum, at one moment, over the process and its
  descendants, scan workers and git commands, of their proportional set size from
  /proc/PID/smaps_rollup: a page two processes share counts half in each), both read from
  /proc every 20 ms (descendants from /proc/PID/task/*/children, else a walk of
  /proc/*/stat); the largest of the rounds. `--json` also gives the sum of VmRSS, which counts
  a shared page in every process that maps it.

How to read it: `ratio` is the time over the floor, the cost of doing more than reading the
repository once (issue 4's target: investigate within 3x, under 1 GB, faster than vulture).
Memory in "all" is what the machine gave the processes together (a forked scan worker
shares most of its pages with the main process); "main" is exact to the last 20 ms of the
run. (`wait4`'s ru_maxrss is not used for "main": on Linux it
also covers the workers the process waited for.) The whole output line per repository:
files, investigate and orphans seconds, the floor, both ratios, vulture seconds (- without
it), import ms, peak MB main and all; `--json` adds every round.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from investigate_large import ENV, timed
from startup import import_lines

CODE = {".py", ".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".go", ".rs", ".java", ".kt"}
CODE |= {".rb", ".php", ".cs", ".c", ".cc", ".cpp", ".h", ".swift", ".scala", ".sh"}
TICK = 0.02  # seconds between two memory samples


@dataclass
class Run:
    """One measured process: its wall time and peak memory (MB)."""

    seconds: float
    main_mb: float
    all_mb: float  # the sum of proportional set sizes
    rss_mb: float  # the sum of VmRSS: shared pages counted in each process


@dataclass
class Target:
    """A repository, what to investigate in it, and every round's figures."""

    repo: Path
    name: str
    files: int
    python: list[str]
    floor: list[tuple[float, float]] = field(default_factory=list)
    investigate: list[Run] = field(default_factory=list)
    orphans: list[Run] = field(default_factory=list)
    vulture: list[float] = field(default_factory=list)
    imports: list[int] = field(default_factory=list)  # microseconds


def tracked(repo: Path) -> list[str]:
    result = subprocess.run(
        ["git", "ls-files", "-z"], cwd=repo, capture_output=True, text=True, env=ENV
    )
    if result.returncode:
        raise SystemExit(f"{repo} is not a git repository: give the root of a checkout")
    return [path for path in result.stdout.split("\0") if path]


def largest_code_folder(files: list[str]) -> str | None:
    """The top-level folder with the most code files (ties: the first by name)."""
    counts: dict[str, int] = {}
    for path in files:
        top, sep, rest = path.partition("/")
        if sep and Path(rest).suffix in CODE:
            counts[top] = counts.get(top, 0) + 1
    return min(counts, key=lambda top: (-counts[top], top)) if counts else None


def target_of(spec: str) -> Target:
    path, sep, name = spec.rpartition(":")
    if not sep or "/" in name or not Path(path).is_dir():
        path, name = spec, ""
    repo = Path(path).resolve()
    if not repo.is_dir():
        raise SystemExit(f"{spec}: no such folder; give REPO or REPO:NAME")
    files = tracked(repo)
    name = name or largest_code_folder(files) or ""
    if not name:
        raise SystemExit(f"{repo} has no top-level folder with code: give REPO:NAME")
    python = [path for path in files if path.endswith(".py")]
    return Target(repo, name, len(files), python)


def cli() -> str:
    """The `consolidate` next to this interpreter (the venv's), else the one on PATH."""
    beside = Path(sys.executable).with_name("consolidate")
    found = str(beside) if beside.is_file() else shutil.which("consolidate")
    if not found:
        raise SystemExit("consolidate is not installed here: pip install -e . in this venv")
    return found


def status_kb(pid: int, key: str) -> int:
    """A `kB` field of /proc/PID/status; 0 when the process is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    """The children of PID, from /proc/PID/task/*/children, or by walking /proc/*/stat."""
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return []
    if tasks and (tasks[0] / "children").exists():
        found = []
        for task in tasks:
            try:
                found += [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                continue  # a thread that ended
        return found
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:  # the field after the state
                found.append(int(entry.name))
    return found


def pss_kb(pid: int) -> int:
    """The proportional set size of PID (kB): each page it shares with other processes (a
    forked worker's copy-on-write pages) counted as its share; VmRSS when the kernel has no
    /proc/PID/smaps_rollup (before Linux 4.14)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except FileNotFoundError:
        return status_kb(pid, "VmRSS")
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def tree_kb(root: int) -> tuple[int, int]:
    """The memory of ROOT and its descendants at this moment: the sum of their proportional
    set sizes (what the machine gave them together) and of their VmRSS (shared pages
    counted in every process that maps them: an upper bound)."""
    pss = rss = 0
    pending = [root]
    while pending:
        pid = pending.pop()
        pss += pss_kb(pid)
        rss += status_kb(pid, "VmRSS")
        pending += children(pid)
    return pss, rss


def sampled(command: list[str], cwd: Path) -> Run:
    """Run COMMAND to its end while a thread samples its memory every TICK."""
    peaks = {"main": 0, "all": 0, "rss": 0}
    stop = threading.Event()
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        child = subprocess.Popen(
            command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors, env=ENV
        )

        def sample() -> None:
            while True:
                peaks["main"] = max(peaks["main"], status_kb(child.pid, "VmHWM"))
                pss, rss = tree_kb(child.pid)
                peaks["all"], peaks["rss"] = max(peaks["all"], pss), max(peaks["rss"], rss)
                if stop.wait(TICK):
                    return

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = child.wait()
        seconds = time.perf_counter() - started
        stop.set()
        sampler.join()
        if code:
            errors.seek(0)
            last = errors.read().decode(errors="replace").strip().splitlines()[-1:]
            raise SystemExit(f"{' '.join(command)} failed in {cwd} ({code}): {''.join(last)}")
    return Run(seconds, peaks["main"] / 1024, peaks["all"] / 1024, peaks["rss"] / 1024)


def run_twice(command: list[str], cwd: Path) -> Run:
    """The time of one run left alone (reading /proc/PID/smaps_rollup every 20 ms takes the
    kernel time on the cores the command uses), and the memory of a second, sampled run."""
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, env=ENV, check=False)
    seconds = time.perf_counter() - started
    memory = sampled(command, cwd)
    return Run(seconds, memory.main_mb, memory.all_mb, memory.rss_mb)


def import_us(cwd: Path) -> int:
    """The cumulative microseconds of the top-level `consolidate` entries of -X importtime."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "consolidate", "version"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=ENV,
        check=True,
    )
    return sum(
        cumulative
        for _own, cumulative, name in import_lines(result.stderr)
        if name == "consolidate" or name.startswith("consolidate.")  # no indent: top level
    )


def vulture_seconds(vulture: str, target: Target) -> float:
    started = time.perf_counter()
    subprocess.run(
        [vulture, *target.python], cwd=target.repo, stdout=subprocess.DEVNULL, check=False
    )
    return time.perf_counter() - started


def measure(target: Target, command: str, jobs: list[str], vulture: str | None, here: Path) -> None:
    """One round of every figure for one repository."""
    target.floor.append(
        (
            timed("git ls-files -z | xargs -0 cat > /dev/null", target.repo, shell=True),
            timed(["git", "log", "--name-only", "--no-renames"], target.repo),
        )
    )
    inv = [command, "--no-cache", *jobs, "investigate", target.name, "--json"]
    target.investigate.append(run_twice(inv, target.repo))
    orphans = [command, "--no-cache", *jobs, "orphans", "--json"]
    target.orphans.append(run_twice(orphans, target.repo))
    if vulture and target.python:
        target.vulture.append(vulture_seconds(vulture, target))
    target.imports.append(import_us(here))


def summary(target: Target) -> dict[str, object]:
    read = min(f[0] for f in target.floor)
    log = min(f[1] for f in target.floor)
    floor = read + log
    investigate = min(r.seconds for r in target.investigate)
    orphans = min(r.seconds for r in target.orphans)
    return {
        "repo": str(target.repo),
        "name": target.name,
        "files": target.files,
        "python_files": len(target.python),
        "floor_read_seconds": round(read, 3),
        "floor_log_seconds": round(log, 3),
        "floor_seconds": round(floor, 3),
        "investigate_seconds": round(investigate, 3),
        "orphans_seconds": round(orphans, 3),
        "investigate_ratio": round(investigate / floor, 2),
        "orphans_ratio": round(orphans / floor, 2),
        "vulture_seconds": round(min(target.vulture), 3) if target.vulture else None,
        "import_ms": round(min(target.imports) / 1000, 1),
        "peak_mb_main": round(max(r.main_mb for r in target.investigate), 1),
        "peak_mb_all": round(max(r.all_mb for r in target.investigate), 1),
        "peak_mb_all_rss": round(max(r.rss_mb for r in target.investigate), 1),
        "orphans_peak_mb_main": round(max(r.main_mb for r in target.orphans), 1),
        "orphans_peak_mb_all": round(max(r.all_mb for r in target.orphans), 1),
        "rounds": {
            "floor": target.floor,
            "investigate": [asdict(r) for r in target.investigate],
            "orphans": [asdict(r) for r in target.orphans],
            "vulture": target.vulture,
            "import_us": target.imports,
        },
    }


HEADER = (
    f"{'files':>7} {'invest.':>8} {'orphans':>8} {'floor':>7} {'inv/fl':>7} {'orp/fl':>7} "
    f"{'vulture':>8} {'import':>8} {'MB main':>8} {'MB all':>7}  repository:name"
)


def line(row: dict[str, object]) -> str:
    vulture = row["vulture_seconds"]
    return (
        f"{row['files']:>7} {row['investigate_seconds']:>7.2f}s "
        f"{row['orphans_seconds']:>7.2f}s {row['floor_seconds']:>6.2f}s "
        f"{row['investigate_ratio']:>6.2f}x {row['orphans_ratio']:>6.2f}x "
        f"{f'{vulture:.2f}s' if isinstance(vulture, float) else '-':>8} "
        f"{row['import_ms']:>5.0f} ms {row['peak_mb_main']:>8.0f} {row['peak_mb_all']:>7.0f}  "
        f"{row['repo']}:{row['name']}"
    )


def vulture_version(vulture: str | None) -> str | None:
    if not vulture:
        return None
    result = subprocess.run([vulture, "--version"], capture_output=True, text=True, check=False)
    return result.stdout.strip() or None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repos", nargs="+", metavar="REPO[:NAME]")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--jobs", type=int, help="passed on as consolidate's --jobs")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args()
    if args.rounds < 1 or (args.jobs is not None and args.jobs < 1):
        raise SystemExit("--rounds and --jobs take a number of at least 1")
    command = cli()
    targets = [target_of(spec) for spec in args.repos]
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    vulture = shutil.which("vulture", path=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    if not vulture:
        print("vulture not installed (pip install vulture) - not compared", file=sys.stderr)
    started = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as scratch:  # -m consolidate: no repository on the path
        here = Path(scratch)
        for target in targets:  # warm the cache, the interpreter's files and bytecode
            sampled(
                [command, "--no-cache", *jobs, "investigate", target.name, "--json"], target.repo
            )
            import_us(here)
        for number in range(1, args.rounds + 1):
            print(f"round {number}/{args.rounds}", file=sys.stderr, flush=True)
            for target in targets:
                measure(target, command, jobs, vulture, here)
    rows = [summary(target) for target in targets]
    if args.json:
        document = {
            "started": started.isoformat(timespec="seconds"),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": [Path(sys.argv[0]).name, *sys.argv[1:]],
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "rounds": args.rounds,
            "jobs": args.jobs,
            "vulture": vulture_version(vulture),
            "repositories": rows,
        }
        print(json.dumps(document, indent=2))
        return
    print(
        f"{started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, the minimum of {args.rounds} round(s)"
    )
    print(HEADER)
    for row in rows:
        print(line(row))


if __name__ == "__main__":
    main()
