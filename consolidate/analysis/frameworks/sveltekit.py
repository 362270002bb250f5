"""SvelteKit, Nuxt and Astro: the files these frameworks run because of where they sit, and
SvelteKit's `$lib` alias.

An app is the folder of a package.json that depends on the framework (or of its config file).

- SvelteKit (https://svelte.dev/docs/kit/project-structure, https://svelte.dev/docs/kit/routing):
  every `+`-file under `src/routes` (`+page.svelte`, `+page.server.ts`, `+layout.ts`,
  `+server.ts`, `+error.svelte`), `src/hooks.{server,client,}.*`, `src/params/*`,
  `src/service-worker.*`; `$lib/x` is `src/lib/x` (https://svelte.dev/docs/kit/$lib).
- Nuxt (https://nuxt.com/docs/guide/directory-structure): the aliases `~`, `@`, `~~`, `@@`;
  `app.vue`, `error.vue`, `app.config.*`,
  and every file of `pages/`, `layouts/`, `middleware/`, `plugins/`, `server/`; `components/`,
  `composables/` and `utils/` are imported by name, without an import statement
  (https://nuxt.com/docs/guide/concepts/auto-imports): roots too, but `review`, not `keep`.
  Nuxt 4 keeps them under `app/`, so both places count.
- Astro (https://docs.astro.build/en/basics/project-structure/): every file of `src/pages/`
  and `src/middleware.*`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from consolidate.analysis.frameworks.base import Found, Plugin, Project, join
from consolidate.analysis.frameworks.jsconfig import Str
from consolidate.analysis.frameworks.jsfiles import Alias, Files, alias_uses
from consolidate.analysis.frameworks.jsvalues import package_folders
from consolidate.analysis.tsimports import SFC_SUFFIXES, TS_SUFFIXES
from consolidate.analysis.uses import Root

CODE = (*TS_SUFFIXES, *SFC_SUFFIXES, ".mdx")  # what a front-end framework loads
KIT_TOP = re.compile(r"hooks(?:\.server|\.client)?|service-worker")
NUXT_FILES = ("app", "error", "app.config")
NUXT_RUN = ("pages", "layouts", "middleware", "plugins", "server")
NUXT_NAMED = ("components", "composables", "utils")


def _apps(project: Project, package: str, configs: str) -> list[str]:
    found = package_folders(project, (package,))
    found += [posixpath.dirname(p) for p in project.named(configs)]
    return list(dict.fromkeys(found))


def code_under(project: Project, folder: str) -> list[str]:
    """The code files under `folder` a front-end framework may load (no type declarations)."""
    return [p for p in project.under(folder, CODE) if not p.endswith(".d.ts")]


def sveltekit(project: Project) -> Iterator[Found]:
    files = Files(project)
    for app in _apps(project, "@sveltejs/kit", "svelte.config.*"):
        src = join(app, "src")
        for path in code_under(project, join(src, "routes")):
            if posixpath.basename(path).startswith("+"):
                yield Root(path, "convention", f"{path}: SvelteKit route file")
        for path in code_under(project, src):
            inside = path[len(src) + 1 :]
            stem = inside.split("/")[0].split(".")[0]
            if KIT_TOP.fullmatch(stem) or inside.startswith("params/"):
                yield Root(path, "convention", f"{path}: SvelteKit {stem}")
        lib = Str(join(src, "lib"), 0, anchored=True)
        yield from alias_uses(files, app, [Alias(f"{app}/package.json", "$lib", (lib,))], app)


def nuxt(project: Project) -> Iterator[Found]:
    files = Files(project)
    for app in _apps(project, "nuxt", "nuxt.config.*"):
        yield from alias_uses(files, app, _nuxt_aliases(project, app), app)
        for base in (app, join(app, "app")):
            for path in project.under(base, CODE):
                name = posixpath.basename(path).rsplit(".", 1)[0]
                if posixpath.dirname(path) == base and name in NUXT_FILES:
                    yield Root(path, "convention", f"{path}: Nuxt {name}")
            for folder in NUXT_RUN:
                for path in code_under(project, join(base, folder)):
                    yield Root(path, "convention", f"{path}: Nuxt {folder}/")
            for folder in NUXT_NAMED:
                for path in code_under(project, join(base, folder)):
                    via = f"{path}: Nuxt auto-imports {folder}/ by name"
                    yield Root(path, "convention", via, production=False)


def _nuxt_aliases(project: Project, app: str) -> list[Alias]:
    """`~`/`@` are the source folder (`app/` in Nuxt 4 when it exists), `~~`/`@@` the root
    (https://nuxt.com/docs/api/nuxt-config#alias)."""
    nuxt4 = any(True for _ in project.under(join(app, "app"), CODE))
    src = Str(join(app, "app") if nuxt4 else (app or "."), 0, anchored=True)
    root = Str(app or ".", 0, anchored=True)
    config = f"{app}/package.json" if app else "package.json"
    found = [Alias(config, key, (root,)) for key in ("~~", "@@")]
    return found + [Alias(config, key, (src,)) for key in ("~", "@")]


def astro(project: Project) -> Iterator[Found]:
    for app in _apps(project, "astro", "astro.config.*"):
        src = join(app, "src")
        for path in code_under(project, join(src, "pages")):
            yield Root(path, "convention", f"{path}: Astro page")
        for path in code_under(project, src):
            if path[len(src) + 1 :].split(".")[0] == "middleware":
                yield Root(path, "convention", f"{path}: Astro middleware")


PLUGINS = (
    Plugin(
        "sveltekit",
        "https://svelte.dev/docs/kit/project-structure",
        sveltekit,
        enablers=("@sveltejs/kit",),
        config=("svelte.config.*",),
    ),
    Plugin(
        "nuxt",
        "https://nuxt.com/docs/guide/directory-structure",
        nuxt,
        enablers=("nuxt",),
        config=("nuxt.config.*",),
    ),
    Plugin(
        "astro",
        "https://docs.astro.build/en/basics/project-structure/",
        astro,
        enablers=("astro",),
        config=("astro.config.*",),
    ),
)
