"""Resolve scanned Python imports to the repository's files, the way Python 3 finds them.

Relative imports are certain. An absolute import (`import a.b`, `from a import b`) is looked
for, in this order:

1. *Near* folders: a folder on the way from the importing file up to the repository root (its
   script folder, its service folder, the root), or a folder the file puts on `sys.path`. Python
   code runs with one of those on its path, so a match there is certain. Several near folders
   matching different files are all targets, uncertain.
2. *Import roots*: every folder without `__init__.py` holding a package (`src/`, `backend/`
   with `backend/app/__init__.py`), every folder named `src`, and for a test file every folder
   a `conftest.py` above it puts on `sys.path` (pytest runs it first). When the only file the
   module could be is in one of those, it is certain.
3. Otherwise every tracked file it could be (`**/a/b.py`, `**/a/b/__init__.py`), uncertain:
   kind `NAME_MATCH` when every one of them was found by name alone, somewhere the file has
   no reason to look (a folder only *another* file puts on `sys.path` counts as that: the two
   may never run in one process). A file that changed `sys.path` in a way the scanner does not
   understand gets this list whenever it is longer than the near one.

The standard library comes first for its own names (Python 3 has no implicit relative import):
`import json` means the standard library's json unless a folder that is on `sys.path` before
it holds a `json.py` or `json/__init__.py`, which then shadows it. Surely on `sys.path`: the
file's import root (its own folder when it is no package's module: run as a script or imported
as a top-level module), folders the file inserts (`append` and `addsitedir` land after the
standard library). Maybe (an uncertain edge): other folders on the way up, the package folder
of a package module with a `__main__` guard (`python pkg/cli.py`), folders other files insert,
anywhere when the file changed `sys.path` in a way the scanner does not understand. A sibling
`json.py` of a package's module does not shadow; modules the interpreter loads before any code
runs (`sys`, `io`, ...) never are. Targets include the `__init__` of every package on the way
(it runs), and `from p import x` adds `p/x.py` when x is a submodule. `from p import *` and
`import_module(f"p.{name}")` add a second, uncertain `Use` with every submodule of p.

`PyImport` and `PyScan`, what `pyimports` finds in a file, are defined here so that imports
flow one way (`pyimports` uses the resolver); `pyimports` exports them too.
"""

from __future__ import annotations

import copy
import re
import sys
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from consolidate.analysis.uses import Use

# pytest imports a folder's conftest.py before the tests below it, and collects test_*.py and
# *_test.py: https://docs.pytest.org/en/stable/how-to/writing_plugins.html#conftest-py-plugins
# https://docs.pytest.org/en/stable/explanation/goodpractices.html#conventions-for-python-test-discovery
TEST_FILE = re.compile(r"test_\w*\.py|\w+_test\.py|conftest\.py")
NAME_MATCH = "name match"  # the kind of a `Use` found only by a file's name, elsewhere
# sys.path: the script's folder (or the working folder for -m), PYTHONPATH, then the standard
# library, then site-packages: https://docs.python.org/3/library/sys_path_init.html
# Older code still imports modules removed since Python 3.8; the names stay the stdlib's.
REMOVED = {"asynchat", "asyncore", "distutils", "imp", "smtpd", "lib2to3"}
DEAD_BATTERIES = {
    *("aifc", "audioop", "cgi", "cgitb", "chunk", "crypt", "imghdr", "mailcap", "msilib"),
    *("nis", "nntplib", "ossaudiodev", "pipes", "sndhdr", "spwd", "sunau", "telnetlib"),
    *("uu", "xdrlib"),
}  # PEP 594, removed in 3.13
STDLIB = frozenset(sys.stdlib_module_names) | REMOVED | DEAD_BATTERIES
# In `sys.modules` before the first line of any program runs (even with `python -S`).
LOADED_AT_START = {"abc", "builtins", "codecs", "encodings", "io", "marshal", "sys", "zipimport"}


@dataclass(slots=True, unsafe_hash=True)  # not frozen: 5x faster to make, and there are 10,000s
class PyImport:
    """One target group: `import a.b` is ("a.b", (), 0); `from ..p import x, y` is ("p", ("x", "y"), 2).

    kind is "import", "from" or "dynamic". names ("*",) means every submodule may be imported.
    """

    module: str
    names: tuple[str, ...]
    level: int
    line: int
    kind: str
    text: str


@dataclass(slots=True, unsafe_hash=True)  # not frozen: 5x faster to make, and there are 10,000s
class PyScan:
    """What one file says; plain data, so worker processes can return it."""

    imports: tuple[PyImport, ...]
    sys_paths: tuple[str | None, ...]  # repository-relative folders, None for "did not understand"
    main_guard: bool
    appended: tuple[str, ...] = ()  # of sys_paths, those only appended: after the stdlib


@dataclass(slots=True)
class _Source:
    """What every import of one file shares: worked out once per file, not once per import."""

    path: str
    scan: PyScan
    near: set[str]  # folders on the way up, and what the file puts on `sys.path`
    own: set[str]  # what the file puts on `sys.path`
    unknown: bool  # it changes `sys.path` in a way the scanner does not understand
    import_roots: set[str]  # the index's import roots and what conftest files above add


