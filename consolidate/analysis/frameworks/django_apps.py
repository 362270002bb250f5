"""Django's installed apps: the package an INSTALLED_APPS entry names (a package, a namespace
package, or an AppConfig), the modules Django imports from it by where they sit, those a
library or the project's own code imports from every app by name, and the language format
modules `FORMAT_MODULE_PATH` names. `django` reads the settings and asks here.
"""

from __future__ import annotations

import ast
import posixpath
import re
from bisect import bisect_left

from consolidate.analysis.frameworks.base import Project
from consolidate.analysis.frameworks.pymodules import (
    DOTTED,
    assigned,
    exact,
    import_folders,
    module_paths,
    strings,
)

# Modules a library imports from every installed app by their name, as the admin does with
# `admin.py`: https://docs.wagtail.org/en/stable/reference/hooks.html (wagtail_hooks.py),
# https://docs.django-cms.org/en/latest/how_to/09-custom_plugins.html (cms_plugins.py and the
# other cms_* modules), https://django-modeltranslation.readthedocs.io/en/latest/registration.html
# (translation.py), https://django-haystack.readthedocs.io/en/master/tutorial.html
# (search_indexes.py), https://django-elasticsearch-dsl.readthedocs.io/en/latest/quickstart.html
# (documents.py).
DISCOVERED = {
    "wagtail": ("wagtail_hooks",),
    "django-cms": ("cms_plugins", "cms_apps", "cms_toolbars", "cms_menus", "cms_wizards"),
    "django-modeltranslation": ("translation",),
    "django-haystack": ("search_indexes",),
    "django-elasticsearch-dsl": ("documents",),
}
# The repository's own code doing the same: Django's `autodiscover_modules("name")`, wagtail's
# `get_app_submodules("name")`.
DISCOVER_CALL = re.compile(r"\b(?:autodiscover_modules|get_app_submodules)\(\s*([\"'])(\w+)\1")
# Or by hand, a submodule of each app by a name known before the app's:
# `import_module(app.name + ".urls")`, `import_module(f"{app.name}.signals")`.
APP_SUBMODULE = re.compile(
    r"\bimport_module\(\s*(?:[fF]([\"'])\{[^{}\"'\n]+\}\.(\w+)\1|[\w.]+\s*\+\s*([\"'])\.(\w+)\3)\s*[,)]"
)


# --- installed apps ----------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/ref/applications/ : an entry is an app package
# (`polls`) or an AppConfig class (`polls.apps.PollsConfig`, whose `name` is the package);
# Django imports the package, its `apps` submodule and its `models` submodule.
def app_files(
    project: Project, entry: str, source: str, discovered: tuple[str, ...] = ()
) -> list[str]:
    folder = app_folder(project, entry, source)
    found = conventions(project, folder, discovered) if folder is not None else []
    return [*module_paths(project, entry, source), *found]


def app_folder(project: Project, entry: str, source: str = "") -> str | None:
    """The tracked package folder of an INSTALLED_APPS entry, or None."""
    package = _package(project, entry, source)
    if package is not None:
        return package
    module, _, cls = entry.rpartition(".")
    config = exact(project, module, source) if module and DOTTED.fullmatch(module) else []
    if not config:
        return None
    name = _config_name(project, config[0][0], cls)
    package = _package(project, name, source) if name else None
    return package if package is not None else posixpath.dirname(config[0][0]) or None


def _package(project: Project, name: str, source: str) -> str | None:
    found = exact(project, name, source) if DOTTED.fullmatch(name) else []
    inits = [module for module, _ in found if module.endswith("/__init__.py")]
    if inits:
        return posixpath.dirname(inits[0])
    return _namespace_package(project, name, source) if DOTTED.fullmatch(name) else None


def _namespace_package(project: Project, name: str, source: str) -> str | None:
    """A folder of Python files without `__init__.py` is a package too (PEP 420), and Django
    installs it as an app when it is in one place
    (https://docs.djangoproject.com/en/5.2/ref/applications/#django.apps.AppConfig.path)."""
    relative = name.replace(".", "/")
    for root in import_folders(project, source):
        folder = f"{root}/{relative}" if root else relative
        if any(posixpath.dirname(p) == folder for p in _python_under(project, folder)):
            return folder
    return None


