from __future__ import annotations

import json
import posixpath
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


# --- services that run another service's build ---------------------------------------------

API_DOCKERFILE = """\
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
COPY . /app
CMD ["python", "app.py"]
"""


def test_worker_reusing_the_api_image_by_its_image_name() -> None:
    files = {
        "docker-compose.yml": """\
services:
  api:
    build: ./api
    image: myproj-api
  worker:
    image: myproj-api:latest
    command: ./bin/channel-worker
""",
        "api/Dockerfile": API_DOCKERFILE,
        "api/app.py": "",
        "api/requirements.txt": "",
        "api/bin/channel-worker": "",
    }
    found = facts(files)
    worker = service(found, "worker")
    assert worker.entry_files == ("api/bin/channel-worker",)  # not the image's app.py
    assert worker.image_from == "docker-compose.yml:api"
    assert (worker.build_context, worker.dockerfile) == (None, None)  # it builds nothing itself
    assert worker.copies == ("api/requirements.txt", "api")
    api = service(found, "api")
    assert (api.entry_files, api.image_from) == (("api/app.py",), None)


def test_reuse_by_an_extra_tag_of_the_build() -> None:
    files = {
        "docker-compose.yml": "services:\n  api:\n    build: {context: ./api, tags: ['registry.local/api:dev']}\n  worker:\n    image: registry.local/api:dev\n    command: ./bin/channel-worker\n",
        "api/Dockerfile": API_DOCKERFILE,
        "api/bin/channel-worker": "",
    }
    assert entry(files, "worker") == ("api/bin/channel-worker",)


def test_reusing_service_without_a_command_runs_the_image_cmd_with_its_own_mounts() -> None:
    files = {
        "docker-compose.yml": """\
services:
  api:
    build: ./api
    image: myproj-api
  canary:
    image: myproj-api
    working_dir: /srv
    volumes: ["./canary:/srv"]
""",
        "api/Dockerfile": API_DOCKERFILE,
        "api/app.py": "",
        "canary/app.py": "",
    }
    assert entry(files, "canary") == ("canary/app.py",)


CELERY = """\
services:
  app:
    build: .
  celery-worker:
    image: {image}
    command: celery -A tasks worker
"""


@pytest.mark.parametrize("image", ["app-app", "app_app", "docker.io/library/app-app:latest"])
def test_celery_worker_reusing_the_default_image_name_of_its_folder(image: str) -> None:
    files = {
        "services/app/docker-compose.yml": CELERY.format(image=image),
        "services/app/Dockerfile": "FROM python:3.12\nWORKDIR /code\nCOPY . .\nCMD python web.py\n",
        "services/app/tasks.py": "",
        "services/app/web.py": "",
    }
    worker = service(facts(files), "celery-worker")
    assert worker.entry_files == ("services/app/tasks.py",)
    assert worker.image_from == "services/app/docker-compose.yml:app"


@pytest.mark.parametrize(
    ("compose", "image"),
    [
        ("services/app/docker-compose.yml", "other-app"),  # another project's name
        ("services/app/docker-compose.yml", "app-web"),  # another service's name
        ("docker-compose.yml", "app-app"),  # the root folder's name is not known
    ],
)
def test_no_reuse_when_the_default_image_name_differs(compose: str, image: str) -> None:
    files = {
        compose: CELERY.format(image=image),
        posixpath.join(posixpath.dirname(compose), "tasks.py"): "",
    }
    worker = service(facts(files), "celery-worker")
    assert (worker.entry_files, worker.image_from) == ((), None)


def test_top_level_name_is_the_project_of_a_root_compose_file() -> None:
    files = {
        "compose.yaml": "name: Shop\n" + CELERY.format(image="shop-app"),
        "Dockerfile": "FROM python:3.12\nWORKDIR /code\nCOPY . .\n",
        "tasks.py": "",
    }
    worker = service(facts(files), "celery-worker")
    assert (worker.entry_files, worker.image_from) == (("tasks.py",), "compose.yaml:app")


def test_reuse_across_the_compose_files_of_one_folder() -> None:
    files = {
        "deploy/docker-compose.yml": "services:\n  api:\n    build: ../api\n",
        "deploy/docker-compose.workers.yml": "services:\n  mailer:\n    image: deploy-api\n    command: python jobs/mail.py\n",
        "api/Dockerfile": API_DOCKERFILE,
        "api/jobs/mail.py": "",
    }
    mailer = service(facts(files), "mailer")
    assert mailer.entry_files == ("api/jobs/mail.py",)
    assert mailer.image_from == "deploy/docker-compose.yml:api"


