"""Bundlers: the entry files Vite, webpack, Rollup and esbuild build from, and import aliases.

An entry a config names (`entry`, `input`, `entryPoints`, `build.lib.entry`) is a production
root "CONFIG:LINE: what"; an entry computed when the config runs (`glob.sync(...)`) makes every
code file of the package `review`. `resolve.alias` is read here and followed by
`jsfiles.alias_uses`. A Vite `index.html` is read by the `html` plugin, not here.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from consolidate.analysis.frameworks import jsconfig as js
from consolidate.analysis.frameworks.base import Found, Plugin, Project
from consolidate.analysis.frameworks.jsfiles import (
    CONFIG_CODE,
    Files,
    alias_parts,
    alias_uses,
    configs,
    place,
    read_aliases,
)
from consolidate.analysis.frameworks.jsparse import key_values

# --- Vite --------------------------------------------------------------------------------------


def find_vite(project: Project) -> Iterator[Found]:
    files = Files(project)
    for path, config in configs(project, r"vite\.config\.[cm]?[jt]s"):
        folder = posixpath.dirname(path)
        root = place(js.get(config, "root"), folder)
        # https://vite.dev/config/build-options.html#build-lib (entry: string, array or object)
        # https://vite.dev/guide/build.html#multi-page-app (rollupOptions.input)
        home = files.package(folder)
        for key in ("build.lib.entry", "build.rollupOptions.input"):
            value = js.get(config, key)
            values = [s for s in js.strings(value) if not s.text.endswith(".html")]
            yield from files.roots(path, values, key, [root, folder])
            yield from files.doubtful(path, value, key, home)
        # https://vite.dev/config/shared-options.html#resolve-alias (object or [{find, replacement}])
        value = js.get(config, "resolve.alias")
        yield from alias_uses(files, home, read_aliases(path, value), root)
        yield from files.doubtful(path, alias_parts(value), "resolve.alias", home)


# --- webpack -----------------------------------------------------------------------------------


def find_webpack(project: Project) -> Iterator[Found]:
    files = Files(project)
    for path, config in configs(project, r"webpack\b[\w.-]*\.[cm]?[jt]s"):
        folder = posixpath.dirname(path)
        home = files.package(folder)
        # https://webpack.js.org/configuration/entry-context/#context (entries are relative
        # to `context`, by default the directory webpack runs in: the package's, as a rule)
        context = [s.text for s in js.strings(js.get(config, "context")) if s.anchored]
        bases = context or [folder, home, ""]
        # https://webpack.js.org/concepts/entry-points/ (string, array, object, descriptor)
        entry = js.get(config, "entry")
        yield from files.roots(path, js.strings(_entries(entry)), "entry", bases)
        whole = isinstance(config, js.Unknown | js.Ref)  # `module.exports = makeConfig()`
        yield from files.doubtful(path, config if whole else _entries(entry), "entry", home)
        # https://webpack.js.org/configuration/resolve/#resolvealias
        value = js.get(config, "resolve.alias")
        yield from alias_uses(files, home, read_aliases(path, value), home)
        yield from files.doubtful(path, alias_parts(value), "resolve.alias", home)


def _entries(value: js.Value) -> list[js.Value]:
    """The entries; of an entry descriptor (`{import, dependOn, filename}`), its `import`."""
    out: list[js.Value] = []
    for option in js.alternatives(value):
        if isinstance(option, dict) and "import" in option:
            out.append(option["import"])
        elif isinstance(option, dict):
            out += [part for item in option.values() for part in _entries(item)]
        else:
            out.append(option)
    return out


# --- Rollup ------------------------------------------------------------------------------------


def find_rollup(project: Project) -> Iterator[Found]:
    files = Files(project)
    for path, config in configs(project, r"rollup\.config\.[cm]?[jt]s"):
        folder = posixpath.dirname(path)
        home = files.package(folder)
        # https://rollupjs.org/configuration-options/#input (string, array or object; one
        # config or an array of them), relative to the directory rollup runs in
        value = js.get(config, "input")
        yield from files.roots(path, js.strings(value), "input", [folder, home])
        whole = isinstance(config, js.Unknown | js.Ref)
        yield from files.doubtful(path, config if whole else value, "input", home)
        # https://github.com/rollup/plugins/tree/master/packages/alias#entries
        text = project.text(path) or ""
        aliases = [a for v in key_values(text, path, "entries") for a in read_aliases(path, v)]
        yield from alias_uses(files, home, aliases, home)


# --- esbuild -----------------------------------------------------------------------------------


def find_esbuild(project: Project) -> Iterator[Found]:
    """Build scripts that import esbuild and pass `entryPoints`."""
    files = Files(project)
    for path in project.sorted:
        data = project.read(path) if CONFIG_CODE.fullmatch(path) else None
        if not data or b"entryPoints" not in data or b"esbuild" not in data:
            continue
        text = data.decode("utf-8", "replace")
        folder = posixpath.dirname(path)
        bases = [folder, files.package(folder), ""]
        # https://esbuild.github.io/api/#entry-points (array of paths or globs, {out: in},
        # or [{in, out}]), relative to the working directory
        for value in key_values(text, path, "entryPoints"):
            written = [
                s
                for option in js.alternatives(value)
                for item in (option if isinstance(option, list) else [option])
                for s in js.strings(
                    item.get("in") if isinstance(item, dict) and "in" in item else item
                )
            ]
            yield from files.roots(path, written, "esbuild entryPoints", bases)
            yield from files.doubtful(path, value, "entryPoints", files.package(folder))


PLUGINS = (
    Plugin(
        name="vite",
        docs="https://vite.dev/config/",
        find=find_vite,
        enablers=("vite",),
        config=("vite.config.*",),
    ),
    Plugin(
        name="webpack",
        docs="https://webpack.js.org/configuration/",
        find=find_webpack,
        enablers=("webpack", "webpack-cli"),
        config=("webpack.config.*",),
    ),
    Plugin(
        name="rollup",
        docs="https://rollupjs.org/configuration-options/",
        find=find_rollup,
        enablers=("rollup",),
        config=("rollup.config.*",),
    ),
    Plugin(
        name="esbuild",
        docs="https://esbuild.github.io/api/#entry-points",
        find=find_esbuild,
        enablers=("esbuild",),
    ),
)
