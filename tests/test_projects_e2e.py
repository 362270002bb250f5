"""One component, one compose project: `plan NAME` then `run NAME --yes`, with no hand edits.

Each repository is shaped like a real one where a removal by name goes wrong: independent
sample projects that share a service name, a build folder a kept service also builds from,
a test compose file that depends on the service, a worker that runs another service's image.
"""

from __future__ import annotations

import json
from pathlib import Path

from repo_support import RepoFactory, consolidate, git, tree_hash


def plan_then_run(repo: Path, name: str, *plan_args: str) -> tuple[str, str]:
    """The draft playbook, and the run's stdout; both commands must succeed."""
    planned = consolidate(repo, "plan", name, *plan_args)
    assert planned.returncode == 0, planned.stderr
    draft = (repo / "playbooks" / f"{name}.yaml").read_text()
    ran = consolidate(repo, "run", name, "--yes", "--no-image-backup")
    assert ran.returncode == 0, ran.stderr + "\n" + draft
    return draft, ran.stdout


def sample(language: str, entry: str, code: str) -> dict[str, str]:
    base = f"samples/{language}"
    return {
        f"{base}/compose.yaml": (
            "services:\n"
            "  web:\n    image: nginx\n    depends_on:\n      - backend\n"
            "  backend:\n    build: ./backend\n"
        ),
        f"{base}/backend/Dockerfile": (
            f'FROM base\nWORKDIR /app\nCOPY . /app\nCMD ["run", "{entry}"]\n'
        ),
        f"{base}/backend/{entry}": code,
        f"{base}/README.md": f"# {language} sample\n\nThe backend serves /.\n",
    }


SAMPLES = {
    **sample("flask", "hello.py", "print('hello')\n"),
    **sample("go", "main.go", "package main\n"),
    **sample("node", "server.js", "console.log('hi')\n"),
    "README.md": "# Samples\n\nEach folder is its own project.\n",
}


def test_a_name_several_projects_use_is_refused_then_one_project_goes(
    make_repo: RepoFactory,
) -> None:
    repo = make_repo(SAMPLES)
    refused = consolidate(repo, "plan", "backend")
    assert refused.returncode == 2
    assert refused.stderr == (
        "consolidate: error: backend names services in 3 compose projects: "
        "samples/flask (samples/flask/compose.yaml), samples/go (samples/go/compose.yaml), "
        "samples/node (samples/node/compose.yaml): pick one with --compose FILE (investigate, "
        "plan, assess) or the playbook's compose: keys (run); nothing was changed\n"
    )
    assert not (repo / "playbooks").exists()
    also = consolidate(repo, "investigate", "backend", "--json")
    assert also.returncode == 2 and "3 compose projects" in also.stderr
    error = json.loads(also.stdout)  # under --json the refusal is a document too
    assert error["exit_code"] == 2 and "3 compose projects" in error["error"]

    others = {p: tree_hash(repo / "samples" / p) for p in ("go", "node")}
    draft, _ = plan_then_run(repo, "backend", "--compose", "samples/flask/compose.yaml")
    assert '  - "samples/flask/backend/**"' in draft
    assert '  "samples/flask/compose.yaml": ["backend"]' in draft
    assert "samples/go" not in draft.split("compose:")[0].split("files:")[1]
    gone = git(repo, "show", "--name-status", "--format=", "HEAD").split("\n")
    assert "D\tsamples/flask/backend/hello.py" in gone
    assert not any(line.startswith("D\tsamples/go") or "samples/node" in line for line in gone)
    assert {p: tree_hash(repo / "samples" / p) for p in ("go", "node")} == others
    compose = (repo / "samples/flask/compose.yaml").read_text()
    assert compose == "services:\n  web:\n    image: nginx\n"


def test_a_build_folder_a_kept_service_also_builds_from_is_kept(make_repo: RepoFactory) -> None:
    repo = make_repo(
        {
            "docker-compose.yml": (
                "services:\n"
                "  jupyterhub:\n    build: ./jupyterhub\n    command: python hub.py\n"
                "  jupyterhub-user:\n    build:\n      context: ./jupyterhub\n"
                "      dockerfile: Dockerfile.user\n    command: python user.py\n"
                "  proxy:\n    image: nginx\n"
            ),
            "jupyterhub/Dockerfile": "FROM python\nWORKDIR /srv\nCOPY . /srv\n",
            "jupyterhub/Dockerfile.user": "FROM python\nWORKDIR /home\nCOPY . /home\n",
            "jupyterhub/hub.py": "import config\n",
            "jupyterhub/user.py": "import config\n",
            "jupyterhub/config.py": "PORT = 8000\n",
        }
    )
    found = consolidate(repo, "investigate", "jupyterhub", "--json")
    assert found.returncode == 0, found.stderr
    draft, _ = plan_then_run(repo, "jupyterhub")
    assert "files: []" in draft
    assert (
        "#   keep: jupyterhub/hub.py: used by docker-compose.yml: service jupyterhub-user "
        "builds from jupyterhub/ (build)"
    ) in draft
    assert (
        "#   keep: jupyterhub/Dockerfile.user: used by docker-compose.yml: service "
        "jupyterhub-user builds with jupyterhub/Dockerfile.user (build)"
    ) in draft
    assert git(repo, "ls-files", "jupyterhub").split() == [
        "jupyterhub/Dockerfile",
        "jupyterhub/Dockerfile.user",
        "jupyterhub/config.py",
        "jupyterhub/hub.py",
        "jupyterhub/user.py",
    ]
    assert "jupyterhub:\n" not in (repo / "docker-compose.yml").read_text()


