"""Where a value written in a JavaScript config leads: tracked files, globs, and aliases.

`Files` turns a config's string (`"./src/main.ts"`, `"src/**/*.stories.tsx"`, a path built
from `__dirname`) into tracked files, the way a bundler or test runner reads it: with an
extension, a folder's index file, or a micromatch glob. An `Alias` (Vite's and webpack's
`resolve.alias`, Jest's `moduleNameMapper`) makes `import x from "@/lib/x"` mean `src/lib/x.ts`;
the TypeScript resolver knows tsconfig `paths` but not these, so `alias_uses` scans the files
under the config's package for specifiers an alias matches and returns each such import as a
`Use` from the importing file to the file the alias leads to.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from consolidate.analysis.frameworks import jsconfig as js
from consolidate.analysis.frameworks.base import JS_LOADABLE, Project
from consolidate.analysis.frameworks.jsparse import read
from consolidate.analysis.tsimports import SFC_SUFFIXES, TS_SUFFIXES, scan_file
from consolidate.analysis.tsresolve import Resolution, Resolver
from consolidate.analysis.uses import Root, Use
from consolidate.workspace import repo_join

CONFIG_CODE = re.compile(r".*\.[cm]?[jt]s")
IMPORTERS = (*TS_SUFFIXES, *SFC_SUFFIXES)  # files whose imports an alias rewrites
_GLOB = re.compile(r"[*?{}\[\]]|[@!+]\(")
_JS_GROUP = re.compile(r"\$(\d+|&)")


class Files:
    """Where a value written in a config leads: tracked files, through extensions, index
    files and globs, relative to one of several folders (the first that has a match wins)."""

    def __init__(self, project: Project) -> None:
        self.project = project

    @cached_property
    def resolver(self) -> Resolver:
        return Resolver(self.project.tracked, self.project.read)

    def named(self, value: js.Str, bases: Iterable[str]) -> list[str]:
        text = value.text.split("?")[0]
        if not text:
            return []
        paths = [text] if value.anchored else [repo_join(b, text.lstrip("/")) for b in bases]
        for path in dict.fromkeys(p for p in paths if p is not None):
            if path in self.project.tracked:
                return [path]
            found = self.glob(path) if _GLOB.search(path) else self.file(path)
            if found:
                return found
        return []

    def file(self, path: str) -> list[str]:
        return [path] if path in self.project.tracked else list(self.resolve(path).targets)

    def resolve(self, path: str) -> Resolution:
        """A repository path as a bundler reads it: with an extension, or a folder's index."""
        return self.resolver.resolve("", f"./{path}" if path else ".")

    def glob(self, pattern: str, base: str = "") -> list[str]:
        if pattern.startswith("!"):
            return []  # an exclusion: what it leaves out may still run
        full = repo_join(base, pattern) if base else pattern
        regex = _compile(micromatch(full)) if full is not None else None
        return [p for p in self.project.sorted if regex.fullmatch(p)] if regex else []

    def package(self, folder: str) -> str:
        """The nearest folder at or above `folder` with a package.json (else `folder`)."""
        here = folder
        while True:
            if posixpath.join(here, "package.json") in self.project.tracked:
                return here
            if not here:
                return folder
            here = posixpath.dirname(here)

    def doubtful(self, config: str, value: js.Value, what: str, folder: str) -> Iterator[Root]:
        """When part of `value` could not be read (`entry: glob.sync(...)`), any code file
        under `folder` may be what it names: `review`, never `remove`."""
        if not js.unread(value):
            return
        line = js.line_of(self.project.text(config) or "", what.rpartition(".")[2])
        self.project.warn(config, line, f"{what} could not be read without running the config")
        via = f"{config}:{line}: {what} (not read)"
        yield from self.project.uncertain(folder, via, JS_LOADABLE)

    def roots(self, config: str, values: list[js.Str], what: str, bases: list[str], *,
              production: bool = True) -> Iterator[Root]:  # fmt: skip
        for value in values:
            via = f"{config}:{value.line}: {what}"
            for path in self.named(value, bases):
                if path != config:
                    yield Root(path, "framework", via, production=production)


