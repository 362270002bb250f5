"""How Node and TypeScript packages are entered: package.json fields and their defaults,
`exports`/`imports` with conditions and subpath patterns, build output traced back to its
source, HTML `<script>` entries, and workers and child processes started from code.

The `package.json` fields whose target is tracked as written are `entry_points`' roots; this
plugin adds what that reader cannot see: targets in build output (`dist/index.js` from the
tsconfig's rootDir), subpath patterns, `types`, `browser`, Node's default `index.js` and the
usual `src/index.*`/`src/main.*`, and `#imports` of code resolved through build output.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from consolidate.analysis.commands import command_refs
from consolidate.analysis.frameworks.base import CODE_SUFFIXES, Found, Plugin, Project, join
from consolidate.analysis.frameworks.node_build import JS_CODE, Sources
from consolidate.analysis.frameworks.node_html import find_html
from consolidate.analysis.frameworks.node_workers import find_workers
from consolidate.analysis.uses import Root, Use
from consolidate.workspace import repo_join

# npm runs these in deployment (install hooks, build, start); other scripts are tooling.
# https://docs.npmjs.com/cli/v10/using-npm/scripts#life-cycle-scripts
PRODUCTION_SCRIPTS = frozenset(
    {"start", "prestart", "poststart", "serve", "build", "prebuild", "postbuild",
     "prepare", "preinstall", "install", "postinstall", "prepublishOnly"}
)  # fmt: skip
NOT_PRODUCTION_DIRS = frozenset(
    {"examples", "example", "docs", "test", "tests", "__tests__", "fixtures", "__fixtures__"}
)
# Fields `entry_points` already roots when the target is tracked as written.
_ENTRY_FIELDS = ("main", "module", "bin", "exports")
_HASH_IMPORT = re.compile(r"""(?:\bfrom|\brequire\s*\(|\bimport\s*\(?)\s*["'](\#[^"'\s]+)["']""")


def find_packages(project: Project) -> Iterator[Found]:
    sources = Sources(project)
    for path in project.named("package.json"):
        data = project.load_json(path) if "node_modules" not in path.split("/") else None
        if isinstance(data, dict):
            package = _Package(project, sources, path, data, project.text(path) or "")
            yield from package.fields()
            yield from package.defaults()
            yield from package.scripts()
            yield from package.hash_imports()


@dataclass
class _Package:
    project: Project
    sources: Sources
    path: str
    data: dict[str, Any]
    text: str

    @property
    def folder(self) -> str:
        return posixpath.dirname(self.path)

    @property
    def production(self) -> bool:
        return not NOT_PRODUCTION_DIRS.intersection(self.path.split("/")[:-1])

    def line(self, needle: str) -> int:
        at = self.text.find(needle)
        return self.text.count("\n", 0, at) + 1 if at >= 0 else 1

    def root(self, path: str, needle: str, what: str, production: bool = True) -> Root:
        via = f"{self.path}:{self.line(needle)}: {what}"
        return Root(path, "framework", via, production=production and self.production)

    # --- main, module, browser, types, bin, exports --------------------------------------
    # https://nodejs.org/api/packages.html#package-entry-points
    # https://nodejs.org/api/packages.html#subpath-patterns (every `*` is the same text)
    # https://nodejs.org/api/packages.html#conditional-exports (each condition may be taken)
    # https://www.typescriptlang.org/docs/handbook/modules/reference.html#packagejson-main-and-types
    # https://github.com/defunctzombie/package-browser-field-spec
    def fields(self) -> Iterator[Root]:
        for label, target in _targets(self.data):
            joined = repo_join(self.folder, target) if not _external(target) else None
            if joined is None:
                continue
            if "*" in target:
                files = self.sources.pattern(joined)
            elif joined in self.project.tracked and label.startswith(_ENTRY_FIELDS):
                continue  # `entry_points` roots it
            else:
                files = self.sources.files(joined)
            needle = f'"{target}"' if f'"{target}"' in self.text else f'"{label.split(".")[0]}"'
            yield from (self.root(f, needle, label) for f in files)

    # --- files Node and bundlers load by default -------------------------------------------
    def defaults(self) -> Iterator[Root]:
        """Without main, exports and module, Node loads the package folder's `index.js`
        (https://nodejs.org/api/modules.html#folders-as-modules). TypeScript projects and
        bundlers start from `src/index.*` or `src/main.*` (https://vite.dev/guide/#index-html-and-project-root
        serves `/src/main.ts`); production when a build or start script builds or runs it."""
        tracked = self.project.tracked
        if not any(key in self.data for key in ("main", "exports", "module")):
            index = join(self.folder, "index.js")
            if index in tracked:
                via = f"{index}: Node's default entry of {self.path} (no main or exports)"
                yield Root(index, "convention", via, production=self.production)
        scripts = self.data.get("scripts")
        built = isinstance(scripts, dict) and bool({"build", "start"} & set(scripts))
        how = "its build/start script" if built else "no build or start script: review"
        for name in ("index", "main"):
            for suffix in JS_CODE:
                path = join(self.folder, f"src/{name}{suffix}")
                if path in tracked:
                    via = f"{path}: the usual source entry of {self.path} ({how})"
                    yield Root(path, "convention", via, production=built and self.production)

    # --- scripts that run build output ----------------------------------------------------
    # https://docs.npmjs.com/cli/v10/using-npm/scripts
    def scripts(self) -> Iterator[Root]:
        scripts = self.data.get("scripts")
        for name, command in scripts.items() if isinstance(scripts, dict) else []:
            if not isinstance(command, str):
                continue
            for ref in command_refs(command):
                joined = repo_join(self.folder, ref[0]) if ref else None
                if joined is None or joined in self.project.tracked:
                    continue  # as written: `entry_points` roots it
                for found in self.sources.files(joined):
                    if found.endswith(CODE_SUFFIXES):
                        production = name in PRODUCTION_SCRIPTS
                        yield self.root(found, f'"{name}"', f"scripts.{name}", production)

    # --- `#name` imports of the package's own code ----------------------------------------
    # https://nodejs.org/api/packages.html#subpath-imports
    def hash_imports(self) -> Iterator[Use]:
        """`import x from "#internal/x"` in the package's code, through `imports` (patterns,
        conditions, build output traced back): a use from the importing file."""
        imports = self.data.get("imports")
        if not isinstance(imports, dict):
            return
        for path in self.project.under(self.folder, JS_CODE):
            if self.sources.package_root(posixpath.dirname(path)) != self.folder:
                continue
            text = self.project.text(path) or ""
            for match in _HASH_IMPORT.finditer(text) if "#" in text else ():
                targets = self._hash_targets(imports, match[1])
                if targets:
                    line = text.count("\n", 0, match.start(1)) + 1
                    shown = text.splitlines()[line - 1].strip()[:200]
                    yield Use(path, targets, line, "import", len(targets) == 1, shown)

    def _hash_targets(self, imports: dict[str, Any], spec: str) -> tuple[str, ...]:
        found: list[str] = []
        for written in _imports_values(imports, spec):
            joined = repo_join(self.folder, written) if written.startswith("./") else None
            found += self.sources.files(joined) if joined is not None else []
        return tuple(dict.fromkeys(t for t in found if t.endswith(CODE_SUFFIXES)))


def _targets(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(field, path) of every field Node, TypeScript or a bundler loads."""
    for key in ("main", "module", "types", "typings", "browser"):
        yield from _conditions(data.get(key), key)
    binary = data.get("bin")
    if isinstance(binary, str):
        yield "bin", binary
    elif isinstance(binary, dict):
        yield from ((f"bin.{k}", v) for k, v in binary.items() if isinstance(v, str))
    exports = data.get("exports")
    if isinstance(exports, dict) and any(str(k).startswith(".") for k in exports):
        for key, value in exports.items():
            yield from _conditions(value, f'exports["{key}"]')
    else:
        yield from _conditions(exports, "exports")


def _conditions(value: object, label: str) -> Iterator[tuple[str, str]]:
    """Every target in nested condition objects and fallback arrays, with its conditions."""
    if isinstance(value, str):
        yield label, value
    elif isinstance(value, list):
        for item in value:
            yield from _conditions(item, label)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _conditions(item, f"{label}.{key}")


def _imports_values(imports: dict[str, Any], spec: str) -> list[str]:
    """The targets `imports` gives `spec`: its own key, else every `*` key that matches it
    (Node takes the longest; any of them may be the one), the match put in place of `*`."""
    if spec in imports:
        return [t for _, t in _conditions(imports[spec], "")]
    values: list[str] = []
    for key, value in imports.items():
        head, star, tail = str(key).partition("*")
        if star and spec.startswith(head) and spec.endswith(tail) and len(spec) > len(head + tail):
            middle = spec[len(head) : len(spec) - len(tail)]
            values += [t.replace("*", middle) for _, t in _conditions(value, "")]
    return values


def _external(target: str) -> bool:
    return "://" in target or target.startswith("//")


PLUGINS = (
    # HTML first: a page's `<script src>` is the plainest reason a file runs.
    Plugin(
        name="html",
        docs="https://html.spec.whatwg.org/multipage/scripting.html#the-script-element",
        find=find_html,
        config=("*.html", "*.htm"),
    ),
    Plugin(
        name="node",
        docs="https://nodejs.org/api/packages.html",
        find=find_packages,
        config=("package.json",),
    ),
    Plugin(
        name="node-workers",
        docs="https://nodejs.org/api/worker_threads.html",
        find=find_workers,
        config=tuple(f"*{suffix}" for suffix in JS_CODE),
    ),
)
