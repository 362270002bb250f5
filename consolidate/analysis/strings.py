"""The safety net under the framework plugins: a string that names a tracked file.

A framework the plugins do not know still has to name what it loads, and it does so in a
string: a value in a config (`handler: acme.handlers.billing:handle`) or a literal in code
(`"./jobs/nightly.js"`). Such a string is an uncertain use of the file it names, from the
file that holds it: the file stays in `review` (never `remove`), and the chain runs through
the config. A string names a file when it equals

- its dotted module path, from any import root (`acme.handlers.billing`), or does once an
  attribute is cut off after the last `:` or `.` (`acme.handlers.billing:handle`,
  `acme.handlers.billing.handle`);
- its path, with or without its extension, from the repository root or from the string's own
  folder (`acme/plugins.yaml`, `./jobs/nightly`), or the folder of a package or JS index.
- for a code file under a `static/` folder, its path below that folder, the name a web
  framework serves it by (`shop/js/cart.js`, `/static/shop/js/cart.js`: a form's `Media`).

A single bare word (`"billing"`) never counts: it needs a `.`, `/` or `:`. Markdown, rst and
plain text are prose, not configs: never read. Names are indexed once; each file is searched
with one regular expression (one per quote character in code) and every token is looked up
in dicts, so the cost grows with the bytes read, not with files times names.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field

from consolidate.analysis.frameworks.base import CODE_SUFFIXES, Project
from consolidate.analysis.frameworks.staticfiles import served_index
from consolidate.analysis.uses import Use

KIND = "names it in a string"
CONFIG_SUFFIXES = (".yaml", ".yml", ".toml", ".ini", ".cfg", ".conf", ".json", ".jsonc", ".env")
LOCK_FILE = re.compile(r".*(?:[.-]lock(?:\.\w+)?|shrinkwrap\.json)")  # generated, not config
MAX_BYTES = 2 * 1024 * 1024
TOKEN = rb"([\w-]*+[.:/][\w.:/-]*+)"  # path or module characters, with a `.`, `/` or `:`
# In code, a quoted token: one expression per quote, as one that starts with a literal is
# searched for several times faster than one that starts with a class (`["'`]`).
QUOTED = tuple(re.compile(quote + TOKEN + quote) for quote in (b'"', b"'", b"`"))
# In a config: a comment (group 1, skipped), or a token (group 2), quoted or not.
VALUE = re.compile(rb"(?m)(^[ \t]*[#;].*|(?<=\s)#.*)|(?<![\w.:/-])" + TOKEN)
SEPARATOR = re.compile(r"[.:/]")
IMPORTING = (b"from", b"import", b"require(", b"import(")
ATTRIBUTE = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
# What follows the last `.` of a file name, not an attribute (`config.json` is no `config.py`).
EXTENSION = re.compile(
    r"(?i)[cm]?[jt]sx?|pyi?|jsonc?|ya?ml|toml|ini|cfg|conf|env|txt|md|rst|html?|s?css|sass|less"
    r"|svg|png|jpe?g|gif|ico|csv|sql|sh|lock|log|xml|map"
)
INDEX_STEMS = frozenset({"__init__", "index"})


@dataclass
class Names:
    """What names a tracked file, indexed in one cheap pass: its path, its path without the
    extension (and a package's or JS index's folder), and its module's last name, which a
    dotted name's own last part picks before the import roots are checked."""

    tracked: frozenset[str]
    stems: dict[str, list[str]]  # "jobs/heartbeat" -> jobs/heartbeat.js; "acme" -> __init__
    modules: dict[str, list[str]]  # "billing" -> acme/handlers/billing.py, billing/__init__.py
    roots: frozenset[str]  # import roots (`Project.python_roots`)
    # "shop/js/cart.js" -> shop/static/shop/js/cart.js: the name a web framework serves a
    # code file under a `static/` folder by (`frameworks.staticfiles`)
    served: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, tracked: Collection[str]) -> Names:
        every = frozenset(tracked)
        stems: dict[str, list[str]] = defaultdict(list)
        modules: dict[str, list[str]] = defaultdict(list)
        for path in sorted(every):
            folder, _, name = path.rpartition("/")
            stem, dot, extension = name.rpartition(".")
            if not (dot and stem):
                continue
            stems[f"{folder}/{stem}" if folder else stem].append(path)
            if stem in INDEX_STEMS and folder:
                stems[folder].append(path)
            if extension == "py":
                modules[folder.rpartition("/")[2] if stem == "__init__" else stem].append(path)
        roots = frozenset(Project(every, lambda _path: None).python_roots)
        return cls(every, dict(stems), dict(modules), roots, served_index(every))

    def files(self, token: str, folder: str) -> set[str]:
        """The files a string names: by path (from the root or from `folder`), by module."""
        token = token.rstrip(".:")
        found: set[str] = set()
        if not SEPARATOR.search(token):
            return found  # a single bare word: `"billing"` may mean anything
        if "/" in token or "." in token:
            for key in {clean(token), clean(f"{folder}/{token}" if folder else token)}:
                found.update([key] if key in self.tracked else ())
                found.update(self.stems.get(key, ()))
            if self.served:  # `"shop/js/cart.js"`, `"/static/shop/js/cart.js"`
                served = token.lstrip("/")
                for name in {served, served.removeprefix("static/")}:
                    found.update(self.served.get(name, ()))
        for name in module_candidates(token) if "/" not in token else ():
            if modules := self.module_files(name):
                return found | set(modules)  # the longest name that is a module
        return found

    def module_files(self, dotted: str) -> list[str]:
        """`a.b.c` is a/b/c.py or a/b/c/__init__.py under an import root."""
        if not ATTRIBUTE.fullmatch(dotted):
            return []
        relative = dotted.replace(".", "/")
        last = dotted.rpartition(".")[2]
        return [p for p in self.modules.get(last, ()) if self.rooted(module_base(p), relative)]

    def rooted(self, base: str, relative: str) -> bool:
        """Whether `base` (a module's path without `.py`) is `relative` under an import root."""
        if base == relative:
            return "" in self.roots
        return base.endswith(f"/{relative}") and base[: -len(relative) - 1] in self.roots


