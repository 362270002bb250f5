"""What a framework plugin is, and what it sees of the repository.

A plugin is data plus one function, in the spirit of knip's plugins: a name, the page of the
framework's documentation its rules come from, `enablers` (dependencies that switch it on),
`config` (file names that switch it on), and `find(project)`, which reads configs statically
(never executes them) and returns what the framework loads:

- a `Use` from the file whose text names a module or path (a settings module naming an app,
  a DataSource naming a migrations glob) to the files it names: the chain then runs through
  that config file, and removing an entry from it is what frees the file;
- a `Root` with kind "framework" for a file the framework runs because a config or command says
  so, with `via` = "CONFIG:LINE: what" (the config file first: `runner_file` reads it);
- a `Root` with kind "convention" for a file the framework runs because of where it sits
  (`app/**/page.tsx`, a Django app's `admin.py`): it keeps what it imports and is never an
  orphan, but a convention file that is itself one of the component's own files may go with it;
- `uncertain(folder)` roots (production=False, so `review`, never `remove`) where a value could
  not be evaluated or a config did not parse; `warn` names that file and line.
"""

from __future__ import annotations

import ast
import configparser
import fnmatch
import json
import posixpath
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from consolidate.analysis.snapshot import Corpus
from consolidate.analysis.uses import Root, Use

Reader = Callable[[str], bytes | None]
Found = Root | Use
NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
UNREADABLE = "unreadable config"
PY_DEPENDENCY_FILES = re.compile(r"(?:.*requirements.*\.(?:txt|in)|Pipfile|setup\.cfg|setup\.py)")


@dataclass(frozen=True)
class Warning_:
    """A config the analysis could not read: what it might reach stays `review`."""

    file: str
    line: int
    message: str
    service: str = "-"
    kind: str = "unresolved config"


@dataclass(frozen=True)
class Plugin:
    name: str  # "django"
    docs: str  # the documentation page the conventions come from
    find: Callable[[Project], Iterable[Found]]
    enablers: tuple[str, ...] = ()  # dependency names, Python or npm, lower case
    config: tuple[str, ...] = ()  # file-name globs (`next.config.*`, `manage.py`)

    def enabled(self, project: Project) -> bool:
        if project.dependencies & set(self.enablers):
            return True
        return any(project.named(pattern) for pattern in self.config)


