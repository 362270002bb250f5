"""setuptools entry points (setup.cfg, setup.py, pyproject's [tool.setuptools]) and Alembic
migration environments, through the real CLI. Each project has a file nothing runs or loads:
it, and only it, is an orphan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from repo_support import RepoFactory, cli_json
from repo_support import orphan_paths as orphans


def investigate(repo: Path, name: str) -> dict[str, Any]:
    doc: dict[str, Any] = cli_json(repo, "investigate", name)
    return doc


def files(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["path"]: f for f in doc["files"]}


# --- setup.cfg ---------------------------------------------------------------------------

SETUP_CFG = """\
[metadata]
name = inventory-tools
version = 1.4.0

[options]
package_dir =
    = src
packages = find:
py_modules = legacy_shim
scripts = bin/rebuild_index.py
install_requires =
    click>=8

[options.packages.find]
where = src

[options.entry_points]
console_scripts =
    inventory = inventory.cli:main
inventory.exporters =
    csv = inventory.exporters.csv_export:CsvExporter
"""

INVENTORY = {
    "setup.cfg": SETUP_CFG,
    "pyproject.toml": (
        '[build-system]\nrequires = ["setuptools>=68"]\nbuild-backend = "setuptools.build_meta"\n'
    ),
    "src/inventory/__init__.py": "",
    "src/inventory/cli.py": (
        "import click\n\nfrom inventory.core import load\n\n\n@click.command()\n"
        "def main() -> None:\n    load()\n"
    ),
    "src/inventory/core.py": "def load() -> list[str]:\n    return []\n",
    "src/inventory/exporters/__init__.py": "",
    "src/inventory/exporters/csv_export.py": "class CsvExporter:\n    suffix = '.csv'\n",
    # dead: an exporter no entry point group registers
    "src/inventory/exporters/xml_export.py": "class XmlExporter:\n    suffix = '.xml'\n",
    "src/legacy_shim.py": "from inventory.core import load as load_all\n",
    "bin/rebuild_index.py": "#!/usr/bin/env python\nfrom inventory.core import load\n\nload()\n",
}


def test_setup_cfg_entry_points_scripts_and_py_modules(make_repo: RepoFactory) -> None:
    repo = make_repo(INVENTORY)
    assert orphans(repo) == ["src/inventory/exporters/xml_export.py"]
    cli = files(investigate(repo, "cli"))["src/inventory/cli.py"]
    assert cli["verdict"] == "keep"
    assert cli["chain"] == [
        "src/inventory/cli.py",
        "run by setup.cfg:19: console_scripts inventory",
    ]
    csv = files(investigate(repo, "csv_export"))["src/inventory/exporters/csv_export.py"]
    assert csv["verdict"] == "keep"
    assert csv["chain"] == [
        "src/inventory/exporters/csv_export.py",
        "run by setup.cfg:21: inventory.exporters csv",
    ]
    shim = files(investigate(repo, "legacy_shim"))["src/legacy_shim.py"]
    assert shim["verdict"] == "keep"
    assert shim["chain"] == ["src/legacy_shim.py", "run by setup.cfg:9: py_modules legacy_shim"]
    script = files(investigate(repo, "rebuild_index"))["bin/rebuild_index.py"]
    assert script["chain"] == [
        "bin/rebuild_index.py",
        "run by setup.cfg:10: scripts bin/rebuild_index.py",
    ]


# --- setup.py ----------------------------------------------------------------------------

SETUP_PY = """\
from setuptools import find_packages, setup