def module_base(path: str) -> str:
    return path[: -len("/__init__.py")] if path.endswith("/__init__.py") else path[:-3]


def clean(path: str) -> str:
    """The normal form of a path, or "" for one outside the repository."""
    while path.startswith("./"):
        path = path[2:]
    if "./" in path or "//" in path or path.endswith(("/", "/.")):
        path = posixpath.normpath(path)
    return "" if path.startswith(("/", "../")) or path in (".", "..") else path


def dotted_names(path: str, roots: Collection[str]) -> Iterator[str]:
    """`acme.handlers.billing` for acme/handlers/billing.py, from each import root above it;
    a package's `__init__.py` is the package's name."""
    if not path.endswith(".py"):
        return
    parts = path[:-3].split("/")
    if parts[-1] == "__init__":
        parts.pop()
    for cut in range(len(parts)):
        if "/".join(parts[:cut]) in roots and all(p.isidentifier() for p in parts[cut:]):
            yield ".".join(parts[cut:])


def module_candidates(token: str) -> list[str]:
    """The token, and the token without the attribute after its last `:` or `.`."""
    out = [token]
    head, colon, tail = token.rpartition(":")
    if colon and head and ATTRIBUTE.fullmatch(tail):
        out.append(head)
        return out
    head, dot, tail = token.rpartition(".")
    if dot and head and tail.isidentifier() and not EXTENSION.fullmatch(tail):
        out.append(head)
    return out


def patterns_for(path: str) -> tuple[tuple[re.Pattern[bytes], ...], int]:
    """The expressions to search a file with and their group; none for prose and data."""
    name = path.rpartition("/")[2]
    if path.endswith(CODE_SUFFIXES):
        return QUOTED, 1
    config = path.endswith(CONFIG_SUFFIXES) or name == ".env" or name.startswith(".env.")
    return ((VALUE,) if config and not LOCK_FILE.fullmatch(name) else ()), 2


def named_in_strings(
    tracked: Collection[str],
    read: Callable[[str], bytes | None],
    *,
    skip: Collection[str] = (),
    names: Names | None = None,
) -> list[Use]:
    """An uncertain use from each file (outside `skip`) to each file one of its strings names."""
    names = names or Names.build(tracked)
    skipped = set(skip)
    uses: list[Use] = []
    for path in sorted(tracked):
        if path not in skipped and patterns_for(path)[0]:
            uses += strings_of(path, read(path), names)
    return uses


def strings_of(path: str, data: bytes | None, names: Names) -> list[Use]:
    """The uses of one file's strings (none for prose, data and files over MAX_BYTES)."""
    patterns, group = patterns_for(path)
    if not (patterns and data and len(data) <= MAX_BYTES):
        return []
    tokens = [(m.start(), m[group]) for p in patterns for m in p.finditer(data)]
    return list(uses_in(path, data, names, sorted(tokens, key=lambda t: t[0]))) if tokens else []


def uses_in(
    path: str, data: bytes, names: Names, tokens: list[tuple[int, bytes | None]]
) -> Iterator[Use]:
    """One use per file named, at the first string that names it."""
    folder = posixpath.dirname(path)
    seen: set[str] = {path}
    named: dict[bytes, set[str]] = {}  # a token looked up once per file: data repeats them
    line, counted = 1, 0
    for start, raw in tokens:
        if raw is None or data[max(0, start - 9) : start].rstrip().endswith(IMPORTING):
            continue  # a comment, or what the import scanners read (`from "./x"`, `require(`)
        files = named.get(raw)
        if files is None:
            files = named[raw] = names.files(raw.decode("ascii", errors="replace"), folder)
        targets = files - seen
        if not targets:
            continue
        seen |= targets
        line += data.count(b"\n", counted, start)
        counted = start
        yield Use(path, tuple(sorted(targets)), line, KIND, False, text_of(data, start))


def text_of(data: bytes, at: int) -> str:
    start = data.rfind(b"\n", 0, at) + 1
    end = data.find(b"\n", at)
    line = data[start : end if end >= 0 else len(data)]
    return line.decode("utf-8", errors="replace").strip()[:200]
