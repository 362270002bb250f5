"""The first process of a validate command's session: it starts the command and takes the
whole session down with the run (issue 15).

    python -I -S guard.py RUN_PID PROGRAM [ARG ...]

A parent-death signal reaches only the direct child of the run, so a command killed that way
would leave its own children running, writing files after the run is gone. This guard is
that direct child: the kernel sends it SIGTERM when the run dies, and it kills its process
group (the command and everything the command started in it) at once. Otherwise it waits for
the command and ends the way the command ended (same exit code, or the same signal).
It imports nothing from consolidate, so it starts in a few milliseconds.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys

PR_SET_PDEATHSIG = 1  # prctl(2)
CANNOT_START = 127


def _take_the_group_down(_signum: int, _frame: object) -> None:
    os.killpg(0, signal.SIGKILL)


def main(argv: list[str]) -> int:
    run, command = int(argv[0]), argv[1:]
    signal.signal(signal.SIGTERM, _take_the_group_down)
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != run:  # the run died before the signal was armed
        _take_the_group_down(signal.SIGTERM, None)
    try:
        child = subprocess.Popen(command)
    except OSError as exc:
        print(f"{command[0]}: cannot start: {exc.strerror}", file=sys.stderr)
        return CANNOT_START
    code = child.wait()
    if code < 0:  # killed by a signal: end the same way, so the run sees what happened
        if -code not in (signal.SIGKILL, signal.SIGSTOP):  # those cannot be caught anyway
            signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
