"""The capability map's data, normalised, and the evidence type every capability scanner yields.

Kept apart from the scanners so the name rules (`capability_names`) and the lifecycle rules
(`capability_roles`) share one definition of `Evidence` and one loaded map without importing
`capabilities`, which imports them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

LIFECYCLE = "lifecycle management"  # starting, stopping, health-checking other services
TEST_DIRS = {"test", "tests", "__tests__", "spec", "__mocks__"}
TEST_NAME = re.compile(
    r"^(?:test_.*\.py|.*_test\.py|conftest\.py|.*\.(?:test|spec)\.[cm]?[jt]sx?)$"
)


@dataclass(frozen=True)
class Evidence:
    """One fact behind a capability: where it was seen and what was seen, for a human to check."""

    capability: str
    path: str  # file or manifest
    line: int  # 0 for a manifest-level fact
    what: str  # "imports apscheduler", "declares bullmq in package.json", "defines class JobQueue"


# A keyword: groups of word stems that must all match distinct words of a name, in any order.
# A stem `cron*` matches words starting with `cron`, `*queue*` words containing `queue`.
Keyword = tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class CapabilityMap:
    """The data file, normalised: library names as code and manifests spell them, lowercased."""

    python: dict[str, tuple[str, ...]]  # import name -> capabilities
    distributions: dict[str, str]  # PyPI name -> import name, where they differ
    node: dict[str, tuple[str, ...]]  # npm package -> capabilities
    patterns: tuple[tuple[str, re.Pattern[str]], ...]  # (capability, regex) over code
    keywords: tuple[tuple[str, Keyword], ...] = ()  # (capability, keyword) over names
    data_modules: frozenset[str] = frozenset()  # module names that hold data, not behaviour


def pypi_key(name: str) -> str:
    """PyPI normalisation (PEP 503): `APScheduler`, `rq_scheduler`, `Flask.Cache` compare equal."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_keyword(text: str) -> Keyword:
    """`"job|task runner*"` -> `(("job", "task"), ("runner*",))`; refuses an empty keyword."""
    groups = tuple(tuple(s for s in group.lower().split("|") if s) for group in text.split())
    if not groups or not all(groups):
        raise ValueError(f"capability keyword {text!r} is empty")
    return groups


def parse_map(data: dict[str, Any]) -> CapabilityMap:
    """Validate and normalise a capability map; a broken data file fails loudly, here."""
    python = {k.lower().replace("-", "_"): tuple(v) for k, v in data["python"].items()}
    dists = {pypi_key(k): v.lower() for k, v in data.get("python_distributions", {}).items()}
    node = {k.lower(): tuple(v) for k, v in data["node"].items()}
    patterns = tuple(
        (cap, re.compile(rx, re.M)) for cap, rxs in data.get("patterns", {}).items() for rx in rxs
    )
    keywords = tuple(
        (cap, parse_keyword(k)) for cap, ks in data.get("keywords", {}).items() for k in ks
    )
    data_modules = frozenset(m.lower() for m in data.get("data_modules", []))
    return CapabilityMap(python, dists, node, patterns, keywords, data_modules)


@cache
def load_map() -> CapabilityMap:
    """The packaged `capability_map.json`, read once."""
    text = resources.files("consolidate.assess").joinpath("capability_map.json").read_text("utf-8")
    return parse_map(json.loads(text))


def is_test(path: str) -> bool:
    parts = path.split("/")
    return bool(TEST_DIRS.intersection(parts[:-1])) or bool(TEST_NAME.match(parts[-1]))


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1
