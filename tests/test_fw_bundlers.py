"""Bundlers and tool configs (`frameworks.bundlers`, `frameworks.toolconfigs`) through the CLI.

Each fixture is a small project shaped like a real one, with one file nothing uses: `orphans`
must list exactly that file, and `investigate` must keep the files a config reaches, naming
the chain up to the config line that runs them.
"""

from __future__ import annotations

import json

from repo_support import RepoFactory, consolidate
from repo_support import orphan_paths as orphans
from repo_support import verdicts as investigate

# --- Vite: a component library with an `@` alias, built in library mode ----------------------

VITE = {
    "package.json": json.dumps(
        {
            "name": "@acme/ui-kit",
            "type": "module",
            "scripts": {"build": "vite build", "test": "vitest run"},
            "devDependencies": {"vite": "^5.4.0", "vitest": "^2.1.0"},
        }
    ),
    "vite.config.ts": (
        'import { defineConfig } from "vite";\n'
        'import { fileURLToPath, URL } from "node:url";\n'
        'import { resolve } from "node:path";\n'
        "\n"
        "export default defineConfig({\n"
        "  resolve: {\n"
        "    alias: [\n"
        '      { find: "@", replacement: fileURLToPath(new URL("./src", import.meta.url)) },\n'
        '      { find: /^~icons\\/(.*)$/, replacement: resolve(__dirname, "assets/icons/$1") },\n'
        "    ],\n"
        "  },\n"
        "  build: {\n"
        '    lib: { entry: resolve(__dirname, "src/kit.ts"), name: "AcmeUiKit" },\n'
        "  },\n"
        "});\n"
    ),
    "src/kit.ts": (
        'export { Button } from "@/components/Button";\n'
        'export { Dialog } from "@/components/Dialog";\n'
    ),
    "src/components/Button.tsx": (
        'import { cx } from "@/lib/cx";\n'
        'import close from "~icons/close";\n'
        'export const Button = () => cx("btn", close);\n'
    ),
    # tsconfig `paths` with a `#/*` key (no package.json `imports`): resolved by tsresolve
    "tsconfig.json": '{\n  "compilerOptions": {"paths": {"#/*": ["./src/*"]}}\n}\n',
    "src/components/Dialog.tsx": (
        'import { Button } from "@/components/Button";\n'
        'import { title } from "#/lib/title";\n'
        "export const Dialog = () => Button() + title;\n"
    ),
    "src/lib/title.ts": "export const title = 'Dialog';\n",
    "src/lib/cx.ts": "export const cx = (...names: string[]) => names.join(' ');\n",
    "assets/icons/close.ts": "export default '<svg/>';\n",
    # nothing imports it: the one dead file
    "src/components/LegacyBanner.tsx": 'import { cx } from "@/lib/cx";\nexport const B = cx;\n',
}


def test_vite_alias_and_library_entry(make_repo: RepoFactory) -> None:
    repo = make_repo(VITE)
    assert orphans(repo) == ["src/components/LegacyBanner.tsx"]
    cx = investigate(repo, "cx")["src/lib/cx.ts"]
    assert cx["verdict"] == "keep"
    assert cx["chain"] == [
        "src/lib/cx.ts",
        "src/components/Button.tsx",
        "src/kit.ts",
        "run by vite.config.ts:13: build.lib.entry",
    ]
    icon = investigate(repo, "close")["assets/icons/close.ts"]
    assert (icon["verdict"], icon["chain"][1]) == ("keep", "src/components/Button.tsx")
    title = investigate(repo, "title")["src/lib/title.ts"]
    assert title["chain"] == [
        "src/lib/title.ts",
        "src/components/Dialog.tsx",
        "src/kit.ts",
        "run by vite.config.ts:13: build.lib.entry",
    ]
    banner = investigate(repo, "LegacyBanner")
    assert banner["src/components/LegacyBanner.tsx"]["verdict"] == "remove"
    assert banner["src/lib/cx.ts"]["verdict"] == "keep"


# --- webpack: a vue-cli 2 style config in build/, entries and aliases -------------------------

