"""A config the analysis cannot read gives a warning with file and line, and what it might
reach is never `remove`: JSON, TOML, YAML and a settings module with a syntax error."""

from __future__ import annotations

from typing import Any

from repo_support import RepoFactory, cli_json

FILES = {
    # JSON: a package.json cut short; its package's files must not look dead.
    "web/package.json": '{\n  "name": "web",\n  "main": "index.js",\n',
    "web/index.js": 'const lib = require("./lib");\nconsole.log(lib);\n',
    "web/lib.js": "module.exports = 1;\n",
    # TOML: a pyproject whose entry points cannot be read.
    "tool/pyproject.toml": '[project]\nname = "tool"\n[project.scripts]\ntool = "tool_cli:main\n',
    "tool/tool_cli.py": "def main():\n    pass\n",
    # YAML: a TypeORM config that does not parse.
    "api/package.json": '{"name": "api", "dependencies": {"typeorm": "0.3.20"}}\n',
    "api/ormconfig.yml": "default:\n  migrations: [src/migrations/*.ts\n",
    "api/src/migrations/1700000000000-init.ts": "export class Init {}\n",
    # A settings module with a syntax error.
    "site/requirements.txt": "django\n",
    "site/manage.py": (
        "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'conf.settings')\n"
    ),
    "site/conf/__init__.py": "",
    "site/conf/settings.py": "INSTALLED_APPS = [\n    'shop',\n\nDEBUG = True\n",
    "site/shop/__init__.py": "",
    "site/shop/admin.py": "from . import models\n",
    "site/shop/models.py": "",
}


def investigate(repo: Any, name: str) -> dict[str, Any]:
    found: dict[str, Any] = cli_json(repo, "investigate", name)
    return found


def test_each_broken_config_is_a_warning_with_its_line_and_nothing_it_reaches_goes(
    make_repo: RepoFactory,
) -> None:
    repo = make_repo(FILES)
    found = investigate(repo, "lib")
    warnings = {(w["file"], w["line"]) for w in found["warnings"]}
    assert {
        ("web/package.json", 4),
        ("tool/pyproject.toml", 4),
        ("api/ormconfig.yml", 3),
        ("site/conf/settings.py", 1),  # where Python says: the `[` never closed
    } <= warnings, found["warnings"]
    rows = {r["path"]: r for r in found["files"]}
    assert rows["web/lib.js"]["verdict"] != "remove", rows["web/lib.js"]
    for name, path in [
        ("tool_cli", "tool/tool_cli.py"),
        ("1700000000000-init", "api/src/migrations/1700000000000-init.ts"),
        ("admin", "site/shop/admin.py"),
    ]:
        row = {r["path"]: r for r in investigate(repo, name)["files"]}[path]
        assert row["verdict"] == "review", row
