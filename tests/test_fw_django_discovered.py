"""Installed Django apps beyond the plain package: modules a library imports from every app
by their name (wagtail's `wagtail_hooks.py`, django-modeltranslation's `translation.py`) or
that the project's own code asks for with `autodiscover_modules("name")`, kept for an
installed app and orphans in a package no settings module installs; and an app that is a
namespace package (no `__init__.py`). Settings built in steps (`X.append(...)`, `X["k"] = v`)
and Python's own `sitecustomize.py`."""

from __future__ import annotations

from repo_support import RepoFactory, cli_json
from repo_support import orphan_paths as orphans
from repo_support import verdicts as investigate

CMS = {
    "requirements.txt": "Django==5.2.8\nwagtail==7.2\n",
    "manage.py": (
        "import os\n\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_cfg.settings')\n"
    ),
    "site_cfg/__init__.py": "",
    "site_cfg/settings.py": "INSTALLED_APPS = ['wagtail', 'blog', 'events']\n",
    "site_cfg/registry.py": (
        "from django.utils.module_loading import autodiscover_modules\n\n\n"
        "def load() -> None:\n    autodiscover_modules('feeds')\n"
    ),
    "blog/__init__.py": "",
    "blog/apps.py": "from site_cfg import registry  # noqa: F401\n",
    "blog/models.py": "",
    "blog/wagtail_hooks.py": "from blog import menu  # noqa: F401\n",
    "blog/menu.py": "ITEMS: list[str] = []\n",
    "blog/feeds.py": "FEEDS: list[str] = []\n",
    "events/__init__.py": "",
    "events/wagtail_hooks.py": "",
    "drafts/__init__.py": "",  # a package no settings module installs
    "drafts/wagtail_hooks.py": "",
}


def test_discovered_modules_of_installed_apps_are_kept(make_repo: RepoFactory) -> None:
    repo = make_repo(CMS)
    assert orphans(repo) == ["drafts/__init__.py", "drafts/wagtail_hooks.py"]
    menu = investigate(repo, "menu")["blog/menu.py"]
    assert menu["verdict"] == "keep"
    assert menu["chain"] == [
        "blog/menu.py",
        "blog/wagtail_hooks.py",
        "site_cfg/settings.py",
        "manage.py",
        "run by manage.py: run by its tool",
    ]


def test_without_the_library_the_hooks_module_is_an_orphan(make_repo: RepoFactory) -> None:
    repo = make_repo({**CMS, "requirements.txt": "Django==5.2.8\n"})
    found = orphans(repo)
    assert "blog/wagtail_hooks.py" in found and "blog/menu.py" in found
    assert "blog/feeds.py" not in found  # the project's own autodiscover_modules('feeds')
    assert cli_json(repo, "orphans")["uncertain"] == []


NAMESPACE_APP = {
    "requirements.txt": "Django==5.2.8\n",
    "app/manage.py": "import os\n\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'conf.settings')\n",
    "app/conf/__init__.py": "",
    "app/conf/settings.py": "INSTALLED_APPS = ['tokens', 'conf']\n",
    # `tokens` has no __init__.py: a namespace package, which Django installs all the same.
    "app/tokens/apps.py": "from django.apps import AppConfig\n\n\nclass TokensConfig(AppConfig):\n"
    "    name = 'tokens'\n",
    "app/tokens/models.py": "",
    "app/tokens/migrations/__init__.py": "",
    "app/tokens/migrations/0001_initial.py": "operations: list[object] = []\n",
    "app/tokens/leftover.py": "",
}


def test_a_namespace_package_app_loads_its_conventions(make_repo: RepoFactory) -> None:
    repo = make_repo(NAMESPACE_APP)
    assert orphans(repo) == ["app/tokens/leftover.py"]
    migration = investigate(repo, "tokens")["app/tokens/migrations/0001_initial.py"]
    assert migration["verdict"] == "keep"
    assert migration["route"][:2] == [
        "app/tokens/migrations/0001_initial.py",
        "app/conf/settings.py:1 (django INSTALLED_APPS)",
    ]


