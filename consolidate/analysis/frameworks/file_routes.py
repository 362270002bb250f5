"""File-based routing and auto-imported components of Vite and React apps: files a build
plugin or router loads because of where they sit, not because a module imports them.

An app is the folder of a package.json that depends on the package (the plugin is named in
its Vite config, whose options this reads no further: the default folders count).

- React Router 7 / Remix (https://reactrouter.com/start/framework/routing,
  https://remix.run/docs/en/main/file-conventions/routes): `app/root.*`, `app/routes.*`,
  `app/entry.client.*`, `app/entry.server.*` and every file of `app/routes/`.
- TanStack Router's plugin (https://tanstack.com/router/latest/docs/framework/react/routing/file-based-routing):
  every file of `src/routes/` but those whose name starts with `-` (ignored by the router).
- vite-plugin-pages and unplugin-vue-router / vue-router's data loaders
  (https://uvr.esm.is/guide/file-based-routing.html): every file of `src/pages/`.
- unplugin-vue-components and unplugin-auto-import (https://github.com/unplugin/unplugin-vue-components):
  `src/components/` used by tag name, `src/composables/` by function name, without an import:
  roots, but `review`, not `keep`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from consolidate.analysis.frameworks.base import Found, Plugin, Project, join
from consolidate.analysis.frameworks.jsvalues import package_folders
from consolidate.analysis.frameworks.sveltekit import code_under
from consolidate.analysis.uses import Root

REACT_ROUTER = ("@react-router/dev", "@remix-run/dev", "@remix-run/react")
APP_FILES = ("root", "routes", "entry.client", "entry.server")


def react_router(project: Project) -> Iterator[Found]:
    for app in package_folders(project, REACT_ROUTER):
        base = join(app, "app")
        for path in code_under(project, base):
            inside = path[len(base) + 1 :]
            stem = inside.rsplit(".", 1)[0]
            if inside.startswith("routes/") or ("/" not in inside and stem in APP_FILES):
                yield Root(path, "convention", f"{path}: React Router {stem.split('/')[0]}")


def tanstack(project: Project) -> Iterator[Found]:
    for app in package_folders(
        project, ("@tanstack/router-plugin", "@tanstack/router-vite-plugin")
    ):
        for path in code_under(project, join(app, "src/routes")):
            if not posixpath.basename(path).startswith("-"):
                yield Root(path, "convention", f"{path}: TanStack Router route")


def pages(project: Project) -> Iterator[Found]:
    for app in package_folders(project, ("vite-plugin-pages", "unplugin-vue-router")):
        for path in code_under(project, join(app, "src/pages")):
            yield Root(path, "convention", f"{path}: file-based route (src/pages)")


def auto_imports(project: Project) -> Iterator[Found]:
    folders = {
        "unplugin-vue-components": "src/components",
        "unplugin-auto-import": "src/composables",
    }
    for package, folder in folders.items():
        for app in package_folders(project, (package,)):
            for path in code_under(project, join(app, folder)):
                via = f"{path}: {package} imports {folder}/ by name"
                yield Root(path, "convention", via, production=False)


PLUGINS = (
    Plugin(
        "react-router",
        "https://reactrouter.com/start/framework/routing",
        react_router,
        enablers=REACT_ROUTER,
    ),
    Plugin(
        "tanstack-router",
        "https://tanstack.com/router/latest/docs/framework/react/routing/file-based-routing",
        tanstack,
        enablers=("@tanstack/router-plugin", "@tanstack/router-vite-plugin"),
    ),
    Plugin(
        "file-pages",
        "https://uvr.esm.is/guide/file-based-routing.html",
        pages,
        enablers=("vite-plugin-pages", "unplugin-vue-router"),
    ),
    Plugin(
        "auto-imports",
        "https://github.com/unplugin/unplugin-vue-components",
        auto_imports,
        enablers=("unplugin-vue-components", "unplugin-auto-import"),
    ),
)
