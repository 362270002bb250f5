"""`--jobs N` (issue 17): the number of processes that scan imports changes nothing in what
the commands print; a value that is not a positive integer is one line and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from repo_support import consolidate

from consolidate.demo import build_sample


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample(tmp_path_factory.mktemp("jobs") / "taskhub").root


@pytest.mark.parametrize("command", [["investigate", "orchestrator"], ["orphans"]], ids=" ".join)
def test_output_is_the_same_bytes_for_every_number_of_jobs(
    sample: Path, command: list[str]
) -> None:
    outputs = set()
    for jobs in ([], ["--jobs", "1"], ["--jobs", "2"], ["-j", "3"], ["--jobs=4"]):
        result = consolidate(sample, "--no-cache", *command, "--json", *jobs)
        assert result.returncode == 0, (jobs, result.stderr)
        outputs.add(result.stdout)
    assert len(outputs) == 1


@pytest.mark.parametrize(
    ("value", "problem"),
    [("0", "0 is not"), ("-2", "-2 is not"), ("two", "two is not"), ("1.5", "1.5 is not")],
)
def test_a_bad_number_of_jobs_is_one_line_and_exit_2(
    sample: Path, value: str, problem: str
) -> None:
    result = consolidate(sample, "investigate", "orchestrator", "--jobs", value)
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("consolidate: error: Invalid value for")
    assert lines[0].endswith(f"{problem} a whole number of 1 or more (see `consolidate --help`)")