@dataclass
class Project:
    """The repository as a plugin sees it: tracked files, their bytes, dependencies, helpers."""

    tracked: frozenset[str]
    read: Reader
    warnings: list[Warning_] = field(default_factory=list)
    texts: dict[str, str | None] = field(default_factory=dict, repr=False)
    corpus: Corpus | None = field(default=None, repr=False)  # the snapshot's, when given
    # (needle, first file of an extension's span) -> the files of that span holding it
    _held: dict[tuple[bytes, int], list[int]] = field(default_factory=dict, init=False, repr=False)

    # --- files -------------------------------------------------------------------------
    def text(self, path: str) -> str | None:
        """The file's text, decoded once for every plugin that asks."""
        if path not in self.texts:
            raw = self.read(path) if path in self.tracked else None
            self.texts[path] = None if raw is None else raw.decode("utf-8-sig", errors="replace")
        return self.texts[path]

    @cached_property
    def sorted(self) -> list[str]:
        return sorted(self.tracked)

    @cached_property
    def by_name(self) -> dict[str, list[str]]:
        """Tracked paths by file name, in path order: plugins ask for names, not paths."""
        out: dict[str, list[str]] = {}
        for path in self.sorted:
            out.setdefault(path.rpartition("/")[2], []).append(path)
        return out

    @cached_property
    def names_text(self) -> str:
        """Every file name once, a line each: one regular expression finds a glob's names."""
        return "\n".join(self.by_name)

    def named(self, pattern: str) -> list[str]:
        """Tracked files whose name matches a glob (`next.config.*`), in path order."""
        if not any(c in pattern for c in "*?["):
            return list(self.by_name.get(pattern, ()))
        regex = fnmatch.translate(pattern).replace(".*", "[^\n]*").replace("(?s:", "(?m:^")
        names = re.findall(regex.replace(r")\Z", "$)"), self.names_text)
        return sorted(p for name in names for p in self.by_name.get(name, ()))

    def glob(self, pattern: str, base: str = "") -> list[str]:
        """Tracked files matching a glob relative to folder `base`: `**` spans folders, `*`
        and `?` stay in one, `{a,b}` alternates."""
        full = posixpath.normpath(posixpath.join(base, pattern)) if base else pattern
        regex = re.compile(glob_regex(full))
        return [p for p in self.sorted if regex.fullmatch(p)]

    @cached_property
    def _corpus(self) -> Corpus:
        """Every tracked file's bytes, NUL-separated, grouped by extension (path order in a
        group): the investigation's snapshot when it gave one, else joined here."""
        if self.corpus is not None:
            return self.corpus
        files = {path: self.read(path) for path in self.tracked}
        return Corpus.join({path: data for path, data in files.items() if data})

    def holding(self, needles: Iterable[bytes], suffixes: tuple[str, ...] = ()) -> list[str]:
        """Tracked files (in path order; ending in `suffixes` when given) whose bytes hold one
        of `needles`. Each needle is one search through the bytes of the files of those
        extensions, skipping from a hit to the next file: a plugin's cheap first filter,
        without a Python loop per file."""
        corpus = self._corpus
        wanted = [span for ext, span in corpus.spans.items() if _may_end(ext, suffixes)]
        hits: set[int] = set()
        for needle in needles:
            for first, last in wanted:
                if (needle, first) not in self._held:  # plugins ask for the same needles
                    self._held[needle, first] = list(corpus.holding(needle, first, last))
                hits.update(self._held[needle, first])
        found = sorted(corpus.paths[i] for i in hits)
        return [p for p in found if p.endswith(suffixes)] if suffixes else found

    def under(self, folder: str, suffixes: tuple[str, ...] = ()) -> list[str]:
        prefix = f"{folder}/" if folder else ""
        return [p for p in self.sorted if p.startswith(prefix) and p.endswith(suffixes or "")]

    # --- Python modules ------------------------------------------------------------------
    @cached_property
    def python_roots(self) -> list[str]:
        """Folders a dotted module name may be relative to: the repository root, `src/`, and
        the parent of every top-level package (a folder with `__init__.py` whose own parent
        has none)."""
        inits = {posixpath.dirname(p) for p in self.tracked if p.endswith("/__init__.py")}
        roots = {"", "src"} if any(p.startswith("src/") for p in self.tracked) else {""}
        for package in inits:
            top = package
            while posixpath.dirname(top) in inits:
                top = posixpath.dirname(top)
            roots.add(posixpath.dirname(top))
        return sorted(roots, key=lambda r: (r.count("/"), r))

    def module_files(self, dotted: str, roots: Iterable[str] | None = None) -> list[str]:
        """The tracked files a dotted name means: `pkg.mod` is pkg/mod.py or pkg/mod/__init__.py
        under an import root; `pkg.mod:attr` and `pkg.mod.attr` name pkg/mod.py too."""
        name = dotted.split(":")[0].strip()
        if not re.fullmatch(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*", name):
            return []
        parts = name.split(".")
        for cut in range(len(parts), 0, -1):
            base = "/".join(parts[:cut])
            found = [
                path
                for root in (self.python_roots if roots is None else roots)
                for path in (join(root, f"{base}.py"), join(root, f"{base}/__init__.py"))
                if path in self.tracked
            ]
            if found:
                return list(dict.fromkeys(found))
        return []

    # --- dependencies --------------------------------------------------------------------
    @cached_property
    def dependencies(self) -> set[str]:
        """Lower-case names of every Python and npm dependency any manifest declares."""
        found: set[str] = set()
        for path in self.sorted:
            name = path.rpartition("/")[2]
            if name == "package.json":
                data = self.load_json(path, warn=False)
                for key in ("dependencies", "devDependencies", "peerDependencies"):
                    table = data.get(key) if isinstance(data, dict) else None
                    found |= {str(k).lower() for k in table} if isinstance(table, dict) else set()
            elif name == "pyproject.toml":
                found |= _pyproject_names(self.load_toml(path, warn=False))
            elif PY_DEPENDENCY_FILES.fullmatch(name):
                found |= _requirement_names(self.text(path) or "")
        return {n.replace("_", "-") for n in found}

    # --- configs, read leniently -----------------------------------------------------------
    def warn(self, path: str, line: int, message: str, kind: str = "unresolved config") -> None:
        self.warnings.append(Warning_(path, line, message, kind=kind))

    def unreadable(self, path: str, line: int, message: str) -> None:
        """A config that does not parse: `frameworks.load` makes its folder uncertain."""
        self.warn(path, line, message, UNREADABLE)

    def load_json(self, path: str, *, warn: bool = True) -> Any:
        try:
            return json.loads(self.text(path) or "")
        except json.JSONDecodeError as exc:
            if warn:
                self.unreadable(path, exc.lineno, f"not valid JSON ({exc.msg})")
            return None

    def load_toml(self, path: str, *, warn: bool = True) -> dict[str, Any]:
        try:
            return tomllib.loads(self.text(path) or "")
        except tomllib.TOMLDecodeError as exc:
            if warn:
                line = int(m[1]) if (m := re.search(r"line (\d+)", str(exc))) else 1
                self.unreadable(path, line, f"not valid TOML ({exc})")
            return {}

    def load_yaml(self, path: str) -> Any:
        try:
            return YAML(typ="safe", pure=True).load(self.text(path) or "")
        except YAMLError as exc:
            mark = exc.problem_mark if isinstance(exc, MarkedYAMLError) else None
            self.unreadable(path, mark.line + 1 if mark else 1, "not valid YAML")
            return None

    def load_ini(self, path: str) -> configparser.ConfigParser | None:
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read_string(self.text(path) or "", source=path)
        except configparser.Error as exc:
            self.unreadable(
                path, getattr(exc, "lineno", 1) or 1, f"not a valid INI file ({type(exc).__name__})"
            )
            return None
        return parser

    def load_python(self, path: str) -> ast.Module | None:
        try:
            return ast.parse(self.text(path) or "", filename=path)
        except SyntaxError as exc:
            self.unreadable(path, exc.lineno or 1, f"Python syntax error ({exc.msg})")
            return None

    # --- results -------------------------------------------------------------------------
    def uncertain(
        self, folder: str, via: str, suffixes: tuple[str, ...] | None = None
    ) -> Iterator[Root]:
        """Every code file under `folder` (of `suffixes`: what the loader can load; default
        every code file) may be loaded: `review`, never `remove`."""
        for path in self.under(folder, suffixes or CODE_SUFFIXES):
            yield Root(path, "framework", via, production=False)


CODE_SUFFIXES = (".py", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx")
# What a JavaScript tool (a bundler, a test runner, an ORM's glob) can load: never a .py file.
JS_LOADABLE = tuple(s for s in CODE_SUFFIXES if s != ".py")


def join(root: str, path: str) -> str:
    return posixpath.normpath(posixpath.join(root, path)) if root else posixpath.normpath(path)


def _may_end(extension: str, suffixes: tuple[str, ...]) -> bool:
    """Whether a file with this last extension may end in one of `suffixes` (all: any)."""
    if not suffixes or not all(s.startswith(".") for s in suffixes):
        return True
    dotted = f".{extension}" if extension else ""
    return bool(dotted) and any(s.endswith(dotted) or dotted.endswith(s) for s in suffixes)


def glob_regex(pattern: str) -> str:
    """A regular expression for a path glob: `**/` any folders, `*` within one, `{a,b}`."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "{" and (end := pattern.find("}", i)) > i:
            options = pattern[i + 1 : end].split(",")
            out.append("(?:" + "|".join(re.escape(o) for o in options) + ")")
            i = end + 1
            continue
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def _requirement_names(text: str) -> set[str]:
    names: set[str] = set()
    for line in text.splitlines():
        line = line.split("#")[0].strip().strip("'\",")
        if line and not line.startswith(("-", "[")) and (m := NAME.match(line)):
            names.add(m[1].lower())
    return names


def _pyproject_names(data: dict[str, Any]) -> set[str]:
    raw = data.get("project")
    project: dict[str, Any] = raw if isinstance(raw, dict) else {}
    listed = list(project.get("dependencies") or [])
    for extra in (project.get("optional-dependencies") or {}).values():
        listed += list(extra) if isinstance(extra, list) else []
    poetry = data.get("tool", {}).get("poetry", {}) if isinstance(data.get("tool"), dict) else {}
    names = {m[1].lower() for item in listed if isinstance(item, str) and (m := NAME.match(item))}
    for key in ("dependencies", "dev-dependencies"):
        table = poetry.get(key) if isinstance(poetry, dict) else None
        names |= {str(k).lower() for k in table} if isinstance(table, dict) else set()
    return names