@dataclass(slots=True)
class _Found:
    roots: set[str]
    kind: str
    certain: bool
    module: str
    names: tuple[str, ...]


class ModuleIndex:
    """Every (root folder, dotted name) under which a tracked .py/.pyi file can be imported:
    made from the paths alone, then `shaped` by what files put on `sys.path`."""

    def __init__(self, paths: Collection[str]) -> None:
        self.modules: dict[str, dict[str, list[str]]] = {}
        self.children: dict[tuple[str, str], list[str]] = {}
        self.inits: dict[str, list[str]] = {}
        self.packages: dict[tuple[str, str], list[str]] = {}  # `files` of (root, module)
        self.source_roots = {""}
        for path in paths:
            if path.endswith((".py", ".pyi")):
                self._add(path)
        for folder in self.inits:
            parent = folder.rpartition("/")[0]
            if folder and parent not in self.inits:
                self.source_roots.add(parent)
        self.inserted: set[str] = set()
        self.conftest: dict[str, set[str]] = {}  # folder -> what its conftest.py adds

    def shaped(self, scans: Mapping[str, PyScan]) -> ModuleIndex:
        """A copy that knows what `scans`' files put on `sys.path` (the index's tables are
        shared with it)."""
        index = copy.copy(self)
        index.inserted = {d for s in scans.values() for d in _before_stdlib(s)}
        index.conftest = {}
        for path, scan in scans.items():
            folder, _, name = path.rpartition("/")
            if name == "conftest.py":
                index.conftest.setdefault(folder, set()).update(
                    d for d in scan.sys_paths if d is not None
                )
        return index

    def _add(self, path: str) -> None:
        folder, _, name = path.rpartition("/")
        parts = [*(folder.split("/") if folder else []), name.rpartition(".")[0]]
        if parts[-1] == "__init__":
            self.inits.setdefault(folder, []).append(path)
            parts.pop()
        if "src" in parts:
            self.source_roots.update(
                "/".join(parts[: i + 1]) for i, p in enumerate(parts) if p == "src"
            )
        for i in range(len(parts) - 1, -1, -1):
            root = "/".join(parts[:i])
            self.children.setdefault((root, ".".join(parts[i:-1])), []).append(path)
            if not parts[i].isidentifier():
                break
            self.modules.setdefault(".".join(parts[i:]), {}).setdefault(root, []).append(path)

    def roots(self, module: str, names: tuple[str, ...]) -> set[str]:
        found = set(self.modules.get(module, ()))
        for name in names:
            found.update(self.modules.get(f"{module}.{name}", ()))
        return found

    def files(self, root: str, module: str, names: tuple[str, ...]) -> list[str]:
        """`module` at `root`, the packages it is in (their `__init__` runs), and `names` in it."""
        key = (root, module)
        found = self.packages.get(key)
        if found is None:  # many imports name the same module: its packages once
            parts = module.split(".") if module else []
            dotted = [".".join(parts[: i + 1]) for i in range(len(parts))]
            found = self.packages[key] = [
                f for name in dotted for f in self.modules.get(name, {}).get(root, ())
            ]
        prefix = f"{module}." if module else ""
        inside: list[str] = []
        for name in names:
            at = self.modules.get(prefix + name)
            if at is not None and root in at:  # `*` is no module's name
                inside += at[root]
        return found + inside if inside else found

    def import_root(self, source: str) -> str:
        """The folder that must be on `sys.path` for `source` to be imported: above its top
        package, or its own folder when it is in none."""
        folder = source.rpartition("/")[0]
        while folder and folder in self.inits:
            folder = folder.rpartition("/")[0]
        return folder

    def conftest_adds(self, source: str) -> set[str]:
        """What the `conftest.py` files above a test put on `sys.path` (pytest runs them)."""
        found: set[str] = set()
        if not TEST_FILE.fullmatch(source.rpartition("/")[2]):
            return found
        folder = source
        while folder:
            folder = folder.rpartition("/")[0]
            found |= self.conftest.get(folder, set())
        return found

    def source(self, path: str, scan: PyScan) -> _Source:
        own = {d for d in scan.sys_paths if d is not None}
        near = set(own)
        folder = path
        while folder:
            folder = folder.rpartition("/")[0]
            near.add(folder)
        adds = self.conftest_adds(path)
        roots = self.source_roots | adds if adds else self.source_roots
        return _Source(path, scan, near, own, None in scan.sys_paths, roots)

    def resolve(self, src: _Source, imp: PyImport) -> list[Use]:
        source, scan = src.path, src.scan
        module, names = imp.module, imp.names
        if imp.level:
            base: str | None = source.rpartition("/")[0]
            for _ in range(imp.level - 1):
                base = base.rpartition("/")[0] if base else None
            if base is None:
                return []
            roots, certain, kind = {base}, True, "relative import"
            files = self.inits.get(base, []) + self.files(base, module, names)
        else:
            if module.partition(".")[0] in STDLIB:
                found = self._stdlib(source, scan, module, names)
            else:
                found = self._absolute(src, module, names)
            if found is None:
                return []
            roots, kind, certain = found.roots, found.kind, found.certain
            module, names = found.module, found.names
            files = [f for root in roots for f in self.files(root, module, names)]
        if imp.kind == "dynamic":
            kind = "dynamic import"
        uses = [_use(source, imp, files, certain, kind)]
        if "*" in names:  # `__all__` or the dynamic name may pick any submodule
            maybe = [f for root in roots for f in self.children.get((root, module), ())]
            maybe_kind = "dynamic import" if imp.kind == "dynamic" else "uncertain import"
            uses.append(_use(source, imp, maybe, False, maybe_kind))
        return [use for use in uses if use is not None]

    def _absolute(self, src: _Source, module: str, names: tuple[str, ...]) -> _Found | None:
        """Where an absolute import resolves: see the module docstring for the tiers."""
        while not (roots := self.roots(module, names)):
            if "." not in module:
                return None
            module, names = module.rpartition(".")[0], ()
        own, unknown, near, import_roots = src.own, src.unknown, src.near, src.import_roots
        close = roots & near
        if close and not (unknown and roots - close):
            roots, kind = close, "sys.path import" if close <= own else "import"
        elif roots <= import_roots and not unknown:
            kind = "import"
        else:
            kind = "uncertain import" if roots & (near | import_roots) else NAME_MATCH
        if len(roots) > 1 and kind != NAME_MATCH:
            kind = "uncertain import"
        certain = kind not in ("uncertain import", NAME_MATCH)
        return _Found(roots, kind, certain, module, names)

    def _stdlib(
        self, source: str, scan: PyScan, module: str, names: tuple[str, ...]
    ) -> _Found | None:
        """A standard library name: a repository file only when it shadows the library."""
        top = module.partition(".")[0]
        runs = (".py", ".pyi") if source.endswith(".pyi") else (".py",)  # stubs are not run
        found = self.modules.get(top, {}) if top not in LOADED_AT_START else {}
        local = {root for root, files in found.items() if any(f.endswith(runs) for f in files)}
        if not local:
            return None
        own = _before_stdlib(scan)
        sure = {self.import_root(source), *own}
        unknown = None in scan.sys_paths
        roots = local & sure
        certain = len(roots) == 1 and not unknown
        if roots or not unknown:
            roots = roots or local & self._maybe_before_stdlib(source, scan)
        else:  # a folder put on `sys.path` is no package's folder
            roots = {root for root in local if root not in self.inits}
        if not roots:
            return None
        kind = ("sys.path import" if roots <= own else "import") if certain else "uncertain import"
        return _Found(roots, kind, certain, module, names)

    def _maybe_before_stdlib(self, source: str, scan: PyScan) -> set[str]:
        """Folders that may be on `sys.path` ahead of the standard library when `source` runs:
        folders further up that are no package, its package folder when it may run as a
        script (`python pkg/cli.py`), and what other files or a `conftest.py` insert."""
        own = source.rpartition("/")[0]
        maybe, folder = set(), own
        while folder:
            folder = folder.rpartition("/")[0]
            if folder not in self.inits:
                maybe.add(folder)
        if scan.main_guard:
            maybe.add(own)
        return maybe | self.inserted | self.conftest_adds(source)


