"""TypeORM: entities, migrations and subscribers loaded by glob from a data source's options.

`new DataSource({...})`, `createConnection({...})` and `TypeOrmModule.forRoot({...})` take
`entities`, `migrations` and `subscribers`: classes (imports, which the import scanner sees) or
globs such as `__dirname + '/migrations/*{.ts,.js}'` or `'dist/migrations/*.js'`. Each tracked
file a glob matches is a `Use` from the file that holds the options, at that line, so the chain
runs through the data source. A glob under a build folder (`dist/`) also matches the sources
it is compiled from (`src/`, or the project root), `.js` also `.ts`. A relative glob starts in
the package's folder (TypeORM resolves it against the working directory). Configs that are not
code (`ormconfig.json`, `ormconfig.yml`, `TYPEORM_MIGRATIONS=` in `.env`) make the files they
match framework roots. A glob that matches nothing is a warning; one that cannot be evaluated
makes every code file where it starts `uncertain`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from consolidate.analysis.frameworks.base import (
    CODE_SUFFIXES,
    JS_LOADABLE,
    Found,
    Plugin,
    Project,
    join,
)
from consolidate.analysis.frameworks.jsvalues import (
    DIR,
    UNKNOWN,
    JsFile,
    Opaque,
    Value,
    leaves,
    line_of,
    line_text,
    package_folder,
)
from consolidate.analysis.uses import Root, Use

# Data source options entities, subscribers, migrations ("directories support glob patterns"):
# https://typeorm.io/docs/data-source/data-source-options ; migrations by glob:
# https://typeorm.io/docs/migrations/setup ; ormconfig.{json,js,ts,yml,env} near package.json
# and TYPEORM_* variables (TypeORM 0.2):
# https://github.com/typeorm/typeorm/blob/0.2.x/docs/using-ormconfig.md
DOCS = "https://typeorm.io/docs/data-source/data-source-options"
KEYS = ("entities", "migrations", "subscribers")
ENV_KEYS = {f"TYPEORM_{k.upper()}": k for k in KEYS}
HINT = re.compile(
    r"typeorm|TypeOrm|DataSource|createConnection|ormconfig"
    r"|\btype\s*:\s*['\"](?:postgres|mysql|mariadb|sqlite|better-sqlite3|mssql|oracle"
    r"|cockroachdb|mongodb|sqljs|sap|spanner|capacitor|expo|aurora-\w+)['\"]"
)
BUILD_DIRS = ("dist", "build", "out", "lib")
JS_SUFFIXES = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts")
# A config names files under one of KEYS: a file without any of them is skipped before the
# (slower) HINT expression runs.
NEEDLES = tuple(key.encode() for key in KEYS)


@dataclass(frozen=True)
class Where:
    """A config file, its line, and what it names there (`typeorm migrations glob`)."""

    config: str
    line: int
    what: str
    text: str = ""

    @property
    def via(self) -> str:
        return f"{self.config}:{self.line}: {self.what}"


def find(project: Project) -> Iterator[Found]:
    configs = project.holding(NEEDLES, JS_SUFFIXES) + project.named("ormconfig.*")
    for path in sorted(set(configs)):
        name = posixpath.basename(path)
        if path.endswith(JS_SUFFIXES) and not path.endswith(".d.ts"):
            text = project.text(path) or ""
            if name.startswith("ormconfig.") or HINT.search(text):
                yield from _code_config(project, JsFile(path, text))
    for path in project.named("ormconfig.*") + project.named(".env*"):
        name = posixpath.basename(path)
        if name in ("ormconfig.json", "ormconfig.yml", "ormconfig.yaml"):
            yield from _data_config(project, path)
        elif name == "ormconfig.env" or name == ".env" or name.startswith(".env."):
            yield from _env_config(project, path)
    for path in project.named("ormconfig.*"):
        if path.endswith(JS_SUFFIXES):
            yield Root(path, "convention", f"{path}: TypeORM 0.2 reads ormconfig by name")


def _code_config(project: Project, parsed: JsFile) -> Iterator[Found]:
    text = parsed.text
    for prop in parsed.properties(KEYS):
        where = Where(
            parsed.path, prop.line, f"typeorm {prop.key} glob", line_text(text, prop.line)
        )
        yield from expand(project, where, prop.value, use=True)


def _data_config(project: Project, path: str) -> Iterator[Found]:
    data = project.load_json(path) if path.endswith(".json") else project.load_yaml(path)
    text = project.text(path) or ""
    connections = data if isinstance(data, list) else [data]
    if isinstance(data, dict) and not set(KEYS) & set(data):  # ormconfig.yml: {name: options}
        connections = list(data.values())
    for options in connections:
        for key in KEYS if isinstance(options, dict) else ():
            values = options.get(key)
            globs = (
                tuple(v for v in values if isinstance(v, str)) if isinstance(values, list) else ()
            )
            if globs:
                line = line_of(text, key)
                yield from expand(
                    project, Where(path, line, f"typeorm {key} glob"), globs, use=False
                )


def _env_config(project: Project, path: str) -> Iterator[Found]:
    for number, raw in enumerate((project.text(path) or "").splitlines(), start=1):
        name, _, value = raw.strip().removeprefix("export ").partition("=")
        key = ENV_KEYS.get(name.strip())
        if key and value.strip():
            globs = tuple(g.strip() for g in value.strip().strip("'\"").split(",") if g.strip())
            where = Where(path, number, f"{name.strip()} (typeorm {key} glob)")
            yield from expand(project, where, globs, use=False)


def expand(project: Project, where: Where, value: Value, *, use: bool) -> Iterator[Found]:
    """The files each path or glob in `value` names: `Use`s from a code config, roots from
    another; uncertain roots where a part cannot be evaluated; a warning for no match."""
    for leaf in leaves(value):
        if isinstance(leaf, Opaque):
            continue  # a class: an import the scanner already follows
        hits, unknown = matches(project, where.config, leaf)
        if unknown is not None:
            folder = unknown or "the repository root"
            message = f"{where.what} cannot be evaluated: everything under {folder} may be loaded"
            project.warn(where.config, where.line, message)
            yield from project.uncertain(unknown, f"{where.via} (not evaluated)", JS_LOADABLE)
        elif not hits:
            shown = leaf.replace(DIR, "__dirname")
            project.warn(
                where.config, where.line, f"{where.what} {shown!r} matches no tracked file"
            )
        for hit in hits:
            if use:
                yield Use(where.config, (hit,), where.line, where.what, True, where.text)
            else:
                yield Root(hit, "framework", where.via)


def matches(project: Project, config: str, value: str) -> tuple[list[str], str | None]:
    """(tracked files, None), or ([], the folder to call uncertain) when a part is unknown."""
    cwd = package_folder(project, config)
    located = locate(value, posixpath.dirname(config))
    if located is None:
        return [], None
    bases = [""] if value.startswith(DIR) else list(dict.fromkeys((cwd, posixpath.dirname(config))))
    if UNKNOWN in located:
        if located.startswith(UNKNOWN) and not value.startswith(DIR):
            return [], cwd  # a bare variable: the glob starts where the package runs
        return [], known_prefix(join(bases[0], located))
    for base in bases:
        hits = [h for pattern in variants(join(base, located)) for h in _files(project, pattern)]
        if hits:
            return list(dict.fromkeys(hits)), None
    return [], None


def variants(pattern: str) -> list[str]:
    """`dist/migrations/*.js` may mean the sources `src/migrations/*.ts`, `migrations/*.ts`."""
    parts = pattern.split("/")
    found = [pattern]
    for i, part in enumerate(parts):
        if part in BUILD_DIRS:
            found += [
                "/".join([*parts[:i], "src", *parts[i + 1 :]]),
                "/".join(parts[:i] + parts[i + 1 :]),
            ]
            break
    found += [re.sub(r"\.([mc]?)js\b", r".\1ts", p) for p in found]
    return list(dict.fromkeys(found))


def _files(project: Project, pattern: str) -> list[str]:
    """A glob's matches; a plain path is that file, or the code files right inside that folder."""
    if any(c in pattern for c in "*?{"):
        return project.glob(pattern)
    if pattern in project.tracked:
        return [pattern]
    return directory_files(project, pattern)


