"""TypeScript and JavaScript imports: a one-pass scanner, and the step from specifiers to uses.

The investigation engine deletes what nothing uses, so a missed import is the worst mistake this
module can make; an import found in odd syntax costs only a file kept. The scanner is one compiled
regex run once over each file: comments and string literals are alternatives of the same regex,
so an `import` inside them is consumed with them and never reported, and everything else is left
to the regex engine's C loop. Static resolution lives in `tsresolve`; the globs and templates the
scanner reports (`import.meta.glob`, `require.context`, `` import(`./x/${y}`) ``) are matched here.
"""

from __future__ import annotations

import posixpath
import re
from bisect import bisect_left
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from functools import cached_property
from itertools import islice, takewhile

from consolidate.analysis.tsresolve import Resolution, Resolver
from consolidate.analysis.uses import Use
from consolidate.workspace import repo_join

TS_SUFFIXES = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")
# Single-file components (and mdsvex pages): their `<script>` blocks (Astro's frontmatter) import like a module,
# and the scanner reads the whole file (an `import` in markup would only keep a file).
SFC_SUFFIXES = (".vue", ".svelte", ".svx", ".astro")


@dataclass(frozen=True)
class TsScan:
    """One file's specifiers; plain tuples so that worker processes can pickle it cheaply."""

    specifiers: tuple[tuple[str, int, str, str], ...]  # (specifier, line, kind, text)


# Whitespace and comments between two tokens of one statement.
_W = r"(?:\s|//[^\n]*|/\*[\s\S]*?\*/)*"
_NAME = r"[\w$]+"
_BRACES = r"\{(?:[^}/]|/(?![/*])|//[^\n]*|/\*[\s\S]*?\*/)*\}"
_STR = r"(?:\"[^\"\n]*\"|'[^'\n]*')"
_STR_OR_TEMPLATE = _STR + r"|`[^`]*`"

# Every alternative starts with a literal character, so the regex engine skips ahead to the next
# `/ " ' ` i e r` by itself. In each alternative the specifier's group is the last group to close,
# which makes `match.lastindex` name the kind; comments and plain strings have no group at all.
# `(?<![\w$.]x)` after the first letter is a word boundary that keeps that literal first.
_TOKEN = re.compile(
    rf"""
    /(?:/(?:/[ \t]*<reference[ \t]+path[ \t]*=[ \t]*(?P<ref>{_STR}))?[^\n]*|\*[\s\S]*?\*/)
  | "[^"\\\n]*(?:\\[\s\S][^"\\\n]*)*"
  | '[^'\\\n]*(?:\\[\s\S][^'\\\n]*)*'
  | `[^`\\]*(?:\\[\s\S][^`\\]*)*`
  | i(?<![\w$.]i)mport\b(?:
        {_W}\({_W}(?P<dynamic>{_STR_OR_TEMPLATE}){_W}[,)+]
      | {_W}\.{_W}meta{_W}\.{_W}glob(?:Eager)?{_W}\({_W}(?:\[{_W})?(?P<glob>{_STR})
      | {_W}(?P<side>{_STR})
      | {_W}(?P<itype>type(?:of)?\b{_W})?(?:{_NAME}{_W}(?:,{_W})?)?
        (?:\*{_W}as\b{_W}{_NAME}{_W}|{_BRACES}{_W})?from{_W}(?P<import>{_STR})
    )
  | e(?<![\w$.]e)xport\b{_W}(?:type\b{_W})?(?:\*{_W}(?:as\b{_W}{_NAME}{_W})?|{_BRACES}{_W})
    from{_W}(?P<export>{_STR})
  | r(?<![\w$.]r)equire(?:
        (?:{_W}\.{_W}resolve)?{_W}\({_W}(?P<require>{_STR_OR_TEMPLATE}){_W}[,)+]
      | {_W}\.{_W}context{_W}\({_W}(?P<context>{_STR})
    )
    """,
    re.VERBOSE,
)
_KINDS = {
    _TOKEN.groupindex[name]: kind
    for name, kind in (
        ("ref", "type import"),
        ("dynamic", "dynamic import"),
        ("glob", "dynamic import"),
        ("side", "import"),
        ("import", "import"),
        ("export", "export from"),
        ("require", "require"),
        ("context", "require"),
    )
}
_IMPORT, _ITYPE = _TOKEN.groupindex["import"], _TOKEN.groupindex["itype"]
# One of these is in every match with a specifier (`export ... from` holds "from").
_WORDS = ("import", "require", "from", "reference")
_REF, _CONTEXT = _TOKEN.groupindex["ref"], _TOKEN.groupindex["context"]


