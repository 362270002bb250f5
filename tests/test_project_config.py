"""The repository's own settings (`[tool.consolidate]` or `.consolidate.toml`) and the
`consolidate: keep` / `consolidate: ignore[ID]` markers, on real git repositories through the
CLI: each key does what it says and nothing more."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from repo_support import RepoFactory, consolidate, git

from consolidate.analysis.project_config import keep_markers, suppressed
from consolidate.analysis.snapshot import Corpus

DOCKERFILE = 'FROM python:3.12\nWORKDIR /app\nCOPY . /app\nCMD ["python", "app.py"]\n'
COMPOSE = "services:\n  backend:\n    build: .\n    command: python app.py\n"
BASE: dict[str, str] = {
    "docker-compose.yml": COMPOSE,
    "Dockerfile": DOCKERFILE,
    "app.py": "from legacy import util\n",
    "legacy/__init__.py": "",
    "legacy/util.py": "x = 1\n",
    "jobs/nightly.py": "import nightly_helpers\n",  # run by a cron job nobody can see
    "nightly_helpers.py": "y = 1\n",
    "old/dead.py": "z = 1\n",
}
PLAYBOOK = "component: {name}\nsummary: It goes.\nfiles: [{file}]\nbackup: {{branch: false, images: false}}\n"
# Lint's orphan check reports files untouched for 30 days: look from 90 days on.
LATER = {"SOURCE_DATE_EPOCH": str(int(time.time()) + 90 * 86400)}


def orphans(repo: Path) -> list[str]:
    result = consolidate(repo, "orphans", "--json", "--repo", str(repo))
    assert result.returncode == 0, result.stderr
    return sorted(row["path"] for row in json.loads(result.stdout)["orphans"])


def lint(repo: Path) -> list[tuple[str, str]]:
    result = consolidate(repo, "lint", "--json", "--repo", str(repo), env=LATER)
    assert result.returncode in (0, 1), result.stderr
    return sorted((f["id"], f["where"]) for f in json.loads(result.stdout)["findings"])


def verdict(repo: Path, name: str, path: str) -> dict[str, Any]:
    result = consolidate(repo, "investigate", name, "--json")
    assert result.returncode == 0, result.stderr
    [row] = [r for r in json.loads(result.stdout)["files"] if r["path"] == path]
    return dict(row)


def refusal(repo: Path, *args: str) -> str:
    result = consolidate(repo, *args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


def test_without_configuration_nothing_changes(make_repo: RepoFactory) -> None:
    repo = make_repo(BASE)
    assert orphans(repo) == ["jobs/nightly.py", "nightly_helpers.py", "old/dead.py"]
    assert ("orphan", "old/dead.py") in lint(repo)


def test_an_entry_point_glob_is_a_root_for_every_command(make_repo: RepoFactory) -> None:
    repo = make_repo({**BASE, ".consolidate.toml": 'entry_points = ["jobs/*.py"]\n'})
    # what it runs is reached through it, so neither is an orphan; the rest still is
    assert orphans(repo) == ["old/dead.py"]
    row = verdict(repo, "nightly", "jobs/nightly.py")
    assert row["verdict"] == "keep"
    assert row["reason"] == "used by .consolidate.toml: entry_points jobs/*.py (configured)"


def test_the_pyproject_table_works_the_same(make_repo: RepoFactory) -> None:
    pyproject = '[project]\nname = "x"\n\n[tool.consolidate]\nentry_points = ["jobs/**"]\n'
    repo = make_repo({**BASE, "pyproject.toml": pyproject})
    assert orphans(repo) == ["old/dead.py"]


def test_ignore_hides_a_file_from_the_reports_but_not_from_a_removal(
    make_repo: RepoFactory,
) -> None:
    config = 'ignore = ["old/**", "legacy/util.py"]\n'
    playbook = PLAYBOOK.format(name="legacy", file="legacy/util.py")
    repo = make_repo({**BASE, ".consolidate.toml": config, "playbooks/legacy.yaml": playbook})
    assert orphans(repo) == ["jobs/nightly.py", "nightly_helpers.py"]
    assert [w for _, w in lint(repo)] == ["jobs/nightly.py", "nightly_helpers.py"]
    # an ignored file is still a file in use: the removal sees app.py import it
    line = refusal(repo, "run", "legacy", "--yes")
    assert "legacy/util.py is still in use: used by app.py" in line
    assert verdict(repo, "legacy", "legacy/util.py")["verdict"] == "keep"
    # and an ignore glob is no use of what it names: a file nothing uses still goes
    row = verdict(repo, "dead", "old/dead.py")
    assert (row["verdict"], row["reason"]) == ("remove", "part of the component")


def test_settings_in_pyproject_name_no_file_in_use(make_repo: RepoFactory) -> None:
    pyproject = (
        '[tool.consolidate]\nignore = [\n  "old/dead.py",\n]\n\n[tool.x]\ny = "jobs/nightly.py"\n'
    )
    repo = make_repo({**BASE, "pyproject.toml": pyproject})
    row = verdict(repo, "dead", "old/dead.py")
    assert (row["verdict"], row["reason"]) == ("remove", "part of the component")
    # a string elsewhere in pyproject.toml is still read by the safety net
    row = verdict(repo, "nightly", "jobs/nightly.py")
    assert row["verdict"] == "review", row


def test_disable_turns_exactly_one_check_off(make_repo: RepoFactory) -> None:
    repo = make_repo({**BASE, **HIDDEN_BY_MOUNTS})
    both = lint(repo)
    assert ("bind-mount-hides-build", "docker-compose.yml:10") in both
    assert ("orphan", "old/dead.py") in both
    (repo / ".consolidate.toml").write_text('disable = ["orphan source file"]\n')
    assert lint(repo) == [f for f in both if f[0] != "orphan"]
    (repo / ".consolidate.toml").write_text('disable = ["bind-mount-hides-build"]\n')
    assert lint(repo) == [f for f in both if f[0] != "bind-mount-hides-build"]


def test_both_configuration_files_is_an_error_naming_both(make_repo: RepoFactory) -> None:
    repo = make_repo(
        {
            **BASE,
            "pyproject.toml": '[tool.consolidate]\nignore = ["old/**"]\n',
            ".consolidate.toml": 'ignore = ["old/**"]\n',
        }
    )
    for args in (["orphans", "--repo", str(repo)], ["investigate", "nightly"]):
        line = refusal(repo, *args)
        assert "both pyproject.toml ([tool.consolidate]) and .consolidate.toml" in line


def test_a_pyproject_without_the_table_is_no_configuration(make_repo: RepoFactory) -> None:
    pyproject = '[project]\nname = "x"\n\n[tool.ruff]\nline-length = 100\n'
    repo = make_repo({**BASE, "pyproject.toml": pyproject, ".consolidate.toml": "ignore = []\n"})
    assert orphans(repo) == ["jobs/nightly.py", "nightly_helpers.py", "old/dead.py"]


def test_an_unknown_key_says_what_was_meant(make_repo: RepoFactory) -> None:
    repo = make_repo({**BASE, ".consolidate.toml": 'entry_point = ["jobs/*.py"]\n'})
    line = refusal(repo, "orphans", "--repo", str(repo))
    assert line.endswith(
        ".consolidate.toml: unknown key 'entry_point': did you mean 'entry_points'?"
    )


def test_a_wrong_type_names_the_file_and_the_key(make_repo: RepoFactory) -> None:
    repo = make_repo({**BASE, "pyproject.toml": '[tool.consolidate]\nignore = "old/**"\n'})
    line = refusal(repo, "lint", "--repo", str(repo))
    assert "pyproject.toml [tool.consolidate]: ignore: expected a list of non-empty strings" in line


def test_an_entry_point_that_names_no_file_is_an_error(make_repo: RepoFactory) -> None:
    repo = make_repo({**BASE, ".consolidate.toml": 'entry_points = ["job/*.py"]\n'})
    line = refusal(repo, "orphans", "--repo", str(repo))
    assert ".consolidate.toml: entry_points: 'job/*.py' matches no file git tracks" in line


def test_an_unknown_check_in_disable_says_what_was_meant(make_repo: RepoFactory) -> None:
    repo = make_repo({**BASE, ".consolidate.toml": 'disable = ["orphans"]\n'})
    line = refusal(repo, "lint", "--repo", str(repo))
    assert "disable: unknown lint check 'orphans': did you mean 'orphan'?" in line


# -- the keep marker ----------------------------------------------------------------------------


def test_a_keep_marker_keeps_the_file_and_stops_a_run(make_repo: RepoFactory) -> None:
    marked = "# used by the ops team's cron\nz = 1  # consolidate: keep\n"
    playbook = PLAYBOOK.format(name="dead", file="old/dead.py")
    repo = make_repo({**BASE, "old/dead.py": marked, "playbooks/dead.yaml": playbook})
    assert orphans(repo) == ["jobs/nightly.py", "nightly_helpers.py"]
    row = verdict(repo, "dead", "old/dead.py")
    assert (row["verdict"], row["reason"]) == (
        "keep",
        "marked `consolidate: keep` at old/dead.py:2",
    )
    line = refusal(repo, "run", "dead", "--yes")
    assert "old/dead.py is marked `consolidate: keep` at old/dead.py:2" in line
    assert "--delete-in-use" in line
    allowed = consolidate(repo, "run", "dead", "--dry-run", "--delete-in-use")
    assert allowed.returncode == 0, allowed.stderr


def test_a_marked_file_keeps_what_it_imports(make_repo: RepoFactory) -> None:
    marked = "// consolidate: keep\nimport { helper } from './helper';\n"
    repo = make_repo(
        {**BASE, "web/widget.ts": marked, "web/helper.ts": "export const helper = 1;\n"}
    )
    assert "web/widget.ts" not in orphans(repo)
    assert "web/helper.ts" not in orphans(repo)
    row = verdict(repo, "helper", "web/helper.ts")
    assert (row["verdict"], row["reason"]) == ("keep", "used by web/widget.ts")


def test_the_marker_counts_only_as_a_comment_of_the_file_type(make_repo: RepoFactory) -> None:
    files = {
        "a.py": 'NOTE = "consolidate: keep"\n',  # a string, not a comment
        "b.py": "#consolidate: keeping it simple\n",  # another word
        "c.js": "# consolidate: keep\n",  # not JavaScript's comment
        "d.sh": "echo hi  # consolidate: keep\n",
        "e.md": "# Title\n<!-- consolidate: keep -->\n",
        "f.ts": "/* consolidate: keep */\n",
        "g.json": '{"note": "consolidate: keep"}\n',  # no comments in JSON: use the globs
        "Dockerfile.worker": "FROM x\n# consolidate: keep\n",
    }
    data = {path: text.encode() for path, text in files.items()}
    expected = {"d.sh": 1, "e.md": 2, "f.ts": 1, "Dockerfile.worker": 2}
    assert keep_markers(data, data.get) == expected
    # The same from one search of the joined bytes; a file the paths leave out stays out.
    corpus = Corpus.join({**data, "h.sh": b"# consolidate: keep\n", "empty.sh": b""})
    assert keep_markers(data, data.get, corpus) == expected


# -- line suppressions --------------------------------------------------------------------------

MOUNTED = """\
services:
  api:
    build: ./api
    volumes: ["./shared:/app"]{api}
  worker:
    build: ./api
    volumes: ["./shared:/app"]{worker}