STEPS = {
    "requirements.txt": "Django==5.2.8\n",
    "manage.py": "import os\n\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'conf.settings')\n",
    "conf/__init__.py": "",
    "conf/settings.py": (
        "MIDDLEWARE = []\n"
        "MIDDLEWARE.append('conf.middleware.Timing')\n"
        "MIDDLEWARE.insert(0, 'conf.security.Headers')\n"
        "LOGGING = {'handlers': {}}\n"
        "LOGGING['handlers']['audit'] = {'class': 'conf.audit.AuditHandler'}\n"
    ),
    "conf/middleware.py": "",
    "conf/security.py": "",
    "conf/audit.py": "",
    "conf/unused.py": "",
    "sitecustomize.py": "import os\n",  # Python's `site` imports it at start-up
}


def test_settings_built_in_steps_and_sitecustomize(make_repo: RepoFactory) -> None:
    repo = make_repo(STEPS)
    found = cli_json(repo, "orphans")
    assert [r["path"] for r in found["orphans"]] == ["conf/unused.py"]
    assert found["uncertain"] == []  # not only the strings safety net: the settings read
    audit = investigate(repo, "audit")["conf/audit.py"]
    assert audit["verdict"] == "keep"
    assert audit["route"][1] == "conf/settings.py:5 (django LOGGING)"


PLUGGABLE = {
    "requirements.txt": "Django==5.2.8\n",
    "manage.py": "import os\n\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'core.settings')\n",
    "core/__init__.py": "",
    "core/settings.py": (
        "INSTALLED_APPS = ['core', 'shop']\nROOT_URLCONF = 'core.urls'\n"
        "FORMAT_MODULE_PATH = ['core.formats']\n"
    ),
    "core/urls.py": (
        "import importlib\nfrom django.apps import apps\n\nurlpatterns = []\n"
        "for app in apps.get_app_configs():\n"
        "    urlpatterns += importlib.import_module(app.name + '.urls').urlpatterns\n"
    ),
    "core/formats/__init__.py": "",
    "core/formats/de/__init__.py": "",
    "core/formats/de/formats.py": "DATE_FORMAT = 'j. F Y'\n",
    "core/formats/de/unused.py": "",
    "shop/__init__.py": "",
    "shop/urls.py": "from shop import views  # noqa: F401\nurlpatterns = []\n",
    "shop/views.py": "",
}


def test_app_submodules_imported_by_hand_and_format_modules(make_repo: RepoFactory) -> None:
    repo = make_repo(PLUGGABLE)
    found = cli_json(repo, "orphans")
    assert [r["path"] for r in found["orphans"]] == ["core/formats/de/unused.py"]
    assert found["uncertain"] == []


GENERATED_SETTINGS = {
    "requirements.txt": "Django==5.2.8\n",
    # `settings` is written at install time (`from gym.settings_global import *`): not tracked.
    "gym/wsgi.py": (
        "import os\n\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'settings')\n"
        "from django.core.wsgi import get_wsgi_application\n\n"
        "application = get_wsgi_application()\n"
    ),
    "gym/__init__.py": "",
    "gym/settings_global.py": "INSTALLED_APPS = ['gym.workouts']\nROOT_URLCONF = 'gym.urls'\n",
    "gym/urls.py": "urlpatterns = []\n",
    "gym/workouts/__init__.py": "",
    "gym/workouts/models.py": "",
    "gym/workouts/migrations/__init__.py": "",
    "gym/workouts/migrations/0001_initial.py": "",
    "gym/leftover.py": "",
}


def test_settings_written_at_install_time(make_repo: RepoFactory) -> None:
    """DJANGO_SETTINGS_MODULE names a module the repository does not track: the module that
    sets INSTALLED_APPS is what it reads, and what that reaches is `review`, not orphaned."""
    repo = make_repo(GENERATED_SETTINGS)
    assert orphans(repo) == ["gym/leftover.py"]
    migration = investigate(repo, "workouts")["gym/workouts/migrations/0001_initial.py"]
    assert migration["chain"][-1] == (
        "run by gym/settings_global.py: sets INSTALLED_APPS and the settings module settings "
        "is not tracked"
    )
