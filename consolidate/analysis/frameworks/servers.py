"""Python services started outside a command line (`server_args` reads command lines):
gunicorn config files (`wsgi_app`), Flask's `.flaskenv` and `.env` (`FLASK_APP`), and
`uvicorn.run("main:app")` or `Granian("main:app")` in Python.
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Iterator, Sequence

from consolidate.analysis.frameworks.base import Found, Plugin, Project
from consolidate.analysis.frameworks.server_args import (
    folder_join,
)
from consolidate.analysis.uses import Root, Use

FLASK_APP_LINE = re.compile(r"^\s*(?:export\s+)?FLASK_APP\s*=\s*['\"]?([^'\"#\s]+)", re.MULTILINE)
GUNICORN_SETTINGS = ("wsgi_app", "chdir", "pythonpath")
RUNNERS = {"run": "uvicorn", "Config": "uvicorn", "Granian": "granian"}
# Text any of those calls has (`uvicorn.run`, `(uvicorn) . Config`, `Granian`): the cheap test
# before a file is parsed.
RUNNER_CALL = re.compile(r"uvicorn[\s\\)]*\.[\s\\]*(?:run|Config)\b|\bGranian\b")
APP_KEYWORDS = ("app", "target")
DIR_KEYWORDS = ("app_dir", "working_dir")


def app_files(project: Project, spec: str, bases: Sequence[str]) -> list[str]:
    """The tracked files importing application `spec` runs, started in one of `bases` (then
    from any import root): the module and the `__init__.py` of the packages it is in."""
    written = spec.strip().strip("'\"").split(":", 1)[0].strip()
    folder, _, name = written.rpartition("/")
    roots = ["" if r == "." else r for r in (folder_join(base, folder) for base in bases)]
    found = project.module_files(name.removesuffix(".py"), roots)
    if not found and not folder:
        found = project.module_files(name.removesuffix(".py"))
    return list(dict.fromkeys(f for module in found for f in _with_packages(project, module)))


def _with_packages(project: Project, module: str) -> list[str]:
    folder = posixpath.dirname(module)
    if module.endswith("/__init__.py"):
        folder = posixpath.dirname(folder)
    found = [module]
    while folder and f"{folder}/__init__.py" in project.tracked:
        found.append(f"{folder}/__init__.py")
        folder = posixpath.dirname(folder)
    return found


def _line(text: str, number: int) -> str:
    lines = text.splitlines()
    return lines[number - 1].strip()[:200] if 0 < number <= len(lines) else ""


def _gunicorn(project: Project) -> Iterator[Found]:
    """`gunicorn.conf.py` runs when gunicorn starts in its folder; a config file's
    `wsgi_app` names the application (https://docs.gunicorn.org/en/stable/settings.html)."""
    for path in project.named("gunicorn.conf.py"):
        yield Root(path, "convention", f"{path}: gunicorn reads it from the folder it starts in")
    for path in project.named("*gunicorn*.py"):
        settings = _assignments(project, path, GUNICORN_SETTINGS)
        if "wsgi_app" not in settings:
            continue
        line, app = settings["wsgi_app"]
        folder = posixpath.dirname(path)
        extra = [settings[k][1] for k in ("chdir", "pythonpath") if k in settings]
        bases = [*(folder_join(folder, d) for d in extra if not d.startswith("/")), folder]
        targets = app_files(project, app, bases)
        if targets:
            text = _line(project.text(path) or "", line)
            yield Use(path, tuple(targets), line, "gunicorn wsgi_app", True, text)


def _assignments(project: Project, path: str, names: Sequence[str]) -> dict[str, tuple[int, str]]:
    """Top-level `name = "string"` of a Python config file: {name: (line, value)}."""
    tree = project.load_python(path) if "wsgi_app" in (project.text(path) or "") else None
    found: dict[str, tuple[int, str]] = {}
    for node in tree.body if tree else []:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            value = node.value.value
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in names and isinstance(value, str):
                    found[target.id] = (node.lineno, value)
    return found


def _flask(project: Project) -> Iterator[Found]:
    """FLASK_APP in `.flaskenv` or `.env`, which the flask command loads from the folder it
    starts in (https://flask.palletsprojects.com/en/stable/cli/#environment-variables-from-dotenv)."""
    for path in [*project.named(".flaskenv"), *project.named(".env")]:
        text = project.text(path) or ""
        folder = posixpath.dirname(path)
        for match in FLASK_APP_LINE.finditer(text):
            line = text.count("\n", 0, match.start(1)) + 1
            via = f"{path}:{line}: FLASK_APP={match[1]}"
            for found in app_files(project, match[1], [folder]):
                yield Root(found, "framework", via)


def _runners(project: Project) -> Iterator[Found]:
    """`uvicorn.run("main:app")`, `uvicorn.Config(...)` and `Granian("main:app")` import the
    application by name, from the folders on sys.path: the script's own first.
    https://www.uvicorn.org/deployment/#running-programmatically"""
    for path in project.holding([b"uvicorn", b"Granian"], (".py",)):
        text = project.text(path) or ""
        if not RUNNER_CALL.search(text):
            continue  # a file that only imports or names uvicorn: not parsed
        tree = project.load_python(path)
        for node in ast.walk(tree) if tree else []:
            found = _runner_app(node)
            if found is None:
                continue
            app, folder = found
            here = posixpath.dirname(path)
            bases = [folder_join(here, folder), here] if folder else [here]
            targets = [t for t in app_files(project, app, bases) if t != path]
            if targets:
                line = getattr(node, "lineno", 1)
                yield Use(path, tuple(targets), line, "server run", True, _line(text, line))


def _runner_app(node: ast.AST) -> tuple[str, str] | None:
    """(application, folder) of a call that runs an application named by a string."""
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    owner = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
    if name not in RUNNERS or (RUNNERS[name] == "uvicorn" and owner != "uvicorn"):
        return None
    keywords = {k.arg: k.value for k in node.keywords if k.arg}
    first = (
        node.args[0]
        if node.args
        else next((keywords[k] for k in APP_KEYWORDS if k in keywords), None)
    )
    folder = next((keywords[k] for k in DIR_KEYWORDS if k in keywords), None)
    if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
        return None
    where = folder.value if isinstance(folder, ast.Constant) else ""
    return first.value, where if isinstance(where, str) else ""


PLUGINS = (
    Plugin(
        name="gunicorn",
        docs="https://docs.gunicorn.org/en/stable/settings.html",
        find=_gunicorn,
        enablers=("gunicorn",),
        config=("gunicorn.conf.py",),
    ),
    Plugin(
        name="flask",
        docs="https://flask.palletsprojects.com/en/stable/cli/",
        find=_flask,
        enablers=("flask",),
        config=(".flaskenv",),
    ),
    Plugin(
        name="asgi-runners",
        docs="https://www.uvicorn.org/deployment/#running-programmatically",
        find=_runners,
        enablers=("uvicorn", "granian"),
    ),
)
