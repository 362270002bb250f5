"""Named points where a test can kill the process (SIGKILL) to prove crash recovery.

`CONSOLIDATE_FAILPOINT=NAME` kills the process when it reaches NAME;
`CONSOLIDATE_FAILPOINT_TRACE=FILE` appends every point reached to FILE, so a harness can
enumerate them. Neither is set in normal use, and then a point costs one dict lookup.
"""

from __future__ import annotations

import os
import signal


def hit(name: str) -> None:
    trace = os.environ.get("CONSOLIDATE_FAILPOINT_TRACE")
    if trace:
        with open(trace, "a", encoding="utf-8") as out:
            out.write(name + "\n")
    if os.environ.get("CONSOLIDATE_FAILPOINT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
