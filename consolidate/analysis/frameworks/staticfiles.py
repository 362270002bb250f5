"""Static files: scripts a web framework serves from a `static/` folder, named by their path
below that folder.

Django's staticfiles app serves every app's `static/` folder under `STATIC_URL`, and a template
names a file by its path below that folder: `{% static "shop/js/cart.js" %}`; Jinja2
templates call `static("shop/js/cart.js")`. Flask serves an application's or a blueprint's
`static/` folder at `/static/`, named with `url_for("static", filename="js/app.js")`;
Starlette's and FastAPI's templates with `url_for("static", path="/js/app.js")`. A code file
under a `static/` folder that a template names so (or by its URL, `/static/js/app.js` or
`{{ STATIC_URL }}js/app.js`) is run by that page: a framework root from the template, which a
removal that deletes the template frees. Any template tag whose name holds `static` counts
(`{% versioned_static ... %}`, a project's own tag). Python and JavaScript that name such a
path in a string (a form's `Media`, a helper's argument) are the strings safety net's
uncertain uses (`strings.Names`, through `served_names`). What no template and no string
names stays an orphan: only a page outside the repository could load it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator

from consolidate.analysis.frameworks.base import CODE_SUFFIXES, Found, Plugin, Project
from consolidate.analysis.frameworks.node_html import NOT_PRODUCTION
from consolidate.analysis.frameworks.pymodules import assigned
from consolidate.analysis.pypaths import folder_value
from consolidate.analysis.uses import Root

DOCS = "https://docs.djangoproject.com/en/stable/howto/static-files/"
TEMPLATE_SUFFIXES = (".html", ".htm", ".jinja", ".jinja2", ".j2", ".djhtml")
_PATH = r"""([^"'\s{}%]+)"""
# https://docs.djangoproject.com/en/stable/ref/templates/builtins/#static ({% static %}),
# https://docs.djangoproject.com/en/stable/topics/templates/#django.template.backends.jinja2.Jinja2
# (`static()` in Jinja2), https://flask.palletsprojects.com/en/stable/quickstart/#static-files
# and https://flask.palletsprojects.com/en/stable/blueprints/#static-files (url_for, also a
# blueprint's "admin.static"), https://www.starlette.io/templates/ (url_for with path=).
_NAMED = re.compile(
    r"\{%-?\s*\w*static\w*\s+([\"'])" + _PATH + r"\1(?:[^%\n]*%\})?"
    r"|\bstatic\(\s*([\"'])" + _PATH + r"\3"
    r"|\burl_for\(\s*([\"'])[\w.]*static\5\s*,\s*(?:filename|path)\s*=\s*([\"'])" + _PATH + r"\6"
    r"|([\"'])/static/" + _PATH + r"\8"
    r"|\{\{\s*STATIC_URL\s*\}\}" + _PATH
)
_PATH_GROUPS = (2, 4, 7, 9, 10)  # the path of each alternative


def served_names(path: str) -> Iterator[str]:
    """The names a file under a `static/` folder is served by: its path below each `static`
    folder it is in (`shop/static/shop/js/cart.js` -> `shop/js/cart.js`)."""
    parts = path.split("/")
    for i, part in enumerate(parts[:-1]):
        if part == "static":
            yield "/".join(parts[i + 1 :])


def served_index(paths: Iterable[str]) -> dict[str, list[str]]:
    """Each name a code file under a `static/` folder is served by, to the files (in path
    order: several apps may serve the same name; any of them may be the one a page gets)."""
    index: dict[str, list[str]] = {}
    for path in sorted(paths):
        if "static/" in path and path.endswith(CODE_SUFFIXES):
            for name in served_names(path):
                index.setdefault(name, []).append(path)
    return index


def settings_dirs(project: Project) -> dict[str, list[str]]:
    """Django's `STATICFILES_DIRS`: folders served like an app's `static/`, by the paths below
    them (an entry `("prefix", folder)` under `prefix/`). Only folders the settings' path
    expressions evaluate to (`os.path.join(BASE_DIR, "assets")`, `BASE_DIR / "assets"`)."""
    index: dict[str, list[str]] = {}
    for path in project.holding([b"STATICFILES_DIRS"], (".py",)):  # the settings that set it
        text, tree = project.text(path) or "", project.load_python(path)
        starts = [0, *(i + 1 for i, c in enumerate(text) if c == "\n")]
        for node in ast.walk(tree) if tree else ():
            for name, value in assigned(node):
                if name == "STATICFILES_DIRS" and isinstance(value, ast.List | ast.Tuple):
                    for entry in value.elts:
                        _add_dir(project, index, path, text, starts, entry)
    return index


def _add_dir(
    project: Project,
    index: dict[str, list[str]],
    path: str,
    text: str,
    starts: list[int],
    entry: ast.expr,
) -> None:
    prefix = ""
    if isinstance(entry, ast.Tuple) and len(entry.elts) == 2:
        first = entry.elts[0]
        given = first.value if isinstance(first, ast.Constant) else None
        prefix = f"{given}/" if isinstance(given, str) else ""
        entry = entry.elts[1]
    before = starts[entry.lineno - 1] + entry.col_offset if entry.lineno <= len(starts) else 0
    folder = folder_value(path, text, entry, before)
    if folder is None or folder == "":
        return  # unknown, or the whole repository: that would say nothing
    for file in project.under(folder, CODE_SUFFIXES):
        index.setdefault(prefix + file[len(folder) + 1 :], []).append(file)


def find(project: Project) -> Iterator[Found]:
    index = served_index(project.tracked)
    if "django" in project.dependencies or project.named("manage.py"):
        for name, files in settings_dirs(project).items():
            index[name] = sorted({*index.get(name, []), *files})
    if not index:
        return
    templates = project.holding([b"static", b"STATIC_URL"], TEMPLATE_SUFFIXES)
    for template in templates:
        if "node_modules" in template.split("/"):
            continue
        text = project.text(template) or ""
        production = not NOT_PRODUCTION.intersection(template.split("/")[:-1])
        for match in _NAMED.finditer(text):
            written = next(match[i] for i in _PATH_GROUPS if match[i])
            name = written.split("?", 1)[0].split("#", 1)[0].lstrip("/")
            files = index.get(name, [])
            if files:
                line = text.count("\n", 0, match.start()) + 1
                via = f"{template}:{line}: {match[0].strip()[:120]}"
                yield from (Root(f, "framework", via, production=production) for f in files)


PLUGINS = (
    Plugin(
        "staticfiles",
        DOCS,
        find,
        enablers=("django", "flask", "jinja2", "starlette", "fastapi", "quart"),
        config=("manage.py", *(f"*{suffix}" for suffix in TEMPLATE_SUFFIXES)),
    ),
)