"""
HIDDEN_BY_MOUNTS = {
    "api/Dockerfile": DOCKERFILE,
    "api/app.py": "print('api')\n",
    "shared/x.py": "x = 1\n",
    "docker-compose.yml": COMPOSE + MOUNTED.removeprefix("services:\n").format(api="", worker=""),
}


def test_a_line_suppression_silences_its_check_on_its_line_only(make_repo: RepoFactory) -> None:
    files = {**BASE, **HIDDEN_BY_MOUNTS}
    compose = MOUNTED.format(api="  # consolidate: ignore[bind-mount-hides-build]", worker="")
    repo = make_repo({**files, "docker-compose.yml": compose})
    found = [f for f in lint(repo) if f[0] != "orphan"]
    assert found == [("bind-mount-hides-build", "docker-compose.yml:7")]
    # another check named on the worker's line silences nothing
    other = MOUNTED.format(api="", worker="  # consolidate: ignore[entry-file-missing]")
    (repo / "docker-compose.yml").write_text(other)
    git(repo, "commit", "-qam", "the suppression moves")
    found = [f for f in lint(repo) if f[0] != "orphan"]
    assert found == [
        ("bind-mount-hides-build", "docker-compose.yml:4"),
        ("bind-mount-hides-build", "docker-compose.yml:7"),
    ]


def test_suppressed_reads_one_or_several_checks() -> None:
    assert suppressed("x  # consolidate: ignore[orphan, entry-file-missing]") == {
        "orphan",
        "entry-file-missing",
    }
    assert suppressed("x  # consolidate: ignore") == set()
