"""Single-file components and the frameworks that load files by where they sit, through the
real CLI: a `.vue`, `.svelte` or `.astro` file's imports keep what they import (the worst
mistake would be to delete a module only a component imports), SvelteKit's routes and `$lib`,
Nuxt's directories and aliases, Astro's pages, and a Vite glob from the project root."""

from __future__ import annotations

import json

from repo_support import RepoFactory, cli_json
from repo_support import orphan_paths as orphans
from repo_support import verdicts as investigate

VUE = {
    "web/package.json": json.dumps({"dependencies": {"vue": "3.5.22"}, "devDependencies": {"vite": "7.1.4"}}),
    "web/index.html": '<div id="app"></div>\n<script type="module" src="/src/main.ts"></script>\n',
    "web/src/main.ts": "import { createApp } from 'vue'\nimport App from './App.vue'\n\ncreateApp(App).mount('#app')\n",
    "web/src/App.vue": (
        '<script setup lang="ts">\nimport { price } from "./lib/format"\n'
        'import Chart from "./components/Chart.vue"\n</script>\n\n'
        "<template><Chart :label=\"price(3)\" /></template>\n"
    ),
    "web/src/lib/format.ts": "export const price = (n: number) => `$${n}`\n",
    "web/src/components/Chart.vue": (
        "<script>\nimport { palette } from '../lib/colors'\nexport default { data: () => ({ palette }) }\n"
        "</script>\n<template><canvas /></template>\n"
    ),
    "web/src/lib/colors.ts": "export const palette = ['#000']\n",
    "web/src/components/Unused.vue": "<template><p>old</p></template>\n",
    "web/src/lib/dead.ts": "export const dead = 1\n",
}  # fmt: skip


def test_component_imports_keep_what_they_import(make_repo: RepoFactory) -> None:
    repo = make_repo(VUE)
    assert orphans(repo) == ["web/src/components/Unused.vue", "web/src/lib/dead.ts"]
    # A module only a component imports is in use: never `remove`.
    fmt = investigate(repo, "format")["web/src/lib/format.ts"]
    assert (fmt["verdict"], fmt["reason"]) == ("keep", "used by web/src/App.vue")
    assert investigate(repo, "colors")["web/src/lib/colors.ts"]["chain"][:3] == [
        "web/src/lib/colors.ts",
        "web/src/components/Chart.vue",
        "web/src/App.vue",
    ]


KIT = {
    "site/package.json": json.dumps({"devDependencies": {"@sveltejs/kit": "2.43.2", "svelte": "5.39.6"}}),
    "site/svelte.config.js": "export default { kit: {} }\n",
    "site/src/routes/+page.svelte": "<script>\n  import { greet } from '$lib/greet'\n</script>\n<h1>{greet()}</h1>\n",
    "site/src/routes/blog/[slug]/+page.server.ts": "export const load = () => ({})\n",
    "site/src/routes/docs/+page.ts": (
        "const pages = import.meta.glob('/src/content/**/*.svx')\nexport const load = () => pages\n"
    ),
    "site/src/content/intro.svx": "<script>\n  import Note from '$lib/Note.svelte'\n</script>\n# Intro\n",
    "site/src/hooks.server.ts": "export const handle = ({ event, resolve }) => resolve(event)\n",
    "site/src/params/slug.ts": "export const match = (p: string) => /^[a-z-]+$/.test(p)\n",
    "site/src/lib/greet.ts": "export const greet = () => 'hi'\n",
    "site/src/lib/Note.svelte": "<aside><slot /></aside>\n",
    "site/src/lib/unused.ts": "export const unused = 1\n",
}  # fmt: skip


def test_sveltekit_routes_hooks_params_and_lib(make_repo: RepoFactory) -> None:
    repo = make_repo(KIT)
    found = cli_json(repo, "orphans")
    assert [r["path"] for r in found["orphans"]] == ["site/src/lib/unused.ts"]
    # Loaded by a glob from the project root: may be loaded, so listed apart.
    assert sorted(r["path"] for r in found["uncertain"]) == [
        "site/src/content/intro.svx",
        "site/src/lib/Note.svelte",
    ]


NUXT = {
    "package.json": json.dumps({"dependencies": {"nuxt": "4.1.2"}}),
    "nuxt.config.ts": "export default defineNuxtConfig({})\n",
    "app/app.vue": "<template><NuxtPage /></template>\n",
    "app/pages/index.vue": "<script setup>\nimport { total } from '~/lib/cart'\n</script>\n",
    "app/lib/cart.ts": "export const total = 0\n",
    "app/lib/stale.ts": "export const stale = 0\n",
    "app/components/CartBadge.vue": "<template><span /></template>\n",
    "server/api/health.ts": "export default defineEventHandler(() => 'ok')\n",
}


def test_nuxt_directories_and_aliases(make_repo: RepoFactory) -> None:
    repo = make_repo(NUXT)
    assert orphans(repo) == ["app/lib/stale.ts"]
    badge = investigate(repo, "CartBadge")["app/components/CartBadge.vue"]
    assert badge["verdict"] == "remove"  # its own component: goes with it


ASTRO = {
    "package.json": json.dumps({"dependencies": {"astro": "5.14.1"}}),
    "src/pages/index.astro": "---\nimport Card from '../components/Card.astro'\n---\n<Card />\n",
    "src/pages/api/ping.ts": "export const GET = () => new Response('pong')\n",
    "src/middleware.ts": "export const onRequest = (_c: unknown, next: () => unknown) => next()\n",
    "src/components/Card.astro": "<div class='card' />\n",
    "src/components/Old.astro": "<div />\n",
}


def test_astro_pages_and_middleware(make_repo: RepoFactory) -> None:
    repo = make_repo(ASTRO)
    assert orphans(repo) == ["src/components/Old.astro"]
