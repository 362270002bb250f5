"""How an investigation runs, set once by the command line: worker processes and the cache.

`jobs`: processes that scan imports (None: as many as cores, up to 4, and only on a
repository of PARALLEL_FROM code files or more; 1: none, everything in this process). The
result is the same for every value. `cache`: whether an investigation may be read from or
written to the user's cache (analysis/cache.py); `--no-cache` turns it off.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Tuning:
    jobs: int | None = None
    cache: bool = True


CURRENT = Tuning()


def configure(*, jobs: int | None, cache: bool) -> None:
    CURRENT.jobs = jobs
    CURRENT.cache = cache
