"""Sphinx through the real CLI: the `conf.py` sphinx-build runs, the extensions it loads from a
folder it puts on sys.path, the classes its options name, the scripts `html_js_files` and
`app.add_js_file` copy from `html_static_path`, and the code `literalinclude` pulls into pages."""

from __future__ import annotations

from repo_support import RepoFactory, cli_json
from repo_support import verdicts as investigate

DOCS = {
    "docs/requirements.txt": "sphinx==8.2.3\nsphinxcontrib-spelling==8.0.1\n",
    "docs/conf.py": (
        "import os\nimport sys\n\n"
        "sys.path.insert(0, os.path.abspath('_ext'))\n\n"
        "project = 'Acme'\n"
        "extensions = ['sphinx.ext.autodoc', 'acme_roles']\n"
        "globals().update({'spelling_filters': ['filters.CodeNames']})\n"
        "html_static_path = ['_static']\n"
        "html_js_files = ['js/tabs.js']\n\n\n"
        "def setup(app):\n    app.add_js_file('js/copy.js')\n"
    ),
    "docs/_ext/acme_roles.py": "from helpers import slug  # noqa: F401\n",
    "docs/_ext/helpers.py": "def slug(text): return text\n",
    "docs/_ext/filters.py": "class CodeNames: ...\n",
    "docs/_ext/unused_ext.py": "",
    "docs/_static/js/tabs.js": "export {};\n",
    "docs/_static/js/copy.js": "export {};\n",
    "docs/_static/js/old.js": "export {};\n",
    "docs/index.rst": "Acme\n====\n\n.. literalinclude:: examples/hello.py\n   :lines: 1-3\n",
    "docs/guide/page.md": "# Client\n\n```{literalinclude} /examples/client.ts\n```\n",
    "docs/examples/hello.py": "print('hello')\n",
    "docs/examples/client.ts": "export const client = 1;\n",
    "docs/examples/stale.py": "print('stale')\n",
    "tools/conf.py": "PORT = 8080\n",  # a conf.py that is not Sphinx's
    # a second configuration, run by code with `sphinx-build -c`: annotated, no other hint
    "app/extract/conf.py": "project = 'Docs'\nextensions: list[str] = []\n",
}


def test_what_sphinx_runs_and_includes(make_repo: RepoFactory) -> None:
    repo = make_repo(DOCS)
    found = cli_json(repo, "orphans")
    assert sorted(r["path"] for r in found["orphans"]) == [
        "docs/_ext/unused_ext.py",
        "docs/_static/js/old.js",
        "docs/examples/stale.py",
        "tools/conf.py",
    ]
    assert found["uncertain"] == []


def test_an_extensions_helper_is_kept_through_conf_py(make_repo: RepoFactory) -> None:
    repo = make_repo(DOCS)
    helpers = investigate(repo, "helpers")["docs/_ext/helpers.py"]
    assert helpers["chain"] == [
        "docs/_ext/helpers.py",
        "docs/_ext/acme_roles.py",
        "docs/conf.py",
        "run by docs/conf.py: the Sphinx configuration sphinx-build runs",
    ]
    assert helpers["route"][2] == "docs/conf.py:7 (sphinx extensions)"
