"""What the read-only commands spend importing, on the bundled sample repository.

    python benchmarks/startup.py [--rounds N]

    python benchmarks/startup.py --code OTHER_CHECKOUT   # and another version

Builds the sample (`consolidate.demo.build_sample`) in a temporary folder, then runs each
command in a fresh `python -X importtime -m consolidate` (with bytecode written beforehand and
PYTHONDONTWRITEBYTECODE unset, so no run compiles a module) in interleaved rounds, and prints
the minimum over `--rounds` (7 by default, so a busy moment of a shared machine does not
count) of two figures, in milliseconds:

- `cli`: the cumulative import time of `consolidate.cli` (what every command pays before it
  starts),
- `all`: every import the process made, the ones a command makes when it runs included (the
  sum of `-X importtime`'s self column).

The commands: `--help`, `version`, `status --json`, `investigate orchestrator --json` (with an
empty investigation cache each time, so it investigates).

`--code DIR` (repeatable) also runs the commands from another checkout of consolidate (say, the
commit before a change), in the same rounds, so two versions compare on an equally busy
machine.

Target (issue 17): `--help` and the read-only commands under 150 ms of `all`; what they cannot
avoid (typer's pydantic coercion of options, GitPython for a command that reads the repository)
is said in the issue.
"""

from __future__ import annotations

import argparse
import compileall
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from investigate_large import ENV, add_code_option

COMMANDS = {
    "--help": ["--help"],
    "version": ["version"],
    "status --json": ["status", "--json"],
    "investigate --json": ["investigate", "orchestrator", "--json"],
}

Measure = tuple[int, int]  # microseconds: consolidate.cli cumulative, all imports


def measure(repo: Path, argv: list[str], code: Path | None, cache: Path) -> Measure:
    env = {**ENV, "XDG_CACHE_HOME": str(cache)}
    if code is not None:
        env["PYTHONPATH"] = str(code)
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "consolidate", *argv],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {result.stderr[-2000:]}")
    return parse(result.stderr)


def parse(stderr: str) -> Measure:
    """(consolidate.cli's cumulative microseconds, the sum of every import's own)."""
    entries = import_lines(stderr)
    cli = next((cum for _own, cum, name in entries if name.strip() == "consolidate.cli"), 0)
    return cli, sum(own for own, _cum, _name in entries)


def import_lines(stderr: str) -> list[tuple[int, int, str]]:
    """`import time: SELF | CUMULATIVE | NAME` lines (-X importtime) as (self, cumulative,
    name); the name keeps its indent, which says how deep the import was."""
    out = []
    for line in stderr.splitlines():
        fields = line.removeprefix("import time:").split("|")
        if line.startswith("import time:") and len(fields) == 3 and fields[1].strip().isdigit():
            out.append((int(fields[0]), int(fields[1]), fields[2].removeprefix(" ")))
    return out


def compile_code(code: Path | None) -> None:
    root = code if code is not None else Path(__file__).resolve().parents[1]
    package = root / "consolidate"
    compileall.compile_dir(package, quiet=1, rx=re.compile(r"[/\\]sample[/\\]"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    add_code_option(parser)
    args = parser.parse_args()
    codes: list[Path | None] = [None, *[c.resolve() for c in args.code]]
    for code in codes:
        compile_code(code)
    with tempfile.TemporaryDirectory(prefix="consolidate-startup-") as tmp:
        repo = Path(tmp) / "sample"
        build_sample(repo)
        best: dict[tuple[int, str], Measure] = {}
        for number in range(args.rounds):
            for index, code in enumerate(codes):
                for label, argv in COMMANDS.items():
                    cache = Path(tmp) / f"cache-{number}-{index}-{len(best)}"
                    cli, total = measure(repo, argv, code, cache)
                    old = best.get((index, label), (cli, total))
                    best[(index, label)] = (min(old[0], cli), min(old[1], total))
    for index, code in enumerate(codes):
        print(f"code: {code or 'this checkout'} (minimum of {args.rounds} rounds, ms)")
        for label in COMMANDS:
            cli, total = best[(index, label)]
            print(f"  {label:<20} cli {cli / 1000:6.1f}   all {total / 1000:6.1f}")


def build_sample(repo: Path) -> None:
    """The bundled sample, committed; in a process of its own, so this one imports nothing."""
    script = "import sys; from pathlib import Path; from consolidate.demo import build_sample; "
    script += "build_sample(Path(sys.argv[1]))"
    subprocess.run([sys.executable, "-c", script, str(repo)], check=True, env=ENV)


if __name__ == "__main__":
    main()
