"""Modules a library imports from every installed Django app by their name (wagtail's
`wagtail_hooks.py`, django-modeltranslation's `translation.py`), or that the project's own
code asks for with `autodiscover_modules("name")`: kept for an installed app, orphans in a
package no settings module installs."""

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
