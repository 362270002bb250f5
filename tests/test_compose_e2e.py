"""Compose surgery through the real CLI, on a real git repository with several compose files."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from repo_support import RepoFactory, consolidate, git, repo_state, tree_hash

PLAYBOOK = """\
component: orchestrator
summary: Never ran.
files: [orchestrator/**]
compose:
  docker-compose.yml: [orchestrator]
backup: {images: false}
"""

# CRLF line endings, a BOM and no final newline: all must survive the edit.
COMPOSE = codecs.BOM_UTF8 + (
    b"# The stack.\r\n"
    b"services:\r\n"
    b"  web:\r\n"
    b"    image: nginx\r\n"
    b"    depends_on:\r\n"
    b"      orchestrator:\r\n"
    b"        condition: service_healthy\r\n"
    b"      db:\r\n"
    b"        condition: service_started\r\n"
    b"\r\n"
    b"  # Pipeline orchestrator (never worked).\r\n"
    b"  orchestrator:\r\n"
    b"    build: ./orchestrator\r\n"
    b'    volumes: ["orch-state:/state"]\r\n'
    b"\r\n"
    b"  db:\r\n"
    b"    image: postgres\r\n"
    b'    restart: "no"\r\n'
    b"\r\n"
    b"volumes:\r\n"
    b"  pgdata:\r\n"
    b"  # Holds run bookkeeping.\r\n"
    b"  orch-state:"
)
EXPECTED = codecs.BOM_UTF8 + (
    b"# The stack.\r\n"
    b"services:\r\n"
    b"  web:\r\n"
    b"    image: nginx\r\n"
    b"    depends_on:\r\n"
    b"      db:\r\n"
    b"        condition: service_started\r\n"
    b"\r\n"
    b"  db:\r\n"
    b"    image: postgres\r\n"
    b'    restart: "no"\r\n'
    b"\r\n"
    b"volumes:\r\n"
    b"  pgdata:"
)
OVERRIDE = "services:\n  web:\n    environment: [DEBUG=1]\n    links:\n      - orchestrator:orch\n"


@pytest.fixture
def repo(make_repo: RepoFactory) -> Path:
    return make_repo(
        {
            "orchestrator/main.py": "print('never')\n",
            "docker-compose.yml": COMPOSE,
            "docker-compose.override.yml": OVERRIDE,
            "playbooks/orchestrator.yaml": PLAYBOOK,
        }
    )


def name_override(repo: Path) -> None:
    playbook = repo / "playbooks/orchestrator.yaml"
    text = playbook.read_text().replace(
        "  docker-compose.yml: [orchestrator]\n",
        "  docker-compose.yml: [orchestrator]\n  docker-compose.override.yml: []\n",
    )
    playbook.write_text(text)
    git(repo, "commit", "-qam", "name the override")


def test_an_unnamed_override_that_refers_to_the_service_is_refused(repo: Path) -> None:
    before = tree_hash(repo)
    result = consolidate(repo, "run", "orchestrator", "--yes")
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        "consolidate: error: compose: docker-compose.override.yml:5: service web links "
        "orchestrator, but the playbook does not name docker-compose.override.yml: add it "
        "under compose: in the playbook (docker-compose.override.yml: [] to cut only the "
        "references)"
    ]
    assert tree_hash(repo) == before


def test_dry_run_shows_the_exact_diff_of_every_compose_file(repo: Path) -> None:
    name_override(repo)
    before = tree_hash(repo)
    result = consolidate(repo, "run", "orchestrator", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert tree_hash(repo) == before
    out = result.stdout
    assert "-  # Pipeline orchestrator (never worked).\n-  orchestrator:\n" in out
    assert "-      - orchestrator:orch\n" in out
    assert "remove volume orch-state" in out
    assert "comment removed: '# Holds run bookkeeping.'" in out


def test_run_edits_byte_exact_and_rollback_restores_byte_for_byte(repo: Path) -> None:
    name_override(repo)
    before = repo_state(repo)
    result = consolidate(repo, "run", "orchestrator", "--yes")
    assert result.returncode == 0, result.stderr
    assert (repo / "docker-compose.yml").read_bytes() == EXPECTED
    assert (repo / "docker-compose.override.yml").read_text() == (
        "services:\n  web:\n    environment: [DEBUG=1]\n"
    )
    committed = git(repo, "show", "--name-only", "--format=", "HEAD").split()
    assert {"docker-compose.yml", "docker-compose.override.yml"} <= set(committed)
    result = consolidate(repo, "rollback", "--yes")
    assert result.returncode == 0, result.stderr
    assert repo_state(repo) == before
    assert (repo / "docker-compose.yml").read_bytes() == COMPOSE


def test_keep_volumes_keeps_the_volume(repo: Path) -> None:
    name_override(repo)
    playbook = repo / "playbooks/orchestrator.yaml"
    playbook.write_text(playbook.read_text() + "keep_volumes: true\n")
    git(repo, "commit", "-qam", "keep volumes")
    result = consolidate(repo, "run", "orchestrator", "--yes")
    assert result.returncode == 0, result.stderr
    after = (repo / "docker-compose.yml").read_bytes()
    assert after.endswith(b"  pgdata:\r\n  # Holds run bookkeeping.\r\n  orch-state:")


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            'network_mode: "service:orchestrator"',
            "docker-compose.yml: service sidecar uses network_mode of service orchestrator "
            "(line 5)",
        ),
        ("extends: orchestrator", "service sidecar uses extends of service orchestrator"),
    ],
)
def test_a_dependent_that_cannot_be_fixed_stops_the_plan(
    make_repo: RepoFactory, entry: str, expected: str
) -> None:
    compose = f"services:\n  web:\n    image: w\n  sidecar:\n    {entry}\n"
    compose += "  orchestrator:\n    image: o\n"
    repo = make_repo(
        {
            "orchestrator/main.py": "x\n",
            "docker-compose.yml": compose,
            "playbooks/orchestrator.yaml": PLAYBOOK,
        }
    )
    before = tree_hash(repo)
    result = consolidate(repo, "run", "orchestrator", "--yes")
    assert result.returncode == 2
    assert expected in result.stderr and len(result.stderr.splitlines()) == 1
    assert "remove sidecar as well" in result.stderr
    assert tree_hash(repo) == before
