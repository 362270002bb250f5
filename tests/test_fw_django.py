"""The Django plugin on a project made by Django itself (`startproject`, `startapp`,
`makemigrations`), run through the real CLI: what the settings module names, what Django
loads from an installed app by convention, and `include()` in URLconfs keep files alive."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from repo_support import RepoFactory, consolidate, git

ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.invalid",
    "GIT_COMMITTER_NAME": "Test Committer",
    "GIT_COMMITTER_EMAIL": "committer@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
}

# The images are built by CI from mysite/Dockerfile and pulled here.
COMPOSE = """\
services:
  web:
    image: ghcr.io/example/mysite:1.4.2
    command: gunicorn mysite.wsgi:application --bind 0.0.0.0:8000
    environment:
      DJANGO_SETTINGS_MODULE: mysite.settings
    depends_on: [db, redis]
  worker:
    image: ghcr.io/example/mysite:1.4.2
    command: celery -A mysite worker --loglevel=INFO
    depends_on: [db, redis]
  db:
    image: postgres:16
  redis:
    image: redis:7
"""

ADDED = {
    "mysite/Dockerfile": (
        "FROM python:3.12-slim\nWORKDIR /app\nRUN pip install django gunicorn celery\n"
        'COPY . .\nCMD ["gunicorn", "mysite.wsgi:application"]\n'
    ),
    ".gitignore": "__pycache__/\n*.sqlite3\n",
    "mysite/polls/models.py": (
        "from django.db import models\n\n\nclass Question(models.Model):\n"
        "    question_text = models.CharField(max_length=200)\n"
        '    pub_date = models.DateTimeField("date published")\n'
    ),
    "mysite/polls/admin.py": (
        "from django.contrib import admin\n\nfrom .models import Question\n\n"
        "admin.site.register(Question)\n"
    ),
    "mysite/polls/views.py": (
        "from django.http import HttpResponse\n\n\ndef index(request):\n"
        '    return HttpResponse("Hello, world. You\'re at the polls index.")\n'
    ),
    "mysite/polls/urls.py": (
        "from django.urls import path\n\nfrom . import views\n\n"
        'urlpatterns = [\n    path("", views.index, name="index"),\n]\n'
    ),
    "mysite/polls/middleware.py": (
        "import time\n\n\nclass TimingMiddleware:\n"
        "    def __init__(self, get_response):\n        self.get_response = get_response\n\n"
        "    def __call__(self, request):\n        started = time.monotonic()\n"
        "        response = self.get_response(request)\n"
        '        response["X-Elapsed"] = f"{time.monotonic() - started:.3f}"\n'
        "        return response\n"
    ),
    "mysite/polls/management/__init__.py": "",
    "mysite/polls/management/commands/__init__.py": "",
    "mysite/polls/management/commands/closepoll.py": (
        "from django.core.management.base import BaseCommand\n\n"
        "from polls.models import Question\n\n\nclass Command(BaseCommand):\n"
        '    help = "Closes the specified poll for voting"\n\n'
        "    def handle(self, *args, **options):\n"
        "        self.stdout.write(str(Question.objects.count()))\n"
    ),
    "mysite/polls/templatetags/__init__.py": "",
    "mysite/polls/templatetags/poll_extras.py": (
        "from django import template\n\nregister = template.Library()\n\n\n"
        "@register.filter\ndef shout(value):\n    return str(value).upper()\n"
    ),
    # Truly dead: nothing imports it and no convention loads it.
    "mysite/polls/legacy_helpers.py": "def old_slug(text):\n    return text.lower()\n",
}


# Written after makemigrations: importing the settings would import Celery, not installed here.
CELERY = {
    # From "First steps with Django" in Celery's documentation.
    "mysite/mysite/celery.py": (
        "import os\n\nfrom celery import Celery\n\n"
        'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n\n'
        'app = Celery("mysite")\n'
        'app.config_from_object("django.conf:settings", namespace="CELERY")\n'
        "app.autodiscover_tasks()\n"
    ),
    "mysite/mysite/__init__.py": (
        "from .celery import app as celery_app\n\n__all__ = ('celery_app',)\n"
    ),
    "mysite/polls/tasks.py": (
        "from celery import shared_task\n\nfrom .models import Question\n\n\n"
        "@shared_task\ndef count_questions():\n    return Question.objects.count()\n"
    ),
}


def run(cwd: Path, *args: str) -> None:
    subprocess.run(args, cwd=cwd, check=True, capture_output=True, env={**os.environ, **ENV})


def write(repo: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def build(repo: Path) -> Path:
    run(repo, sys.executable, "-m", "django", "startproject", "mysite")
    site = repo / "mysite"
    run(site, sys.executable, "-m", "django", "startapp", "polls")
    settings = site / "mysite" / "settings.py"
    installed = "    'django.contrib.staticfiles',\n"
    edit(settings, installed, installed + "    'polls.apps.PollsConfig',\n")
    clickjacking = "    'django.middleware.clickjacking.XFrameOptionsMiddleware',\n"
    edit(settings, clickjacking, clickjacking + "    'polls.middleware.TimingMiddleware',\n")
    urls = site / "mysite" / "urls.py"
    edit(urls, "from django.urls import path\n", "from django.urls import include, path\n")
    admin = "    path('admin/', admin.site.urls),\n"
    edit(urls, admin, "    path('polls/', include('polls.urls')),\n" + admin)
    write(repo, {**ADDED, "docker-compose.yml": COMPOSE})
    # Django writes the migration; it imports the settings but needs no database.
    run(site, sys.executable, "manage.py", "makemigrations", "polls")
    write(repo, CELERY)
    git(repo, "init", "-q", "-b", "main", env=ENV)
    git(repo, "add", "-A", env=ENV)
    git(repo, "commit", "-q", "-m", "polls", env=ENV)
    return repo


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("django"))


def cli(repo: Path, *args: str) -> dict[str, Any]:
    result = consolidate(repo, *args, "--json")
    assert result.returncode == 0, result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


@pytest.fixture(scope="module")
def investigated(repo: Path) -> dict[str, Any]:
    return cli(repo, "investigate", "polls")


@pytest.fixture(scope="module")
def polls(investigated: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["path"]: row for row in investigated["files"]}


def line_of(repo: Path, path: str, text: str) -> int:
    lines = (repo / path).read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def test_django_made_the_files_the_plugin_reads(repo: Path) -> None:
    tracked = git(repo, "ls-files").split()
    assert "mysite/polls/migrations/0001_initial.py" in tracked
    assert not [p for p in tracked if "__pycache__" in p or p.endswith(".sqlite3")]


def test_only_the_dead_module_is_an_orphan(repo: Path, investigated: dict[str, Any]) -> None:
    orphans = [row["path"] for row in cli(repo, "orphans")["orphans"]]
    assert orphans == ["mysite/polls/legacy_helpers.py"]
    assert investigated["warnings"] == []  # every config Django made parses


SETTINGS = "mysite/mysite/settings.py"


APP = "'polls.apps.PollsConfig',"
# models.py is also imported by the modules that stay: they keep it too.
MODEL_USERS = [
    "mysite/polls/admin.py",
    "mysite/polls/management/commands/closepoll.py",
    "mysite/polls/tasks.py",
]


@pytest.mark.parametrize(
    ("path", "setting", "also"),
    [
        ("mysite/polls/apps.py", APP, []),
        ("mysite/polls/models.py", APP, MODEL_USERS),
        ("mysite/polls/admin.py", APP, []),
        ("mysite/polls/migrations/0001_initial.py", APP, []),
        ("mysite/polls/migrations/__init__.py", APP, []),
        ("mysite/polls/management/commands/closepoll.py", APP, []),
        ("mysite/polls/templatetags/poll_extras.py", APP, []),
        ("mysite/polls/middleware.py", "'polls.middleware.TimingMiddleware',", []),
    ],
)
def test_what_the_settings_name_or_django_loads_stays(
    repo: Path, polls: dict[str, dict[str, Any]], path: str, setting: str, also: list[str]
) -> None:
    row = polls[path]
    assert row["verdict"] == "keep", row
    assert row["used_by"] == [SETTINGS, *also]
    environment = line_of(repo, "docker-compose.yml", "DJANGO_SETTINGS_MODULE")
    assert row["chain"] == [
        path,
        SETTINGS,
        f"run by docker-compose.yml:{environment}: service web environment "
        "DJANGO_SETTINGS_MODULE=mysite.settings",
    ]
    # The route names the line of the settings that reaches the file, and the rule.
    number = line_of(repo, SETTINGS, setting)  # the entry that, removed, frees the file
    rule = "django INSTALLED_APPS" if setting == APP else "django MIDDLEWARE"
    assert row["route"][:2] == [path, f"{SETTINGS}:{number} ({rule})"]
    assert row["route"][2] == row["chain"][2]


def test_an_included_urlconf_and_its_views_stay(polls: dict[str, dict[str, Any]]) -> None:
    urls, views = polls["mysite/polls/urls.py"], polls["mysite/polls/views.py"]
    assert urls["verdict"] == views["verdict"] == "keep"
    assert urls["used_by"] == ["mysite/mysite/urls.py"]  # include('polls.urls')
    assert urls["chain"][:3] == ["mysite/polls/urls.py", "mysite/mysite/urls.py", SETTINGS]
    assert views["chain"][:4] == ["mysite/polls/views.py", *urls["chain"][:3]]


def test_celery_autodiscovers_the_apps_tasks(repo: Path, polls: dict[str, dict[str, Any]]) -> None:
    tasks = polls["mysite/polls/tasks.py"]
    assert tasks["verdict"] == "keep" and tasks["used_by"] == ["mysite/mysite/celery.py"]
    worker = line_of(repo, "docker-compose.yml", "celery -A mysite")
    assert tasks["chain"] == [
        "mysite/polls/tasks.py",
        "mysite/mysite/celery.py",
        f"run by docker-compose.yml:{worker}: celery --app mysite (Celery loads mysite.celery)",
    ]


def test_the_dead_module_and_the_apps_tests_go(polls: dict[str, dict[str, Any]]) -> None:
    package = polls["mysite/polls/__init__.py"]  # Django imports the app's package
    assert package["verdict"] == "keep" and package["used_by"][0] == SETTINGS
    assert polls["mysite/polls/legacy_helpers.py"]["verdict"] == "remove"
    assert polls["mysite/polls/tests.py"]["verdict"] == "remove"  # tests of what goes, go
    assert sorted(p for p, row in polls.items() if row["verdict"] == "remove") == [
        "mysite/polls/legacy_helpers.py",
        "mysite/polls/tests.py",
    ]


SPLIT_SETTINGS = {
    "requirements/base.txt": "Django==5.2.19\ngunicorn==23.0.0\n",
    "manage.py": (
        "import os\nimport sys\n\n"
        'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")\n'
        "from django.core.management import execute_from_command_line\n\n"
        "execute_from_command_line(sys.argv)\n"
    ),
    ".envs/.production/.django": "DJANGO_SETTINGS_MODULE=config.settings.production\n",
    "pytest.ini": "[pytest]\nDJANGO_SETTINGS_MODULE = config.settings.test\naddopts = --reuse-db\n",
    "config/__init__.py": "",
    "config/urls.py": "from django.urls import path\n\nurlpatterns = []\n",
    "config/wsgi.py": (
        "from django.core.wsgi import get_wsgi_application\n\n"
        "application = get_wsgi_application()\n"
    ),
    "config/settings/__init__.py": "",
    "config/settings/base.py": (
        'DJANGO_APPS = ["django.contrib.auth", "django.contrib.contenttypes"]\n'
        'LOCAL_APPS = [\n    "shop.users",\n    "shop.orders.apps.OrdersConfig",\n]\n'
        "INSTALLED_APPS = DJANGO_APPS + LOCAL_APPS\n"
        'ROOT_URLCONF = "config.urls"\n'
        'AUTHENTICATION_BACKENDS = ["shop.users.backends.EmailBackend"]\n'
        'LOGGING = {"version": 1, "handlers": {"audit": {"class": "shop.logs.AuditHandler"}}}\n'
    ),
    "config/settings/production.py": "from .base import *  # noqa\n\nDEBUG = False\n",
    "config/settings/local.py": "from .base import *  # noqa\n\nDEBUG = True\n",
    "config/settings/test.py": (
        'from .base import *  # noqa\n\nPASSWORD_HASHERS = ["shop.testing.hashers.FastHasher"]\n'
    ),
    "shop/__init__.py": "",
    "shop/logs.py": "import logging\n\n\nclass AuditHandler(logging.Handler):\n    pass\n",
    "shop/testing/__init__.py": "",
    "shop/testing/hashers.py": "class FastHasher:\n    algorithm = 'fast'\n",
    "shop/users/__init__.py": "",
    "shop/users/models.py": "from django.db import models\n",
    "shop/users/backends.py": "class EmailBackend:\n    pass\n",
    "shop/orders/__init__.py": "",
    "shop/orders/apps.py": (
        "from django.apps import AppConfig\n\n\nclass OrdersConfig(AppConfig):\n"
        '    name = "shop.orders"\n'
    ),
    "shop/orders/models.py": "from django.db import models\n",
    "shop/orders/signals_old.py": "# replaced by receivers in models.py\n",
}


def test_split_settings_named_by_env_files_and_pytest(make_repo: RepoFactory) -> None:
    repo = make_repo(SPLIT_SETTINGS)
    orphans = [row["path"] for row in cli(repo, "orphans")["orphans"]]
    assert orphans == ["shop/orders/signals_old.py"]
    users = {row["path"]: row for row in cli(repo, "investigate", "users")["files"]}
    models = users["shop/users/models.py"]
    assert models["verdict"] == "keep" and models["used_by"] == ["config/settings/base.py"]
    # base.py is read through `from .base import *` of the module .envs/ names
    assert models["chain"] == [
        "shop/users/models.py",
        "config/settings/base.py",
        "config/settings/production.py",
        "run by .envs/.production/.django:1: DJANGO_SETTINGS_MODULE config.settings.production",
    ]
    assert users["shop/users/backends.py"]["verdict"] == "keep"  # AUTHENTICATION_BACKENDS


def test_a_module_only_test_settings_name_is_for_review(make_repo: RepoFactory) -> None:
    repo = make_repo(SPLIT_SETTINGS)
    found = {row["path"]: row for row in cli(repo, "investigate", "testing")["files"]}
    hashers = found["shop/testing/hashers.py"]
    assert hashers["verdict"] == "review"
    assert hashers["used_by"] == ["config/settings/test.py"]
    assert hashers["chain"] == [
        "shop/testing/hashers.py",
        "config/settings/test.py",
        "run by pytest.ini:2: DJANGO_SETTINGS_MODULE config.settings.test (pytest-django)",
    ]


BROKEN = {
    "manage.py": (
        'import os\n\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")\n'
    ),
    "shop/__init__.py": "",
    "shop/settings.py": (
        'INSTALLED_APPS = [\n    "django.contrib.admin",\n    "catalog",\n'
        'ROOT_URLCONF = "shop.urls"\n'  # the list is never closed
    ),
    "shop/urls.py": "urlpatterns = []\n",
    "catalog/__init__.py": "",
    "catalog/apps.py": "from django.apps import AppConfig\n",
    "catalog/models.py": "from django.db import models\n",
    "tools/old_export.py": "print('export')\n",
}


def test_settings_that_do_not_parse_make_the_apps_they_name_uncertain(
    make_repo: RepoFactory,
) -> None:
    repo = make_repo(BROKEN)
    assert [row["path"] for row in cli(repo, "orphans")["orphans"]] == ["tools/old_export.py"]
    found = cli(repo, "investigate", "catalog")
    rows = {row["path"]: row for row in found["files"]}
    assert {path: row["verdict"] for path, row in rows.items()} == {
        "catalog/__init__.py": "review",
        "catalog/apps.py": "review",
        "catalog/models.py": "review",
    }
    assert rows["catalog/models.py"]["used_by"] == [
        "shop/settings.py:3: settings do not parse; they name catalog (framework)"
    ]
    [warning] = [w for w in found["warnings"] if w["file"] == "shop/settings.py"]
    assert warning["line"] == 1 and "syntax error" in warning["message"]