setup(
    name="billing",
    version="0.9.0",
    packages=find_packages(exclude=["tests"]),
    install_requires=["requests>=2.31"],
    entry_points={
        "console_scripts": [
            "billing-run = billing.main:run",
        ],
        "billing.providers": [
            "stripe = billing.providers.stripe_provider:StripeProvider",
        ],
    },
    scripts=["tools/nightly_invoices.py"],
)
"""

BILLING = {
    "setup.py": SETUP_PY,
    "billing/__init__.py": "",
    "billing/main.py": (
        "from billing.invoices import open_invoices\n\n\ndef run() -> None:\n    open_invoices()\n"
    ),
    "billing/invoices.py": "def open_invoices() -> list[int]:\n    return []\n",
    "billing/providers/__init__.py": "",
    "billing/providers/stripe_provider.py": "class StripeProvider:\n    name = 'stripe'\n",
    # dead: a provider no entry point registers
    "billing/providers/paypal_provider.py": "class PaypalProvider:\n    name = 'paypal'\n",
    "tools/nightly_invoices.py": "from billing.main import run\n\nrun()\n",
}


def test_setup_py_entry_points_and_scripts(make_repo: RepoFactory) -> None:
    repo = make_repo(BILLING)
    assert orphans(repo) == ["billing/providers/paypal_provider.py"]
    invoices = files(investigate(repo, "invoices"))["billing/invoices.py"]
    assert invoices["verdict"] == "keep"
    assert invoices["chain"] == [
        "billing/invoices.py",
        "billing/main.py",
        "run by setup.py:10: console_scripts billing-run",
    ]
    stripe = files(investigate(repo, "stripe_provider"))["billing/providers/stripe_provider.py"]
    assert stripe["verdict"] == "keep"
    assert stripe["chain"] == [
        "billing/providers/stripe_provider.py",
        "run by setup.py:13: billing.providers stripe",
    ]
    nightly = files(investigate(repo, "nightly_invoices"))["tools/nightly_invoices.py"]
    assert nightly["chain"] == [
        "tools/nightly_invoices.py",
        "run by setup.py:16: scripts tools/nightly_invoices.py",
    ]


def test_setup_py_values_it_cannot_read_keep_the_folder_for_review(
    make_repo: RepoFactory,
) -> None:
    repo = make_repo(
        {
            "setup.py": (
                "from setuptools import setup\n\nfrom build_helpers import entry_points\n\n"
                "setup(name='ops', entry_points=entry_points())\n"
            ),
            "build_helpers.py": "def entry_points() -> dict[str, list[str]]:\n    return {}\n",
            "ops/__init__.py": "",
            "ops/rotate_keys.py": "def main() -> None:\n    pass\n",
        }
    )
    assert orphans(repo) == []  # what setup.py may name cannot be told: nothing is dead
    rotate = files(investigate(repo, "rotate_keys"))["ops/rotate_keys.py"]
    assert rotate["verdict"] == "review"
    assert rotate["reason"] == (
        "used only by tests, examples or scripts: setup.py:5: entry_points (framework)"
    )


# --- pyproject.toml [tool.setuptools] package-dir ----------------------------------------

LIBRARY = {
    "pyproject.toml": """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "geo-tiles"
version = "2.0.0"

[project.scripts]
tiles = "tiles.cli:main"

[tool.setuptools]
package-dir = {"" = "lib"}
py-modules = ["tilecompat"]
""",
    "lib/tiles/__init__.py": "",
    "lib/tiles/cli.py": "from tiles.render import render\n\n\ndef main() -> None:\n    render()\n",
    "lib/tiles/render.py": "def render() -> None:\n    pass\n",
    "lib/tiles/vector_v0.py": "def old_render() -> None:\n    pass\n",  # dead
    "lib/tilecompat.py": "from tiles.render import render as draw\n",
}


def test_pyproject_package_dir_of_setuptools(make_repo: RepoFactory) -> None:
    repo = make_repo(LIBRARY)
    assert orphans(repo) == ["lib/tiles/vector_v0.py"]
    cli = files(investigate(repo, "cli"))["lib/tiles/cli.py"]
    assert cli["verdict"] == "keep"
    assert cli["chain"] == ["lib/tiles/cli.py", "run by pyproject.toml:10: console_scripts tiles"]
    compat = files(investigate(repo, "tilecompat"))["lib/tilecompat.py"]
    assert compat["chain"] == [
        "lib/tilecompat.py",
        "run by pyproject.toml:14: py-modules tilecompat",
    ]


# --- alembic -----------------------------------------------------------------------------

ALEMBIC_INI = """\
# A generic, single database configuration.

[alembic]
script_location = %(here)s/migrations
prepend_sys_path = .
version_path_separator = os
sqlalchemy.url = postgresql://app:app@localhost/app

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARN
handlers = console
qualname =

[logger_sqlalchemy]
level = WARN
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %%(levelname)-5.5s [%%(name)s] %%(message)s
datefmt = %%H:%%M:%%S
"""

ENV_PY = """\
from alembic import context
from sqlalchemy import engine_from_config, pool

from app.models import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    section = context.config.get_section(context.config.config_ini_section)
    connectable = engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