WEBPACK = {
    "package.json": json.dumps(
        {
            "name": "legacy-portal",
            "scripts": {
                "build": "webpack --config build/webpack.config.js",
                "build:cli": "node tools/build-cli.mjs",
            },
            "devDependencies": {
                "webpack": "^5.90.0",
                "webpack-cli": "^5.1.0",
                "esbuild": "^0.23.0",
            },
        }
    ),
    "build/webpack.config.js": (
        "'use strict'\n"
        "const path = require('path')\n"
        "\n"
        "function resolve (dir) {\n"
        "  return path.join(__dirname, '..', dir)\n"
        "}\n"
        "\n"
        "module.exports = (env, argv) => ({\n"
        "  entry: {\n"
        "    portal: './src/portal/boot.js',\n"
        "    admin: { import: './src/admin/boot.js', dependOn: 'portal' },\n"
        "  },\n"
        "  resolve: {\n"
        "    extensions: ['.js', '.json'],\n"
        "    alias: {\n"
        "      Widgets: resolve('src/widgets'),\n"
        "      settings$: path.resolve(__dirname, '../src/settings/index.js'),\n"
        "    },\n"
        "  },\n"
        "  mode: argv.mode || 'development',\n"
        "})\n"
    ),
    "src/portal/boot.js": (
        "import { render } from 'Widgets/render'\nimport settings from 'settings'\n"
        "render(settings)\n"
    ),
    "src/admin/boot.js": "import { table } from 'Widgets/table'\ntable()\n",
    "src/widgets/render.js": "export const render = () => {}\n",
    "src/widgets/table.js": "export const table = () => {}\n",
    "src/settings/index.js": "export default { theme: 'dark' }\n",
    "src/widgets/carousel.js": "export const carousel = () => {}\n",  # dead
    # Rollup and esbuild in the same repository: an SDK package and a CLI build script
    "packages/sdk/package.json": json.dumps(
        {"name": "@portal/sdk", "devDependencies": {"rollup": "^4.0.0"}}
    ),
    "packages/sdk/rollup.config.mjs": (
        "export default [\n"
        "  { input: 'lib/sdk.js', output: { file: 'dist/sdk.js', format: 'es' } },\n"
        "  { input: { worker: 'lib/worker.js' }, output: { dir: 'dist' } },\n"
        "]\n"
    ),
    "packages/sdk/lib/sdk.js": "import { call } from './transport.js'\nexport { call }\n",
    "packages/sdk/lib/transport.js": "export const call = () => 1\n",
    "packages/sdk/lib/worker.js": "self.onmessage = () => {}\n",
    "tools/build-cli.mjs": (
        "import * as esbuild from 'esbuild'\n"
        "\n"
        "const entryPoints = ['tools/cli/main.ts']\n"
        "await esbuild.build({ entryPoints, bundle: true, platform: 'node', outdir: 'out' })\n"
    ),
    "tools/cli/main.ts": "import { parse } from './args';\nparse(process.argv);\n",
    "tools/cli/args.ts": "export const parse = (argv: string[]) => argv;\n",
    # entries computed at build time: not read, so every file of the package is `review`
    "apps/landing/package.json": json.dumps({"name": "landing", "private": True}),
    "apps/landing/webpack.config.js": (
        "const glob = require('glob')\n"
        "\n"
        "module.exports = {\n"
        "  entry: Object.fromEntries(glob.sync('./src/pages/*.js').map((f) => [f, f])),\n"
        "}\n"
    ),
    "apps/landing/src/pages/home.js": "document.title = 'Home'\n",
}


