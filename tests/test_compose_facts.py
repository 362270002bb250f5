from __future__ import annotations

from pathlib import Path

import pytest

from consolidate.analysis.compose_facts import (
    ComposeFacts,
    ServiceFact,
    command_refs,
    compose_facts,
)

SAMPLE = Path(__file__).resolve().parent.parent / "consolidate" / "sample" / "repo"

PY_DOCKERFILE = """\
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . /app
CMD ["python", "app.py"]
"""


def facts(files: dict[str, str]) -> ComposeFacts:
    data = {path: text.encode() for path, text in files.items()}
    return compose_facts(data, data.get)


def service(found: ComposeFacts, name: str) -> ServiceFact:
    return next(s for s in found.services if s.service == name)


def entry(files: dict[str, str], name: str = "app") -> tuple[str, ...]:
    return service(facts(files), name).entry_files


def test_command_string_through_a_bind_mount() -> None:
    files = {
        "docker-compose.yml": """\
services:
  worker:
    image: python:3.12
    command: python /app/backend/worker.py --poll 1
    volumes:
      - ./backend:/app/backend:ro
""",
        "backend/worker.py": "",
    }
    assert entry(files, "worker") == ("backend/worker.py",)


def test_command_list_relative_to_the_dockerfile_workdir() -> None:
    files = {
        "compose.yaml": "services:\n  app:\n    build: ./svc\n    command: [python, app.py]\n",
        "svc/Dockerfile": PY_DOCKERFILE,
        "svc/app.py": "",
        "app.py": "",  # the root's app.py is not what the container runs
    }
    assert entry(files) == ("svc/app.py",)


def test_dockerfile_cmd_runs_when_compose_sets_no_command() -> None:
    files = {
        "docker-compose.yml": "services:\n  app:\n    build: svc\n",
        "svc/Dockerfile": PY_DOCKERFILE,
        "svc/app.py": "",
    }
    found = service(facts(files), "app")
    assert found.entry_files == ("svc/app.py",)
    assert (found.build_context, found.dockerfile) == ("svc", "svc/Dockerfile")


def test_dockerfile_shell_form_with_workdir_and_copy_destination() -> None:
    files = {
        "compose.yml": "services:\n  app:\n    build:\n      context: .\n      dockerfile: docker/App.Dockerfile\n",
        "docker/App.Dockerfile": "FROM python:3.12\nWORKDIR /srv\nCOPY src/ /srv/code/\nCMD cd /srv && exec python code/main.py\n",
        "src/main.py": "",
    }
    found = service(facts(files), "app")
    assert found.entry_files == ("src/main.py",)
    assert (found.build_context, found.dockerfile) == (".", "docker/App.Dockerfile")


def test_dockerfile_json_cmd_of_built_javascript_maps_to_the_typescript_source() -> None:
    files = {
        "compose.yml": "services:\n  web:\n    build: ./web\n",
        "web/Dockerfile": 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm run build\nCMD ["node", "dist/index.js"]\n',
        "web/src/index.ts": "",
    }
    assert entry(files, "web") == ("web/src/index.ts",)


def test_compose_entrypoint_replaces_the_image_cmd() -> None:
    files = {
        "compose.yml": 'services:\n  app:\n    build: ./svc\n    entrypoint: ["/app/start.sh"]\n',
        "svc/Dockerfile": PY_DOCKERFILE,
        "svc/app.py": "",
        "svc/start.sh": "",
    }
    assert entry(files) == ("svc/start.sh",)


def test_image_entrypoint_and_compose_command_both_run() -> None:
    files = {
        "compose.yml": "services:\n  app:\n    build: ./svc\n    command: python worker.py\n",
        "svc/Dockerfile": PY_DOCKERFILE + 'ENTRYPOINT ["./entrypoint.sh"]\n',
        "svc/entrypoint.sh": "",
        "svc/worker.py": "",
        "svc/app.py": "",
    }
    assert entry(files) == ("svc/entrypoint.sh", "svc/worker.py")


