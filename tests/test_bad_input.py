"""Bad input: every case exits 2 with one clear line on stderr and changes nothing.

`tests/bad_input/playbooks/` holds malformed playbooks (one problem each) and
`tests/bad_input/expected.json` the exact line each must give. The 50 MB playbook is made at
test time. Hostile repositories (escaping paths, broken compose files, a detached HEAD, ...)
are built here too.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from repo_support import RepoFactory, consolidate, git, tree_hash

HERE = Path(__file__).parent / "bad_input"
EXPECTED: dict[str, str] = json.loads((HERE / "expected.json").read_text())
PLAYBOOK = """\
component: orchestrator
summary: Never ran.
files: [orchestrator.py]
compose:
  docker-compose.yml: [orchestrator]
backup: {images: false}
"""
COMPOSE = "services:\n  web:\n    image: nginx\n    depends_on: [orchestrator]\n  orchestrator:\n    image: o\n"


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return RepoFactory(tmp_path_factory.mktemp("bad"))(
        {"orchestrator.py": "print(1)\n", "docker-compose.yml": COMPOSE, "app.py": "print(2)\n"}
    )


def refused(repo: Path, *args: str) -> str:
    before = tree_hash(repo)
    result = consolidate(repo, *args)
    assert result.returncode == 2, (args, result.stdout, result.stderr)
    assert result.stdout == "" and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("consolidate: error: "), result.stderr
    assert tree_hash(repo) == before
    return lines[0].removeprefix("consolidate: error: ")


def test_the_corpus_is_complete() -> None:
    files = sorted(p.name for p in (HERE / "playbooks").glob("*.yaml"))
    assert files == sorted(EXPECTED) and len(files) >= 30


def test_every_malformed_playbook_is_refused_with_its_line(repo: Path) -> None:
    def check(name: str) -> tuple[str, str, str]:
        path = HERE / "playbooks" / name
        got = refused(repo, "run", str(path), "--yes")
        return name, got, EXPECTED[name].replace("{path}", str(path))

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(check, sorted(EXPECTED)))
    wrong = [f"{name}:\n  got  {got}\n  want {want}" for name, got, want in results if got != want]
    assert not wrong, "\n".join(wrong)


def test_a_50_mb_playbook_is_refused_before_it_is_parsed(repo: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("w") as out:
        out.write(PLAYBOOK)
        line = "# " + "x" * 1022 + "\n"
        out.writelines(line for _ in range(50 * 1024))
    assert big.stat().st_size > 50 * 1024 * 1024
    assert refused(repo, "run", str(big), "--yes") == (
        f"{big}: {big.stat().st_size} bytes is too large for a playbook: "
        "a playbook is at most 1024 KiB"
    )


def write_playbook(repo: Path, text: str) -> None:
    (repo / "playbooks").mkdir(exist_ok=True)
    (repo / "playbooks" / "orchestrator.yaml").write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "playbook")


@pytest.mark.parametrize(
    ("files", "playbook", "expected"),
    [
        ({}, PLAYBOOK.replace("[orchestrator.py]", "[../outside.py]"), "leaves the repository"),
        ({}, PLAYBOOK.replace("[orchestrator.py]", "[/etc/passwd]"), "is not a path relative"),
        (
            {},
            PLAYBOOK.replace("docker-compose.yml:", "../docker-compose.yml:"),
            "compose file '../docker-compose.yml' leaves the repository",
        ),
        (
            {"docker-compose.yml": "services:\n  web: [unclosed\n"},
            PLAYBOOK,
            "docker-compose.yml is not valid YAML at line 3",
        ),
        (
            {"docker-compose.yml": b"services:\n  web:\n    image: caf\xe9\n"},
            PLAYBOOK,
            "docker-compose.yml is not UTF-8 (bad byte at offset 31)",
        ),
        (
            {},
            PLAYBOOK + "validate:\n  - name: gone\n    run: no-such-program --flag\n",
            "validate: command 'gone' runs 'no-such-program', which is not found",
        ),
        (
            {},
            PLAYBOOK.replace("component: orchestrator", "component: 'x; rm -rf ~'"),
            "component: use letters, digits",
        ),
    ],
)
def test_hostile_repository_input(
    make_repo: RepoFactory, files: dict[str, str | bytes], playbook: str, expected: str
) -> None:
    base: dict[str, str | bytes] = {
        "orchestrator.py": "print(1)\n",
        "docker-compose.yml": COMPOSE,
        "playbooks/orchestrator.yaml": playbook,
    }
    repo = make_repo({**base, **files})
    assert expected in refused(repo, "run", "orchestrator", "--yes")


def test_a_symlink_that_leaves_the_repository(make_repo: RepoFactory, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("x = 1\n")
    repo = make_repo({"app.py": "x\n", "docker-compose.yml": COMPOSE})
    os.symlink(outside, repo / "linked")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "link")
    write_playbook(repo, PLAYBOOK.replace("[orchestrator.py]", "[linked/secret.py]"))
    assert "goes through a link that leaves the repository" in refused(
        repo, "run", "orchestrator", "--yes"
    )


def test_a_detached_head_is_refused(make_repo: RepoFactory) -> None:
    repo = make_repo({"orchestrator.py": "x\n", "docker-compose.yml": COMPOSE})
    write_playbook(repo, PLAYBOOK)
    git(repo, "checkout", "-q", "--detach")
    assert refused(repo, "run", "orchestrator", "--yes") == (
        "HEAD is detached: check out a branch first (git switch -c NAME)"
    )


def test_no_shell_ever_sees_a_playbook_string(make_repo: RepoFactory) -> None:
    repo = make_repo({"orchestrator.py": "x\n", "docker-compose.yml": COMPOSE})
    write_playbook(
        repo,
        PLAYBOOK + 'validate:\n  - name: sneaky\n    run: "echo hi; touch pwned"\n',
    )
    result = consolidate(repo, "run", "orchestrator", "--yes")
    assert result.returncode == 0, result.stderr
    assert not (repo / "pwned").exists()
    assert "hi; touch pwned" in (repo / "ORCHESTRATOR_REMOVAL_REPORT.md").read_text()


def test_a_repository_with_submodules(make_repo: RepoFactory) -> None:
    inner = make_repo({"lib.py": "x\n"}, name="inner")
    repo = make_repo({"orchestrator.py": "x\n", "docker-compose.yml": COMPOSE})
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner), "vendor")
    git(repo, "commit", "-qm", "submodule")
    write_playbook(repo, PLAYBOOK)
    assert refused(repo, "run", "orchestrator", "--yes") == (
        "the repository has submodules (vendor): consolidate cannot restore submodule state; "
        "run it inside the submodule instead"
    )
