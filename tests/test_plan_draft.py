"""`consolidate plan NAME` drafts a playbook that runs as written: a summary from the
assessment's evidence, the scripts and config that name the component, and validate commands
found in the repository, each entry with a comment saying why."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from repo_support import RepoFactory, consolidate, write_files

from consolidate.assess.draft_scripts import word_pattern
from consolidate.assess.draft_validate import Repo, commands, first_word
from consolidate.playbook import PLACEHOLDER

COMPOSE = """\
services:
  api:
    build: ./api
    command: python -m api.server
    depends_on:
      - redis
  conductor:
    build: ./conductor
    image: fleet/conductor:1.4
    command: python -m conductor.main
    healthcheck:
      test: ["CMD", "redis-cli", "-h", "redis", "ping"]
    depends_on:
      - redis
  redis:
    image: redis:7
"""

MANAGE_PS1 = """\
$services = @("api", "conductor", "redis")
# Check Conductor
$state = docker inspect -f '{{.State.Health.Status}}' fleet_conductor
Write-Host "Core services: api, conductor, redis"
"""

FILES: dict[str, str] = {
    "docker-compose.yml": COMPOSE,
    "api/__init__.py": "",
    "api/server.py": "from shared.planning import TaskPlanner\n\nPLANNER = TaskPlanner()\n",
    "api/Dockerfile": 'FROM python:3.12\nCOPY . /app\nCMD ["python", "-m", "api.server"]\n',
    "conductor/__init__.py": "",
    "conductor/main.py": "from shared.planning import TaskPlanner\n\nTaskPlanner().loop()\n",
    "conductor/Dockerfile": "FROM python:3.12\nCOPY . /srv/conductor\n",
    "shared/__init__.py": "",
    "shared/planning.py": "class TaskPlanner:\n    def loop(self) -> None:\n        pass\n",
    "tests/test_planning.py": "from shared.planning import TaskPlanner\n",
    # -- scripts and config that name it -------------------------------------------------------
    "scripts/manage.ps1": MANAGE_PS1,
    "scripts/restart.sh": "#!/bin/sh\ndocker compose restart conductor\n",
    "scripts/deploy": "#!/usr/bin/env bash\ndocker logs fleet-conductor-1 | tail\n",
    "deploy/fleet-watch.service": "[Service]\nExecStart=/usr/bin/docker start fleet_conductor\n",
    ".github/workflows/ci.yml": "jobs:\n  build:\n    strategy:\n      matrix:\n"
    "        service: [api, conductor]\n",
    ".env.example": "REDIS_URL=redis://redis:6379\nCONDUCTOR_ENABLED=true\nCONDUCTOR_INTERVAL=30\n",
    "scripts/images.sh": "#!/bin/sh\ndocker pull fleet/conductor:1.4\n",
    # -- decoys: another name, another kind, history ------------------------------------------
    "scripts/ui.sh": "#!/bin/sh\n# conductor-ui is another project\nnpm --prefix conductor-ui start\n",
    "scripts/cache.sh": "#!/bin/sh\ndocker pull redis:7\n",
    "README.md": "# Fleet\n\nThe conductor plans tasks.\n",
    "CHANGELOG.md": "# Changelog\n\n- conductor added\n",
    # -- the project's own checks ---------------------------------------------------------------
    "Makefile": ".PHONY: test\ntest:\n\tpython3 -m unittest discover -s tests -q\n",
    "package.json": '{"name": "fleet", "private": true, "scripts": {"test": "vitest run"}}\n',
}

SCRIPTS = """\
# Scripts and config that name it: the docs step cuts those mentions.
scripts:
  # names CONDUCTOR on lines 2, 3
  - file: ".env.example"
  # names conductor on line 5
  - file: ".github/workflows/ci.yml"
  # names fleet_conductor on line 2
  - file: "deploy/fleet-watch.service"
  # names fleet-conductor-1 on line 2
  - file: "scripts/deploy"
  # names fleet/conductor:1.4 on line 2
  - file: "scripts/images.sh"
  # names conductor, Conductor, fleet_conductor on lines 1, 2, 3, 4
  - file: "scripts/manage.ps1"
  # names conductor on line 2
  - file: "scripts/restart.sh"
