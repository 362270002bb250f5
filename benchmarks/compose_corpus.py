"""How long removing one service takes, on the real compose files of the shared corpus.

    python benchmarks/compose_corpus.py [CORPUS_DIR] [--repeat N]

Prints, per file and overall, the median time of `remove_services` for one service (which
parses the file, plans the cuts, splices, and re-parses to verify). Numbers go in the README.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from consolidate.compose.edit import remove_services, service_names
from consolidate.compose.locate import composed
from consolidate.errors import ComposeRefusal

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "compose"


def time_file(path: Path, repeat: int) -> tuple[int, int, list[float]]:
    data = path.read_bytes()
    services = service_names(data, path=path.name)
    samples: list[float] = []
    refused = 0
    for service in services:
        for _ in range(repeat):
            composed.cache_clear()  # measure a cold parse, as a run does
            started = time.perf_counter()
            try:
                remove_services(data, [service], path=path.name)
            except ComposeRefusal:
                refused += 1
            samples.append(time.perf_counter() - started)
    return len(data.splitlines()), len(services), samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files = sorted(p for p in args.corpus.glob("*") if p.suffix in {".yml", ".yaml"})
    every: list[float] = []
    rows = []
    for path in files:
        lines, services, samples = time_file(path, args.repeat)
        every += samples
        rows.append((path.name, lines, services, statistics.median(samples)))
    for name, lines, services, median in sorted(rows, key=lambda r: -r[3])[:5]:
        print(f"{median * 1000:8.1f} ms  {lines:5d} lines  {services:3d} services  {name}")
    print(
        f"{len(files)} files, {len(every)} removals: median {statistics.median(every) * 1000:.1f} ms,"
        f" p95 {statistics.quantiles(every, n=20)[-1] * 1000:.1f} ms,"
        f" max {max(every) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
