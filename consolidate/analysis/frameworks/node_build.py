"""Which tracked files a path that Node, a browser or a bundler loads at run time stands for.

A package's `main`, a `<script src>`, a `fork()` argument name what runs: often a file of the
build output (`dist/index.js`) that is not tracked. `Sources` maps such a path back to the
source it is built from, with the tsconfig that emits it (`outDir`, `rootDir`, `declarationDir`
and `extends`), and else by the usual layout (`dist/x.js` from `src/x.ts`). It also finds the
TypeScript source of a `.js` name, a file named without its extension, and a folder's index.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from consolidate.analysis.frameworks.base import Project, glob_regex, join
from consolidate.analysis.jsonc import Json, load_jsonc
from consolidate.workspace import repo_join

JS_CODE = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")
_TS_SOURCES = (".ts", ".tsx", ".mts", ".cts")
# What a compiler writes for each source suffix, read backwards: output suffix -> sources.
# https://www.typescriptlang.org/tsconfig/#outDir
_FROM_OUTPUT = {
    ".d.ts": (".ts", ".tsx", ".d.ts"),
    ".d.mts": (".mts", ".d.mts"),
    ".d.cts": (".cts", ".d.cts"),
    ".js": (".ts", ".tsx", ".js", ".jsx"),
    ".jsx": (".tsx", ".jsx"),
    ".mjs": (".mts", ".mjs"),
    ".cjs": (".cts", ".cjs"),
}
_SUFFIX = re.compile(r"(?:\.d)?\.[mc]?[jt]sx?$")
_OUT_DIRS = frozenset({"dist", "build", "lib", "out", "esm", "cjs", "es"})
_CONFIG = re.compile(r"(?:tsconfig(?:\.[\w.-]+)?|jsconfig)\.json")
_DEFAULT_EXCLUDE = ("node_modules", "bower_components", "jspm_packages")


@dataclass(frozen=True)
class Emit:
    """One tsconfig's output: `out_dir` holds what tsc compiles from `root_dir`."""

    config: str
    out_dir: str
    root_dir: str
    declaration_dir: str | None