@dataclass(frozen=True)
class Alias:
    config: str
    find: str | re.Pattern[str]
    replacements: tuple[js.Str, ...]  # anchored: repository paths; else as written
    exact: bool = False  # webpack's `name$`

    def rewrite(self, spec: str) -> list[js.Str]:
        if isinstance(self.find, re.Pattern):
            if not self.find.search(spec):
                return []
            return [_substitute(self.find, spec, r) for r in self.replacements]
        key = self.find.rstrip("/") or self.find
        if spec != self.find and (self.exact or not spec.startswith(key + "/")):
            return []
        rest = spec[len(key) :] if spec != self.find else ""
        return [_append(r, rest) for r in self.replacements]


def _substitute(find: re.Pattern[str], spec: str, replacement: js.Str) -> js.Str:
    def expand(m: re.Match[str]) -> str:
        def group(g: re.Match[str]) -> str:
            name = g.group(1)
            index = 0 if name == "&" else int(name)
            return (m.group(index) or "") if index <= (find.groups or 0) else g.group()

        return _JS_GROUP.sub(group, replacement.text)

    return js.Str(find.sub(expand, spec, count=1), replacement.line, replacement.anchored)


def _append(replacement: js.Str, rest: str) -> js.Str:
    if not replacement.anchored:
        return js.Str(replacement.text + rest, replacement.line)
    joined = repo_join(replacement.text, rest.lstrip("/") or ".")
    return js.Str(joined if joined is not None else "/", replacement.line, True)


def read_aliases(config: str, value: js.Value) -> list[Alias]:
    """`{find: replacement}` (a `$` at the end of webpack's keys: exact), `[{find,
    replacement}]` (Vite, @rollup/plugin-alias) or `[{name, alias}]` (webpack)."""
    found: list[Alias] = []
    for option in js.alternatives(value):
        if isinstance(option, dict):
            for key, target in option.items():
                exact = key.endswith("$")
                found.append(Alias(config, key[:-1] if exact else key, _targets(target), exact))
        elif isinstance(option, list):
            for entry in js.dicts(option):
                find = entry.get("find", entry.get("name"))
                target = entry.get("replacement", entry.get("alias"))
                if isinstance(find, js.Str):
                    found.append(Alias(config, find.text, _targets(target)))
                elif isinstance(find, js.Regex) and (pattern := _compile(find.pattern)):
                    found.append(Alias(config, pattern, _targets(target)))
    return [a for a in found if a.replacements and a.find]


def alias_parts(value: js.Value) -> list[js.Value]:
    """What must be read to know the aliases: keys' targets, or each entry's find and
    replacement (not its `customResolver`)."""
    parts: list[js.Value] = []
    for option in js.alternatives(value):
        for entry in option if isinstance(option, list) else [option]:
            if isinstance(entry, dict) and isinstance(option, list):
                parts += [
                    entry.get("find", entry.get("name")),
                    entry.get("replacement", entry.get("alias")),
                ]
            else:
                parts += list(entry.values()) if isinstance(entry, dict) else [entry]
    return [part for part in parts if part is not None]


def _targets(value: js.Value) -> tuple[js.Str, ...]:
    return tuple(js.strings(value, in_dicts=False))