def _before_stdlib(scan: PyScan) -> set[str]:
    """Folders `scan`'s file inserts at the front of `sys.path`, before the standard library."""
    return {d for d in scan.sys_paths if d is not None} - set(scan.appended)


def _use(source: str, imp: PyImport, files: list[str], certain: bool, kind: str) -> Use | None:
    targets = tuple(sorted(set(files) - {source}))
    return Use(source, targets, imp.line, kind, certain, imp.text) if targets else None


# A file whose text holds neither cannot put a folder on `sys.path` (`pyimports._sys_paths`
# looks for them): the only part of other files' scans that resolving a file's imports reads.
SYS_PATH_NEEDLES = (b"sys.path", b"site.addsitedir")


class PyResolver:
    """Resolves one file's imports at a time, against the repository's `paths`; `shaping`
    holds the scans of every file whose text holds one of `SYS_PATH_NEEDLES`, or more."""

    def __init__(
        self,
        paths: Collection[str],
        shaping: Mapping[str, PyScan],
        index: ModuleIndex | None = None,  # made from the same `paths` before
    ) -> None:
        self.index = (index or ModuleIndex(paths)).shaped(shaping)

    def uses(self, path: str, scan: PyScan) -> list[Use]:
        """One `Use` per import target group of `path` that names repository files, by line."""
        uses: list[Use] = []
        if scan.imports:
            src = self.index.source(path, scan)
            for imp in scan.imports:
                uses += self.index.resolve(src, imp)
        return uses


def resolve_python(scans: Mapping[str, PyScan], paths: Collection[str]) -> list[Use]:
    """One `Use` per import target group that names repository files, ordered by file and line."""
    resolver = PyResolver(paths, scans)
    return [use for path in sorted(scans) for use in resolver.uses(path, scans[path])]
