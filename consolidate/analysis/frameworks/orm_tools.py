"""Prisma, Knex and Sequelize: migration, seed and model files their CLIs load by folder.

- Knex reads `knexfile.*` by name; `migrations.directory` and `seeds.directory` (defaults
  `./migrations`, `./seeds`, relative to the knexfile) name folders whose files it runs.
- sequelize-cli reads `.sequelizerc` from its working directory; `migrations-path`,
  `seeders-path` (defaults `migrations`, `seeders`) name folders it runs, `config` a file it
  loads; the `models/index.js` that `sequelize init` writes requires every file beside it.
- Prisma runs the command in package.json `prisma.seed` (or `migrations.seed` in
  `prisma.config.ts`).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from consolidate.analysis.commands import command_refs
from consolidate.analysis.frameworks.base import CODE_SUFFIXES, Found, Plugin, Project
from consolidate.analysis.frameworks.jsvalues import (
    DIR,
    UNKNOWN,
    js_file,
    leaves,
    line_of,
    line_text,
    package_folders,
)
from consolidate.analysis.frameworks.orm import Where, directory_files, expand, locate
from consolidate.analysis.uses import Root, Use

# Knex: migrations.directory / seeds.directory and their defaults, knexfile by name:
# https://knexjs.org/guide/migrations.html (paths resolve from the knexfile's folder since
# knex 0.16: https://github.com/knex/knex/pull/2959)
KNEX_DOCS = "https://knexjs.org/guide/migrations.html"
KNEX_DEFAULTS = {"migrations": "./migrations", "seeds": "./seeds"}
# sequelize-cli reads `.sequelizerc` (a Node script exporting options) from its working
# directory: https://github.com/sequelize/cli/blob/main/docs/README.md#options ; the defaults
# (migrations-path `migrations`, seeders-path `seeders`) are in its lib/core/yargs.js.
SEQUELIZE_DOCS = "https://github.com/sequelize/cli/blob/main/docs/README.md"
SEQUELIZE_DEFAULTS = {"migrations-path": "migrations", "seeders-path": "seeders"}
# Prisma: package.json "prisma": {"seed": "<command>"}, or prisma.config.ts migrations.seed:
# https://www.prisma.io/docs/orm/prisma-migrate/workflows/seeding
PRISMA_DOCS = "https://www.prisma.io/docs/orm/prisma-migrate/workflows/seeding"
READS_ITS_FOLDER = re.compile(r"readdirSync\(\s*__dirname")


# --- Knex --------------------------------------------------------------------------------
def knex(project: Project) -> Iterator[Found]:
    for path in project.named("knexfile.*"):
        parsed = js_file(project, path) if path.endswith(CODE_SUFFIXES) else None
        if parsed is None:
            continue
        yield Root(path, "convention", f"{path}: the Knex CLI reads its knexfile by name")
        for key, default in KNEX_DEFAULTS.items():
            named = False
            for section in parsed.properties({key}):
                for prop in parsed.properties({"directory"}, section.start, section.end):
                    named = True
                    where = Where(
                        path, prop.line, f"knex {key}.directory", line_text(parsed.text, prop.line)
                    )
                    yield from expand(project, where, prop.value, use=True)
            if not named:
                folder = posixpath.normpath(posixpath.join(posixpath.dirname(path), default))
                for hit in directory_files(project, "" if folder == "." else folder):
                    yield Use(path, (hit,), 1, f"knex default {key} folder", True, default)


# --- Sequelize ---------------------------------------------------------------------------
def sequelize(project: Project) -> Iterator[Found]:
    configured = set()
    for path in project.named(".sequelizerc"):
        configured.add(posixpath.dirname(path))
        yield from _sequelizerc(project, path)
    for folder in package_folders(project, ("sequelize-cli",)):
        if folder not in configured:
            for key, default in SEQUELIZE_DEFAULTS.items():
                for hit in directory_files(project, _join(folder, default)):
                    yield Root(
                        hit, "convention", f"{hit}: sequelize-cli default {key} ({default}/)"
                    )
            yield from _models_index(project, _join(folder, "models"))


def _sequelizerc(project: Project, path: str) -> Iterator[Found]:
    parsed = js_file(project, path)
    if parsed is None:
        return
    folder = posixpath.dirname(path)
    seen = set()
    keys = {*SEQUELIZE_DEFAULTS, "models-path", "config"}
    for prop in parsed.properties(keys):
        seen.add(prop.key)
        where = Where(path, prop.line, f"sequelize-cli {prop.key}")
        if prop.key == "models-path":
            for value in leaves(prop.value):
                located = _located(value, folder)
                yield from _models_index(project, located) if located is not None else ()
        else:
            yield from expand(project, where, prop.value, use=False)
    for key in SEQUELIZE_DEFAULTS.keys() - seen:
        for hit in directory_files(project, _join(folder, SEQUELIZE_DEFAULTS[key])):
            yield Root(hit, "framework", f"{path}:1: sequelize-cli default {key}")
    if "models-path" not in seen:
        yield from _models_index(project, _join(folder, "models"))


def _located(value: object, folder: str) -> str | None:
    """A literal folder, from the `.sequelizerc` folder (sequelize-cli's working directory)."""
    if not isinstance(value, str):
        return None
    located = locate(value, folder)
    if located is None or UNKNOWN in located:
        return None
    return located if value.startswith(DIR) else _join(folder, located)


def _models_index(project: Project, models: str) -> Iterator[Use]:
    """`models/index.js` (as `sequelize init` writes it) requires every file in its folder."""
    for index in (f"{models}/index.js", f"{models}/index.ts"):
        text = project.text(index) if index in project.tracked else None
        if text is None or not READS_ITS_FOLDER.search(text):
            continue
        line = line_of(text, "readdirSync")
        for hit in directory_files(project, models):
            if hit != index:
                yield Use(
                    index, (hit,), line, "sequelize models folder", True, line_text(text, line)
                )


# --- Prisma ------------------------------------------------------------------------------
def prisma(project: Project) -> Iterator[Found]:
    for path in project.named("package.json"):
        data = project.load_json(path, warn=False)
        settings = data.get("prisma") if isinstance(data, dict) else None
        seed = settings.get("seed") if isinstance(settings, dict) else None
        if isinstance(seed, str):
            line = line_of(project.text(path) or "", '"seed"')
            for hit in _command_files(project, posixpath.dirname(path), seed):
                yield Root(hit, "framework", f"{path}:{line}: prisma.seed", production=False)
    for path in project.named("prisma.config.*"):
        parsed = js_file(project, path)
        for prop in parsed.properties({"seed"}) if parsed else ():
            for command in leaves(prop.value):
                if isinstance(command, str):
                    for hit in _command_files(project, posixpath.dirname(path), command):
                        text = line_text(parsed.text, prop.line) if parsed else ""
                        yield Use(path, (hit,), prop.line, "prisma seed command", True, text)


def _command_files(project: Project, folder: str, command: str) -> list[str]:
    """The tracked files a command runs, from `folder` (the first alternative that exists)."""
    found: list[str] = []
    for ref in command_refs(command):
        hit = next((p for alt in ref if (p := _join(folder, alt)) in project.tracked), None)
        found += [hit] if hit else []
    return found


def _join(folder: str, name: str) -> str:
    return posixpath.normpath(posixpath.join(folder, name)) if folder else posixpath.normpath(name)


PLUGINS = (
    Plugin(name="knex", docs=KNEX_DOCS, find=knex, enablers=("knex",), config=("knexfile.*",)),
    Plugin(
        name="sequelize",
        docs=SEQUELIZE_DOCS,
        find=sequelize,
        enablers=("sequelize-cli",),
        config=(".sequelizerc",),
    ),
    Plugin(
        name="prisma",
        docs=PRISMA_DOCS,
        find=prisma,
        enablers=("prisma", "@prisma/client"),
        config=("schema.prisma", "prisma.config.*"),
    ),
)