def test_no_reuse_across_folders() -> None:
    files = {
        "api/docker-compose.yml": "services:\n  api:\n    build: .\n    image: myproj-api\n",
        "workers/docker-compose.yml": "services:\n  worker:\n    image: myproj-api\n    command: ./bin/channel-worker\n",
        "api/Dockerfile": API_DOCKERFILE,
        "api/bin/channel-worker": "",
    }
    worker = service(facts(files), "worker")
    assert (worker.entry_files, worker.image_from) == ((), None)


def test_two_services_with_the_same_build_each_run_their_own_command() -> None:
    files = {
        "docker-compose.yml": """\
services:
  api:
    build: ./api
  scheduler:
    build: ./api
    command: python jobs/schedule.py
""",
        "api/Dockerfile": API_DOCKERFILE,
        "api/app.py": "",
        "api/jobs/schedule.py": "",
    }
    found = facts(files)
    assert service(found, "api").entry_files == ("api/app.py",)
    assert service(found, "scheduler").entry_files == ("api/jobs/schedule.py",)
    assert {service(found, n).image_from for n in ("api", "scheduler")} == {None}


def test_bind_mount_over_a_reused_image_hides_its_build() -> None:
    files = {
        "docker-compose.yml": "services:\n  api:\n    build: ./api\n    image: myproj-api\n  worker:\n    image: myproj-api\n    volumes: [./b:/app]\n",
        "api/Dockerfile": API_DOCKERFILE,
        "b/app.py": "",
    }
    found = facts(files)
    assert service(found, "worker").entry_files == ("b/app.py",)
    [warning] = found.warnings
    assert (warning.service, warning.kind) == ("worker", "bind mount hides build")


@pytest.mark.parametrize("compose", ["docker-compose.yml", "ci/docker-compose.yml"])
def test_dockerfile_relative_to_the_compose_folder_context(compose: str) -> None:
    folder = posixpath.dirname(compose)
    files = {
        compose: "services:\n  checks:\n    build: {context: ./, dockerfile: ./test/Dockerfile}\n",
        posixpath.join(
            folder, "test/Dockerfile"
        ): 'FROM python:3.12\nCOPY . /src\nWORKDIR /src\nCMD ["python", "test/run_checks.py"]\n',
        posixpath.join(folder, "test/run_checks.py"): "",
    }
    checks = service(facts(files), "checks")
    assert checks.entry_files == (posixpath.join(folder, "test/run_checks.py"),)
    assert checks.dockerfile == posixpath.join(folder, "test/Dockerfile")
    assert checks.build_context == (folder or ".")
    assert checks.copies == ((folder or "."),)


# --- shared build inputs -------------------------------------------------------------------


def test_mounts_copies_and_env_files_of_a_typical_service() -> None:
    files = {
        "deploy/compose.yml": """\
services:
  api:
    build: {context: ../api, target: prod}
    env_file: [.env, {path: ../api/api.env, required: false}, /etc/secrets.env]
    volumes:
      - ../api/src:/app/src:ro
      - ../shared/config.yml:/etc/app/config.yml
      - ..:/repo
      - /var/run/docker.sock:/var/run/docker.sock
      - data:/data
  db:
    image: postgres
    env_file: ../db.env
""",
        "api/Dockerfile": """\
FROM node:20 AS build
COPY package.json ./
COPY src/ ./src/
RUN npm run build
FROM python:3.12 AS base
COPY requirements*.txt /app/
FROM base AS prod
COPY --from=build /dist /app/static
ADD --chown=app scripts/start.sh /app/
CMD /app/start.sh
""",
        "api/requirements.txt": "",
        "api/requirements-dev.txt": "",
        "api/scripts/start.sh": "",
    }
    found = facts(files)
    api = service(found, "api")
    assert api.mounts == ("api/src", "shared/config.yml", ".")
    assert api.copies == (
        "api/requirements-dev.txt",
        "api/requirements.txt",
        "api/scripts/start.sh",
    )
    assert api.env_files == ("deploy/.env", "api/api.env")
    assert api.entry_files == ("api/scripts/start.sh",)
    db = service(found, "db")
    assert (db.mounts, db.copies, db.env_files) == ((), (), ("db.env",))


# --- how Python services are started: servers, python -m, PYTHONPATH ------------------------