def test_webpack_rollup_and_esbuild_entries_and_aliases(make_repo: RepoFactory) -> None:
    repo = make_repo(WEBPACK)
    assert orphans(repo) == ["src/widgets/carousel.js"]
    table = investigate(repo, "table")["src/widgets/table.js"]
    assert table["verdict"] == "keep"
    assert table["chain"] == [
        "src/widgets/table.js",
        "src/admin/boot.js",
        "run by build/webpack.config.js:11: entry",
    ]
    # `settings$` is an exact alias: `import settings from "settings"` means this file (the
    # config's own path string reaches it too, through the build script)
    settings = investigate(repo, "settings")["src/settings/index.js"]
    assert settings["verdict"] == "keep"
    assert settings["used_by"] == ["build/webpack.config.js", "src/portal/boot.js"]
    transport = investigate(repo, "transport")["packages/sdk/lib/transport.js"]
    assert transport["verdict"] == "keep"
    assert transport["chain"][1:] == [
        "packages/sdk/lib/sdk.js",
        "run by packages/sdk/rollup.config.mjs:2: input",
    ]
    result = consolidate(repo, "investigate", "home", "--json")
    report = json.loads(result.stdout)
    [home] = report["files"]
    assert (home["verdict"], home["chain"]) == (
        "review",
        [
            "apps/landing/src/pages/home.js",
            "run by apps/landing/webpack.config.js:4: entry (not read)",
        ],
    )
    assert [w["file"] for w in report["warnings"]] == ["apps/landing/webpack.config.js"]
    args = investigate(repo, "args")["tools/cli/args.ts"]
    assert args["chain"] == [
        "tools/cli/args.ts",
        "tools/cli/main.ts",
        "run by tools/build-cli.mjs:3: esbuild entryPoints",
    ]


# --- lint, format, transpile and commit tools --------------------------------------------------

TOOLS = {
    "package.json": json.dumps(
        {
            "name": "lint-land",
            "scripts": {"lint": "eslint ."},
            "devDependencies": {
                "eslint": "^8.57.0",
                "eslint-plugin-local-rules": "^3.0.2",
                "prettier": "^3.3.0",
                "@babel/core": "^7.25.0",
                "postcss": "^8.4.0",
                "tailwindcss": "^3.4.0",
                "stylelint": "^16.0.0",
                "@commitlint/cli": "^19.0.0",
                "lint-staged": "^15.2.0",
            },
        }
    ),
    ".eslintrc.cjs": (
        "module.exports = {\n"
        "  root: true,\n"
        "  extends: ['eslint:recommended', './tools/eslint/base.cjs'],\n"
        "  plugins: ['local-rules'],\n"
        "  rules: { 'local-rules/no-moment': 'error' },\n"
        "};\n"
    ),
    "tools/eslint/base.cjs": "module.exports = { rules: { eqeqeq: 'error' } };\n",
    "eslint-local-rules.cjs": "module.exports = { 'no-moment': require('./tools/eslint/no-moment.cjs') };\n",
    "tools/eslint/no-moment.cjs": "module.exports = { create: () => ({}) };\n",
    ".prettierrc.cjs": "module.exports = { plugins: ['./tools/prettier/sort-imports.cjs'] };\n",
    "tools/prettier/sort-imports.cjs": "module.exports = { parsers: {} };\n",
    "babel.config.js": (
        "module.exports = {\n"
        "  presets: ['@babel/preset-env'],\n"
        "  plugins: [['./tools/babel/strip-debug.js', { level: 'warn' }]],\n"
        "};\n"
    ),
    "tools/babel/strip-debug.js": "module.exports = () => ({ visitor: {} });\n",
    "postcss.config.cjs": "module.exports = { plugins: { './tools/postcss/rem.cjs': {}, autoprefixer: {} } };\n",
    "tools/postcss/rem.cjs": "module.exports = () => ({ postcssPlugin: 'rem' });\n",
    ".stylelintrc.json": '{\n  "plugins": ["./tools/stylelint/no-px.js"]\n}\n',
    "tools/stylelint/no-px.js": "module.exports = {};\n",
    ".commitlintrc.cjs": (
        "module.exports = {\n"
        "  extends: ['@commitlint/config-conventional'],\n"
        "  plugins: ['./tools/commitlint/ticket.cjs'],\n"
        "};\n"
    ),
    "tools/commitlint/ticket.cjs": "module.exports = { rules: {} };\n",
    ".lintstagedrc.cjs": "module.exports = {\n  '*.{js,ts}': ['eslint --fix', 'node tools/check-size.mjs'],\n};\n",
    "tools/check-size.mjs": "console.log('ok');\n",
    "tailwind.config.js": (
        "module.exports = {\n  content: ['./src/**/*.html'],\n"
        "  plugins: [require('./tools/tailwind/forms.js')],\n};\n"
    ),
    "tools/tailwind/forms.js": "module.exports = () => {};\n",
    "src/index.html": "<main class='p-4'></main>\n",
    "tools/unused-codemod.js": "module.exports = () => {};\n",  # dead
}


