"""`consolidate lint` on bind mounts over a build: a finding only when the mount replaces what
the build put there with something else, never for the usual hot-reload mount of the build
context itself."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from repo_support import RepoFactory, consolidate
from structlog.testing import capture_logs

from consolidate.assess.lint import lint
from consolidate.gitio import Git

Files = dict[str, str | bytes]
CHECK = "bind mount hides build"
TODAY = dt.date.today().isoformat()
PYTHON = """\
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
CMD ["python", "main.py"]
"""
NODE = """\
FROM node:20
WORKDIR /app
COPY package*.json ./
RUN npm ci
COPY . .
CMD ["npm", "run", "dev"]
"""
BACKEND: Files = {
    "backend/api-service/Dockerfile": PYTHON,
    "backend/api-service/requirements.txt": "fastapi\n",
    "backend/api-service/main.py": "print('api')\n",
    "backend/python-scrapers/Dockerfile": PYTHON,
    "backend/python-scrapers/requirements.txt": "httpx\n",
    "backend/python-scrapers/main.py": "print('scrape')\n",
}
WEB: Files = {
    "web/Dockerfile": NODE,
    "web/package.json": '{"scripts": {"dev": "node src/index.js"}}\n',
    "web/package-lock.json": "{}\n",
    "web/src/index.js": "console.log('web')\n",
}


def compose(service: str, build: str, *volumes: str) -> str:
    listed = "".join(f"      - {v}\n" for v in volumes)
    return f"services:\n  {service}:\n    build: {build}\n    volumes:\n{listed}"


def mount_findings(repo: Path) -> list[dict[str, Any]]:
    """The bind-mount findings of the real `consolidate lint --json`."""
    result = consolidate(repo, "lint", "--json", "--repo", str(repo))
    assert result.returncode in (0, 1), result.stderr
    return [f for f in json.loads(result.stdout)["findings"] if f["check"] == CHECK]


def debug_log(repo: Path) -> str:
    """What `consolidate -v lint` says on stderr."""
    return consolidate(repo, "-v", "lint", "--repo", str(repo)).stderr


def test_the_hot_reload_mount_of_the_build_context_is_no_finding(make_repo: RepoFactory) -> None:
    mount = "./backend/api-service:/app"
    files: Files = {**BACKEND, "docker-compose.yml": compose("api", "./backend/api-service", mount)}
    repo = make_repo(files)
    assert mount_findings(repo) == []
    log = debug_log(repo)
    assert "bind mount hides no build" in log
    assert "backend/api-service/ is what the build copied to /app" in log


def test_a_parent_folder_over_a_subfolder_build_names_both_folders(
    make_repo: RepoFactory,
) -> None:
    files: Files = {
        **BACKEND,
        "docker-compose.yml": compose("scrapers", "./backend/python-scrapers", "./backend:/app"),
    }
    [finding] = mount_findings(make_repo(files))
    assert finding["where"] == "docker-compose.yml:4"
    assert finding["message"].startswith(
        "service scrapers: bind mount ./backend:/app puts backend/ at /app, where the build "
        "copied backend/python-scrapers/ (and 1 more); the container runs backend/ there instead"
    )


def test_a_copied_file_is_named_without_a_trailing_slash(make_repo: RepoFactory) -> None:
    # The image gets only its requirements; the code was meant to come from the mount, but the
    # mount is the parent folder, so /app/requirements.txt is backend/requirements.txt.
    dockerfile = "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install\n"
    files: Files = {
        **BACKEND,
        "backend/python-scrapers/Dockerfile": dockerfile,
        "docker-compose.yml": compose("scrapers", "./backend/python-scrapers", "./backend:/app"),
    }
    [finding] = mount_findings(make_repo(files))
    message = finding["message"]
    assert message.startswith(
        "service scrapers: bind mount ./backend:/app puts backend/ at /app, where the build "
        "copied backend/python-scrapers/requirements.txt to /app/requirements.txt; "
    )
    assert "requirements.txt/" not in message


def test_a_sibling_folder_over_the_build_is_a_finding(make_repo: RepoFactory) -> None:
    files: Files = {
        **BACKEND,
        "docker-compose.yml": compose(
            "api", "./backend/api-service", "./backend/python-scrapers:/app"
        ),
    }
    [finding] = mount_findings(make_repo(files))
    assert finding["message"].startswith(
        "service api: bind mount ./backend/python-scrapers:/app puts backend/python-scrapers/ at "
        "/app, where the build copied backend/api-service/"
    )


def test_the_context_mounted_over_npm_ci_output_hides_node_modules(
    make_repo: RepoFactory,
) -> None:
    repo = make_repo({**WEB, "docker-compose.yml": compose("web", "./web", "./web:/app")})
    [finding] = mount_findings(repo)
    assert finding["message"] == (
        "service web: bind mount ./web:/app puts web/ over /app/node_modules, which the build "
        "made with `npm ci`, so the container never sees it; keep it with a volume "
        "(`- /app/node_modules`) or make it outside /app"
    )


def test_an_anonymous_volume_keeps_node_modules(make_repo: RepoFactory) -> None:
    files: Files = {
        **WEB,
        "docker-compose.yml": compose("web", "./web", "./web:/app", "/app/node_modules"),
    }
    repo = make_repo(files)
    assert mount_findings(repo) == []
    assert "volumes keep /app/node_modules, which the build made there" in debug_log(repo)


LONG_VOLUME = "{type: volume, source: venv, target: /app/.venv}"
COPIED = "api/ is what the build copied to /app"


@pytest.mark.parametrize(
    ("run", "volumes", "hidden", "why"),
    [
        ("uv sync --frozen", (), ("/app/.venv", "uv sync --frozen"), ""),
        ("python -m venv .venv", (), ("/app/.venv", "python -m venv .venv"), ""),
        ("cd client && yarn install", (), ("/app/client/node_modules", "yarn install"), ""),
        (
            "POETRY_VIRTUALENVS_IN_PROJECT=true poetry install",
            (),
            ("/app/.venv", "POETRY_VIRTUALENVS_IN_PROJECT=true poetry install"),
            "",
        ),
        ("uv sync --frozen", ("venv:/app/.venv",), None, f"{COPIED}; volumes keep /app/.venv"),
        ("uv sync --frozen", (LONG_VOLUME,), None, f"{COPIED}; volumes keep /app/.venv"),
        ("poetry install", (), None, COPIED),  # its virtualenv goes to poetry's cache folder
        ("python -m venv /opt/venv", (), None, COPIED),  # outside the mounted folder
        ("npm install -g nodemon", (), None, COPIED),  # global: not in the folder
        ("npm install --prefix /deps", (), None, COPIED),  # into /deps/node_modules
        ('["bun", "install"]', (), ("/app/node_modules", "bun install"), ""),
    ],
    ids=[
        "uv-sync",
        "venv",
        "cd-yarn",
        "poetry-in-project",
        "named-volume",
        "long-volume",
        "poetry-cache",
        "venv-outside",
        "npm-global",
        "npm-prefix",
        "bun-exec-form",
    ],
)
def test_what_a_run_step_makes_in_the_mounted_folder(
    make_repo: RepoFactory,
    run: str,
    volumes: tuple[str, ...],
    hidden: tuple[str, str] | None,
    why: str,
) -> None:
    files: Files = {
        "api/Dockerfile": f"FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN {run}\n",
        "api/main.py": "",
        "docker-compose.yml": compose("api", "./api", "./api:/app", *volumes),
    }
    repo = make_repo(files)
    with capture_logs() as logs:
        findings = lint(Git.open(repo), date=TODAY)["findings"]
    messages = [f["message"] for f in findings if f["check"] == CHECK]
    if hidden is None:
        assert messages == []
        [checked] = [e for e in logs if e["event"] == "bind mount hides no build"]
        assert (checked["mount"], checked["why"].split(", which")[0]) == ("./api:/app", why)
        return
    path, command = hidden
    [message] = messages
    assert f"puts api/ over {path}, which the build made with `{command}`" in message
    assert not [e for e in logs if e["event"] == "bind mount hides no build"]
