"""How an investigation runs, set once by the command line: worker processes and the cache.

`jobs`: processes that scan imports (None: as many as cores, up to 4, and only on a
repository of PARALLEL_FROM code files or PARALLEL_BYTES of code or more; 1: none, everything
in this process). The result is the same for every value. `cache`: whether an investigation may be read from or
written to the user's cache (analysis/cache.py); `--no-cache` turns it off.

The command line also spaces out the cycle collector's passes (`collect_less`): an
investigation makes millions of objects that live until it ends, and with Python's defaults
(a pass every 700 allocations, the oldest generation walked again and again) the collector
took about a tenth of `investigate`'s time on the generated 21,308-file repository. Nothing the
tool makes in bulk is cyclic, so memory stays the same.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass


@dataclass
class Tuning:
    jobs: int | None = None
    cache: bool = True


CURRENT = Tuning()
YOUNG_PASS = 50_000  # allocations between two passes over the youngest generation (700)


def configure(*, jobs: int | None, cache: bool) -> None:
    CURRENT.jobs = jobs
    CURRENT.cache = cache


def collect_less() -> None:
    """For the command line's process (and the workers it forks): see the module's text."""
    gc.set_threshold(YOUNG_PASS, 20, 100)
