"""Under --json no text is drawn (issue 17): the tables cost seconds on a large repository
and nobody reads them. Every text renderer and rich itself are made to fail; the --json
commands must not notice, and without --json the same commands must."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import structlog
from typer.testing import CliRunner

from consolidate import cli
from consolidate.assess import lint
from consolidate.demo import build_sample
from consolidate.report import assessment, investigation, terminal

COMMANDS = [
    ["investigate", "orchestrator"],
    ["orphans"],
    ["lint"],
    ["assess", "orchestrator"],
]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample(tmp_path_factory.mktemp("json") / "taskhub").root


@pytest.fixture(autouse=True)
def logging_as_before() -> Iterator[None]:
    """The CLI runs in this process here and configures logging; later tests that capture
    debug events must not inherit its level."""
    yield
    structlog.reset_defaults()


def _drawing_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("text was drawn")

    monkeypatch.setattr(terminal, "console", fail)
    monkeypatch.setattr(terminal, "table", fail)
    for module, names in (
        (investigation, ("as_text", "orphans_text")),
        (assessment, ("as_text",)),
        (lint, ("as_text",)),
    ):
        for name in names:
            monkeypatch.setattr(module, name, fail)


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_json_draws_no_table(
    sample: Path, command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _drawing_fails(monkeypatch)
    runner = CliRunner()
    args = ["--no-cache", *command, "--repo", str(sample)]
    result = runner.invoke(cli.app, [*args, "--json"])
    assert result.exit_code in (0, 1), result.output  # lint exits 1 on a finding
    assert isinstance(json.loads(result.stdout), dict)
    drawn = runner.invoke(cli.app, args)
    assert isinstance(drawn.exception, AssertionError)
    assert str(drawn.exception) == "text was drawn"