def test_python_m_on_pythonpath_through_a_bind_mount_with_its_packages() -> None:
    files = {
        "docker-compose.yml": """\
services:
  worker:
    image: python:3.12-slim
    working_dir: /srv
    environment:
      - PYTHONPATH=/srv/services:${PYTHONPATH}
    command: python -m worker_pkg.tasks.run
    volumes: ["./:/srv"]
""",
        "services/worker_pkg/__init__.py": "",
        "services/worker_pkg/tasks/__init__.py": "",
        "services/worker_pkg/tasks/run.py": "",
    }
    worker = service(facts(files), "worker")
    assert worker.entry_files == ("services/worker_pkg/tasks/run.py",)
    assert worker.package_files == (  # in the order Python runs them
        "services/worker_pkg/__init__.py",
        "services/worker_pkg/tasks/__init__.py",
    )


def test_pythonpath_and_flask_app_from_the_dockerfile_env_and_env_files() -> None:
    files = {
        "compose.yaml": """\
services:
  web:
    build: ./web
    env_file: web/flask.env
    command: flask run --host 0.0.0.0
  jobs:
    build: ./web
    command: ["python", "-m", "nightly"]
""",
        "web/Dockerfile": (
            "FROM python:3.12\nWORKDIR /code\nENV APP_HOME=/code\n"
            "ENV PYTHONPATH=$APP_HOME/src:$PYTHONPATH\nCOPY . /code\n"
        ),
        "web/flask.env": "# read by compose\nexport FLASK_APP='portal.factory:create_app()'\n",
        "web/src/portal/__init__.py": "",
        "web/src/portal/factory.py": "",
        "web/src/nightly/__main__.py": "",
        "web/src/nightly/__init__.py": "",
    }
    found = facts(files)
    web = service(found, "web")
    assert web.entry_files == ("web/src/portal/factory.py",)
    assert web.package_files == ("web/src/portal/__init__.py",)
    jobs = service(found, "jobs")
    assert (jobs.entry_files, jobs.package_files) == (
        ("web/src/nightly/__main__.py",),
        ("web/src/nightly/__init__.py",),
    )


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("uvicorn main:app --app-dir src/api --port 80", "api/src/api/main.py"),
        ("uvicorn --factory app.factory:build --app-dir=src/api", "api/src/api/app/factory.py"),
        ("gunicorn --chdir /opt/api/src -b unix:/tmp/g.sock wsgi", "api/src/wsgi.py"),
        ("gunicorn --pythonpath src,lib 'tasks:make_app()'", "api/lib/tasks.py"),
        ("hypercorn src/api/main.py:app", "api/src/api/main.py"),
        ("daphne -b 0.0.0.0 -p 9000 chat.asgi:application", "api/chat/asgi.py"),
        ("waitress-serve --listen=*:8080 --call app.factory:build", "api/app/factory.py"),
        ("granian --interface asgi --working-dir src/api main:app", "api/src/api/main.py"),
        ("sh -c 'cd src/api && exec uvicorn main:app'", "api/src/api/main.py"),
        ("flask --app src/api/main run", "api/src/api/main.py"),
    ],
)
def test_servers_find_their_application_where_they_import_it(command: str, expected: str) -> None:
    files = {
        "compose.yml": f'services:\n  api:\n    image: python\n    working_dir: /opt/api\n    volumes: ["./api:/opt/api"]\n    command: {json.dumps(command)}\n',
        "api/main.py": "",  # a decoy in the working folder: the server looks elsewhere first
        "api/src/api/main.py": "",
        "api/src/api/app/factory.py": "",
        "api/app/factory.py": "",
        "api/src/wsgi.py": "",
        "api/lib/tasks.py": "",
        "api/chat/asgi.py": "",
    }
    assert entry(files, "api")[0] == expected


def test_command_refs_of_servers_read_options_not_values() -> None:
    assert command_refs("pip install --no-cache-dir gunicorn uvicorn") == []
    assert command_refs("gunicorn -k app.workers.Custom -c conf/gunicorn.py app:app") == [
        ("app.py", "app/__init__.py"),
        ("app/workers.py", "app/workers/__init__.py", "app.py", "app/__init__.py"),
        ("conf/gunicorn.py",),
    ]
    assert command_refs("gunicorn --log-level info wsgi") == [
        ("wsgi.py", "wsgi/__init__.py"),
        ("gunicorn.conf.py",),  # read from the working folder when no -c is given
    ]
    assert command_refs("flask run") == [  # without --app or FLASK_APP: wsgi, then app
        ("wsgi.py", "wsgi/__init__.py"),
        ("app.py", "app/__init__.py"),
    ]
    assert command_refs("export FLASK_APP=blog.app:create_app") == [
        ("blog/app.py", "blog/app/__init__.py"),
        ("blog/__init__.py",),
    ]
