"""How Python services are started, through the real CLI: ASGI/WSGI servers' `module:attr` with
`--app-dir` and `--chdir`, gunicorn config files, Flask's FLASK_APP, `uvicorn.run("...")` in
Python, and `python -m` found through a compose service's working_dir and PYTHONPATH. Each
project has a file nothing runs: it, and only it, is an orphan."""

from __future__ import annotations

import ast

import pytest
from repo_support import RepoFactory
from repo_support import orphan_paths as orphans
from repo_support import verdicts as investigate

from consolidate.analysis.frameworks.servers import RUNNER_CALL, _runner_app

COMPOSE_RUN = "run by docker-compose.yml: service {} command/entrypoint/Dockerfile CMD"


# --- uvicorn --app-dir -------------------------------------------------------------------

UVICORN_API = {
    "docker-compose.yml": """\
services:
  api:
    build: .
    command: uvicorn main:app --app-dir src/api --host 0.0.0.0 --port 8000
    environment:
      DATABASE_URL: postgresql://app:app@db/app
    depends_on: [db]
  db:
    image: postgres:16
""",
    "Dockerfile": (
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\n"
        "RUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n"
    ),
    "requirements.txt": "fastapi==0.115.0\nuvicorn[standard]==0.30.6\n",
    "src/api/main.py": (
        "from fastapi import FastAPI\n\nfrom routers import health, items\n\n"
        "app = FastAPI(title='inventory')\napp.include_router(health.router)\n"
        "app.include_router(items.router)\n"
    ),
    "src/api/routers/__init__.py": "",
    "src/api/routers/health.py": (
        "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get('/health')\n"
        "def health() -> dict[str, str]:\n    return {'status': 'ok'}\n"
    ),
    "src/api/routers/items.py": (
        "from fastapi import APIRouter\n\nfrom db import session\n\n"
        "router = APIRouter(prefix='/items')\n\n\n@router.get('/')\n"
        "def list_items() -> list[str]:\n    with session() as s:\n        return s.names()\n"
    ),
    "src/api/db.py": (
        "from contextlib import contextmanager\n\n\n@contextmanager\ndef session():\n"
        "    yield None\n"
    ),
    # dead: nothing imports it
    "src/api/legacy_auth.py": "def check_token(token: str) -> bool:\n    return token == 's'\n",
    # dead: the app before it moved to src/api; `main:app` is looked for in --app-dir first
    "main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
}


def test_uvicorn_app_dir_decides_which_main_runs(make_repo: RepoFactory) -> None:
    repo = make_repo(UVICORN_API)
    assert orphans(repo) == ["main.py", "src/api/legacy_auth.py"]
    found = investigate(repo, "main")
    assert found["main.py"]["verdict"] == "remove"
    assert found["src/api/main.py"]["verdict"] == "keep"
    assert found["src/api/main.py"]["chain"] == ["src/api/main.py", COMPOSE_RUN.format("api")]
    items = investigate(repo, "items")["src/api/routers/items.py"]
    assert items["verdict"] == "keep"
    assert items["chain"] == [
        "src/api/routers/items.py",
        "src/api/main.py",
        COMPOSE_RUN.format("api"),
    ]


# --- gunicorn --chdir, and wsgi_app in a config file -------------------------------------

