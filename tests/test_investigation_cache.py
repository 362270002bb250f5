"""The investigation cache (issue 17): `investigate`, `plan` and `run --dry-run` then `run`
of one commit investigate once; a new commit, another question, a dirty tracked file or
`--no-cache` never read an entry; a damaged entry is investigated again with a warning.

Whether an entry was read is what the CLI logs at debug level ("investigation read from the
cache"), and the outputs with and without the cache must be the same bytes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from repo_support import RepoFactory, consolidate, git

HIT = "investigation read from the cache"
PLAYBOOK = """\
component: ledger
summary: Replaced by the billing service.
files: [ledger/**]
compose:
  docker-compose.yml: [ledger]
backup: {images: false}
"""
FILES = {
    "app/main.py": "print('app')\n",
    "ledger/main.py": "import ledger.rules\n",
    "ledger/rules.py": "RULES = []\n",
    "docker-compose.yml": (
        "services:\n  app:\n    image: python:3.12\n    command: python app/main.py\n"
        "  ledger:\n    image: python:3.12\n    command: python ledger/main.py\n"
    ),
    "playbooks/ledger.yaml": PLAYBOOK,
}


def _run(repo: Path, *args: str) -> tuple[str, bool]:
    """The command's stdout, and whether it read the investigation from the cache."""
    result = consolidate(repo, "-v", "--log-json", *args)
    assert result.returncode == 0, result.stderr
    events = [json.loads(line)["event"] for line in result.stderr.splitlines()]
    return result.stdout, HIT in events


def _entries(repo: Path) -> list[Path]:
    return sorted((Path(os.environ["XDG_CACHE_HOME"]) / "consolidate").rglob("*.json"))


def test_the_second_investigation_of_a_commit_is_read_back_the_same(
    make_repo: RepoFactory,
) -> None:
    repo = make_repo(FILES)
    first, hit = _run(repo, "investigate", "ledger", "--json")
    assert not hit and len(_entries(repo)) == 1
    second, hit = _run(repo, "investigate", "ledger", "--json")
    assert hit and second == first
    text_first = consolidate(repo, "--no-cache", "investigate", "ledger").stdout
    assert consolidate(repo, "investigate", "ledger").stdout == text_first

    # Another question is another entry; a new commit, a dirty tracked file and --no-cache
    # never read one.
    _, hit = _run(repo, "investigate", "app", "--json")
    assert not hit
    _, hit = _run(repo, "--no-cache", "investigate", "ledger", "--json")
    assert not hit
    (repo / "app" / "main.py").write_text("import ledger.rules\n")
    dirty, hit = _run(repo, "investigate", "ledger", "--json")
    assert not hit and dirty != first  # the dirty file is read: app now uses ledger/rules.py
    git(repo, "commit", "-qam", "app uses the ledger's rules")
    committed, hit = _run(repo, "investigate", "ledger", "--json")
    assert not hit and committed == dirty


def test_run_after_its_dry_run_and_plan_after_plan_reuse_the_investigation(
    make_repo: RepoFactory, tmp_path: Path
) -> None:
    repo = make_repo(FILES)
    dry, hit = _run(repo, "run", "ledger", "--dry-run")
    assert not hit and "Dry run: removal of ledger" in dry
    _, hit = _run(repo, "run", "ledger", "--yes")
    assert hit
    assert json.loads(consolidate(repo, "status", "--json").stdout)["status"] == "complete"

    other = make_repo(FILES)
    _, hit = _run(other, "plan", "ledger", "--output", str(tmp_path / "one.yaml"))
    assert not hit
    _, hit = _run(other, "plan", "ledger", "--output", str(tmp_path / "two.yaml"))
    assert hit
    assert (tmp_path / "one.yaml").read_bytes() == (tmp_path / "two.yaml").read_bytes()

    # A playbook that asks about other files is another question (the playbook lives outside
    # the repository here, so the tree stays clean and HEAD the same).
    changed = tmp_path / "ledger.yaml"
    changed.write_text(PLAYBOOK.replace("files: [ledger/**]", "files: [ledger/rules.py]"))
    _, hit = _run(other, "run", str(changed), "--dry-run")
    assert not hit


def test_a_damaged_entry_is_investigated_again_with_a_warning(make_repo: RepoFactory) -> None:
    repo = make_repo(FILES)
    first, _ = _run(repo, "investigate", "ledger", "--json")
    [entry] = _entries(repo)
    entry.write_bytes(entry.read_bytes()[:-40])  # cut short, as a full disk would leave it
    result = consolidate(repo, "investigate", "ledger", "--json")
    assert result.returncode == 0 and result.stdout == first
    assert "cache entry damaged; investigating again" in result.stderr
    _, hit = _run(repo, "investigate", "ledger", "--json")
    assert hit  # written again whole


def test_an_entry_is_its_checksum_line_then_the_body_and_a_changed_byte_is_caught(
    make_repo: RepoFactory,
) -> None:
    """In the process: an entry holds the investigation's JSON as written, after one line
    with the key and its checksum; a body changed in place (same length) is refused."""
    from consolidate.analysis import cache
    from consolidate.gitio import Git

    repo = make_repo(FILES)
    handle = Git.open(repo)
    calls: list[int] = []

    def compute() -> dict[str, object]:
        calls.append(1)
        return {"files": [("a.py", 1)], "path": repo / "a.py"}  # a tuple, an object: as JSON

    first = cache.cached(handle, "investigate", {"name": "x"}, "2026-11-28", compute)
    assert first == {"files": [["a.py", 1]], "path": str(repo / "a.py")}
    [entry] = _entries(repo)
    head, _, body = entry.read_bytes().partition(b"\n")
    assert json.loads(body) == first and set(json.loads(head)) == {"key", "checksum"}
    assert cache.cached(handle, "investigate", {"name": "x"}, "2026-11-28", compute) == first
    assert len(calls) == 1

    entry.write_bytes(head + b"\n" + body.replace(b"a.py", b"b.py"))
    assert cache.cached(handle, "investigate", {"name": "x"}, "2026-11-28", compute) == first
    assert len(calls) == 2  # computed again, and written again whole
    assert entry.read_bytes() == head + b"\n" + body


def test_a_document_json_reads_back_as_it_is_is_kept_as_it_is(make_repo: RepoFactory) -> None:
    """Only dicts, lists, strings, integers, booleans and None: reading the entry back gives
    the document itself, so the first run returns what it computed (no second reading) and
    the entry's body, orjson's compact bytes, reads back equal, non-ASCII text and all."""
    from consolidate.analysis import cache
    from consolidate.gitio import Git

    repo = make_repo(FILES)
    handle = Git.open(repo)
    doc = {"files": [{"path": "caf\u00e9.py", "lines": 3, "seed": True, "first": None}]}
    first = cache.cached(handle, "investigate", {"name": "y"}, "2026-11-29", lambda: doc)
    assert first is doc
    [entry] = _entries(repo)
    body = entry.read_bytes().partition(b"\n")[2]
    assert json.loads(body) == doc and b" " not in body  # compact
    again = cache.cached(handle, "investigate", {"name": "y"}, "2026-11-29", dict)
    assert again == doc and again is not doc  # read back from the entry