def _compile(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


def alias_uses(files: Files, folder: str, aliases: list[Alias], root: str) -> Iterator[Use]:
    """Each import in a file under `folder` that an alias matches, as a use of what it means.
    The first matching alias wins, as in Vite and webpack; a leading `/` is `root`-relative.
    Only files whose bytes hold an alias's quoted prefix are scanned."""
    prefixes = [_prefix(a.find) for a in aliases]
    needles = [q + p for p in prefixes if p for q in (b'"', b"'", b"`")]
    every = not all(prefixes)
    memo: dict[tuple[str, str], tuple[tuple[str, ...], bool, bool]] = {}
    project = files.project
    for path in project.under(folder, IMPORTERS) if aliases else []:
        data = project.read(path) if "node_modules/" not in path else None
        if data is None or not (every or any(needle in data for needle in needles)):
            continue
        for spec, line, kind, text in scan_file(path, data).specifiers:
            if spec.startswith((".", "/")):
                continue
            found = memo.get((spec, "")) or memo.get((spec, posixpath.dirname(path)))
            if found is None:
                found = _meaning(files, aliases, spec, path, root)
                memo[(spec, posixpath.dirname(path) if found[2] else "")] = found
            targets, certain, _ = found
            if targets:
                yield Use(path, targets, line, f"{kind} (alias)", certain, text)


def _prefix(find: str | re.Pattern[str]) -> bytes:
    """What an import an alias matches starts with (b"" when a pattern does not say)."""
    if isinstance(find, str):
        return find.rstrip("/").encode()
    literal = re.match(r"\^((?:[\w@~#/-]|\\[/.@~#-])*)", find.pattern)
    return literal.group(1).replace("\\", "").encode() if literal else b""


def _meaning(
    files: Files, aliases: list[Alias], spec: str, importer: str, root: str
) -> tuple[tuple[str, ...], bool, bool]:
    """The files an aliased specifier means, whether that is certain, and whether it depends
    on the importer's folder (an alias to a bare name, resolved like a package)."""
    for alias in aliases:
        written = alias.rewrite(spec)
        if written:
            found = [_resolve(files, importer, w, alias.config, root) for w in written]
            targets = tuple(dict.fromkeys(t for f in found for t in f.targets))
            certain = len(targets) == 1 and all(f.certain for f in found if f.targets)
            bare = any(not w.anchored and not w.text.startswith((".", "/")) for w in written)
            return targets, certain, bare
    return (), False, False


def _resolve(files: Files, importer: str, written: js.Str, config: str, root: str) -> Resolution:
    text = written.text
    if written.anchored:
        return files.resolve(text)
    if text.startswith("/"):
        joined = repo_join(root, text.lstrip("/"))
        return files.resolve(joined) if joined is not None else Resolution(())
    if text.startswith("."):
        return files.resolver.resolve(posixpath.dirname(config), text)
    return files.resolver.resolve(posixpath.dirname(importer), text)


def place(value: js.Value, folder: str) -> str:
    """The folder a config value names (`root`, `rootDir`, `testDir`), else `folder`."""
    for written in js.strings(value):
        found = written.text if written.anchored else repo_join(folder, written.text)
        if found is not None and not written.text.startswith("<"):
            return found
    return folder


def configs(project: Project, pattern: str, within: str = "") -> Iterator[tuple[str, js.Value]]:
    """Each tracked config whose name matches `pattern` (in a folder named `within`), read."""
    regex = re.compile(pattern)
    for path in project.sorted:
        folder, name = posixpath.split(path)
        if within and posixpath.basename(folder) != within:
            continue
        if regex.fullmatch(name) and CONFIG_CODE.fullmatch(path):
            yield path, read(project.text(path) or "", path)


# https://github.com/micromatch/micromatch#extended-globbing (the globs Jest, Vitest,
# Storybook and Playwright write)
def micromatch(pattern: str) -> str:
    """A regular expression for a micromatch glob (Jest, Vitest, Storybook, esbuild): `**`,
    `*`, `?`, `[...]`, `{a,b}` and the extglobs `@(a|b)`, `?(..)`, `+(..)`, `*(..)`, `!(..)`."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c, nxt = pattern[i], pattern[i + 1 : i + 2]
        end = _close(pattern, i + 1, "(", ")") if nxt == "(" and c in "@?+*!" else -1
        if end > 0:
            inner = "|".join(micromatch(p) for p in _split(pattern[i + 2 : end], "|"))
            out.append("[^/]*" if c == "!" else f"(?:{inner}){'' if c == '@' else c}")
            i = end + 1
        elif pattern.startswith("**/", i) or pattern.startswith("**", i):
            out.append("(?:.*/)?" if pattern.startswith("**/", i) else ".*")
            i += 3 if pattern.startswith("**/", i) else 2
        elif c in "*?":
            out.append("[^/]*" if c == "*" else "[^/]")
            i += 1
        elif c == "[" and (close := pattern.find("]", i + 2)) > 0:
            body = pattern[i + 1 : close].replace("\\", "\\\\")
            out.append(f"[{'^' + body[1:] if body[:1] == '!' else body}]")
            i = close + 1
        elif c == "{" and (close := _close(pattern, i, "{", "}")) > 0:
            options = _split(pattern[i + 1 : close], ",")
            out.append("(?:" + "|".join(micromatch(p) for p in options) + ")")
            i = close + 1
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


def _close(text: str, start: int, opener: str, closer: str) -> int:
    depth = 0
    for k in range(start, len(text)):
        depth += (text[k] == opener) - (text[k] == closer)
        if depth == 0:
            return k
    return -1


def _split(text: str, sep: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for k, c in enumerate(text):
        depth += (c in "({") - (c in ")}")
        if c == sep and depth == 0:
            parts.append(text[start:k])
            start = k + 1
    return [*parts, text[start:]]
