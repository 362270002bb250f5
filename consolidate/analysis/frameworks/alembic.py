"""Alembic: the migration environment a config names, and every revision in it.

https://alembic.sqlalchemy.org/en/latest/tutorial.html : `alembic.ini`'s `[alembic]` section
(or `[tool.alembic]` in pyproject.toml) gives `script_location`, the folder of `env.py`, which
Alembic runs for every command, and `version_locations` (default: `versions/` in it), every
`.py` file of which is a revision Alembic loads (in subfolders too with
`recursive_version_locations`). `%(here)s` is the config file's folder; a relative path is
relative to the folder Alembic starts in, taken to be the config's (then the repository
root); `package:path` names a folder inside a package. Flask-Migrate keeps `alembic.ini` in
the migration folder without `script_location`
(https://flask-migrate.readthedocs.io/en/latest/#command-reference): that folder is the one.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from consolidate.analysis.frameworks.base import Found, Plugin, Project, join
from consolidate.analysis.uses import Root

SEPARATORS = {"space": r"\s+", "newline": r"\n", ":": ":", ";": ";", "os": ":"}


@dataclass(frozen=True)
class Config:
    """One Alembic configuration, its values as written and the lines they are on."""

    path: str
    values: dict[str, tuple[str, int]]

    @property
    def folder(self) -> str:
        return posixpath.dirname(self.path)

    def get(self, key: str) -> str:
        """The value; `%(here)s` (the config's folder) becomes `.`, which locations are
        relative to."""
        return self.values.get(key, ("", 1))[0].replace("%(here)s", ".")

    def line(self, key: str) -> int:
        return self.values.get(key, ("", 1))[1]


def _ini_configs(project: Project) -> Iterator[Config]:
    for path in project.named("*.ini"):
        text = project.text(path) or ""
        if "[alembic]" not in text:
            continue
        parser = project.load_ini(path)
        if parser is None or not parser.has_section("alembic"):
            continue
        lines = _key_lines(text, "[alembic]")
        items = parser["alembic"].items()
        yield Config(path, {k: (v, lines.get(k, 1)) for k, v in items})


def _key_lines(text: str, header: str) -> dict[str, int]:
    """The line of each `key =` in the section that starts with `header`."""
    found: dict[str, int] = {}
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped == header
        elif inside and (match := re.match(r"([\w.-]+)\s*[=:]", stripped)):
            found.setdefault(match[1].lower(), number)
    return found


def _toml_configs(project: Project) -> Iterator[Config]:
    for path in project.named("pyproject.toml"):
        text = project.text(path) or ""
        if "[tool.alembic]" not in text:
            continue
        tool = project.load_toml(path).get("tool", {})
        table = tool.get("alembic") if isinstance(tool, dict) else None
        lines = _key_lines(text, "[tool.alembic]")
        values: dict[str, tuple[str, int]] = {}
        for key, value in table.items() if isinstance(table, dict) else []:
            written = " ".join(map(str, value)) if isinstance(value, list) else value
            written = str(written).lower() if isinstance(written, bool) else written
            if isinstance(written, str):
                values[key] = (written, lines.get(key, 1))
        yield Config(path, values)


def _locations(project: Project, config: Config, written: str) -> list[str]:
    """Repository folders a location may be: `package:path`, or a path relative to the
    config's folder or else the repository root."""
    package, colon, rest = written.partition(":")
    if colon and re.fullmatch(r"[A-Za-z_][\w.]*", package) and not rest.startswith(("/", "\\")):
        inits = project.module_files(package)
        return [join(posixpath.dirname(i), rest) for i in inits if i.endswith("__init__.py")]
    if written.startswith("/"):
        return []
    return list(dict.fromkeys([join(config.folder, written), join("", written)]))


def _script_location(project: Project, config: Config) -> str | None:
    """The folder holding env.py, or None (with a warning when a written one has none)."""
    written = config.get("script_location")
    if not written:
        own = join(config.folder, "env.py") if config.folder else "env.py"
        return config.folder if own in project.tracked else None
    for folder in _locations(project, config, written):
        if join(folder, "env.py") in project.tracked:
            return folder
    line = config.line("script_location")
    project.warn(config.path, line, f"script_location {written!r} holds no tracked env.py")
    return None


def _version_folders(project: Project, config: Config, script: str) -> list[str]:
    written = config.get("version_locations")
    if not written:
        return [join(script, "versions")]
    separator = config.get("path_separator") or config.get("version_path_separator") or "space"
    pattern = SEPARATORS.get(separator, re.escape(separator))
    parts = [p for p in re.split(pattern, written) if p.strip()]
    return [f for part in parts for f in _locations(project, config, part.strip())]


def find(project: Project) -> Iterator[Found]:
    for config in [*_ini_configs(project), *_toml_configs(project)]:
        script = _script_location(project, config)
        if script is None:
            continue
        key = "script_location" if config.get("script_location") else "migration folder"
        via = f"{config.path}:{config.line('script_location')}: {key}"
        yield Root(join(script, "env.py"), "framework", via)
        recursive = config.get("recursive_version_locations").lower() in ("true", "1", "yes")
        pattern = "**/*.py" if recursive else "*.py"
        versions_key = "version_locations" if config.get("version_locations") else key
        line = config.line("version_locations" if config.get("version_locations") else key)
        for folder in _version_folders(project, config, script):
            for path in project.glob(pattern, folder):
                yield Root(path, "framework", f"{config.path}:{line}: {versions_key}")


PLUGINS = (
    Plugin(
        name="alembic",
        docs="https://alembic.sqlalchemy.org/en/latest/tutorial.html",
        find=find,
        enablers=("alembic", "flask-migrate"),
        config=("alembic.ini",),
    ),
)