def test_tool_configs_and_the_local_files_they_name(make_repo: RepoFactory) -> None:
    repo = make_repo(TOOLS)
    assert orphans(repo) == ["tools/unused-codemod.js"]
    strip = investigate(repo, "strip-debug")["tools/babel/strip-debug.js"]
    assert strip["verdict"] == "review"
    assert strip["chain"] == [
        "tools/babel/strip-debug.js",
        "run by babel.config.js:3: babel plugins",
    ]
    base = investigate(repo, "base")["tools/eslint/base.cjs"]
    assert (base["verdict"], base["chain"]) == (
        "review",
        ["tools/eslint/base.cjs", "run by .eslintrc.cjs:3: eslint extends"],
    )
    size = investigate(repo, "check-size")["tools/check-size.mjs"]
    assert size["chain"] == [
        "tools/check-size.mjs",
        "run by .lintstagedrc.cjs:2: lint-staged *.{js,ts}",
    ]
    rule = investigate(repo, "no-moment")["tools/eslint/no-moment.cjs"]
    assert rule["verdict"] == "review"
    assert rule["chain"] == [
        "tools/eslint/no-moment.cjs",
        "eslint-local-rules.cjs",
        "run by eslint-local-rules.cjs: loaded by an ESLint local-rules plugin",
    ]


def test_an_entry_not_read_keeps_only_what_the_bundler_can_load(make_repo: RepoFactory) -> None:
    """A vite config at the root of a Python project whose `input` spreads a computed value:
    every script of the folder may be an entry (`review`), but no Python file is one."""
    repo = make_repo(
        {
            "package.json": json.dumps({"devDependencies": {"vite": "7.1.4"}}),
            "vite.config.ts": (
                "import { defineConfig } from 'vite'\n"
                "const extra = discoverPlugins()\n"
                "export default defineConfig({ build: { rollupOptions: { input: {\n"
                "  main: 'web/main.ts', ...extra } } } })\n"
            ),
            "web/main.ts": "export {};\n",
            "web/plugins/map.ts": "export {};\n",
            "app/__init__.py": "",
            "app/dead.py": "",
        }
    )
    assert orphans(repo) == ["app/__init__.py", "app/dead.py"]


def test_a_config_function_with_several_returns(make_repo: RepoFactory) -> None:
    """`defineConfig(({ mode }) => { if (...) return A; return B })`: the entries of every
    return count; an arrow with an expression body or a method in A hides none of B."""
    repo = make_repo(
        {
            "package.json": json.dumps({"devDependencies": {"vite": "7.1.4"}}),
            "vite.config.js": (
                "import { defineConfig } from 'vite'\n"
                "export default defineConfig(({ mode }) => {\n"
                "  if (mode === 'wc') {\n"
                "    return { build: { rollupOptions: { output: { manualChunks(id) { return 'v' } } },\n"
                "      lib: { entry: 'src/widget.js', fileName: () => 'w.js' } } }\n"
                "  }\n"
                "  return { build: { rollupOptions: { input: { app: 'src/shell.js' } } } }\n"
                "})\n"
            ),
            "src/widget.js": "export {}\n",
            "src/shell.js": "export {}\n",
            "src/unused.js": "export {}\n",
        }
    )
    found = json.loads(consolidate(repo, "orphans", "--json").stdout)
    assert [r["path"] for r in found["orphans"]] == ["src/unused.js"]
    assert found["uncertain"] == []  # an entry, not only a string that names it
