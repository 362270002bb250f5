"""Django, read with `ast` (never imported): what names the settings module (`manage.py`,
`wsgi.py`, a compose service's environment, pytest's ini) uses or runs it; the settings module
uses every tracked module one of its strings names (ROOT_URLCONF, MIDDLEWARE, a logging handler
class...) and, for each installed app, the modules Django imports from it by convention;
`include("app.urls")` in a URLconf uses that URLconf.
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML

from consolidate.analysis.frameworks.base import Found, Plugin, Project
from consolidate.analysis.frameworks.django_apps import (
    app_files,
    discovered_modules,
    format_modules,
)
from consolidate.analysis.frameworks.pymodules import (
    DOTTED,
    assigned,
    called,
    module_files,
    module_paths,
    strings,
    use,
)
from consolidate.analysis.uses import Root, Use
from consolidate.compose.projects import is_compose_name

DOCS = "https://docs.djangoproject.com/en/5.2/"
VARIABLE = "DJANGO_SETTINGS_MODULE"
QUOTED = re.compile(r"[\"'](" + DOTTED.pattern + r")[\"']")
# A module that sets one of these is a settings module even when nothing names it: split
# settings (`settings/base.py`, read by `from .base import *` in the one that is named).
SETTINGS_LIKE = re.compile(r"^(?:\w*_APPS|MIDDLEWARE|ROOT_URLCONF)\s*\+?=", re.MULTILINE)
INSTALLED = re.compile(r"^INSTALLED_APPS\s*(?::[^=\n]*)?=", re.MULTILINE)
# `DJANGO_SETTINGS_MODULE=x`, `: x`, `ENV DJANGO_SETTINGS_MODULE x`, and pytest-django's `--ds=x`.
ASSIGNED = re.compile(
    r"(?<![\w${])DJANGO_SETTINGS_MODULE['\"]?(?:\s*[=:]\s*|[ \t]+)['\"]?(" + DOTTED.pattern + ")"
)
DS_OPTION = re.compile(r"--ds[= ]['\"]?(" + DOTTED.pattern + ")")
PYTEST_CONFIGS = ("pytest.ini", "setup.cfg", "tox.ini", "pyproject.toml")
ENV_FILE = re.compile(r"(?:^|/)\.env[^/]*(?:/.*)?$|\.env$")  # .env, .env.prod, .envs/.production/x
DOCKERFILE = re.compile(r"(?!.*\.(?:md|rst|txt)$)(?:.+\.)?dockerfile(?:\.[\w-]+)?", re.I)
HANDLER = re.compile(r"handler(?:400|403|404|500)")
CODE_HINT = re.compile(r"^(?:handler\d{3}|default_app_config)\s*=", re.MULTILINE)


# --- which module is the settings module ---------------------------------------------------
# https://docs.djangoproject.com/en/5.2/topics/settings/#designating-the-settings
# pytest-django: https://pytest-django.readthedocs.io/en/latest/configuring_django.html
@dataclass(frozen=True)
class Naming:
    """One place that names the settings module."""

    file: str
    line: int
    value: str  # the dotted name
    via: str | None = None  # a config: how it runs the module; None: Python code imports it
    service: str | None = None
    production: bool = True

    def found(self, project: Project) -> list[Found]:
        files = module_paths(project, self.value, self.file)
        if self.via is None:
            return list(use(project, self.file, self.line, "django settings", files))
        return [Root(f, "framework", self.via, self.service, self.production) for f in files]


def namings(project: Project) -> list[Naming]:
    return [*_python_names(project), *_config_names(project)]


def _python_names(project: Project) -> Iterator[Naming]:
    """`os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")` and the like, in
    manage.py, wsgi.py, asgi.py, celery.py or any module: a use of the settings module."""
    for path in project.holding([VARIABLE.encode()], (".py",)):
        tree = project.load_python(path)
        for node in ast.walk(tree) if tree else ():
            value = _named_value(node)
            if value:
                yield Naming(path, getattr(node, "lineno", 1), value)


def _named_value(node: ast.AST) -> str | None:
    pairs: list[tuple[ast.AST | None, ast.AST]] = []
    if isinstance(node, ast.Call):  # setdefault(VAR, x), get(VAR, x), dict(VAR=x)
        pairs += [(node.args[0], node.args[1])] if len(node.args) > 1 else []
        pairs += [(ast.Constant(k.arg), k.value) for k in node.keywords if k.arg]
    if isinstance(node, ast.Assign):  # os.environ[VAR] = x
        subscripts = [t for t in node.targets if isinstance(t, ast.Subscript)]
        pairs += [(t.slice, node.value) for t in subscripts]
    if isinstance(node, ast.Dict):
        pairs += list(zip(node.keys, node.values, strict=True))
    values = [v for k, v in pairs if isinstance(k, ast.Constant) and k.value == VARIABLE]
    return next((v for v, _ in strings(values[0])), None) if values else None


def _config_names(project: Project) -> Iterator[Naming]:
    """The settings module a compose service, an env file, a Dockerfile or pytest's
    configuration names runs with whatever reads that configuration."""
    # Each reader below looks for the variable (or pytest-django's --ds).
    for path in project.holding([VARIABLE.encode(), b"--ds"]):
        name = posixpath.basename(path)
        if is_compose_name(path):
            yield from _compose_names(project, path)
        elif ENV_FILE.search(path) or DOCKERFILE.fullmatch(name):
            production = "test" not in path.lower() and "example" not in path.lower()
            yield from _line_names(project, path, production, "")
        elif name in PYTEST_CONFIGS:
            yield from _line_names(project, path, False, " (pytest-django)")


def _line_names(project: Project, path: str, production: bool, note: str) -> Iterator[Naming]:
    for number, line in enumerate((project.text(path) or "").splitlines(), 1):
        for match in [*ASSIGNED.finditer(line), *DS_OPTION.finditer(line)]:
            via = f"{path}:{number}: {VARIABLE} {match[1]}{note}"
            yield Naming(path, number, match[1], via, production=production)


def _compose_names(project: Project, path: str) -> Iterator[Naming]:
    """Per service, so that removing the service frees what only it names."""
    for service, spec, line in compose_services(project, path):
        value = _environment(spec.get("environment"))
        if value and DOTTED.fullmatch(value):
            number = line(VARIABLE)
            via = f"{path}:{number}: service {service} environment {VARIABLE}={value}"
            yield Naming(path, number, value, via, service=service)


def compose_services(
    project: Project, path: str
) -> Iterator[tuple[str, dict[str, Any], Callable[[str], int]]]:
    """(service, its spec, the line of a text in it) for each service of a compose file."""
    text = project.text(path) or ""
    try:
        data = YAML(typ="safe", pure=True).load(text)
    except Exception:  # as compose_facts: a file compose cannot run runs nothing
        return
    services = data.get("services") if isinstance(data, dict) else None
    lines = text.splitlines()
    for service, spec in services.items() if isinstance(services, dict) else ():
        start = re.compile(rf"\s+{re.escape(str(service))}\s*:")
        begin = next((i for i, line in enumerate(lines) if start.match(line)), 0)

        def line(needle: str, begin: int = begin) -> int:
            found = (i for i, text in enumerate(lines) if i >= begin and needle in text)
            return next(found, begin) + 1

        yield str(service), spec if isinstance(spec, dict) else {}, line


def _environment(env: object) -> str | None:
    """The value of DJANGO_SETTINGS_MODULE in a map or a list of `KEY=value`."""
    pairs = [str(i).partition("=")[::2] for i in env] if isinstance(env, list) else []
    value = env.get(VARIABLE) if isinstance(env, dict) else dict(pairs).get(VARIABLE)
    return value.strip() if isinstance(value, str) else None


# --- what a settings module names --------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/ref/settings/ : ROOT_URLCONF, WSGI_APPLICATION,
# ASGI_APPLICATION, MIDDLEWARE, AUTHENTICATION_BACKENDS, TEMPLATES context_processors,
# DATABASE_ROUTERS... are dotted paths Django imports; so are third-party settings
# (REST_FRAMEWORK classes, LOGGING handler classes, CELERY_IMPORTS): any string of a setting
# that names a tracked module is a use of it.
def settings_modules(project: Project, named: Iterable[Naming]) -> list[str]:
    """The modules named as settings, and those that set INSTALLED_APPS, MIDDLEWARE or
    ROOT_URLCONF (the base of split settings)."""
    files = {f for n in named for f in module_files(project, n.value, n.file)}
    words = (b"_APPS", b"MIDDLEWARE", b"ROOT_URLCONF")  # cheaper than the expression, first
    hinted = project.holding(words, (".py",))
    like = {p for p in hinted if SETTINGS_LIKE.search(project.text(p) or "")}
    return sorted(files | like)


def _settings_uses(
    project: Project, path: str, discovered: tuple[str, ...] = ()
) -> Iterator[Found]:
    tree = project.load_python(path)
    if tree is None:
        yield from _unparsed(project, path)
        return
    for node in ast.walk(tree):
        for setting, value in assigned(node):
            for text, line in strings(value) if setting.isupper() else ():
                if setting.endswith("_APPS"):  # INSTALLED_APPS, or LOCAL_APPS added to it
                    files = app_files(project, text, path, discovered)
                    kind = "django INSTALLED_APPS"
                elif setting == "FORMAT_MODULE_PATH":
                    files, kind = format_modules(project, text, path), f"django {setting}"
                else:
                    files = module_paths(project, text, path) if "." in text else []
                    kind = f"django {setting}"
                yield from use(project, path, line, kind, files)


def _unparsed(project: Project, path: str) -> Iterator[Root]:
    """A settings module that does not parse (load_python warned): every package it names in
    a string may be an installed app, so what is in it is `review`, never `remove`."""
    seen: set[str] = set()
    for number, line in enumerate((project.text(path) or "").splitlines(), 1):
        for match in QUOTED.finditer(line):
            for file in module_files(project, match[1], path):
                folder = posixpath.dirname(file)
                via = f"{path}:{number}: settings do not parse; they name {match[1]}"
                if not folder:  # a top-level module: that file alone
                    yield Root(file, "framework", via, production=False)
                elif folder not in seen:
                    seen.add(folder)
                    yield from project.uncertain(folder, via)


# --- strings in code ----------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/topics/http/urls/#including-other-urlconfs :
# `include("polls.urls")` imports that URLconf; `handler404 = "app.views.not_found"` its view.
# https://docs.djangoproject.com/en/3.2/ref/applications/#configuring-applications :
# `default_app_config = "polls.apps.PollsConfig"` in an app's __init__.py (before 4.1).
def _code_uses(project: Project) -> Iterator[Use]:
    for path in project.holding([b"handler", b"default_app_config", b"include("], (".py",)):
        text = project.text(path) or ""
        hinted = ("handler" in text or "default_app_config" in text) and CODE_HINT.search(text)
        if not (hinted or ("include(" in text and "django" in text)):
            continue
        tree = project.load_python(path)
        for node in ast.walk(tree) if tree else ():
            named = _included(node) or _named_in_code(node)
            files = module_paths(project, named, path) if named else []
            yield from use(project, path, getattr(node, "lineno", 1), "django", files)


def _included(node: ast.AST) -> str | None:
    """`include("polls.urls")`, `include(("polls.urls", "polls"))`."""
    if not isinstance(node, ast.Call) or not node.args or called(node) != "include":
        return None
    first = node.args[0]
    first = first.elts[0] if isinstance(first, ast.Tuple) and first.elts else first
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def _named_in_code(node: ast.AST) -> str | None:
    values = [v for n, v in assigned(node) if HANDLER.fullmatch(n) or n == "default_app_config"]
    return next((text for text, _ in strings(values[0])), None) if values else None


def enabled(project: Project) -> bool:
    """A dependency on Django, or a manage.py that names a settings module."""
    names = (VARIABLE in (project.text(p) or "") for p in project.named("manage.py"))
    return "django" in project.dependencies or any(names)


def find(project: Project) -> Iterator[Found]:
    if not enabled(project):
        return
    named = namings(project)
    yield from (found for naming in named for found in naming.found(project))
    discovered = discovered_modules(project)
    for path in settings_modules(project, named):
        yield from _settings_uses(project, path, discovered)
    yield from _settings_made_elsewhere(project, named)
    yield from _code_uses(project)


def _settings_made_elsewhere(project: Project, named: list[Naming]) -> Iterator[Root]:
    """When DJANGO_SETTINGS_MODULE names no tracked module (the settings are written at
    install time, `from project.settings_global import *`), the modules that set
    INSTALLED_APPS are what those settings read: roots, `review` rather than `keep`."""
    if any(module_files(project, n.value, n.file) for n in named):
        return
    names = ", ".join(sorted({n.value for n in named}))
    why = f"the settings module {names} is not tracked" if names else "no settings module is named"
    for path in project.holding([b"INSTALLED_APPS"], (".py",)):
        if INSTALLED.search(project.text(path) or ""):
            via = f"{path}: sets INSTALLED_APPS and {why}"
            yield Root(path, "framework", via, production=False)


PLUGINS = (Plugin("django", DOCS, find, enablers=("django",), config=("manage.py",)),)
