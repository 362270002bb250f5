"""Playbook patterns run with a time limit (`regex_timeout`, 2 s per file by default): a pattern
that backtracks without end is refused with one line naming it and the file, before anything
changes; patterns that worked with `re` work the same."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from repo_support import RepoFactory, consolidate, git, repo_state

from consolidate.edits.patterns import Clock, PatternTimeout, compile_pattern, subn

SLOW = r"(a|aa)+$"  # backtracks through every split of the run of a's before failing
STUCK = "a" * 64 + "b\n"  # no machine tries 2**44 splits within a time limit
PLAYBOOK = (
    "component: billing-relay\nsummary: Replaced by the ledger service in 2024.\n"
    "files: [billing-relay/**]\n"
    "compose:\n  docker-compose.yml: [billing-relay]\n"
    "backup: {images: false}\n"
)
FILES: dict[str, str | bytes] = {
    "billing-relay/relay.py": "print('relay')\n",
    "ledger/app.py": "print('ledger')\n",
    "docker-compose.yml": (
        "services:\n  ledger:\n    build: ./ledger\n  billing-relay:\n    build: ./billing-relay\n"
    ),
    "docs/ops.md": "Start the billing-relay first.\n" + STUCK,
    "scripts/ops.sh": "#!/bin/sh\n" + STUCK + "echo billing-relay\n# END\necho done\n",
}


def make(make_repo: RepoFactory, extra: str) -> Path:
    return make_repo({**FILES, "playbooks/billing-relay.yaml": PLAYBOOK + extra})


def refused(repo: Path) -> str:
    """Run the removal; it must be refused (exit 2) with nothing changed: its one line."""
    before = repo_state(repo)
    result = consolidate(repo, "run", "billing-relay", "--yes")
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert repo_state(repo) == before
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_migrate_replace_that_backtracks_stops_at_the_default_limit(
    make_repo: RepoFactory,
) -> None:
    repo = make(
        make_repo, f"migrate:\n  - replace: {{file: docs/ops.md, pattern: '{SLOW}', with: x}}\n"
    )
    assert refused(repo) == (
        "consolidate: error: migrate: pattern '(a|aa)+$' took more than 2 s on docs/ops.md; "
        "simplify it or raise regex_timeout in the playbook"
    )


def test_a_docs_rewrite_that_backtracks_stops_at_the_playbook_limit(
    make_repo: RepoFactory,
) -> None:
    repo = make(
        make_repo,
        "regex_timeout: 0.5\n"
        f"docs:\n  rewrite:\n    - {{file: docs/ops.md, pattern: '{SLOW}', with: x}}\n",
    )
    assert refused(repo) == (
        "consolidate: error: docs.rewrite: pattern '(a|aa)+$' took more than 0.5 s on "
        "docs/ops.md; simplify it or raise regex_timeout in the playbook"
    )


def test_a_script_block_that_backtracks_stops_at_the_playbook_limit(
    make_repo: RepoFactory,
) -> None:
    repo = make(
        make_repo,
        "regex_timeout: 0.5\n"
        f"scripts:\n  - file: scripts/ops.sh\n    blocks: [{{start: '{SLOW}', end: '^# END'}}]\n",
    )
    assert refused(repo) == (
        "consolidate: error: scripts: pattern '(a|aa)+$' took more than 0.5 s on "
        "scripts/ops.sh; simplify it or raise regex_timeout in the playbook"
    )


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("0", "Input should be greater than 0"),
        ("-1", "Input should be greater than 0"),
        ("601", "Input should be less than or equal to 600"),
        ("soon", "Input should be a valid number"),
    ],
)
def test_a_bad_regex_timeout_is_refused_with_its_line(
    make_repo: RepoFactory, value: str, problem: str
) -> None:
    repo = make(make_repo, f"regex_timeout: {value}\n")
    line = refused(repo)
    assert line.endswith(f"billing-relay.yaml:7: regex_timeout: {problem}"), line


def test_existing_patterns_work_with_groups_and_names(make_repo: RepoFactory) -> None:
    repo = make(
        make_repo,
        "regex_timeout: 30\n"
        "migrate:\n  - replace: {file: docs/ops.md, pattern: 'Start the (billing)-(?P<r>relay)', "
        "with: 'Stop the \\g<r> of \\1'}\n"
        "docs:\n  rewrite:\n    - {file: docs/ops.md, pattern: '^(a+)b$', with: '\\1c', count: 1}\n"
        "scripts:\n  - file: scripts/ops.sh\n    blocks: [{start: '^a+b$', end: '^# END'}]\n",
    )
    result = consolidate(repo, "run", "billing-relay", "--yes")
    assert result.returncode == 0, result.stderr
    assert (
        repo / "docs/ops.md"
    ).read_text() == "Stop the relay of billing first.\n" + "a" * 64 + "c\n"
    assert (repo / "scripts/ops.sh").read_text() == "#!/bin/sh\necho done\n"
    assert "docs/ops.md" in git(repo, "show", "--name-only", "--format=", "HEAD").split()


REPLACEMENTS = [
    (r"(\w+)@(\w+)", r"\2 at \1", "ann@host, bo@box"),
    (r"(?P<k>\w+)=(?P<v>\w*)", r"\g<v>=\g<k>", "a=1\nb=\nc=3"),
    (r"^", "> ", "one\ntwo\n"),
    (r"$", ";", "one\r\ntwo"),
    (r"x*", "-", "abc"),
    (r"\bcat\b", r"\\dog\n", "cat catalog cat"),
    (r"(a)|b", r"[\1]", "ab"),
]


@pytest.mark.parametrize(("pattern", "repl", "text"), REPLACEMENTS)
def test_replacements_read_as_re_reads_them(pattern: str, repl: str, text: str) -> None:
    expected = re.subn(pattern, repl, text, count=0, flags=re.MULTILINE)
    assert subn(pattern, repl, text, count=0, limit=5, where="t", path="f") == expected
    one = re.subn(pattern, repl, text, count=1, flags=re.MULTILINE)
    assert subn(pattern, repl, text, count=1, limit=5, where="t", path="f") == one


def test_a_spent_budget_stops_the_next_search() -> None:
    clock = Clock(0.2, "scripts", "bin/run.sh")
    pattern = compile_pattern(SLOW)
    with pytest.raises(PatternTimeout) as stopped:
        clock.any(pattern, ["ab", STUCK, "a"])
    assert stopped.value.line() == (
        "scripts: pattern '(a|aa)+$' took more than 0.2 s on bin/run.sh; "
        "simplify it or raise regex_timeout in the playbook"
    )
    assert stopped.value.exit_code == 2
    with pytest.raises(PatternTimeout):  # nothing left: even a quick search is refused
        clock.search(compile_pattern("a"), "a")
