"""Lint, format, transpile and commit tools: their config files, and the local files they name.

A tool reads its config by name (`.eslintrc.cjs`, `babel.config.js`, `.lintstagedrc.js`): the
config is a tool root (not production), so it is never an orphan and what it imports stays.
Beyond imports, a config names local modules in strings (`extends: "./eslint/base.js"`,
`plugins: ["./babel/strip-debug.js"]`) and lint-staged runs commands (`node scripts/x.js`):
those files are roots "CONFIG:LINE: what", not production either. A config may also sit in
package.json (`"eslintConfig"`, `"babel"`, `"prettier"`, `"lint-staged"`...).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from consolidate.analysis.commands import command_refs
from consolidate.analysis.frameworks import jsconfig as js
from consolidate.analysis.frameworks.base import CODE_SUFFIXES, Found, Plugin, Project
from consolidate.analysis.frameworks.jsfiles import CONFIG_CODE, Files
from consolidate.analysis.frameworks.jsparse import read
from consolidate.analysis.frameworks.testrunners import plain
from consolidate.analysis.uses import Root
from consolidate.workspace import repo_join

_RC = r"(?:\.(?:json5?|jsonc|ya?ml|toml|[cm]?[jt]s))?"
_RULES_DIR = re.compile(r"""RULES_DIR\s*=\s*(\[[^\]]*\]|"[^"\n]*"|'[^'\n]*')""")
_QUOTED = re.compile(r""""([^"\n]*)"|'([^'\n]*)'""")


@dataclass(frozen=True)
class Tool:
    name: str
    docs: str
    files: str  # config file names, a regular expression
    package_key: str  # the key of package.json that may hold the config
    keys: tuple[str, ...]  # keys, anywhere in the config, whose strings may be local modules
    enablers: tuple[str, ...]
    globs: tuple[str, ...]


TOOLS = (
    # https://eslint.org/docs/latest/use/configure/configuration-files (eslint.config.*) and
    # https://eslint.org/docs/v8.x/use/configure/configuration-files (.eslintrc.*, extends
    # and parser may be file paths)
    Tool("eslint", "https://eslint.org/docs/latest/use/configure/configuration-files",
         rf"\.eslintrc{_RC}|eslint\.config\.[cm]?[jt]s", "eslintConfig",
         ("extends", "parser", "plugins"), ("eslint",), (".eslintrc*", "eslint.config.*")),
    # https://prettier.io/docs/configuration (plugins may be paths)
    Tool("prettier", "https://prettier.io/docs/configuration",
         rf"\.prettierrc{_RC}|prettier\.config\.[cm]?[jt]s", "prettier", ("plugins",),
         ("prettier",), (".prettierrc*", "prettier.config.*")),
    # https://babeljs.io/docs/config-files and https://babeljs.io/docs/options#plugin-and-preset-options
    Tool("babel", "https://babeljs.io/docs/config-files",
         rf"\.babelrc{_RC}|babel\.config\.(?:json|[cm]?[jt]s)", "babel", ("presets", "plugins"),
         ("@babel/core",), (".babelrc*", "babel.config.*")),
    # https://github.com/postcss/postcss-load-config#usage
    Tool("postcss", "https://github.com/postcss/postcss-load-config#usage",
         rf"\.postcssrc{_RC}|postcss\.config\.[cm]?[jt]s", "postcss", ("plugins", "parser",
         "syntax"), ("postcss",), (".postcssrc*", "postcss.config.*")),
    # https://v3.tailwindcss.com/docs/configuration (plugins and presets are required modules)
    Tool("tailwind", "https://v3.tailwindcss.com/docs/configuration",
         r"tailwind\.config\.[cm]?[jt]s", "", (), ("tailwindcss",), ("tailwind.config.*",)),
    # https://stylelint.io/user-guide/configure
    Tool("stylelint", "https://stylelint.io/user-guide/configure",
         rf"\.stylelintrc{_RC}|stylelint\.config\.[cm]?[jt]s", "stylelint",
         ("extends", "plugins", "customSyntax", "processors"), ("stylelint",),
         (".stylelintrc*", "stylelint.config.*")),
    # https://commitlint.js.org/reference/configuration.html
    Tool("commitlint", "https://commitlint.js.org/reference/configuration.html",
         rf"\.commitlintrc{_RC}|commitlint\.config\.[cm]?[jt]s", "commitlint",
         ("extends", "plugins", "parserPreset", "formatter"), ("@commitlint/cli",),
         (".commitlintrc*", "commitlint.config.*")),
    # https://github.com/lint-staged/lint-staged#configuration (the values are commands)
    Tool("lint-staged", "https://github.com/lint-staged/lint-staged#configuration",
         rf"\.lintstagedrc{_RC}|lint-staged\.config\.[cm]?[jt]s", "lint-staged", (),
         ("lint-staged",), (".lintstagedrc*", "lint-staged.config.*")),
)  # fmt: skip


