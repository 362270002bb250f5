"""Static files through the real CLI: scripts a Django or Flask app serves from a `static/`
folder are named by their path below it, in templates (`{% static %}`, a project's own
`*static*` tag, `url_for("static", ...)`, `/static/...` URLs) and in Python (a form's `Media`)."""

from __future__ import annotations

from typing import Any

from repo_support import RepoFactory, cli_json
from repo_support import orphan_paths as orphans
from repo_support import verdicts as investigate

from consolidate.analysis.frameworks.staticfiles import served_index, served_names

SHOP = {
    "requirements.txt": "Django==5.2.8\n",
    "manage.py": (
        "import os\nimport sys\n\nif __name__ == '__main__':\n"
        "    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n"
        "    from django.core.management import execute_from_command_line\n"
        "    execute_from_command_line(sys.argv)\n"
    ),
    "mysite/__init__.py": "",
    "mysite/settings.py": (
        "INSTALLED_APPS = ['django.contrib.staticfiles', 'shop', 'checkout']\n"
        "ROOT_URLCONF = 'mysite.urls'\nSTATIC_URL = 'static/'\n"
    ),
    "mysite/urls.py": "urlpatterns = []\n",
    "shop/__init__.py": "",
    "shop/apps.py": "",
    "shop/forms.py": (
        "from django import forms\n\n\nclass QuantityWidget(forms.NumberInput):\n"
        "    class Media:\n        js = ('shop/js/quantity.js',)\n"
    ),
    "shop/models.py": "from shop import forms  # noqa: F401\n",
    "shop/templates/shop/cart.html": (
        "{% load static %}\n<html>\n<head>\n"
        "  <script src=\"{% static 'shop/js/cart.js' %}\"></script>\n"
        '  <script src="{% versioned_static "checkout/js/pay.js" %}" defer></script>\n'
        '  <script src="/static/shop/js/vendor/htmx.min.js?v=2"></script>\n'
        "</head>\n</html>\n"
    ),
    "shop/static/shop/js/cart.js": "document.title = 'cart';\n",
    "shop/static/shop/js/quantity.js": "export const step = 1;\n",
    "shop/static/shop/js/vendor/htmx.min.js": "var htmx={};\n",
    "shop/static/shop/js/legacy.js": "window.oldCart = true;\n",  # nothing names it
    "checkout/__init__.py": "",
    "checkout/apps.py": "",
    "checkout/templates/checkout/done.html": (
        "{% load static %}<script src=\"{% static 'checkout/js/confetti.js' %}\"></script>\n"
    ),
    "checkout/static/checkout/js/pay.js": "export function pay() {}\n",
    "checkout/static/checkout/js/confetti.js": "export function burst() {}\n",
}


def test_template_tags_urls_and_media_keep_static_scripts(make_repo: RepoFactory) -> None:
    repo = make_repo(SHOP)
    found: dict[str, Any] = cli_json(repo, "orphans")
    assert [r["path"] for r in found["orphans"]] == ["shop/static/shop/js/legacy.js"]
    # Named only in a Python string (a form's Media): uncertain, never an orphan.
    assert [r["path"] for r in found["uncertain"]] == ["shop/static/shop/js/quantity.js"]


def test_a_kept_template_keeps_the_components_static_script(make_repo: RepoFactory) -> None:
    repo = make_repo(SHOP)
    rows = investigate(repo, "checkout")
    pay = rows["checkout/static/checkout/js/pay.js"]
    assert pay["verdict"] == "keep"
    assert pay["chain"] == [
        "checkout/static/checkout/js/pay.js",
        'run by shop/templates/shop/cart.html:5: {% versioned_static "checkout/js/pay.js" %}',
    ]
    # Only the component's own template names this one: it goes with the template.
    confetti = rows["checkout/static/checkout/js/confetti.js"]
    assert (confetti["verdict"], confetti["reason"]) == ("remove", "part of the component")


FLASK = {
    "requirements.txt": "Flask==3.1.2\n",
    "Procfile": "web: flask --app web run --host 0.0.0.0\n",
    "web/__init__.py": "from flask import Flask\n\napp = Flask(__name__)\n",
    "web/templates/base.html": (
        "<script src=\"{{ url_for('static', filename='js/app.js') }}\"></script>\n"
        '<script src="{{ url_for("admin.static", filename="admin.js") }}"></script>\n'
    ),
    "web/static/js/app.js": "console.log('app');\n",
    "web/admin/static/admin.js": "console.log('admin');\n",
    "web/static/js/unused.js": "console.log('unused');\n",
}


def test_flask_url_for_static(make_repo: RepoFactory) -> None:
    repo = make_repo(FLASK)
    assert orphans(repo) == ["web/static/js/unused.js"]


def test_served_names_and_index() -> None:
    assert list(served_names("shop/static/shop/js/cart.js")) == ["shop/js/cart.js"]
    assert list(served_names("static/js/a.js")) == ["js/a.js"]
    assert list(served_names("a/static/b/static/c.js")) == ["b/static/c.js", "c.js"]
    assert list(served_names("staticfiles/x.js")) == []
    index = served_index(["a/static/x.js", "b/static/x.js", "a/static/x.css", "static.js"])
    assert index == {"x.js": ["a/static/x.js", "b/static/x.js"]}


PROJECT_ASSETS = {
    "requirements.txt": "Django==5.2.8\n",
    "manage.py": "import os\n\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_cfg.settings')\n",
    "site_cfg/__init__.py": "",
    "site_cfg/settings.py": (
        "import os\nfrom pathlib import Path\n\n"
        "BASE_DIR = Path(__file__).resolve().parent.parent\n"
        "INSTALLED_APPS = ['django.contrib.staticfiles']\n"
        "STATICFILES_DIRS = [\n"
        "    BASE_DIR / 'assets' / 'js',\n"
        "    ('vendor', os.path.join(BASE_DIR, 'third_party')),\n"
        "]\n"
    ),
    "site_cfg/templates/base.html": (
        "{% load static %}<script src=\"{% static 'theme.js' %}\"></script>\n"
        "<script src=\"{% static 'vendor/chart.min.js' %}\"></script>\n"
    ),
    "assets/js/theme.js": "document.body.dataset.theme = 'dark';\n",
    "assets/js/unused.js": "export {};\n",
    "third_party/chart.min.js": "var Chart={};\n",
}


def test_staticfiles_dirs_of_the_settings(make_repo: RepoFactory) -> None:
    """`STATICFILES_DIRS` folders are served by the paths below them (with an entry's prefix)."""
    repo = make_repo(PROJECT_ASSETS)
    assert orphans(repo) == ["assets/js/unused.js"]