def _config_name(project: Project, path: str, cls: str) -> str | None:
    """The `name` an AppConfig class sets: the app's package."""
    tree = project.load_python(path)
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef)] if tree else []
    body = next((c.body for c in classes if c.name == cls), [])
    names = [v for node in body for name, v in assigned(node) if name == "name"]
    return next((text for text, _ in strings(names[0])), None) if names else None


def conventions(project: Project, folder: str, discovered: tuple[str, ...] = ()) -> list[str]:
    """The modules Django imports from an installed app's package by where they sit, and those
    a library imports from every app (`discovered`: see `discovered_modules`)."""
    found = [f"{folder}/__init__.py", f"{folder}/apps.py"]
    # https://docs.djangoproject.com/en/5.2/ref/applications/#how-applications-are-loaded
    # https://docs.djangoproject.com/en/5.2/ref/contrib/admin/#discovery-of-admin-files
    for module in ("models", "admin", *discovered):
        found += [f"{folder}/{module}.py", f"{folder}/{module}/__init__.py"]
    # https://docs.djangoproject.com/en/5.2/topics/migrations/ : every module of the app's
    # `migrations` package (names starting with _ or ~ are skipped).
    found += _loaded_modules(project, f"{folder}/migrations", "_~")
    # https://docs.djangoproject.com/en/5.2/howto/custom-management-commands/ : each module
    # of management/commands whose name does not begin with an underscore is a command.
    found += [f"{folder}/management/__init__.py"]
    found += _loaded_modules(project, f"{folder}/management/commands", "_")
    # https://docs.djangoproject.com/en/5.2/howto/custom-template-tags/#code-layout : Django
    # imports every module of an installed app's `templatetags` package.
    found += _python_under(project, f"{folder}/templatetags")
    return [f for f in dict.fromkeys(found) if f in project.tracked]


def _loaded_modules(project: Project, package: str, skip: str) -> list[str]:
    """The package and its modules (not subpackages) whose names do not start with `skip`."""
    inside = (p for p in _python_under(project, package) if posixpath.dirname(p) == package)
    return [f"{package}/__init__.py", *(p for p in inside if p[len(package) + 1] not in skip)]


def _python_under(project: Project, folder: str) -> list[str]:
    """The .py files under `folder`: a range of the sorted paths, not a scan of them all."""
    paths, prefix = project.sorted, f"{folder}/"
    start = bisect_left(paths, prefix)
    end = bisect_left(paths, prefix[:-1] + chr(ord("/") + 1), start)
    return [p for p in paths[start:end] if p.endswith(".py")]


def format_modules(project: Project, package: str, source: str) -> list[str]:
    """`FORMAT_MODULE_PATH = "mysite.formats"`: Django imports `mysite.formats.<language>.formats`
    for the active language (https://docs.djangoproject.com/en/5.2/ref/settings/#format-module-path)."""
    folder = _package(project, package, source)
    if folder is None:
        return []
    found = module_paths(project, package, source)
    for path in _python_under(project, folder):
        language, _, name = path[len(folder) + 1 :].partition("/")
        if name in ("formats.py", "__init__.py") and "/" not in language:
            found.append(path)
    return found


def discovered_modules(project: Project) -> tuple[str, ...]:
    """The module names libraries the project depends on, or its own code, import from every
    installed app (DISCOVERED, DISCOVER_CALL, APP_SUBMODULE)."""
    names = [m for dep, ms in DISCOVERED.items() if dep in project.dependencies for m in ms]
    # `autodiscover_modules(` and `get_app_submodules(` both hold `modules(`: one search.
    for path in project.holding([b"modules("], (".py",)):
        names += [m[2] for m in DISCOVER_CALL.finditer(project.text(path) or "")]
    for path in project.holding([b"import_module("], (".py",)):
        names += [m[2] or m[4] for m in APP_SUBMODULE.finditer(project.text(path) or "")]
    return tuple(dict.fromkeys(n for n in names if n not in ("models", "admin")))
