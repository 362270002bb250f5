"""Test runners: the test files, setup files and module aliases their configs name.

Jest, Vitest, Mocha, Playwright, Cypress and Storybook find tests by globs and regexes in their
configs, load setup files before the tests, and map module names (`moduleNameMapper`, Vitest's
`alias`). Each test or setup file is a root that is not production ("CONFIG:LINE: what"), so
what only tests use is `review`, never `remove`; a mapped import is a `Use` as a bundler alias
is (`jsfiles.alias_uses`). Names like `x.test.ts` and files in `tests/` are roots already
(`entry_points`); these are the files the configs add.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any

from consolidate.analysis.frameworks import jsconfig as js
from consolidate.analysis.frameworks.base import Found, Plugin, Project
from consolidate.analysis.frameworks.jsfiles import (
    Alias,
    Files,
    alias_uses,
    configs,
    place,
    read_aliases,
)
from consolidate.analysis.frameworks.jsparse import read
from consolidate.analysis.tsimports import TS_SUFFIXES
from consolidate.analysis.uses import Root
from consolidate.workspace import repo_join

_ROOT_DIR = "<rootDir>"


def _tests(
    files: Files, config: str, values: list[js.Str], what: str, bases: list[str]
) -> Iterator[Root]:
    yield from files.roots(config, values, what, bases, production=False)


def _regex_tests(
    files: Files, config: str, value: js.Value, what: str, bases: list[str]
) -> Iterator[Root]:
    """Code files under `bases` whose path a regular expression (`testRegex`) matches."""
    for option in js.alternatives(value):
        items = option if isinstance(option, list) else [option]
        for item in items:
            pattern = item.pattern if isinstance(item, js.Regex) else getattr(item, "text", None)
            regex = _compile(pattern) if isinstance(pattern, str) else None
            line = getattr(item, "line", 1)
            for base in bases if regex else []:
                prefix = f"{base}/" if base else ""
                for path in files.project.under(base, TS_SUFFIXES):
                    if regex and regex.search("/" + path[len(prefix) :]):
                        yield Root(path, "framework", f"{config}:{line}: {what}", production=False)


def _compile(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


# --- Jest ------------------------------------------------------------------------------------

# https://jestjs.io/docs/configuration: options that name files Jest loads before or around tests
_JEST_FILES = (
    "setupFiles", "setupFilesAfterEnv", "globalSetup", "globalTeardown", "testEnvironment",
    "snapshotResolver", "testSequencer", "testResultsProcessor", "resolver", "reporters",
    "transform", "watchPlugins", "dependencyExtractor", "runner",
)  # fmt: skip


def find_jest(project: Project) -> Iterator[Found]:
    files = Files(project)
    found = list(configs(project, r"jest\.config\.[cm]?[jt]s"))
    found += [(p, js.get(v, "jest")) for p, v in _package_jsons(project) if js.get(v, "jest")]
    found += [(p, read(project.text(p) or "", p)) for p in project.named("jest.config.json")]
    for path, config in found:
        for one in js.dicts(config):
            yield from _jest(files, path, one)
            for project_config in js.dicts(js.get(one, "projects")):
                yield from _jest(files, path, project_config)


def _jest(files: Files, config: str, options: dict[str, js.Value]) -> Iterator[Found]:
    folder = posixpath.dirname(config)
    root = place(options.get("rootDir"), folder)

    def at_root(values: js.Value) -> list[js.Str]:
        return [_root_dir(s, root) for s in js.strings(values)]

    roots = [s.text for s in at_root(options.get("roots")) if s.anchored] or [root]
    yield from _tests(files, config, at_root(options.get("testMatch")), "testMatch", roots)
    yield from _regex_tests(files, config, options.get("testRegex"), "testRegex", roots)
    for key in _JEST_FILES:
        yield from _tests(files, config, at_root(options.get(key)), key, [root])
    # https://jestjs.io/docs/configuration#modulenamemapper-objectstring-string--arraystring
    aliases = []
    for mapping in js.dicts(options.get("moduleNameMapper")):
        for key, value in mapping.items():
            pattern = _compile(key)
            targets = tuple(at_root(value))
            if pattern is not None and targets:
                aliases.append(Alias(config, pattern, targets))
    yield from alias_uses(files, root, aliases, root)


def _root_dir(value: js.Str, root: str) -> js.Str:
    """`<rootDir>/src/$1` as a repository path."""
    if not value.text.startswith(_ROOT_DIR):
        return value
    joined = repo_join(root, value.text[len(_ROOT_DIR) :].lstrip("/") or ".")
    return js.Str(joined, value.line, True) if joined is not None else js.Str("", value.line)


def _package_jsons(project: Project) -> Iterator[tuple[str, js.Value]]:
    for path in project.named("package.json"):
        yield path, read(project.text(path) or "", path)


# --- Vitest ----------------------------------------------------------------------------------


def find_vitest(project: Project) -> Iterator[Found]:
    """`test` of vitest.config.* or (Vitest reads it too) vite.config.*."""
    files = Files(project)
    for path, config in configs(project, r"vite(?:st)?\.config\.[cm]?[jt]s"):
        folder = posixpath.dirname(path)
        for test in js.dicts(js.get(config, "test")):
            yield from _vitest(files, path, folder, test)
            for inline in js.dicts(js.get(test, "projects")) + js.dicts(js.get(test, "workspace")):
                yield from _vitest(files, path, folder, js.get(inline, "test") or inline)


def _vitest(files: Files, config: str, folder: str, test: js.Value) -> Iterator[Found]:
    root = place(js.get(test, "root"), folder)
    # https://vitest.dev/config/include (globs relative to `root`)
    yield from _tests(files, config, js.strings(js.get(test, "include")), "test.include", [root])
    # https://vitest.dev/config/setupfiles and https://vitest.dev/config/globalsetup
    for key in ("setupFiles", "globalSetup"):
        yield from _tests(files, config, js.strings(js.get(test, key)), f"test.{key}", [root])
    # https://vitest.dev/config/alias (merged with resolve.alias, which `bundlers` reads)
    aliases = read_aliases(config, js.get(test, "alias"))
    yield from alias_uses(files, files.package(folder), aliases, root)


# --- Mocha -----------------------------------------------------------------------------------


def find_mocha(project: Project) -> Iterator[Found]:
    files = Files(project)
    # https://mochajs.org/#configuring-mocha-nodejs (.mocharc.* or package.json "mocha")
    found = [(p, v) for p, v in _package_jsons(project) if js.get(v, "mocha")]
    found = [(p, js.get(v, "mocha")) for p, v in found]
    for path in project.named(".mocharc.*"):
        if path.endswith((".yml", ".yaml")):
            found.append((path, plain(project.load_yaml(path), project.text(path) or "")))
        else:
            found.append((path, read(project.text(path) or "", path)))
    for path, config in found:
        folder = posixpath.dirname(path)
        for key in ("spec", "file", "require"):
            values = js.strings(js.get(config, key))
            yield from _tests(
                files, path, [_folder_glob(files, folder, s) for s in values], key, [folder]
            )


def _folder_glob(files: Files, folder: str, value: js.Str) -> js.Str:
    """A spec that names a folder means the code files in it."""
    path = value.text if value.anchored else repo_join(folder, value.text)
    if path is None or not any(p.startswith(path + "/") for p in files.project.sorted):
        return value
    return js.Str(
        f"{path}/**/*.{{{','.join(s.lstrip('.') for s in TS_SUFFIXES)}}}", value.line, True
    )


def plain(data: Any, text: str, depth: int = 0) -> js.Value:
    """A value parsed from YAML, as the JavaScript reader gives it (strings with their line)."""
    if isinstance(data, str):
        return js.Str(data, js.line_of(text, data))
    if depth > 40:
        return js.UNKNOWN
    if isinstance(data, list):
        return [plain(item, text, depth + 1) for item in data]
    if isinstance(data, dict):
        return {str(k): plain(v, text, depth + 1) for k, v in data.items()}
    return data if isinstance(data, bool | float | None) else js.UNKNOWN


# --- Playwright ------------------------------------------------------------------------------

# https://playwright.dev/docs/api/class-testconfig#test-config-test-match
_PLAYWRIGHT_MATCH = "**/*.@(spec|test).?(c|m)[jt]s?(x)"


def find_playwright(project: Project) -> Iterator[Found]:
    files = Files(project)
    for path, config in configs(project, r"playwright(?:-ct)?\.config\.[cm]?[jt]s"):
        folder = posixpath.dirname(path)
        for options in js.dicts(config):
            yield from _playwright(files, path, folder, options, None)
            for each in js.dicts(options.get("projects")):
                yield from _playwright(files, path, folder, each, options)
        # https://playwright.dev/docs/test-global-setup-teardown (string or array)
        for key in ("globalSetup", "globalTeardown"):
            yield from _tests(files, path, js.strings(js.get(config, key)), key, [folder])


def _playwright(files: Files, config: str, folder: str, options: dict[str, js.Value],
                parent: dict[str, js.Value] | None) -> Iterator[Found]:  # fmt: skip
    """Test files under `testDir` (default: the config's folder) that `testMatch` matches."""
    inherited = parent or {}
    base = place(options.get("testDir") or inherited.get("testDir"), folder)
    match = options.get("testMatch") or inherited.get("testMatch")
    if match is None and parent is not None:
        return
    written = js.strings(match) if match is not None else [js.Str(_PLAYWRIGHT_MATCH, 1)]
    loose = [js.Str("**/" + s.text, s.line) if "/" not in s.text else s for s in written]
    yield from _tests(files, config, loose, "testMatch", [base])
    regexes: list[js.Value] = [
        r
        for option in js.alternatives(match)
        for r in (option if isinstance(option, list) else [option])
        if isinstance(r, js.Regex)
    ]
    yield from _regex_tests(files, config, regexes, "testMatch", [base])


# --- Cypress ---------------------------------------------------------------------------------

# https://docs.cypress.io/app/references/configuration#Testing-Type-Specific-Options
_CYPRESS = {
    "e2e": ("cypress/e2e/**/*.cy.{js,jsx,ts,tsx}", "cypress/support/e2e.{js,jsx,ts,tsx}"),
    "component": ("**/*.cy.{js,jsx,ts,tsx}", "cypress/support/component.{js,jsx,ts,tsx}"),
}


def find_cypress(project: Project) -> Iterator[Found]:
    files = Files(project)
    found = list(configs(project, r"cypress\.config\.[cm]?[jt]s"))
    found += [(p, read(project.text(p) or "", p)) for p in project.named("cypress.json")]
    for path, config in found:
        folder = posixpath.dirname(path)
        for kind, (spec, support) in _CYPRESS.items():
            options = js.get(config, kind)
            if options is None and (kind == "component" or path.endswith(".json")):
                continue
            for key, default in (("specPattern", spec), ("supportFile", support)):
                value = js.get(options, key) if options is not None else None
                written = js.strings(value) if value is not None else [js.Str(default, 1)]
                yield from _tests(files, path, written, f"{kind}.{key}", [folder])
        # Cypress before 10 (cypress.json): integrationFolder, supportFile, pluginsFile
        if path.endswith(".json"):
            legacy = [("integrationFolder", "cypress/integration"), ("supportFile", "cypress/support/index"),
                      ("pluginsFile", "cypress/plugins/index")]  # fmt: skip
            for key, default in legacy:
                written = js.strings(js.get(config, key)) or [js.Str(default, 1)]
                yield from _tests(
                    files, path, [_folder_glob(files, folder, s) for s in written], key, [folder]
                )


# --- Storybook -------------------------------------------------------------------------------

_STORYBOOK_FILES = "**/*.@(mdx|stories.@(js|jsx|mjs|ts|tsx))"


def find_storybook(project: Project) -> Iterator[Found]:
    files = Files(project)
    for path, config in configs(project, r"main\.[cm]?[jt]s", within=".storybook"):
        folder = posixpath.dirname(path)
        yield Root(path, "tool", f"{path}: read by Storybook", production=False)
        # https://storybook.js.org/docs/api/main-config/main-config-stories (globs relative to
        # main.js, or {directory, files})
        for item in js.alternatives(js.get(config, "stories")):
            for entry in item if isinstance(item, list) else [item]:
                yield from _tests(files, path, _stories(entry), "stories", [folder])
        # https://storybook.js.org/docs/addons/writing-presets#local-presets (a local addon)
        local = [
            s for s in js.strings(js.get(config, "addons")) if s.anchored or s.text.startswith(".")
        ]
        yield from _tests(files, path, local, "addons", [folder])
        # https://storybook.js.org/docs/configure#configure-story-rendering (preview.js and
        # manager.js sit beside main.js)
        for name in ("preview", "manager"):
            for sibling in files.glob(f"{name}.@(js|jsx|mjs|cjs|ts|tsx|mts|cts)", folder):
                yield Root(
                    sibling, "convention", f"{sibling}: loaded by Storybook", production=False
                )


def _stories(entry: js.Value) -> list[js.Str]:
    if isinstance(entry, js.Str):
        return [entry]
    if not isinstance(entry, dict) or not isinstance(entry.get("directory"), js.Str):
        return []
    directory = entry["directory"]
    assert isinstance(directory, js.Str)
    pattern = entry.get("files")
    text = pattern.text if isinstance(pattern, js.Str) else _STORYBOOK_FILES
    joined = posixpath.join(directory.text, text)
    return [js.Str(joined, directory.line, directory.anchored)]


_STORYBOOK = (
    "storybook", "@storybook/react", "@storybook/react-vite", "@storybook/react-webpack5",
    "@storybook/nextjs", "@storybook/vue3", "@storybook/vue3-vite", "@storybook/svelte",
    "@storybook/sveltekit", "@storybook/angular", "@storybook/web-components",
    "@storybook/html", "@storybook/preact", "@storybook/addon-essentials",
)  # fmt: skip

PLUGINS = (
    Plugin(name="jest", docs="https://jestjs.io/docs/configuration", find=find_jest,
           enablers=("jest",), config=("jest.config.*",)),
    Plugin(name="vitest", docs="https://vitest.dev/config/", find=find_vitest,
           enablers=("vitest",), config=("vitest.config.*",)),
    Plugin(name="mocha", docs="https://mochajs.org/#configuring-mocha-nodejs", find=find_mocha,
           enablers=("mocha",), config=(".mocharc.*",)),
    Plugin(name="playwright", docs="https://playwright.dev/docs/test-configuration",
           find=find_playwright, enablers=("@playwright/test",), config=("playwright.config.*",)),
    Plugin(name="cypress", docs="https://docs.cypress.io/app/references/configuration",
           find=find_cypress, enablers=("cypress",), config=("cypress.config.*", "cypress.json")),
    Plugin(name="storybook", docs="https://storybook.js.org/docs/api/main-config/main-config",
           find=find_storybook, enablers=_STORYBOOK),
)  # fmt: skip