def test_python_dash_m_module_and_package() -> None:
    files = {
        "compose.yml": """\
services:
  app:
    build: ./svc
    command: python -m jobs.runner
  beat:
    build: ./svc
    command: ["sh", "-c", "python -m scheduler && echo done"]
""",
        "svc/Dockerfile": PY_DOCKERFILE,
        "svc/jobs/runner.py": "",
        "svc/scheduler/__main__.py": "",
    }
    found = facts(files)
    assert service(found, "app").entry_files == ("svc/jobs/runner.py",)
    assert service(found, "beat").entry_files == ("svc/scheduler/__main__.py",)


def test_asgi_module_attribute_and_working_dir() -> None:
    files = {
        "compose.yml": """\
services:
  api:
    image: python:3.12
    working_dir: /code
    volumes: [{type: bind, source: ./api, target: /code}]
    command: uvicorn service.main:app --host 0.0.0.0
""",
        "api/service/main.py": "",
    }
    assert entry(files, "api") == ("api/service/main.py",)


def test_multi_stage_target_picks_the_stage() -> None:
    dockerfile = "FROM python:3.12 AS base\nWORKDIR /app\nCOPY . .\nFROM base AS dev\nCMD python dev.py\nFROM base AS prod\nCMD python prod.py\n"
    files = {
        "compose.yml": "services:\n  app:\n    build: {context: svc, target: dev}\n",
        "svc/Dockerfile": dockerfile,
        "svc/dev.py": "",
        "svc/prod.py": "",
    }
    assert entry(files) == ("svc/dev.py",)


def test_only_tracked_files_and_paths_inside_the_repository() -> None:
    files = {
        "compose.yml": """\
services:
  app:
    build: ../elsewhere
    command: python missing.py /etc/passwd
    volumes: ["${DATA_DIR}:/data", "/srv/app:/app", "named:/var/lib/x"]
""",
    }
    found = service(facts(files), "app")
    assert (found.entry_files, found.build_context, found.dockerfile) == ((), None, None)


def test_depended_on_by_from_lists_mappings_links_and_network_mode() -> None:
    files = {
        "compose.yml": """\
services:
  db:
    image: postgres
  cache:
    image: redis
  api:
    image: api
    depends_on:
      db:
        condition: service_healthy
  worker:
    image: api
    depends_on: [db, cache, elsewhere]
  legacy:
    image: api
    links: ["cache:redis"]
    volumes_from: [api, "container:other"]
  sidecar:
    image: envoy
    network_mode: "service:api"
""",
    }
    found = facts(files)
    assert service(found, "db").depended_on_by == ("api", "worker")
    assert service(found, "cache").depended_on_by == ("legacy", "worker")
    assert service(found, "api").depended_on_by == ("legacy", "sidecar")
    assert service(found, "worker").depended_on_by == ()


def test_facts_carry_image_container_name_and_line() -> None:
    files = {
        "ops/docker-compose.prod.yml": "# prod\nservices:\n\n  api:\n    image: acme/api:1\n    container_name: acme-api\n",
    }
    found = service(facts(files), "api")
    assert (found.file, found.image, found.container_name, found.line) == (
        "ops/docker-compose.prod.yml",
        "acme/api:1",
        "acme-api",
        4,
    )


def test_broken_and_unreadable_compose_files_are_skipped() -> None:
    files = {
        "compose.yml": "services:\n  app: [unclosed\n",
        "docker-compose.yml": "services: {ok: {image: x}}\n",
        "compose.override.yml": "just a string\n",
        "notes.yml": "services: {other: {image: y}}\n",
    }
    data = {path: text.encode() for path, text in files.items()}
    found = compose_facts([*data, "docker-compose.dev.yml"], data.get)
    assert [s.service for s in found.services] == ["ok"]


HIDDEN = """\
services:
  app:
    build: ./a
    volumes:
      - {mount}
"""


def hidden_build_warnings(mount: str) -> list[str]:
    files = {
        "docker-compose.yml": HIDDEN.format(mount=mount),
        "a/Dockerfile": "FROM python:3.12\nWORKDIR /app\nCOPY . /app\nCMD python main.py\n",
        "a/main.py": "",
        "a/lib/util.py": "",
        "b/main.py": "",
    }
    found = facts(files)
    return [w.message for w in found.warnings if w.kind == "bind mount hides build"]