GUNICORN_SHOP = {
    "docker-compose.yml": """\
services:
  web:
    build: ./backend
    ports: ["8000:8000"]
  admin:
    build: ./backend
    command: gunicorn -c /srv/deploy/gunicorn_admin.py
""",
    "backend/Dockerfile": (
        "FROM python:3.12-slim\nWORKDIR /srv\nCOPY requirements.txt .\n"
        "RUN pip install -r requirements.txt\nCOPY . /srv\n"
        'CMD ["gunicorn", "--chdir", "/srv/src", "--bind", "0.0.0.0:8000", "--workers", "3", '
        '"-c", "/srv/deploy/gunicorn.conf.py", "shop.wsgi:application"]\n'
    ),
    "backend/requirements.txt": "gunicorn==23.0.0\nfalcon==3.1.3\n",
    "backend/deploy/gunicorn.conf.py": (
        "import multiprocessing\n\nworkers = multiprocessing.cpu_count() * 2 + 1\naccesslog = '-'\n"
    ),
    "backend/deploy/gunicorn_admin.py": (
        'bind = "0.0.0.0:8001"\nchdir = "/srv/src"\nwsgi_app = "shop.staff:application"\n'
    ),
    "backend/src/shop/__init__.py": "",
    "backend/src/shop/wsgi.py": "from shop.app import create_app\n\napplication = create_app()\n",
    "backend/src/shop/app.py": (
        "import falcon\n\nfrom shop import views\n\n\ndef create_app() -> falcon.App:\n"
        "    app = falcon.App()\n    app.add_route('/products', views.Products())\n"
        "    return app\n"
    ),
    "backend/src/shop/views.py": (
        "class Products:\n    def on_get(self, req, resp):\n        resp.media = []\n"
    ),
    "backend/src/shop/staff.py": (
        "import falcon\n\nfrom shop import views\n\napplication = falcon.App()\n"
        "application.add_route('/staff/products', views.Products())\n"
    ),
    "backend/src/shop/old_views.py": "class Legacy:\n    pass\n",  # dead
}


def test_gunicorn_chdir_and_the_wsgi_app_of_a_config_file(make_repo: RepoFactory) -> None:
    repo = make_repo(GUNICORN_SHOP)
    assert orphans(repo) == ["backend/src/shop/old_views.py"]
    wsgi = investigate(repo, "wsgi")["backend/src/shop/wsgi.py"]
    assert wsgi["verdict"] == "keep"
    assert wsgi["chain"] == ["backend/src/shop/wsgi.py", COMPOSE_RUN.format("web")]
    staff = investigate(repo, "staff")["backend/src/shop/staff.py"]
    assert staff["verdict"] == "keep"
    assert staff["chain"] == [
        "backend/src/shop/staff.py",
        "backend/deploy/gunicorn_admin.py",
        COMPOSE_RUN.format("admin"),
    ]


# --- Flask: FLASK_APP in .flaskenv, gunicorn after `cd` in a script ----------------------

FLASK_BLOG = {
    ".flaskenv": "FLASK_APP=blog:create_app\nFLASK_DEBUG=1\n",
    "requirements.txt": "flask==3.0.3\npython-dotenv==1.0.1\ngunicorn==23.0.0\n",
    "blog/__init__.py": (
        "from flask import Flask\n\n\ndef create_app() -> Flask:\n    app = Flask(__name__)\n"
        "    from blog import auth, posts\n\n    app.register_blueprint(auth.bp)\n"
        "    app.register_blueprint(posts.bp)\n    return app\n"
    ),
    "blog/auth.py": (
        "from flask import Blueprint\n\nbp = Blueprint('auth', __name__, url_prefix='/auth')\n"
    ),
    "blog/posts.py": (
        "from flask import Blueprint\n\nfrom blog.db import get_db\n\n"
        "bp = Blueprint('posts', __name__)\n"
    ),
    "blog/db.py": (
        "import sqlite3\n\n\ndef get_db() -> sqlite3.Connection:\n"
        "    return sqlite3.connect('blog.db')\n"
    ),
    "blog/feeds_v1.py": "def rss() -> str:\n    return '<rss/>'\n",  # dead
    "deploy/serve.sh": "#!/bin/sh\nset -e\ncd app\nexec gunicorn --workers 2 'blog.wsgi:app'\n",
    "app/blog/wsgi.py": "from blog import create_app\n\napp = create_app()\n",
}


def test_flask_app_of_flaskenv_and_a_served_wsgi_module(make_repo: RepoFactory) -> None:
    repo = make_repo(FLASK_BLOG)
    assert orphans(repo) == ["blog/feeds_v1.py"]
    found = investigate(repo, "posts")
    flaskenv = "run by .flaskenv:1: FLASK_APP=blog:create_app"
    assert found["blog/posts.py"]["verdict"] == "keep"
    assert found["blog/posts.py"]["chain"] == ["blog/posts.py", "blog/__init__.py", flaskenv]
    assert found["blog/db.py"]["chain"] == [
        "blog/db.py",
        "blog/posts.py",
        "blog/__init__.py",
        flaskenv,
    ]
    # a shell script is a person's tool: what only it runs is for review
    wsgi = investigate(repo, "wsgi")["app/blog/wsgi.py"]
    assert wsgi["verdict"] == "review"
    assert wsgi["chain"] == ["app/blog/wsgi.py", "run by deploy/serve.sh: line 4"]