def scan_file(path: str, data: bytes) -> TsScan:
    """Every import, export-from, dynamic import and require specifier in one file's bytes."""
    if not (b"import" in data or b"require" in data or b"from" in data or b"reference" in data):
        return TsScan(())
    text = data.decode("utf-8", "replace")
    # Every match with a specifier holds one of `_WORDS` after its start: once a match ends
    # past the last of them, no later one can, and the rest of the file (most of a module's
    # text, after its imports) is not searched at all.
    last = max(text.rfind(word) for word in _WORDS)
    found: list[tuple[str, int, str, str]] = []
    line, counted = 1, 0
    for match in _TOKEN.finditer(text):
        group = match.lastindex
        if group is not None:
            start = match.start(group)
            line += text.count("\n", counted, start)
            counted = start
            itype = group == _IMPORT and match.start(_ITYPE) >= 0
            spec = _specifier(group, match.group(group), text[match.end() - 1] == "+")
            found.append(
                (spec, line, "type import" if itype else _KINDS[group], _line_text(text, start))
            )
        if match.end() > last:
            break
    return TsScan(tuple(found))


def _specifier(group: int, quoted: str, concatenated: bool) -> str:
    """The specifier inside its quotes, in the form the resolver reads.

    A triple-slash reference path is relative even without `./`; a webpack `require.context`
    folder is every file below it, written as a glob; `require("./cmd/" + name)` is the
    template `./cmd/${}`.
    """
    spec = quoted[1:-1] + ("${}" if concatenated else "")
    if group == _REF and not spec.startswith((".", "/")):
        return "./" + spec
    if group == _CONTEXT:
        return spec.rstrip("/") + "/**"
    return spec


def _line_text(text: str, pos: int) -> str:
    """The line holding `pos`, stripped and cut to 200 characters, for people."""
    end = text.find("\n", pos)
    return text[text.rfind("\n", 0, pos) + 1 : end if end >= 0 else len(text)].strip()[:200]


def resolve_ts(
    scans: Mapping[str, TsScan],
    paths: Collection[str],
    read: Callable[[str], bytes | None],
) -> list[Use]:
    """One `Use` per specifier that leads to a tracked file; external packages lead nowhere.

    A file's use of itself is dropped: it cannot keep the file alive.
    """
    resolver = TsResolver(paths, read)
    return [use for source in sorted(scans) for use in resolver.uses(source, scans[source])]


class TsResolver:
    """Resolves one file's specifiers at a time, against the repository's `paths`."""

    def __init__(self, paths: Collection[str], read: Callable[[str], bytes | None]) -> None:
        self.resolver, self.patterns = Resolver(paths, read), _Patterns(paths)
        self.local = _LocalAliases(paths)

    def uses(self, source: str, scan: TsScan) -> list[Use]:
        folder = posixpath.dirname(source)
        uses: list[Use] = []
        for spec, line, kind, text in scan.specifiers:
            dynamic = spec.startswith((".", "/")) and ("*" in spec or "${" in spec)
            base = folder
            if dynamic and spec.startswith("/"):  # Vite: from the project's root
                base, spec = self.resolver.package_home(folder) or "", "." + spec
            found = (self.patterns if dynamic else self.resolver).resolve(base, spec)
            if not found.targets and spec.startswith(LOCAL_ALIASES):
                found = self.local.resolve(spec)
            targets = tuple(target for target in found.targets if target != source)
            if targets:
                uses.append(Use(source, targets, line, kind, found.certain, text))
        return uses


