"""Find Python imports without parsing, and resolve them to the repository's files.

Scanning is line-oriented, not `ast`: parsing every file of a 20,000-file repository costs
seconds, regexes cost milliseconds. Lines inside triple-quoted strings (docstrings) are skipped;
an odd construct can make the scanner see an import that is not there, which only keeps a file.

Resolution of an absolute import (`import a.b`, `from a import b`), in this order:

1. *Near* folders: a folder on the way from the importing file up to the repository root (its
   script folder, its service folder, the root), or a folder the file put on `sys.path`. Python
   code runs with one of those on its path, so a match there is certain. Several near folders
   matching different files are all targets, uncertain.
2. *Source roots*: every folder without `__init__.py` holding a package (`src/`, `backend/`
   with `backend/app/__init__.py`), every folder named `src`, every folder any file put on
   `sys.path`. When the only file the module could be is in one of those, it is certain.
3. Otherwise every tracked file it could be (`**/a/b.py`, `**/a/b/__init__.py`), uncertain.
   A file that changed `sys.path` in a way the scanner does not understand gets this list
   whenever it is longer than the near one: the unknown folder may shadow the near one.

Relative imports are certain. Targets include the `__init__` of every package on the way (it
runs), and `from p import x` adds `p/x.py` when x is a submodule. `from p import *` and
`import_module(f"p.{name}")` add a second, uncertain `Use` with every submodule of p.
Imports under `if TYPE_CHECKING:` count like any other. Modules matching no repository file
at all (stdlib, third-party) produce no `Use`; a file importing itself does not either.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass

from consolidate.analysis.pypaths import added_folder
from consolidate.analysis.uses import Use


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class PyScan:
    """What one file says; plain data, so worker processes can return it."""

    imports: tuple[PyImport, ...]
    sys_paths: tuple[str | None, ...]  # repository-relative folders, None for "did not understand"
    main_guard: bool


_STATEMENT = re.compile(
    r"[ \t]*(?:(?:try|else|finally|except\b[^:\n]*|(?:el)?if\b[^:\n]*)[ \t]*:[ \t]*)?"
    r"(?=(?:import|from)\b)"
)
_TO_SEMICOLON = re.compile(
    r"""(?:[^"'#;\n]++|"(?:[^"\\\n]|\\.)*+"|'(?:[^'\\\n]|\\.)*+')*+;[ \t]*"""
)
_KEYWORD = re.compile(r"(?:import|from)\b")
_FROM = re.compile(r"from\s*(\.*)\s*([\w.]*?)\s*(?<!\w)import\b(.*)", re.S)
_CODE = re.compile(r"""(?:[^"'#\n]++|"(?:[^"\\\n]|\\.)*+"|'(?:[^'\\\n]|\\.)*+')*+""")
_DYNAMIC = re.compile(r"""\s*\(\s*([fF]?)(['"])([^'"\n]*)\2([^\n]*)""")
_SYS_PATH = re.compile(
    r"sys\.path\.(insert|append)\s*\(|site\.addsitedir\s*\("
    r"|sys\.path\s*(?:\+=|=(?!=)|\[[^\]\n]*\]\s*=(?!=)|\.extend\b)"
)
_MAIN = re.compile(
    r"""[ \t]*if\s+\(?\s*(?:__name__\s*==\s*(['"])__main__\1|(['"])__main__\2\s*==\s*__name__)"""
)


class _Text:
    """The decoded file: which positions are inside triple-quoted strings, and line numbers.

    `str.find` over the text, not a regex over every character: imports sit near the top, so
    strings are only looked for up to the last position asked about.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: list[int] = []
        self.ends: list[int] = []
        self._scanned = 0  # every triple-quoted string before this position is known
        self._next = {'"""': -1, "'''": -1}
        self._pos, self._line = 0, 1

    def hits(self, needle: str) -> Iterator[tuple[int, int]]:
        """(start, end) of each line holding `needle`, once per line."""
        pos = self.text.find(needle)
        while pos >= 0:
            start = self.text.rfind("\n", 0, pos) + 1
            end = self.text.find("\n", pos)
            end = len(self.text) if end < 0 else end
            yield start, end
            pos = self.text.find(needle, end)

    def logical_start(self, start: int) -> int:
        """Where the statement that the line at `start` continues (with `\\`) begins."""
        while start and self.text.endswith(("\\", "\\\r"), 0, start - 1):
            start = self.text.rfind("\n", 0, start - 1) + 1
        return start

    def find_all(self, needle: str) -> Iterator[int]:
        """Each position of `needle` outside triple-quoted strings."""
        pos = self.text.find(needle)
        while pos >= 0:
            if not self.in_string(pos):
                yield pos
            pos = self.text.find(needle, pos + 1)

    def in_string(self, pos: int) -> bool:
        return self.after_string(pos) != pos

    def after_string(self, pos: int) -> int:
        """`pos`, or the end of the triple-quoted string `pos` is in."""
        while self._scanned <= pos:
            self._next_string()
        i = bisect_right(self.starts, pos) - 1
        return self.ends[i] if i >= 0 and pos < self.ends[i] else pos

    def _next_string(self) -> None:
        text, pos = self.text, self._scanned
        while (opening := self._find_opening(pos)) >= 0:
            line_start = max(text.rfind("\n", 0, opening) + 1, self.ends[-1] if self.ends else 0)
            code = _CODE.match(text, line_start, opening)
            if code is not None and code.end() == opening:  # not in a comment
                break
            pos = opening + 1
        else:
            self._scanned = len(text) + 1
            return
        quote, close = text[opening : opening + 3], opening + 3
        while (close := text.find(quote, close)) >= 0:
            before = close
            while text[before - 1] == "\\":
                before -= 1
            if (close - before) % 2 == 0:
                break
            close += 1
        end = len(text) if close < 0 else close + 3
        self.starts.append(opening)
        self.ends.append(end)
        self._scanned = end

    def _find_opening(self, pos: int) -> int:
        for quote, at in self._next.items():
            if at < pos and at != len(self.text):
                found = self.text.find(quote, pos)
                self._next[quote] = len(self.text) if found < 0 else found
        opening = min(self._next.values())
        return -1 if opening == len(self.text) else opening

    def line(self, pos: int) -> int:
        """1-based line of `pos`; counts on from the last call (callers mostly go forward)."""
        if pos < self._pos:
            self._pos, self._line = 0, 1
        self._line += self.text.count("\n", self._pos, pos)
        self._pos = pos
        return self._line

    def line_text(self, pos: int) -> str:
        end = self.text.find("\n", pos)
        return self.text[self.text.rfind("\n", 0, pos) + 1 : None if end < 0 else end].strip()[:200]


def scan_file(path: str, data: bytes) -> PyScan:
    """The imports, `sys.path` additions and `__main__` guard of one Python file."""
    if b"import" not in data and b"__main__" not in data:
        return PyScan((), (), False)
    text = _Text(data.decode("utf-8-sig", errors="replace"))
    main = any(
        (m := _MAIN.match(text.text, start, end)) and not text.in_string(m.end())
        for start, end in text.hits("__main__")
    )
    if b"import" not in data:
        return PyScan((), (), main)
    imports = list(_static_imports(text))
    # Cheap gates: `sys.path` needs `sys`, `import_module` needs `importlib`.
    tops = {imp.module.partition(".")[0] for imp in imports}
    if "importlib" in tops or "__import__" in text.text:
        imports += _dynamic_imports(text)
        imports.sort(key=lambda imp: imp.line)
    sys_paths = list(_sys_paths(path, text)) if tops & {"sys", "site"} else []
    if any(imp.module == "sys" and "path" in imp.names for imp in imports):
        sys_paths.append(None)  # `from sys import path`: changes not followed
    return PyScan(tuple(imports), tuple(dict.fromkeys(sys_paths)), main)


def _static_imports(text: _Text) -> Iterator[PyImport]:
    for start, end in text.hits("import"):
        code = text.after_string(start)
        if code >= end:
            continue  # a line inside a docstring
        logical = text.logical_start(start)
        m = _STATEMENT.match(text.text, logical, end) if logical < start else None
        m = m or _STATEMENT.match(text.text, code, end)  # a comment can end with `\\` too
        keywords = [m.end()] if m else []
        while ";" in text.text[code:end] and (m := _TO_SEMICOLON.match(text.text, code, end)):
            code = m.end()  # after a `;` outside strings and comments
            keywords += [code] if _KEYWORD.match(text.text, code) else []
        for at in keywords:
            if not text.in_string(at):
                yield from _parse(_statement(text.text, at), text.line(at), text.line_text(at))


def _statement(text: str, start: int) -> str:
    """The statement at `start`: comments cut, `;` ends it, parentheses and `\\` continue it."""
    pieces: list[str] = []
    depth, pos = 0, start
    for _ in range(500):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        code = text[pos:end].split("#", 1)[0].rstrip()
        if depth == 0 and ";" in code:
            pieces.append(code.split(";", 1)[0])
            break
        depth += code.count("(") - code.count(")")
        pieces.append(code.removesuffix("\\"))
        pos = end + 1
        if end >= len(text) or (depth <= 0 and not code.endswith("\\")):
            break
    return " ".join(pieces)


def _parse(statement: str, line: int, text: str) -> list[PyImport]:
    if statement.startswith("import"):
        modules = (item.split()[0] for item in statement[6:].split(",") if item.split())
        return [PyImport(m, (), 0, line, "import", text) for m in modules if _valid(m, 0)]
    m = _FROM.match(statement)
    if m is None or not _valid(m[2], len(m[1])):
        return []
    items = m[3].replace("(", " ").replace(")", " ").split(",")
    names = [w[0] for item in items if (w := item.split()) and (w[0] == "*" or w[0].isidentifier())]
    return [PyImport(m[2], tuple(names), len(m[1]), line, "from", text)] if names else []


def _valid(module: str, level: int) -> bool:
    return (not module and level > 0) or all(part.isidentifier() for part in module.split("."))


def _dynamic_imports(text: _Text) -> Iterator[PyImport]:
    for needle in ("import_module", "__import__"):
        for pos in text.find_all(needle):
            m = _DYNAMIC.match(text.text, pos + len(needle))
            if m and (found := _dynamic(m)):
                yield PyImport(*found, text.line(pos), "dynamic", text.line_text(pos))


def _dynamic(m: re.Match[str]) -> tuple[str, tuple[str, ...], int] | None:
    """("a.b", (), 0) for `import_module("a.b")`; ("p", ("*",), 0), any submodule of p, for a
    literal prefix (`f"p.{name}"`, `"p." + name`); nothing for a name alone. A relative name is
    taken relative to the file (`package=__package__`)."""
    body = m[3].lstrip(".")
    level = len(m[3]) - len(body)
    names: tuple[str, ...] = ()
    if m[1] or re.search(r"[{%]", body) or body.endswith(".") or m[4].lstrip().startswith("+"):
        body, names = re.split(r"[{%]", body)[0].rpartition(".")[0], ("*",)
    return (body, names, level) if (body or level) and _valid(body, level) else None


def _sys_paths(path: str, text: _Text) -> Iterator[str | None]:
    for needle in ("sys.path", "site.addsitedir"):
        for pos in text.find_all(needle):
            if m := _SYS_PATH.match(text.text, pos):
                yield added_folder(path, text.text, m, pos) if m[0].endswith("(") else None


class _Index:
    """Every (root folder, dotted name) under which a tracked .py/.pyi file can be imported."""

    def __init__(self, paths: Collection[str], scans: Mapping[str, PyScan]) -> None:
        self.modules: dict[str, dict[str, list[str]]] = {}
        self.children: dict[tuple[str, str], list[str]] = {}
        self.inits: dict[str, list[str]] = {}
        self.source_roots = {""}
        for path in paths:
            if path.endswith((".py", ".pyi")):
                self._add(path)
        for folder in self.inits:
            parent = folder.rpartition("/")[0]
            if folder and parent not in self.inits:
                self.source_roots.add(parent)
        self.source_roots.update(d for s in scans.values() for d in s.sys_paths if d is not None)

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
        parts = module.split(".") if module else []
        dotted = [".".join(parts[: i + 1]) for i in range(len(parts))]
        dotted += [f"{module}.{n}" if module else n for n in names if n != "*"]
        return [f for name in dotted for f in self.modules.get(name, {}).get(root, ())]

    def resolve(self, source: str, scan: PyScan, imp: PyImport, near: set[str]) -> list[Use]:
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
            found = self._absolute(scan, module, names, near)
            if found is None:
                return []
            roots, kind, module, names = found
            certain = kind != "uncertain import"
            files = [f for root in roots for f in self.files(root, module, names)]
        if imp.kind == "dynamic":
            kind = "dynamic import"
        uses = [_use(source, imp, files, certain, kind)]
        if "*" in names:  # `__all__` or the dynamic name may pick any submodule
            maybe = [f for root in roots for f in self.children.get((root, module), ())]
            maybe_kind = "dynamic import" if imp.kind == "dynamic" else "uncertain import"
            uses.append(_use(source, imp, maybe, False, maybe_kind))
        return [use for use in uses if use is not None]

    def _absolute(
        self, scan: PyScan, module: str, names: tuple[str, ...], near: set[str]
    ) -> tuple[set[str], str, str, tuple[str, ...]] | None:
        """Where an absolute import resolves: see the module docstring for the tiers."""
        while not (roots := self.roots(module, names)):
            if "." not in module:
                return None
            module, names = module.rpartition(".")[0], ()
        own = {d for d in scan.sys_paths if d is not None}
        unknown = None in scan.sys_paths
        close = roots & near
        if close and not (unknown and roots - close):
            roots, kind = close, "sys.path import" if close <= own else "import"
        elif roots <= self.source_roots and not unknown:
            kind = "import"
        else:
            kind = "uncertain import"
        return roots, "uncertain import" if len(roots) > 1 else kind, module, names


def _use(source: str, imp: PyImport, files: list[str], certain: bool, kind: str) -> Use | None:
    targets = tuple(sorted(set(files) - {source}))
    return Use(source, targets, imp.line, kind, certain, imp.text) if targets else None


def resolve_python(scans: Mapping[str, PyScan], paths: Collection[str]) -> list[Use]:
    """One `Use` per import target group that names repository files, ordered by file and line."""
    index = _Index(paths, scans)
    uses: list[Use] = []
    for source in sorted(scans):
        scan = scans[source]
        near = {d for d in scan.sys_paths if d is not None}
        folder = source
        while folder:
            folder = folder.rpartition("/")[0]
            near.add(folder)
        for imp in scan.imports:
            uses += index.resolve(source, scan, imp, near)
    return uses
