"""Where a TypeScript or JavaScript specifier leads: files, folders, tsconfig paths, workspaces.

The rules follow TypeScript's and Node's resolvers closely enough for one purpose: deciding that a
file is in use. Where a resolver would pick one of several files by settings this module cannot
see (conditions, extension order, build output), it keeps all of them and says it is not certain.
Every lookup is a set or dict probe; results are cached per (folder, specifier).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

from consolidate.analysis.jsonc import Json, load_jsonc
from consolidate.workspace import repo_join

# The order TypeScript tries when a specifier has no extension; all that exist are kept.
_ADD_SUFFIXES = (".ts", ".tsx", ".d.ts", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")
# TypeScript's ESM style: a specifier names the emitted .js file, the repository has the source.
_JS_TO_TS = {
    ".js": (".ts", ".tsx", ".d.ts"),
    ".jsx": (".tsx",),
    ".mjs": (".mts", ".d.mts"),
    ".cjs": (".cts", ".d.cts"),
}
_JS_SUFFIXES = tuple(_JS_TO_TS)
_MAIN_FIELDS = ("main", "module", "types", "typings")
_OUT_DIRS = frozenset({"dist", "lib", "build", "out", "esm", "cjs", "es", "types"})
_CODE_SUFFIX = re.compile(r"(?:\.d)?\.[mc]?[jt]sx?$")
_CONFIG_NAME = re.compile(r"(?:ts|js)config(?:\.[^/]+)?\.json")


@dataclass(frozen=True)
class Resolution:
    """The files a specifier may mean; `certain` when there is exactly one and it is no guess."""

    targets: tuple[str, ...]
    certain: bool = True


NOTHING = Resolution(())


@dataclass(frozen=True)
class TsConfig:
    """What resolution needs from a tsconfig after `extends`: baseUrl and paths, as folders."""

    base_url: str | None
    paths: Mapping[str, object]
    paths_dir: str  # the folder of the config that set `paths`


class Resolver:
    """Resolves specifiers against one repository's tracked files."""

    def __init__(self, paths: Collection[str], read: Callable[[str], bytes | None]) -> None:
        self._files = frozenset(paths)
        self._read = read
        self._json: dict[str, Json | None] = {}
        self._loaded: dict[str, TsConfig | None] = {}
        self._configs: dict[str, tuple[TsConfig, ...]] = {}
        self._nearest_package: dict[str, str | None] = {}
        self._cache: dict[tuple[str, str], Resolution] = {}

    def resolve(self, folder: str, spec: str) -> Resolution:
        """The files `spec` means when a file in `folder` imports it."""
        key = (folder, spec)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._resolve(folder, _clean(spec))
        return found

    def _resolve(self, folder: str, spec: str) -> Resolution:
        if spec in (".", "..") or spec.startswith(("./", "../")):
            path = repo_join(folder, spec)
            return NOTHING if path is None else self._any(path)
        if spec.startswith("#") and (imported := self._subpath_import(folder, spec)).targets:
            return imported  # else a tsconfig `paths` key may be `#/*`
        if not spec or spec.startswith("/") or "*" in spec or "${" in spec:
            return NOTHING  # patterns: `tsimports`; absolute and aliased ones: unknown
        for config in self._configs_for(folder):
            found = self._via_config(config, spec)
            if found.targets:
                return found
        return self._workspace(spec)

    # Files and folders.

    def _file(self, path: str) -> list[str]:
        """The file itself, the TypeScript source of a .js name, or the name with a suffix."""
        files = self._files
        hits = [path] if path in files else []
        if path.endswith(_JS_SUFFIXES):
            stem, ext = posixpath.splitext(path)
            hits += [stem + alt for alt in _JS_TO_TS[ext] if stem + alt in files]
        return hits or list(self._stems.get(path, ()))

    def _index(self, folder: str) -> list[str]:
        return list(self._stems.get(folder + "/index" if folder else "index", ()))

    @cached_property
    def _stems(self) -> dict[str, list[str]]:
        """Code files by their name without the suffix, in `_ADD_SUFFIXES` order."""
        stems: dict[str, list[str]] = {}
        code = [path for path in self._files if path.endswith(_ADD_SUFFIXES)]
        for suffix in _ADD_SUFFIXES:
            for path in code:
                if path.endswith(suffix):
                    stems.setdefault(path[: -len(suffix)], []).append(path)
        return stems

    def _any(self, path: str) -> Resolution:
        """A file first, then a folder; a .json file last, as bundlers allow."""
        hits = self._file(path)
        if hits:
            return _of(hits)
        found = self._entries(path, self._package_json(path))
        if found.targets or path + ".json" not in self._files:
            return found
        return Resolution((path + ".json",))

    def _entries(self, folder: str, package: Json | None) -> Resolution:
        """A folder's entry points: its package.json fields, else its index file.

        A field that names untracked build output (`dist/index.js`) is traced back to the source
        it was built from, as a guess.
        """
        hits: list[str] = []
        guesses: list[str] = []
        for field in _MAIN_FIELDS:
            value = package.get(field) if package else None
            if not isinstance(value, str) or (path := repo_join(folder, value)) is None:
                continue
            found = self._file(path) or self._index(path)
            hits += found
            guesses += [] if found else self._from_source(folder, value)
        if not hits:
            hits = self._index(folder) + guesses
        if not hits and package is not None:
            hits = guesses = self._index(repo_join(folder, "src") or "src")
        return _of(hits, guessed=bool(guesses))

    def _from_source(self, folder: str, built: str) -> list[str]:
        """The source file a build output path came from: `dist/x.js` -> `src/x.ts` or `x.ts`."""
        head, _, rest = _CODE_SUFFIX.sub("", built.removeprefix("./")).partition("/")
        if head not in _OUT_DIRS or not rest:
            return []
        for root in ("src/", ""):
            path = repo_join(folder, root + rest)
            hits = self._file(path) or self._index(path) if path is not None else []
            if hits:
                return hits
        return []

    def _targets(self, folder: str, values: Iterable[str]) -> Resolution:
        """package.json `exports`/`imports` targets; build output traced back to its source."""
        values = [value for value in values if value.startswith("./")]
        hits: list[str] = []
        for value in values:
            path = repo_join(folder, value)
            hits += self._any(path).targets if path is not None else ()
        if hits:
            return _of(hits)
        return _of([hit for value in values for hit in self._from_source(folder, value)], True)

    # tsconfig.json

    def _configs_for(self, folder: str) -> tuple[TsConfig, ...]:
        """The configs of the nearest folder above that has one that parses; tsconfig.json first."""
        found = self._configs.get(folder)
        if found is None:
            names = self._config_names.get(folder, ())
            found = tuple(config for config in map(self._config, names) if config)
            if not found and folder:
                found = self._configs_for(posixpath.dirname(folder))
            self._configs[folder] = found
        return found

    @cached_property
    def _config_names(self) -> dict[str, list[str]]:
        names: dict[str, list[str]] = {}
        for path in self._files:
            folder, name = posixpath.split(path)
            if _CONFIG_NAME.fullmatch(name):
                names.setdefault(folder, []).append(path)
        for paths in names.values():
            # tsconfig.json first, then jsconfig.json, then tsconfig.app.json and the like
            paths.sort(key=lambda p: (not ("/" + p).endswith("/tsconfig.json"), len(p), p))
        return names

    def _config(self, path: str, seen: frozenset[str] = frozenset()) -> TsConfig | None:
        """One config with its `extends` chain applied; None when it does not parse."""
        if path in self._loaded:
            return self._loaded[path]
        data = self._load_json(path)
        if data is None:
            self._loaded[path] = None
            return None
        folder = posixpath.dirname(path)
        config = TsConfig(None, {}, folder)
        parents = data.get("extends")
        for parent in parents if isinstance(parents, list) else [parents]:
            parent_path = self._extends_path(folder, parent)
            if parent_path and parent_path not in seen and parent_path != path:
                parent_config = self._config(parent_path, seen | {path})
                config = _with_parent(config, parent_config) if parent_config else config
        config = _with_options(config, folder, data.get("compilerOptions"))
        if not seen:
            self._loaded[path] = config
        return config

    def _extends_path(self, folder: str, value: object) -> str | None:
        """The tracked file an `extends` names: relative, or inside a workspace package."""
        if not isinstance(value, str):
            return None
        if value.startswith("."):
            base = repo_join(folder, value)
        else:
            name, sub = _split_package(value)
            homes = self._packages.get(name, [])
            base = repo_join(homes[0], sub or "tsconfig.json") if homes else None
        if base is None:
            return None
        for path in (base, base + ".json", base + "/tsconfig.json"):
            if path in self._files:
                return path
        return None

    def _via_config(self, config: TsConfig, spec: str) -> Resolution:
        """`paths` first (every candidate that exists), then baseUrl."""
        values = _match_keys(config.paths, spec)
        if values:
            # Relative to baseUrl when there is one, else to the config that set them.
            home = config.base_url if config.base_url is not None else config.paths_dir
            paths = (repo_join(home, value) for value in values)
            found = _union([self._any(path) for path in paths if path is not None])
            if found.targets:
                return found
        path = repo_join(config.base_url, spec) if config.base_url is not None else None
        return NOTHING if path is None else self._any(path)

    # package.json

    def _package_json(self, folder: str) -> Json | None:
        path = folder + "/package.json" if folder else "package.json"
        return self._load_json(path) if path in self._files else None

    @cached_property
    def _packages(self) -> dict[str, list[str]]:
        """Workspace packages: the folders of every tracked package.json, by `name`."""
        packages: dict[str, list[str]] = {}
        for path in sorted(self._files):
            if path == "package.json" or path.endswith("/package.json"):
                data = self._load_json(path)
                name = data.get("name") if data else None
                if isinstance(name, str) and name:
                    packages.setdefault(name, []).append(posixpath.dirname(path))
        return packages

    def _workspace(self, spec: str) -> Resolution:
        """A bare specifier that names a workspace package (several with that name: all)."""
        name, sub = _split_package(spec)
        return _union([self._package_entry(home, sub) for home in self._packages.get(name, ())])

    def _package_entry(self, folder: str, sub: str) -> Resolution:
        """`exports` first; then a subpath's file, or the root's main fields and index."""
        package = self._package_json(folder) or {}
        exports = package.get("exports")
        if exports is not None:
            values = _export_values(exports, "./" + sub if sub else ".")
            found = self._targets(folder, values or ())
            if found.targets:
                return found
        if not sub:
            return self._entries(folder, package)
        path = repo_join(folder, sub)
        found = self._any(path) if path is not None else NOTHING
        if found.targets or path is None:
            return found
        return _of(self._from_source(folder, sub), guessed=True)

    def _subpath_import(self, folder: str, spec: str) -> Resolution:
        """`#name` through the `imports` of the nearest package.json above the importer."""
        home = self.package_home(folder)
        package = self._package_json(home) if home is not None else None
        imports = package.get("imports") if package else None
        if home is None or not isinstance(imports, dict):
            return NOTHING
        values = _match_keys(imports, spec) or []
        found = [self._targets(home, values)]
        return _union(found + [self._workspace(v) for v in values if not v.startswith((".", "/"))])

    def package_home(self, folder: str) -> str | None:
        """The folder of the nearest package.json at or above `folder`."""
        if folder not in self._nearest_package:
            own = (folder + "/package.json" if folder else "package.json") in self._files
            parent = posixpath.dirname(folder)
            home = folder if own else (self.package_home(parent) if folder else None)
            self._nearest_package[folder] = home
        return self._nearest_package[folder]

    def _load_json(self, path: str) -> Json | None:
        if path not in self._json:
            self._json[path] = load_jsonc(self._read(path))
        return self._json[path]


