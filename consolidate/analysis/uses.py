"""What the investigation engine's scanners report: one file using another, and entry points.

Paths are repository-relative POSIX paths of tracked files. Lines are 1-based.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True, unsafe_hash=True)  # not frozen: 5x faster to make, and there are 10,000s
class Use:
    """`source` imports, requires or runs one of `targets` (several when it cannot be sure)."""

    source: str
    targets: tuple[str, ...]
    line: int
    kind: str  # "import", "relative import", "sys.path import", "dynamic import", "require", ...
    certain: bool
    text: str  # the line, stripped, cut to 200 characters, for people


@dataclass(frozen=True)
class Root:
    """An entry point: something outside the code runs `path`."""

    path: str
    kind: str  # "compose", "dockerfile", "package.json", "pyproject", "test", "main", "script", "systemd"
    via: str  # "docker-compose.yml: service backend command", "package.json scripts.build", ...
    service: str | None = None  # the compose service, when a compose service runs it
    production: bool = True  # False for tests, examples, one-off scripts