"""


def revision(rev: str, down: str | None, table: str) -> str:
    return (
        f'"""create {table}"""\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
        f'revision = "{rev}"\ndown_revision = {down!r}\n\n\ndef upgrade() -> None:\n'
        f'    op.create_table("{table}", sa.Column("id", sa.Integer, primary_key=True))\n'
    )


SHOP = {
    "alembic.ini": ALEMBIC_INI,
    "requirements.txt": "alembic==1.13.2\nsqlalchemy==2.0.35\nfastapi==0.115.0\nuvicorn==0.30.6\n",
    "Procfile": "release: alembic upgrade head\nweb: uvicorn app.main:app --port $PORT\n",
    "migrations/env.py": ENV_PY,
    "migrations/script.py.mako": '"""${message}"""\nrevision = ${repr(up_revision)}\n',
    "migrations/versions/1a2b3c4d5e6f_create_users.py": revision("1a2b3c4d5e6f", None, "users"),
    "migrations/versions/9f8e7d6c5b4a_add_orders.py": revision(
        "9f8e7d6c5b4a", "1a2b3c4d5e6f", "orders"
    ),
    "app/__init__.py": "",
    "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
    "app/models.py": (
        "from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n"
    ),
    "app/report_export.py": "def export() -> None:\n    pass\n",  # dead
}


def test_alembic_env_and_every_revision_are_loaded(make_repo: RepoFactory) -> None:
    repo = make_repo(SHOP)
    assert orphans(repo) == ["app/report_export.py"]
    doc = investigate(repo, "9f8e7d6c5b4a_add_orders")
    orders = files(doc)["migrations/versions/9f8e7d6c5b4a_add_orders.py"]
    assert orders["verdict"] == "keep"
    assert orders["chain"] == [
        "migrations/versions/9f8e7d6c5b4a_add_orders.py",
        "run by alembic.ini:4: script_location",
    ]
    models = files(investigate(repo, "models"))["app/models.py"]
    assert models["verdict"] == "keep"  # only env.py imports the models
    assert models["chain"] == [
        "app/models.py",
        "migrations/env.py",
        "run by alembic.ini:4: script_location",
    ]


def test_flask_migrate_and_pyproject_alembic_configs(make_repo: RepoFactory) -> None:
    repo = make_repo(
        {
            # Flask-Migrate: alembic.ini inside the migration folder, no script_location
            "api/migrations/alembic.ini": "[alembic]\n\n[loggers]\nkeys = root\n",
            "api/migrations/env.py": "from alembic import context\n",
            "api/migrations/versions/0001_initial.py": revision("0001", None, "users"),
            # alembic 1.16: [tool.alembic] in pyproject.toml, revisions in subfolders
            "reports/pyproject.toml": (
                '[project]\nname = "reports"\ndependencies = ["alembic>=1.16"]\n\n'
                '[tool.alembic]\nscript_location = "%(here)s/db"\n'
                'version_locations = ["%(here)s/db/revisions"]\n'
                "recursive_version_locations = true\n"
            ),
            "reports/db/env.py": "from alembic import context\n",
            "reports/db/revisions/2024/0002_totals.py": revision("0002", None, "totals"),
            "reports/db/versions/0003_never_loaded.py": revision("0003", None, "ghost"),  # dead
        }
    )
    assert orphans(repo) == ["reports/db/versions/0003_never_loaded.py"]
    doc = investigate(repo, "0002_totals")
    totals = files(doc)["reports/db/revisions/2024/0002_totals.py"]
    assert totals["verdict"] == "keep"
    assert totals["chain"] == [
        "reports/db/revisions/2024/0002_totals.py",
        "run by reports/pyproject.toml:7: version_locations",
    ]
    initial = files(investigate(repo, "0001_initial"))["api/migrations/versions/0001_initial.py"]
    assert initial["chain"] == [
        "api/migrations/versions/0001_initial.py",
        "run by api/migrations/alembic.ini:1: migration folder",
    ]


def test_an_in_tree_build_backend(make_repo: RepoFactory) -> None:
    """PEP 517: `build-backend` found in `backend-path` is what every build imports."""
    repo = make_repo(
        {
            "pyproject.toml": (
                '[build-system]\nrequires = ["setuptools"]\n'
                'build-backend = "backend"\nbackend-path = ["_build"]\n'
            ),
            "_build/backend.py": "from setuptools.build_meta import *  # noqa: F403\n",
            "_build/unused.py": "",
        }
    )
    assert orphans(repo) == ["_build/unused.py"]