def finder(tool: Tool) -> Plugin:
    def find(project: Project) -> Iterator[Found]:
        files = Files(project)
        for path, config in _configs(project, tool):
            if CONFIG_CODE.fullmatch(path):
                yield Root(path, "tool", f"{path}: read by {tool.name}", production=False)
            folder = posixpath.dirname(path)
            if tool.name == "lint-staged":
                yield from _commands(files, path, config)
            for key, value in _under_keys(config, tool.keys):
                local = [s for s in js.strings(value) if s.anchored or s.text.startswith(".")]
                yield from files.roots(
                    path, local, f"{tool.name} {key}", [folder], production=False
                )
        if tool.name == "eslint":
            yield from _local_rules(project, files)

    return Plugin(tool.name, tool.docs, find, tool.enablers, tool.globs)


def _configs(project: Project, tool: Tool) -> Iterator[tuple[str, js.Value]]:
    regex = re.compile(tool.files)
    for path in project.sorted:
        name = posixpath.basename(path)
        if regex.fullmatch(name):
            yield path, _read(project, path)
        elif name == "package.json" and tool.package_key:
            value = js.get(read(project.text(path) or "", path), tool.package_key)
            if value is not None:
                yield path, value


def _read(project: Project, path: str) -> js.Value:
    """JavaScript and JSON with the JavaScript reader; YAML (and extensionless rc files that
    are not JSON) as YAML."""
    text = project.text(path) or ""
    if path.endswith((".yaml", ".yml")):
        return plain(project.load_yaml(path), text)
    value = read(text, path)
    if isinstance(value, js.Unknown) and "." not in posixpath.basename(path)[1:]:
        return plain(project.load_yaml(path), text)
    return value


def _under_keys(value: js.Value, keys: tuple[str, ...]) -> Iterator[tuple[str, js.Value]]:
    """(key, value) for each of `keys` anywhere in a config (in `overrides`, `env`...); an
    object of plugins (PostCSS) by its keys too."""
    for option in js.alternatives(value):
        items = (
            option.items()
            if isinstance(option, dict)
            else enumerate(option)
            if isinstance(option, list)
            else []
        )
        for key, item in items:
            if key in keys and isinstance(key, str):
                yield key, item
                for named in js.dicts(item):
                    yield key, [js.Str(k, _line(v)) for k, v in named.items()]
            if isinstance(item, dict | list):
                yield from _under_keys(item, keys)


def _line(value: js.Value) -> int:
    found = js.strings(value)
    return found[0].line if found else 1


def _commands(files: Files, config: str, value: js.Value) -> Iterator[Root]:
    """lint-staged: `{glob: command or [commands]}`; each command's files run on commit."""
    folder = posixpath.dirname(config)
    for option in js.dicts(value):
        for glob, commands in option.items():
            for command in js.strings(commands):
                for ref in command_refs(command.text):
                    hits = [p for a in ref if (p := repo_join(folder, a)) in files.project.tracked]
                    via = f"{config}:{command.line}: lint-staged {glob}"
                    yield from (Root(p, "framework", via, production=False) for p in hits[:1])


def _local_rules(project: Project, files: Files) -> Iterator[Root]:
    """Rules that ESLint loads from the repository through a plugin, not an import."""
    # https://github.com/cletusw/eslint-plugin-local-rules: eslint-local-rules.js or
    # eslint-local-rules/index.js, in the working directory or a folder above it
    # https://www.npmjs.com/package/eslint-plugin-local: eslint.local.js,
    # eslint-plugin-local.js or .eslint-plugin-local/index.js at the repository's root
    named = re.compile(
        r"(?:.*/)?eslint-local-rules(?:/index)?\.[cm]?[jt]s"
        r"|(?:eslint\.local|eslint-plugin-local|\.eslint-plugin-local/index)\.c?js"
    )
    for path in project.sorted:
        if named.fullmatch(path):
            yield Root(
                path,
                "convention",
                f"{path}: loaded by an ESLint local-rules plugin",
                production=False,
            )
    # https://github.com/not-an-aardvark/eslint-plugin-rulesdir: `RULES_DIR = "tools/rules"`,
    # from the working directory
    for path in project.named(".eslintrc*"):
        text = project.text(path) or "" if CONFIG_CODE.fullmatch(path) else ""
        for match in _RULES_DIR.finditer(text):
            line = js.line_of(text, match.group())
            for quoted in _QUOTED.finditer(match.group(1)):
                folder = repo_join(posixpath.dirname(path), quoted.group(1) or quoted.group(2))
                via = f"{path}:{line}: RULES_DIR"
                for rule in project.under(folder, CODE_SUFFIXES) if folder is not None else []:
                    yield Root(rule, "framework", via, production=False)


PLUGINS = tuple(finder(tool) for tool in TOOLS)