def _with_parent(config: TsConfig, parent: TsConfig) -> TsConfig:
    """A later `extends` entry overrides what an earlier one set."""
    base_url = parent.base_url if parent.base_url is not None else config.base_url
    if parent.paths:
        return TsConfig(base_url, parent.paths, parent.paths_dir)
    return TsConfig(base_url, config.paths, config.paths_dir)


def _with_options(config: TsConfig, folder: str, options: object) -> TsConfig:
    """A config's own baseUrl and paths override its parents'; `paths` are replaced whole."""
    if not isinstance(options, dict):
        return config
    base_url, paths = options.get("baseUrl"), options.get("paths")
    own = TsConfig(
        repo_join(folder, base_url) if isinstance(base_url, str) else None,
        paths if isinstance(paths, dict) else {},
        folder,
    )
    return _with_parent(config, own)


def _match_keys(mapping: Mapping[str, object], key: str) -> list[str] | None:
    """The string values for `key` in a paths/exports/imports map: exact key, else the `*`
    pattern with the longest prefix, its match put in place of each value's `*`."""
    if key in mapping:
        return _strings(mapping[key])
    best: tuple[int, str, str] | None = None
    for pattern in mapping:
        head, star, tail = pattern.partition("*")
        fits = star and len(key) >= len(head) + len(tail) and (best is None or len(head) > best[0])
        if fits and key.startswith(head) and key.endswith(tail):
            best = (len(head), pattern, key[len(head) : len(key) - len(tail)])
    if best is None:
        return None
    return [value.replace("*", best[2]) for value in _strings(mapping[best[1]])]