"""

# 2025-01-10 to 2026-02-09: 395 days.
COMMITTED = "2025-01-10T12:00:00+00:00"
TODAY = {"SOURCE_DATE_EPOCH": "1770638400"}


@pytest.fixture
def fleet(make_repo: RepoFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GIT_AUTHOR_DATE", COMMITTED)
    monkeypatch.setenv("GIT_COMMITTER_DATE", COMMITTED)
    return make_repo(FILES, name="fleet")


def plan(repo: Path, name: str) -> str:
    result = consolidate(repo, "plan", name, env=TODAY)
    assert result.returncode == 0, result.stderr
    return (repo / "playbooks" / f"{name}.yaml").read_text()


def compose_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    done = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    return done.returncode == 0


def test_the_draft_is_complete_and_runs_as_written(fleet: Path, docker_image: str) -> None:
    draft = plan(fleet, "conductor")
    summary = next(line for line in draft.splitlines() if line.startswith("summary: "))
    assert summary == (
        'summary: "Its files are untouched for 395 days; its health check only'
        " tests a dependency (docker-compose.yml:11); no production file imports or runs it."
        ' Kept because something else uses them: shared/planning.py (used by api/server.py and 1 more)."'
    )
    assert not PLACEHOLDER.search(draft)
    assert SCRIPTS in draft
    section = draft.split("\nscripts:\n")[1].split("\n\n")[0]
    assert section.count("  - file: ") == 7  # not ui.sh (conductor-ui), not cache.sh (redis:7)
    assert (
        "validate:\n"
        "  # byte-compile the kept Python (a syntax error or a broken edit anywhere shows)\n"
        "  - name: python-compile\n"
        '    run: "python3 -m compileall -q api shared tests"\n'
        "  # the project's own `test` target (Makefile)\n"
        "  - name: make-test\n"
        '    run: "make test"\n'
        "  # vitest not found: npm install; the project's own `test` script (package.json)\n"
        "  # - name: npm-test\n"
        '  #   run: "npm test"\n'
    ) in draft
    compose_line = 'run: "docker compose -f docker-compose.yml config -q"\n'
    assert ("    " if compose_answers() else "  #   ") + compose_line in draft
    assert '  - "conductor/**"  # every tracked file under it goes (3)\n' in draft
    assert '  "docker-compose.yml": ["conductor"]  # defines conductor\n' in draft

    ran = consolidate(fleet, "run", "conductor", "--dry-run")
    assert ran.returncode == 0, ran.stderr + "\n" + draft
    assert "run validation (static checks, python-compile, make-test" in ran.stdout


def test_a_component_assess_would_keep_is_drafted_with_the_recommendation_first(
    make_repo: RepoFactory,
) -> None:
    repo = make_repo(
        {
            "docker-compose.yml": (
                "services:\n  api:\n    build: ./api\n    command: python -m api.server\n"
                "  relay:\n    build: ./relay\n    command: python -m relay.main\n"
            ),
            "api/__init__.py": "",
            "api/server.py": "from relay.client import send\n\nsend()\n",
            "relay/__init__.py": "",
            "relay/client.py": "def send() -> None:\n    pass\n",
            "relay/main.py": "from relay.client import send\n\nsend()\n",
        }
    )
    draft = plan(repo, "relay")
    assert draft.startswith(
        "# yaml-language-server: $schema=playbook.schema.json\n"
        "# assess recommends keeping relay, for these reasons:\n"
        "#   - relay/__init__.py is used by api/server.py\n"
        "#   - relay/client.py is used by api/server.py\n"
        "# Drafted anyway: run it only if you disagree with the assessment.\n"
    )
    summary = next(line for line in draft.splitlines() if line.startswith("summary: "))
    assert summary == (
        'summary: "assess recommends keeping it: relay/__init__.py is used by api/server.py;'
        " relay/client.py is used by api/server.py. Kept because something else uses them:"
        ' relay/client.py (used by api/server.py)."'
    )
    assert '  - "relay/main.py"  # part of the component\n' in draft
    assert not PLACEHOLDER.search(draft)


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("CONDUCTOR_ENABLED=true", True),
        ("ENABLE_CONDUCTOR=1", True),
        ("docker restart shop_conductor", True),
        ("# Check Conductor.", True),
        ("npm --prefix conductor-ui start", False),
        ("cd ai-conductor", False),
        ("systemctl restart web.conductor", False),
        ("conductors: 3", False),
    ],
)
def test_the_word_rule(line: str, names: bool) -> None:
    assert bool(word_pattern(["conductor"]).search(line)) is names


def test_a_container_name_with_dashes_is_matched_whole() -> None:
    pattern = word_pattern(["conductor", "fleet-conductor-1"])
    assert [m[0] for m in pattern.finditer("docker logs fleet-conductor-1")] == [
        "fleet-conductor-1"
    ]


@pytest.mark.parametrize(
    ("recipe", "program"),
    [
        ("\tpython3 -m pytest -q\n", "python3"),
        ("\t@-CI=1 pytest\n", "pytest"),
        ("\t$(PYTHON) -m pytest\n", ""),
        ("\tcd app && pytest\n", ""),
        ("", ""),
    ],
)
def test_the_program_a_recipe_runs(recipe: str, program: str) -> None:
    assert first_word(recipe) == program


def repo_of(root: Path, files: dict[str, str], tools: set[str]) -> Repo:
    """The repository as the detection sees it, with `tools` the programs found on PATH."""
    write_files(root, files)
    return Repo(
        frozenset(files),
        root,
        lambda path: files[path].encode() if path in files else None,
        lambda program: f"/usr/bin/{program}" if program in tools else None,
    )


WEB = {
    "web/tsconfig.json": "{}\n",
    "web/src/app.ts": "export const app = 1;\n",
    "web/justfile": "lint:\n    eslint src\n",
    "web/package.json": '{"scripts": {"lint": "eslint src", "typecheck": "tsc --noEmit"}}\n',
}
TOUCHED = {"files": [{"path": "web/src/relay.ts", "verdict": "remove"}]}


def test_typescript_and_project_commands_say_why_they_cannot_run(tmp_path: Path) -> None:
    drafted = commands(TOUCHED, repo_of(tmp_path, WEB, {"npm"}), [])
    lines = [line for command in drafted for line in command.lines()]
    assert lines == [
        "  # tsc not found: npm install; type-check the TypeScript project web/tsconfig.json",
        "  # - name: typecheck",
        '  #   run: "tsc --noEmit -p web/tsconfig.json"',
        "  # just not found; the project's own `lint` recipe (web/justfile)",
        "  # - name: just-lint",
        '  #   run: "just lint"',
        '  #   cwd: "web"',
        "  # eslint not found: npm install; the project's own `lint` script (web/package.json)",
        "  # - name: npm-lint",
        '  #   run: "npm run lint"',
        '  #   cwd: "web"',
        "  # tsc not found: npm install; the project's own `typecheck` script (web/package.json)",
        "  # - name: npm-typecheck",
        '  #   run: "npm run typecheck"',
        '  #   cwd: "web"',
    ]


def test_tools_installed_in_node_modules_run(tmp_path: Path) -> None:
    """npm puts `node_modules/.bin` on the PATH of its scripts; just does not."""
    write_files(tmp_path, {"web/node_modules/.bin/tsc": "", "web/node_modules/.bin/eslint": ""})
    drafted = commands(TOUCHED, repo_of(tmp_path, WEB, {"npm", "just"}), [])
    runnable = [(d.name, " ".join(d.argv), d.cwd) for d in drafted if d.missing is None]
    assert runnable == [
        ("typecheck", "web/node_modules/.bin/tsc --noEmit -p web/tsconfig.json", "."),
        ("npm-lint", "npm run lint", "web"),
        ("npm-typecheck", "npm run typecheck", "web"),
    ]
    assert [d.missing for d in drafted if d.name == "just-lint"] == ["eslint not found"]
