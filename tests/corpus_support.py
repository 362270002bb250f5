"""Where the shared compose corpus is, and what a test does when it is not there.

The corpus sits beside the clone (`../shared/corpus/compose/`) or where CONSOLIDATE_CORPUS
points. A person who cloned the project without it gets a skip with the reason; CI, which
always has it, fails instead, so a missing corpus cannot turn the corpus tests silently green.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pytest
from docker_support import running_in_ci

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "compose"


def corpus_dir(env: Mapping[str, str] = os.environ) -> Path:
    return Path(env.get("CONSOLIDATE_CORPUS") or DEFAULT)


def corpus_files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.glob("*") if p.suffix in {".yml", ".yaml"})


def missing_reason(corpus: Path) -> str | None:
    """Why the corpus cannot be used, or None when it has compose files."""
    if not corpus.is_dir():
        return f"compose corpus not found at {corpus} (set CONSOLIDATE_CORPUS, or clone beside shared/)"
    if not corpus_files(corpus):
        return f"no .yml/.yaml files in the compose corpus at {corpus}"
    return None


def require_corpus(corpus: Path, *, ci: bool | None = None) -> None:
    """Skip the calling test when the corpus is absent; fail it instead in CI."""
    reason = missing_reason(corpus)
    if reason is None:
        return
    if running_in_ci() if ci is None else ci:
        pytest.fail(f"{reason}; CI must have it")
    pytest.skip(reason)