def _export_values(exports: object, subpath: str) -> list[str] | None:
    """`exports` targets for `subpath`; a string, list or condition object is the "." entry."""
    if isinstance(exports, dict) and any(str(key).startswith(".") for key in exports):
        return _match_keys(exports, subpath)
    return _strings(exports) if subpath == "." else None


def _strings(value: object) -> list[str]:
    """Every string in a target, through condition objects and fallback lists: some
    environment may take each of them."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    return []


def _clean(spec: str) -> str:
    """Without webpack loaders (`raw-loader!./x`) and query strings (`./x.svg?url`)."""
    return spec.rpartition("!")[2].partition("?")[0]


def _split_package(spec: str) -> tuple[str, str]:
    """`@scope/name/sub/path` -> (`@scope/name`, `sub/path`); `name/sub` -> (`name`, `sub`)."""
    parts = spec.split("/")
    count = 2 if spec.startswith("@") else 1
    return "/".join(parts[:count]), "/".join(parts[count:])


def _of(hits: Iterable[str], guessed: bool = False) -> Resolution:
    targets = tuple(dict.fromkeys(hits))
    return Resolution(targets, len(targets) == 1 and not guessed)


def _union(found: list[Resolution]) -> Resolution:
    """Every target of several resolutions; certain only as one certain target."""
    hits = [target for one in found for target in one.targets]
    return _of(hits, guessed=not all(one.certain for one in found if one.targets))