def directory_files(
    project: Project, folder: str, suffixes: Iterable[str] = CODE_SUFFIXES
) -> list[str]:
    """Code files directly inside `folder` (migration tools read one folder, not a tree)."""
    depth = folder.count("/") + 1 if folder else 0
    return [
        p
        for p in project.under(folder, tuple(suffixes))
        if p.count("/") == depth and not p.endswith(".d.ts")
    ]


def locate(text: str, folder: str) -> str | None:
    """A value as a repository path: `DIR` is `folder`; None for an absolute path elsewhere or
    one that climbs out of the repository. The result may still hold `UNKNOWN`."""
    if text.startswith(DIR):
        text = (folder or ".") + text[1:]
    elif text.startswith("/"):
        return None
    normal = posixpath.normpath(text.replace(DIR, "."))
    if normal == ".." or normal.startswith("../"):
        return None
    return "" if normal == "." else normal


def known_prefix(path: str) -> str:
    """The folder a path with an `UNKNOWN` part starts in (`src/db/<?>/x` -> `src/db`)."""
    head = path.split(UNKNOWN, 1)[0]
    return head.rsplit("/", 1)[0] if "/" in head else ""


PLUGINS = (
    Plugin(
        name="typeorm",
        docs=DOCS,
        find=find,
        enablers=("typeorm", "@nestjs/typeorm"),
        config=("ormconfig.*",),
    ),
)
