"""Celery: the task modules an app imports because its configuration names them.

Read statically with `ast`: `Celery(..., include=[...])`, `app.conf.update(include=...)`,
`app.conf.imports = ...`, `app.autodiscover_tasks(...)` (a list of packages, or Django's
installed apps), `app.config_from_object("proj.celeryconfig")` and the task lists and schedules
of that module. Each is a use from the file that says it to the task modules. `celery -A proj`
is read by the command scanners (`commands`); what they cannot know is that for a package
Celery also imports `proj.celery`, which becomes a framework root here.
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Iterator

from consolidate.analysis.frameworks import django, django_apps
from consolidate.analysis.frameworks.base import Found, Plugin, Project
from consolidate.analysis.frameworks.pymodules import (
    assigned,
    called,
    module_files,
    module_paths,
    strings,
    use,
)
from consolidate.analysis.uses import Root, Use
from consolidate.compose.projects import is_compose_name

DOCS = "https://docs.celeryq.dev/en/stable/"
HINTS = re.compile(r"Celery\(|autodiscover_tasks|config_from_object|\.conf\.\w+\s*[(=]")
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#imports and #include: modules
# the worker imports at start; CELERY_IMPORTS and CELERY_INCLUDE are the old (and Django
# namespace) names of the same settings.
TASK_LISTS = frozenset({"include", "imports", "CELERY_IMPORTS", "CELERY_INCLUDE"})
# `-A proj`, `--app=proj`, `"-A", "proj"` (exec form); not `proj.celery:app` (commands reads it)
APP_OPTION = re.compile(
    r"\bcelery\b.*?[\s\"'](?:-A|--app)['\"]?(?:=|,?\s*)['\"]?([A-Za-z_][\w.]*)(?![\w.:])"
)
SCRIPT = re.compile(
    r"(?!.*\.(?:md|rst|txt)$)(?:Procfile(?:\..+)?|.+\.(?:sh|bash)|(?:.+\.)?dockerfile(?:\..+)?)",
    re.I,
)


def find(project: Project) -> Iterator[Found]:
    needles = [b"Celery(", b"autodiscover_tasks", b"config_from_object", b".conf."]
    for path in project.holding(needles, (".py",)):
        if HINTS.search(project.text(path) or ""):
            tree = project.load_python(path)
            for node in ast.walk(tree) if tree else ():
                yield from _app_uses(project, path, node)
    yield from _app_option_roots(project)


def _app_uses(project: Project, path: str, node: ast.AST) -> Iterator[Found]:
    if isinstance(node, ast.Assign | ast.AugAssign):  # app.conf.include = [...]
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and _conf_attribute(target):
                kind, bare = f"celery conf.{target.attr}", target.attr in TASK_LISTS
                yield from _named(project, path, node.value, kind, bare)
    if not isinstance(node, ast.Call):
        return
    name = called(node)
    if name == "Celery":
        # https://docs.celeryq.dev/en/stable/reference/celery.html#celery.Celery: `include`
        for keyword in node.keywords:
            if keyword.arg in TASK_LISTS:
                kind = f"celery Celery({keyword.arg}=)"
                yield from _named(project, path, keyword.value, kind, True)
    elif name == "update" and _conf_attribute(node.func):
        for keyword in node.keywords:  # task lists, beat_schedule task names, routes
            kind, bare = f"celery conf.update({keyword.arg}=)", keyword.arg in TASK_LISTS
            yield from _named(project, path, keyword.value, kind, bare)
    elif name == "config_from_object":
        yield from _config_object(project, path, node)
    elif name == "autodiscover_tasks":
        yield from _autodiscover(project, path, node)


def _conf_attribute(node: ast.AST) -> bool:
    """`app.conf.include` (an attribute of `conf`) or `app.conf.update` (the call's function)."""
    if not isinstance(node, ast.Attribute):
        return False
    owner = node.value
    return isinstance(owner, ast.Attribute) and owner.attr == "conf"


def _named(
    project: Project, path: str, value: ast.AST | None, kind: str, bare: bool = False
) -> Iterator[Use]:
    """A use of each tracked module a dotted string in `value` names (`proj.tasks`, or the
    task `proj.tasks.add` of a beat schedule); `bare`: a task list, where a name without a
    dot (`tasks`) is a module too."""
    for text, line in strings(value):
        if "." in text or bare:
            yield from use(project, path, line, kind, module_paths(project, text, path))


# https://docs.celeryq.dev/en/stable/userguide/application.html#config-from-object : a module
# name (`proj.celeryconfig`, or `module:attribute` for a class); `django.conf:settings` is
# Django's settings, which the Django plugin reads.
def _config_object(project: Project, path: str, node: ast.Call) -> Iterator[Found]:
    first = node.args[0] if node.args else None
    named = next((text for text, _ in strings(first)), None) if first else None
    if named is None or named.startswith("django.conf"):
        return
    files = module_paths(project, named, path)
    yield from use(project, path, node.lineno, "celery config_from_object", files)
    for config in module_files(project, named, path):
        tree = project.load_python(config)
        for child in ast.walk(tree) if tree else ():
            for setting, value in assigned(child):
                bare = setting in TASK_LISTS
                yield from _named(project, config, value, f"celery {setting}", bare)


# https://docs.celeryq.dev/en/stable/reference/celery.html#celery.Celery.autodiscover_tasks :
# `packages` (a list, or a callable: Django's INSTALLED_APPS) searched for `related_name`
# ("tasks"); with no packages, Celery asks Django's app registry
# (https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html).
def _autodiscover(project: Project, path: str, node: ast.Call) -> Iterator[Found]:
    keywords = {k.arg: k.value for k in node.keywords if k.arg}
    packages = node.args[0] if node.args else keywords.get("packages")
    related = keywords.get("related_name", node.args[1] if len(node.args) > 1 else None)
    module = next((text for text, _ in strings(related)), "tasks") if related else "tasks"
    kind = f"celery autodiscover_tasks ({module})"
    if isinstance(packages, ast.List | ast.Tuple):
        for text, line in strings(packages):
            files = module_paths(project, f"{text}.{module}", path)
            yield from use(project, path, line, kind, files)
        return
    folders = _django_apps(project)
    for folder in folders:
        found = [f"{folder}/{module}.py", f"{folder}/{module}/__init__.py"]
        yield from use(project, path, node.lineno, kind, [f for f in found if f in project.tracked])
    if packages is not None and not folders:  # a value we cannot evaluate: any such module
        via = f"{path}:{node.lineno}: autodiscover_tasks of packages not known statically"
        for file in project.named(f"{module}.py"):
            yield Root(file, "framework", via, production=False)


def _django_apps(project: Project) -> list[str]:
    """The tracked package folders the Django settings modules install."""
    if not django.enabled(project):
        return []
    folders: list[str | None] = []
    for path in django.settings_modules(project, django.namings(project)):
        tree = project.load_python(path)
        for node in ast.walk(tree) if tree else ():
            apps = [value for name, value in assigned(node) if name.endswith("_APPS")]
            folders += [
                django_apps.app_folder(project, t, path) for v in apps for t, _ in strings(v)
            ]
    return list(dict.fromkeys(f for f in folders if f is not None))


# https://docs.celeryq.dev/en/stable/getting-started/next-steps.html#about-the-app-argument :
# `--app=proj` looks for the app in `proj`, then in the submodule `proj.celery`.
def _app_option_roots(project: Project) -> Iterator[Root]:
    for path in project.sorted:
        name = posixpath.basename(path)
        if is_compose_name(path):
            yield from _compose_app_roots(project, path)
        elif SCRIPT.fullmatch(name):
            production = not name.endswith((".sh", ".bash"))
            for number, line in enumerate((project.text(path) or "").splitlines(), 1):
                yield from _app_roots(project, path, number, line, None, production)


def _compose_app_roots(project: Project, path: str) -> Iterator[Root]:
    for service, spec, line in django.compose_services(project, path):
        for key in ("command", "entrypoint"):
            value = spec.get(key)
            command = " ".join(map(str, value)) if isinstance(value, list) else str(value or "")
            yield from _app_roots(project, path, line("celery"), command, service, True)


def _app_roots(
    project: Project, path: str, number: int, command: str, service: str | None, production: bool
) -> Iterator[Root]:
    for match in APP_OPTION.finditer(command):
        for package in module_files(project, match[1], path):
            submodule = posixpath.join(posixpath.dirname(package), "celery.py")
            if package.endswith("/__init__.py") and submodule in project.tracked:
                via = f"{path}:{number}: celery --app {match[1]} (Celery loads {match[1]}.celery)"
                yield Root(submodule, "framework", via, service, production)


PLUGINS = (
    Plugin("celery", DOCS, find, enablers=("celery",), config=("celery.py", "celeryconfig.py")),
)