def test_a_test_compose_file_that_depends_on_the_service_is_drafted(
    make_repo: RepoFactory,
) -> None:
    repo = make_repo(
        {
            "docker-compose.yml": (
                "services:\n"
                "  api:\n    build: ./api\n    command: python main.py\n"
                "  legacy:\n    build: ./legacy\n    command: python legacy.py\n"
            ),
            "compose.tests.yaml": (
                "services:\n  tests:\n    build: ./api\n    command: python -m pytest\n"
                "    depends_on:\n      - api\n      - legacy\n"
            ),
            "api/main.py": "print('api')\n",
            "legacy/legacy.py": "print('legacy')\n",
        }
    )
    draft, _ = plan_then_run(repo, "legacy")
    assert (
        '  "docker-compose.yml": ["legacy"]  # defines legacy\n'
        '  "compose.tests.yaml": []  # refers to legacy: references go\n'
    ) in draft
    assert (repo / "compose.tests.yaml").read_text() == (
        "services:\n  tests:\n    build: ./api\n    command: python -m pytest\n"
        "    depends_on:\n      - api\n"
    )
    assert not (repo / "legacy").exists()


def test_a_worker_that_runs_the_api_image_takes_only_its_own_files(
    make_repo: RepoFactory,
) -> None:
    repo = make_repo(
        {
            "docker-compose.yml": (
                "services:\n"
                "  api:\n    build: ./api\n    image: shop-api\n"
                "  worker:\n    image: shop-api\n    command: python bin/consume.py\n"
            ),
            "api/Dockerfile": 'FROM python\nWORKDIR /app\nCOPY . /app\nCMD ["python", "server.py"]\n',
            "api/server.py": "import models\n",
            "api/models.py": "ORDERS = []\n",
            "api/bin/consume.py": "import sys\nsys.path.insert(0, '.')\nimport models\nimport jobs\n",
            "api/jobs.py": "def run():\n    pass\n",
        }
    )
    draft, _ = plan_then_run(repo, "worker")
    files = draft.split("files:\n")[1].split("\n#")[0]
    assert files.splitlines() == [
        '  - "api/bin/**"  # every tracked file under it goes (1)',
        '  - "api/jobs.py"  # only the component uses it',
    ]
    assert "#   keep: api/models.py: used by api/server.py" in draft
    assert git(repo, "ls-files", "api").split() == [
        "api/Dockerfile",
        "api/models.py",
        "api/server.py",
    ]
    assert "worker" not in (repo / "docker-compose.yml").read_text()


HOSTS = {
    "docker-compose.yml": (
        "services:\n"
        "  api:\n    image: api\n    environment:\n"
        "      REDIS_URL: redis://oldcache:6379/0\n      LOG_LEVEL: info\n"
        "    depends_on:\n      - oldcache\n"
        "  oldcache:\n    image: redis\n"
        "  cache:\n    image: redis\n"
    ),
}
HOST_LINE = (
    "docker-compose.yml:5: service api environment REDIS_URL: redis://oldcache:6379/0 names "
    "oldcache, a removed service, as a host"
)


def test_a_kept_service_that_uses_the_removed_one_as_a_host_fails_validation(
    make_repo: RepoFactory,
) -> None:
    repo = make_repo(HOSTS)
    planned = consolidate(repo, "plan", "oldcache")
    assert planned.returncode == 0, planned.stderr
    draft = (repo / "playbooks/oldcache.yaml").read_text()
    assert (
        "#   docker-compose.yml:5 service api environment REDIS_URL: redis://oldcache:6379/0\n"
    ) in draft
    ran = consolidate(repo, "run", "oldcache", "--yes", "--no-image-backup")
    assert ran.returncode == 1, ran.stdout + ran.stderr
    assert HOST_LINE in ran.stdout + ran.stderr
    assert git(repo, "log", "--format=%s").count("\n") == 1  # nothing was committed


def test_a_playbook_that_rewrites_the_host_passes(make_repo: RepoFactory) -> None:
    repo = make_repo(HOSTS)
    assert consolidate(repo, "plan", "oldcache").returncode == 0
    playbook = repo / "playbooks/oldcache.yaml"
    playbook.write_text(
        playbook.read_text()
        + "migrate:\n  - replace: {file: docker-compose.yml, pattern: 'redis://oldcache:',"
        " with: 'redis://cache:'}\n"
    )
    ran = consolidate(repo, "run", "oldcache", "--yes", "--no-image-backup")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "REDIS_URL: redis://cache:6379/0\n" in (repo / "docker-compose.yml").read_text()


def test_a_dead_module_in_a_kept_services_build_folder_still_goes(make_repo: RepoFactory) -> None:
    """Building from `./backend` keeps no file of it alive by itself: the dead module goes,
    while the file the service runs and what it imports stay."""
    repo = make_repo(
        {
            "docker-compose.yml": "services:\n  api:\n    build: ./backend\n",
            "backend/Dockerfile": 'FROM python\nWORKDIR /app\nCOPY . /app\nCMD ["python", "app.py"]\n',
            "backend/app.py": "import db\n",
            "backend/db.py": "URL = 'x'\n",
            "backend/legacy_export.py": "import db\n",
        }
    )
    found = consolidate(repo, "investigate", "legacy_export", "--json")
    assert found.returncode == 0, found.stderr
    rows = {r["path"]: r for r in json.loads(found.stdout)["files"]}
    assert rows["backend/legacy_export.py"]["verdict"] == "remove"
    assert rows["backend/legacy_export.py"]["reason"] == "part of the component"
    assert rows["backend/db.py"]["verdict"] == "keep"
    assert rows["backend/db.py"]["chain"] == [
        "backend/db.py",
        "backend/app.py",
        "run by docker-compose.yml: service api command/entrypoint/Dockerfile CMD",
    ]