class Sources:
    """The repository's package roots and tsconfig outputs, and the files a path means."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._emits: dict[str, list[Emit]] = {}

    @cached_property
    def packages(self) -> frozenset[str]:
        """Folders with a tracked package.json (outside node_modules)."""
        return frozenset(
            posixpath.dirname(p)
            for p in self.project.named("package.json")
            if "node_modules" not in p.split("/")
        )

    def package_root(self, folder: str) -> str:
        """The nearest folder at or above `folder` with a package.json; "" when none."""
        while folder and folder not in self.packages:
            folder = posixpath.dirname(folder)
        return folder

    # --- one path -------------------------------------------------------------------------
    def files(self, path: str) -> list[str]:
        """The tracked files a run-time `path` means: itself, the TypeScript source of a `.js`
        name, the name with a suffix or a folder's index, else the source it is built from."""
        found = self.direct(path)
        if found:
            return found
        return list(
            dict.fromkeys(f for source in self.built_from(path) for f in self.direct(source))
        )

    def direct(self, path: str) -> list[str]:
        tracked = self.project.tracked
        if path in tracked:
            return [path]
        stem, suffix = posixpath.splitext(path)
        if suffix in (".js", ".jsx", ".mjs", ".cjs"):
            hits = [stem + alt for alt in _FROM_OUTPUT[suffix] if stem + alt in tracked]
            if hits:
                return hits
        for base in (path, f"{path}/index" if path else "index"):
            hits = [base + s for s in JS_CODE if base + s in tracked]
            if hits:
                return hits
        return []

    def built_from(self, path: str) -> list[str]:
        """Where the output `path` comes from: by the tsconfig whose outDir holds it, else by
        the usual layout (`dist/a/x.js` from `src/a/x.ts` or `a/x.ts`). Not checked to exist:
        a pattern (`dist/*.js`) maps the same way."""
        by_config = [source for emit in self.emits_for(path) for source in _mapped(emit, path)]
        return by_config or list(_by_layout(path))

    def pattern(self, pattern: str) -> list[str]:
        """Tracked files a subpath pattern (`pkg/src/*.ts`, every `*` the same text, which may
        hold `/`) can stand for, as written or as the sources of build output."""
        found = self._matches([pattern, *_js_sources(pattern)])
        return found or self._matches(self.built_from(pattern))

    def _matches(self, patterns: list[str]) -> list[str]:
        regexes = [re.compile(_star_regex(pattern)) for pattern in dict.fromkeys(patterns)]
        return [p for p in self.project.sorted if any(r.fullmatch(p) for r in regexes)]

    def folder_sources(self, folder: str) -> list[str]:
        """A folder, then the source folders it is built from if it holds build output."""
        probes = self.built_from(f"{folder}/x.js")
        return list(dict.fromkeys([folder, *(posixpath.dirname(p) for p in probes)]))

    # --- tsconfig ---------------------------------------------------------------------------
    def emits_for(self, path: str) -> list[Emit]:
        """The outputs of the tsconfigs in the folders above `path` whose outDir holds it."""
        folder = posixpath.dirname(path)
        while True:
            hits = [e for e in self._emits_in(folder) if _inside(path, _out_for(e, path))]
            if hits or not folder:
                return hits
            folder = posixpath.dirname(folder)

    def _emits_in(self, folder: str) -> list[Emit]:
        if folder not in self._emits:
            configs = self._configs.get(folder, [])
            self._emits[folder] = [e for c in configs if (e := self._emit(c)) is not None]
        return self._emits[folder]

    @cached_property
    def _configs(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for path in self.project.sorted:
            folder, name = posixpath.split(path)
            if _CONFIG.fullmatch(name) and "node_modules" not in path.split("/"):
                found.setdefault(folder, []).append(path)
        return found

    def _emit(self, config: str) -> Emit | None:
        """The outDir and rootDir a config compiles with, `extends` applied; none without an
        outDir (output then sits beside the source: the `.js` -> `.ts` step finds it)."""
        folder = posixpath.dirname(config)
        settings = self._settings(config, folder, frozenset())
        out_dir = settings.paths.get("outDir")
        if out_dir is None:
            return None
        root_dir = settings.paths.get("rootDir")
        if root_dir is None:
            root_dir = folder if settings.composite else self._common_root(folder, settings)
        return Emit(config, out_dir, root_dir, settings.paths.get("declarationDir"))

    def _settings(self, config: str, home: str, seen: frozenset[str]) -> _Settings:
        """A config's settings over those of the configs it extends. Each path is relative to
        the config that sets it; `${configDir}` is the folder of the config tsc was given.
        https://www.typescriptlang.org/tsconfig/#extends"""
        data = load_jsonc(self.project.read(config))
        if data is None:
            self.project.unreadable(
                config, 1, "not valid JSON: where tsc writes its output is unknown"
            )
            return _Settings()
        folder = posixpath.dirname(config)
        settings = _Settings()
        for parent in _extends(data, folder, home, self.project.tracked):
            if parent not in seen and parent != config:
                settings = settings.over(self._settings(parent, home, seen | {config}))
        compiler = data.get("compilerOptions")
        options = compiler if isinstance(compiler, dict) else {}
        own = _Settings(
            {
                key: path
                for key in ("outDir", "rootDir", "declarationDir")
                if isinstance(value := options.get(key), str)
                and (path := _config_path(folder, home, value)) is not None
            },
            _paths(folder, home, data, ("include", "files")),
            _paths(folder, home, data, ("exclude",)),
            options.get("composite") is True or None,
        )
        return settings.over(own)

    def _common_root(self, folder: str, settings: _Settings) -> str:
        """tsc's default rootDir: the longest common folder of the non-declaration sources
        the config includes. https://www.typescriptlang.org/tsconfig/#rootDir"""
        include = settings.include if settings.include is not None else [folder]
        out_dir = settings.paths["outDir"]
        regexes = [re.compile(_include_regex(p)) for p in include]
        skip = [re.compile(_include_regex(p)) for p in settings.exclude or []]
        sources = [
            p
            for p in self.project.under(folder, _TS_SOURCES)
            if not p.endswith((".d.ts", ".d.mts", ".d.cts"))
            and not _inside(p, out_dir)
            and not set(_DEFAULT_EXCLUDE) & set(p.split("/"))
            and any(r.fullmatch(p) for r in regexes)
            and not any(r.fullmatch(p) for r in skip)
        ]
        if not sources:
            return folder
        common = posixpath.commonpath([posixpath.dirname(p) or "." for p in sources])
        return "" if common == "." else common


@dataclass(frozen=True)
class _Settings:
    """What a config sets, after its `extends`; None: not set (inherited)."""

    paths: dict[str, str] = field(default_factory=dict)
    include: list[str] | None = None
    exclude: list[str] | None = None
    composite: bool | None = None

    def over(self, own: _Settings) -> _Settings:
        return _Settings(
            {**self.paths, **own.paths},
            own.include if own.include is not None else self.include,
            own.exclude if own.exclude is not None else self.exclude,
            own.composite if own.composite is not None else self.composite,
        )


def _paths(folder: str, home: str, data: Json, keys: tuple[str, ...]) -> list[str] | None:
    """include + files (or exclude) as repository paths; None when the config sets none."""
    if not any(isinstance(data.get(key), list) for key in keys):
        return None
    listed = [item for key in keys for item in _strs(data.get(key))]
    return [p for item in listed if (p := _config_path(folder, home, item)) is not None]


def _extends(data: Json, folder: str, home: str, tracked: frozenset[str]) -> Iterator[str]:
    """The tracked configs `extends` names (relative paths; packages in node_modules are not
    tracked), in order: a later one overrides an earlier one."""
    value = data.get("extends")
    for item in value if isinstance(value, list) else [value]:
        if not isinstance(item, str) or not item.startswith((".", "${configDir}")):
            continue
        base = _config_path(folder, home, item)
        for path in (base, f"{base}.json", f"{base}/tsconfig.json") if base is not None else ():
            if path in tracked:
                yield path
                break


def _config_path(folder: str, home: str, value: str) -> str | None:
    if value.startswith("${configDir}"):
        return repo_join(home, "./" + value.removeprefix("${configDir}").lstrip("/"))
    return repo_join(folder, value)


def _strs(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _include_regex(pattern: str) -> str:
    """tsconfig include/exclude: a name without wildcards or suffix is a folder."""
    last = pattern.rsplit("/", 1)[-1]
    if not any(c in last for c in "*?") and "." not in last:
        pattern = f"{pattern}/**/*" if pattern else "**/*"
    return glob_regex(pattern)


def _inside(path: str, folder: str | None) -> bool:
    return folder is not None and (not folder or path == folder or path.startswith(folder + "/"))


def _out_for(emit: Emit, path: str) -> str:
    declaration = path.endswith((".d.ts", ".d.mts", ".d.cts"))
    if declaration and emit.declaration_dir is not None and _inside(path, emit.declaration_dir):
        return emit.declaration_dir
    return emit.out_dir


def _mapped(emit: Emit, path: str) -> list[str]:
    out = _out_for(emit, path)
    relative = path[len(out) + 1 :] if out else path
    return _source_names(join(emit.root_dir, relative))


def _source_names(path: str) -> list[str]:
    """`x.js` -> x.ts, x.tsx, x.js, x.jsx; `x.d.ts` -> x.ts...; no suffix: as it is."""
    match = _SUFFIX.search(path)
    if match is None or match[0] not in _FROM_OUTPUT:
        return [path]
    stem = path[: match.start()]
    return [stem + suffix for suffix in _FROM_OUTPUT[match[0]]]


def _js_sources(path: str) -> list[str]:
    """A `.js` name may be written for its TypeScript source (TypeScript's ESM style)."""
    match = _SUFFIX.search(path)
    if match is None or match[0] not in (".js", ".jsx", ".mjs", ".cjs"):
        return []
    return [path[: match.start()] + s for s in _FROM_OUTPUT[match[0]] if s != match[0]]


def _by_layout(path: str) -> Iterator[str]:
    """No tsconfig says: `dist/x.js` is built from `src/x.ts` or `x.ts`."""
    parts = path.split("/")
    for i, part in enumerate(parts[:-1]):
        if part in _OUT_DIRS:
            for middle in (["src"], []):
                yield from _source_names("/".join([*parts[:i], *middle, *parts[i + 1 :]]))
            return


def _star_regex(pattern: str) -> str:
    """Node's subpath pattern: every `*` is the same text, which may span folders."""
    head, *rest = pattern.split("*")
    if not rest:
        return re.escape(pattern)
    out = [re.escape(head), "(?P<s>.+?)"]
    for piece in rest[:-1]:
        out += [re.escape(piece), "(?P=s)"]
    return "".join(out) + re.escape(rest[-1])