# --- python -m through working_dir and PYTHONPATH ----------------------------------------

WORKER = {
    "docker-compose.yml": """\
services:
  worker:
    image: python:3.12-slim
    working_dir: /srv
    environment:
      PYTHONPATH: /srv/services
      QUEUE_URL: redis://queue:6379/0
    command: python -m worker_pkg.run
    volumes:
      - ./:/srv
    depends_on: [queue]
  queue:
    image: redis:7
""",
    "services/worker_pkg/__init__.py": "VERSION = '2.3.0'\n",
    "services/worker_pkg/run.py": "from .jobs import drain\n\ndrain()\n",
    "services/worker_pkg/jobs.py": "def drain() -> None:\n    pass\n",
    "services/worker_pkg/retired.py": "def old_drain() -> None:\n    pass\n",  # dead
}


def test_python_m_module_on_the_pythonpath_of_a_compose_service(make_repo: RepoFactory) -> None:
    repo = make_repo(WORKER)
    assert orphans(repo) == ["services/worker_pkg/retired.py"]
    found = investigate(repo, "jobs")["services/worker_pkg/jobs.py"]
    assert found["verdict"] == "keep"
    assert found["chain"] == [
        "services/worker_pkg/jobs.py",
        "services/worker_pkg/run.py",
        COMPOSE_RUN.format("worker"),
    ]
    package = investigate(repo, "worker_pkg")["services/worker_pkg/__init__.py"]
    assert package["verdict"] == "keep"
    assert package["chain"] == ["services/worker_pkg/__init__.py", COMPOSE_RUN.format("worker")]


# --- uvicorn.run("...") in Python --------------------------------------------------------

RUNNER = {
    "requirements.txt": "starlette==0.38.5\nuvicorn==0.30.6\n",
    "Procfile": "web: python serve.py\n",
    "serve.py": (
        "import os\n\nimport uvicorn\n\nif __name__ == '__main__':\n"
        "    uvicorn.run('webapp.app:application', host='0.0.0.0',"
        " port=int(os.environ['PORT']))\n"
    ),
    "webapp/__init__.py": "",
    "webapp/app.py": (
        "from starlette.applications import Starlette\n\nfrom webapp.routes import routes\n\n"
        "application = Starlette(routes=routes)\n"
    ),
    "webapp/routes.py": "routes: list[object] = []\n",
    "webapp/websockets_draft.py": "async def echo(ws) -> None:\n    await ws.close()\n",  # dead
}


RUNNER_SOURCES = [
    "uvicorn.run('main:app')",
    "uvicorn . Config(app='main:app')",
    "(uvicorn).run('main:app', app_dir='src')",
    "x = uvicorn \\\n    .run('main:app')",
    "server = (uvicorn\n    .run('main:app'))",
    "granian.Granian('main:app')",
    "Granian(target='main:app')",
]


@pytest.mark.parametrize("source", RUNNER_SOURCES)
def test_every_runner_call_passes_the_text_test(source: str) -> None:
    """A file is parsed only when its text may hold a runner call: every call the parsed
    rule reads passes the text test first."""
    assert any(_runner_app(node) for node in ast.walk(ast.parse(source)))
    assert RUNNER_CALL.search(source)


@pytest.mark.parametrize(
    "source", ["import uvicorn\n", "from uvicorn import Config\n", "uvicorn_runner('a:b')\n"]
)
def test_a_file_without_a_runner_call_is_not_parsed(source: str) -> None:
    assert not RUNNER_CALL.search(source)


def test_uvicorn_run_with_an_import_string(make_repo: RepoFactory) -> None:
    repo = make_repo(RUNNER)
    assert orphans(repo) == ["webapp/websockets_draft.py"]
    routes = investigate(repo, "routes")["webapp/routes.py"]
    assert routes["verdict"] == "keep"
    assert routes["chain"] == [
        "webapp/routes.py",
        "webapp/app.py",
        "serve.py",
        "run by Procfile: line 1",
    ]
