"""How an investigation runs, set once by the command line: worker processes and the cache.

`jobs`: processes that scan imports (None: as many as cores, up to 4, and only on a
repository of PARALLEL_FROM code files or PARALLEL_BYTES of code or more; 1: none, everything
in this process). The result is the same for every value. `cache`: whether an investigation may be read from or
written to the user's cache (analysis/cache.py); `--no-cache` turns it off.

The command line also spaces out the cycle collector's passes (`collect_less`): an
investigation makes millions of objects that live until it ends, and with Python's defaults
(a pass every 700 allocations, the oldest generation walked again and again) the collector
took about a tenth of `investigate`'s time on the generated 21,308-file repository. Nothing the
tool makes in bulk is cyclic, so memory stays the same. A command that reads the repository,
prints and ends (`configure(keep=True)`) turns the collector off: its passes over the objects
that young still cost about 0.1 s of `investigate` there, and found nothing to free.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from typing import TypeVar


@dataclass
class Tuning:
    jobs: int | None = None
    cache: bool = True
    held: list[object] | None = None  # what `keep` holds to the process's end, when it does


CURRENT = Tuning()
YOUNG_PASS = 50_000  # allocations between two passes over the youngest generation (700)
T = TypeVar("T")


def configure(*, jobs: int | None, cache: bool, keep: bool = False) -> None:
    CURRENT.jobs = jobs
    CURRENT.cache = cache
    CURRENT.held = [] if keep else None


def keep(value: T) -> T:
    """Hold `value` (an engine, an investigation) to the end of the process, when the command
    line asked (`configure(keep=True)`: a command that reads the repository, prints and ends).
    The command line then ends the process without freeing it (`outputs.leave`): freeing the
    millions of objects of an investigation of 20,000 files one at a time, when they go out of
    scope and again at exit, takes about 50 ms; the system takes the memory back at once."""
    if CURRENT.held is not None:
        CURRENT.held.append(value)
    return value


def collect_less() -> None:
    """For the command line's process (and the workers it forks): see the module's text."""
    if CURRENT.held is not None:
        gc.disable()
    else:
        gc.set_threshold(YOUNG_PASS, 20, 100)