def test_bind_mount_over_the_build_from_another_folder_is_flagged() -> None:
    [message] = hidden_build_warnings("./b:/app")
    assert "./b:/app" in message and "a/" in message


@pytest.mark.parametrize(
    "mount",
    ["./a:/app", "./a/lib:/app/lib", "./b:/app/extra", "./b:/data", "cache:/app/.cache"],
)
def test_mounts_that_hide_nothing_of_the_build_are_not_flagged(mount: str) -> None:
    assert hidden_build_warnings(mount) == []


def test_mount_over_a_copied_subfolder_that_has_files_is_flagged() -> None:
    [message] = hidden_build_warnings("./b:/app/lib")
    assert "a/lib/" in message


def test_bind_mount_hides_build_reports_the_volumes_line() -> None:
    files = {
        "docker-compose.yml": HIDDEN.format(mount="./b:/app"),
        "a/Dockerfile": "FROM python:3.12\nWORKDIR /app\nCOPY . /app\n",
    }
    [warning] = facts(files).warnings
    assert (warning.file, warning.line, warning.service) == ("docker-compose.yml", 4, "app")


HEALTH = """\
services:
  redis:
    image: redis
  postgres:
    image: postgres
  backend:
    image: api
  app:
    image: app
    container_name: app-main
    healthcheck:
      test: {test}
"""


@pytest.mark.parametrize(
    ("test", "dependency"),
    [
        ('["CMD", "redis-cli", "-h", "redis", "ping"]', "redis"),
        ('["CMD-SHELL", "pg_isready -h postgres -U app || exit 1"]', "postgres"),
        ("curl -f http://backend:8000/health", "backend"),
        ('["CMD", "sh", "-c", "wget -qO- http://backend:8000/ready"]', "backend"),
        ('["CMD", "nc", "-z", "redis", "6379"]', "redis"),
        ("curl -f https://status.example.com/ping", "status.example.com"),
    ],
)
def test_healthcheck_that_tests_a_dependency_is_flagged(test: str, dependency: str) -> None:
    [warning] = facts({"compose.yml": HEALTH.format(test=test)}).warnings
    assert warning.kind == "healthcheck tests a dependency"
    assert (warning.service, warning.line) == ("app", 11)
    assert dependency in warning.message


@pytest.mark.parametrize(
    "test",
    [
        '["CMD", "curl", "-f", "http://localhost:8000/health"]',
        "curl -f http://127.0.0.1:8000/health",
        '["CMD-SHELL", "curl -f http://app:8000/health"]',
        '["CMD-SHELL", "curl -f http://app-main:8000/health"]',
        '["CMD-SHELL", "pg_isready -U postgres"]',
        '["CMD", "redis-cli", "ping"]',
        '["NONE"]',
        "curl http://localhost/ && redis-cli -h redis ping",
    ],
)
def test_healthcheck_of_the_service_itself_is_not_flagged(test: str) -> None:
    assert facts({"compose.yml": HEALTH.format(test=test)}).warnings == ()


def test_command_refs_tolerate_unbalanced_quotes() -> None:
    assert command_refs("python 'app.py") == [("app.py",)]


def sample_facts() -> ComposeFacts:
    files = {
        p.relative_to(SAMPLE).as_posix(): p.read_bytes() for p in SAMPLE.rglob("*") if p.is_file()
    }
    return compose_facts(files, files.get)


def test_sample_repository_services() -> None:
    found = sample_facts()
    assert service(found, "orchestrator").entry_files == ("orchestrator/orchestrator.py",)
    assert service(found, "backend").entry_files == ("backend/app.py",)
    assert service(found, "worker").entry_files == ("backend/worker.py",)
    assert service(found, "orchestrator").depended_on_by == ("frontend",)
    assert service(found, "frontend").build_context == "frontend"


def test_sample_repository_orchestrator_healthcheck_is_flagged() -> None:
    [warning] = sample_facts().warnings
    assert (warning.service, warning.kind) == ("orchestrator", "healthcheck tests a dependency")
    assert "redis" in warning.message