# `~/x` and `@/x` are never package names (npm names start with neither `~` nor `@/`): a
# project's own alias for its source folder, set where this module cannot read it (a resolver
# plugin, a generated tsconfig). Every file the rest of the path can end may be meant.
LOCAL_ALIASES = ("~/", "@/")


class _LocalAliases:
    """Files whose path ends with what follows an unresolved `~/` or `@/`: with or without a
    code suffix, or a folder's index file; uses that are not certain."""

    def __init__(self, paths: Collection[str]) -> None:
        self._paths = paths
        self._cache: dict[str, Resolution] = {}

    @cached_property
    def _by_name(self) -> dict[str, list[str]]:
        """Paths by file name, by name without its suffix, and index files by their folder."""
        index: dict[str, list[str]] = {}
        for path in sorted(self._paths):
            folder, _, name = path.rpartition("/")
            stem = name.split(".", 1)[0]
            for key in {name, stem} | ({folder.rpartition("/")[2]} if stem == "index" else set()):
                index.setdefault(key, []).append(path)
        return index

    def resolve(self, spec: str) -> Resolution:
        if spec not in self._cache:
            rest = spec[2:].rstrip("/")
            name = rest.rpartition("/")[2]
            found = [p for p in self._by_name.get(name, ()) if _ends_with(p, rest)]
            self._cache[spec] = Resolution(tuple(found), certain=False)
        return self._cache[spec]


def _ends_with(path: str, rest: str) -> bool:
    """`src/components/Card.vue` ends `components/Card`, `components/Card.vue`; `x/Card/index.ts`
    ends `Card`."""
    folder, _, name = path.rpartition("/")
    forms = {path, f"{folder}/{name.split('.', 1)[0]}" if folder else name.split(".", 1)[0]}
    if name.split(".", 1)[0] == "index":
        forms.add(folder)
    return any(f == rest or f.endswith("/" + rest) for f in forms)


class _Patterns:
    """Globs and templates with `${}`: every tracked file they can match, none of them certain."""

    def __init__(self, paths: Collection[str]) -> None:
        self._sorted = sorted(paths)
        self._cache: dict[tuple[str, str], Resolution] = {}

    def resolve(self, folder: str, spec: str) -> Resolution:
        key = (folder, spec)
        if key not in self._cache:
            self._cache[key] = Resolution(self._match(folder, spec), certain=False)
        return self._cache[key]

    def _match(self, folder: str, spec: str) -> tuple[str, ...]:
        """Only files below the pattern's fixed leading folders are tried (a bisect range)."""
        head = spec.split("${", 1)[0].split("*", 1)[0]
        cut = head.rfind("/")
        base = repo_join(folder, head[: cut + 1])
        if base is None:
            return ()
        regex = _pattern_regex(spec[cut + 1 :], template="${" in spec)
        prefix = base + "/" if base else ""
        under = islice(self._sorted, bisect_left(self._sorted, prefix), None)
        paths = takewhile(lambda path: path.startswith(prefix), under)
        return tuple(path for path in paths if regex.fullmatch(path, len(prefix)))


def _pattern_regex(pattern: str, *, template: bool) -> re.Pattern[str]:
    """`**/` spans folders, `*` stays in one, `${...}` is anything; a template may also leave
    out the extension or the index file, as bundlers allow."""
    out = []
    for token in re.split(r"(\$\{[^}]*\}|\*\*/|\*\*|\*)", pattern):
        if token.startswith("${") or token == "**":
            out.append(".*")
        elif token == "**/":
            out.append("(?:.*/)?")
        elif token == "*":
            out.append("[^/]*")
        else:
            out.append(re.escape(token))
    tail = r"(?:/index)?(?:\.[\w.]+)?" if template else ""
    return re.compile("".join(out) + tail)
