"""Files code starts as workers or child processes, or loads by a URL or a glob: a `Use` of
kind "worker" from the file with the call to each file it names.

The path is read statically (`node_eval`): literals, `path.join(__dirname, ...)`,
`new URL("./w.js", import.meta.url)`... A call whose path is only partly known (a variable
after a literal folder) may start any code file of that folder: a use that is not certain,
so those files stay as long as the caller does. Only a written folder counts (`"./jobs/" + name`,
`path.join(__dirname, name)`), and never the repository root: that would say nothing.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator

from consolidate.analysis.commands import command_refs
from consolidate.analysis.frameworks.base import CODE_SUFFIXES, Found, Project
from consolidate.analysis.frameworks.node_build import JS_CODE, Sources
from consolidate.analysis.frameworks.node_eval import Scope, Val, Value, call_args, construct
from consolidate.analysis.uses import Use
from consolidate.workspace import repo_join

# Comments and strings are consumed whole, so a call inside them is never reported. Every
# alternative starts with a literal character and checks what precedes it after that character
# (`n(?<![\w$.].)ew` is `(?<![\w$.])new`): an expression whose alternatives all start with a
# known character is tried only where one of them stands, 2.6x faster on minified bundles.
_CALL = re.compile(
    r"""
    //[^\n]*|/\*[\s\S]*?\*/
  | "(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\[\s\S])*`
  | (?P<call>
        n(?<![\w$.].)ew\s+(?:Shared)?Worker
      | s(?<!\w.)erviceWorker\s*\.\s*register
      | c(?<![\w$.].)(?:hild_process|hildProcess|p)\s*\.\s*(?:fork|spawn(?:Sync)?|exec(?:File)?(?:Sync)?)
      | f(?<![\w$.].)ork
      | s(?<![\w$.].)pawn(?:Sync)?
      | e(?<![\w$.].)xec(?:File)?(?:Sync)?
      | i(?<![\w$.].)mport\s*\.\s*meta\s*\.\s*(?:glob(?:Eager)?|resolve)
      | r(?<![\w$.].)equire\s*\.\s*resolve
      | n(?<![\w$.].)ew\s+URL
    )\s*\(
    """,
    re.VERBOSE,
)
# Words one of those calls needs: most files have none and are not decoded.
_HINTS = (b"Worker", b"fork", b"spawn", b"exec", b"import.meta", b"require.resolve", b"URL")
Bases = tuple[list[str], list[str]]  # folders for a relative path, and for one with a leading /


def find_workers(project: Project) -> Iterator[Found]:
    """https://developer.mozilla.org/en-US/docs/Web/API/Worker/Worker (and SharedWorker),
    https://developer.mozilla.org/en-US/docs/Web/API/ServiceWorkerContainer/register,
    https://nodejs.org/api/worker_threads.html#new-workerfilename-options (relative to the
    working directory), https://nodejs.org/api/child_process.html (fork, spawn, execFile,
    exec), https://vite.dev/guide/features#glob-import, https://vite.dev/guide/features#web-workers,
    https://nodejs.org/api/esm.html#importmetaresolvespecifier,
    https://nodejs.org/api/modules.html#requireresolverequest-options."""
    sources = Sources(project)
    seen: set[tuple[str, tuple[str, ...], int]] = set()
    for path in project.holding(_HINTS, JS_CODE):
        if "node_modules" in path.split("/"):
            continue
        data = project.read(path) or b""
        text = data.decode("utf-8-sig", errors="replace")
        for use in _File(project, sources, path, text).uses():
            key = (use.source, use.targets, use.line)
            if key not in seen:
                seen.add(key)
                yield use


class _File:
    def __init__(self, project: Project, sources: Sources, path: str, text: str) -> None:
        self.project = project
        self.sources = sources
        self.path = path
        self.text = text
        self.folder = posixpath.dirname(path)
        self.package = sources.package_root(self.folder)
        self.scope = Scope(path, self.package)

    def uses(self) -> Iterator[Use]:
        for match in _CALL.finditer(self.text):
            if match["call"] is None:
                continue
            name = re.sub(r"\s+", " ", re.sub(r"\s*\.\s*", ".", match["call"]))
            handler = self._handler(name.rsplit(".", 1)[-1].removeprefix("new "))
            if handler is None:
                continue
            targets, certain = handler(name, call_args(self.text, match.end(), self.scope))
            targets = [t for t in dict.fromkeys(targets) if t != self.path]
            if targets:
                line = self.text.count("\n", 0, match.start("call")) + 1
                shown = self.text.splitlines()[line - 1].strip()[:200]
                yield Use(self.path, tuple(targets), line, "worker", certain, shown)

    def _handler(self, short: str) -> Callable[[str, list[Value]], tuple[list[str], bool]] | None:
        return {
            "Worker": self._worker,
            "SharedWorker": self._worker,
            "register": self._service_worker,
            "fork": self._process,
            "spawn": self._process,
            "spawnSync": self._process,
            "execFile": self._process,
            "execFileSync": self._process,
            "exec": self._shell,
            "execSync": self._shell,
            "glob": self._glob,
            "globEager": self._glob,
            "resolve": self._resolve,
            "URL": self._url,
        }.get(short)

    # --- what each call names ---------------------------------------------------------------
    def _worker(self, _name: str, args: list[Value]) -> tuple[list[str], bool]:
        """A browser resolves a worker's URL against the page, Node against the working
        directory, a bundler against the file: any of them."""
        public = [self._join(self.package, "public")]
        return self._paths(args[:1], ([self.folder, self.package], [self.package, *public]))

    def _service_worker(self, _name: str, args: list[Value]) -> tuple[list[str], bool]:
        public = self._join(self.package, "public")
        return self._paths(args[:1], ([public, self.package, self.folder], [public, self.package]))

    def _process(self, name: str, args: list[Value]) -> tuple[list[str], bool]:
        """`fork(module)`; `spawn(command, [args])`, `execFile(file, [args])`: the command
        and each argument may be a file."""
        values = list(args[:1])
        if not name.endswith("fork") and len(args) > 1 and isinstance(args[1], list):
            values += args[1]
        return self._paths(values, ([self.package, self.folder], [self.package]))

    def _shell(self, _name: str, args: list[Value]) -> tuple[list[str], bool]:
        command = args[0] if args else None
        if not isinstance(command, Val) or not command.exact or command.anchored:
            return self._paths(args[:1], ([self.package, self.folder], [self.package]))
        found: list[str] = []
        for ref in command_refs(command.text):
            for base in dict.fromkeys([self.package, self.folder]):
                found += [f for alt in ref for f in self._files(base, alt)]
        return found, len(set(found)) == 1

    def _glob(self, _name: str, args: list[Value]) -> tuple[list[str], bool]:
        """Patterns start with `./`, `../` (from the file) or `/` (the project root)."""
        first = args[0] if args else None
        patterns = first if isinstance(first, list) else [first]
        found: list[str] = []
        for pattern in patterns:
            if isinstance(pattern, Val) and pattern.exact and not pattern.anchored:
                text = pattern.text
                base = self.package if text.startswith("/") else self.folder
                joined = repo_join(base, text.lstrip("/"))
                if text.startswith(("./", "../", "/")) and joined is not None:
                    found += self.project.glob(joined)
        return [f for f in found if f.endswith(CODE_SUFFIXES)], False

    def _resolve(self, _name: str, args: list[Value]) -> tuple[list[str], bool]:
        first = args[0] if args else None
        if isinstance(first, Val) and not first.anchored and not first.text.startswith("."):
            return [], False  # a package: the import resolver's business
        return self._paths(args[:1], ([self.folder], []))

    def _url(self, _name: str, args: list[Value]) -> tuple[list[str], bool]:
        value = construct("URL", args, self.scope)
        return self._paths([value], ([], [])) if isinstance(value, Val) else ([], False)

    # --- values to files -------------------------------------------------------------------
    def _paths(self, values: list[Value], bases: Bases) -> tuple[list[str], bool]:
        found: list[str] = []
        certain = True
        for value in _flat(values):
            if value.exact and not _path_like(value):
                continue
            if value.anchored:
                places = [""]
            else:
                places = bases[1] if value.text.startswith("/") else bases[0]
            hits = [f for base in dict.fromkeys(places) for f in self._value_files(base, value)]
            certain = certain and value.exact and len(set(hits)) <= 1
            found += hits
        return found, certain and len(set(found)) == 1

    def _value_files(self, base: str, value: Val) -> list[str]:
        if value.exact:
            return self._files(base, value.text)
        head, slash, prefix = value.text.rpartition("/")
        folder = repo_join(base, head.lstrip("/") or ".") if slash else None
        if not folder:
            return []  # no folder written, or the repository root: no information
        found: list[str] = []
        for source in self.sources.folder_sources(folder):
            start = len(source) + 1
            found += [
                p
                for p in self.project.under(source, CODE_SUFFIXES)
                if p[start:].startswith(prefix) and "node_modules" not in p.split("/")
            ]
            if found:
                break
        return found

    def _files(self, base: str, written: str) -> list[str]:
        path = repo_join(base, written.lstrip("/"))
        if not path:
            return []
        return [f for f in self.sources.files(path) if f.endswith(CODE_SUFFIXES)]

    def _join(self, folder: str, name: str) -> str:
        return repo_join(folder, name) or name


def _path_like(value: Val) -> bool:
    """An argument that may name a file: `./x`, `a/b`, `x.js`; not `node`, `-e` or `--flag`."""
    text = value.text
    if value.anchored:
        return True
    if text.startswith("-") or not text.strip():
        return False
    return "/" in text or posixpath.splitext(text)[1] in CODE_SUFFIXES


def _flat(values: list[Value]) -> Iterator[Val]:
    """The values, with the alternatives of `a ? b : c` and `a || b` spread out."""
    for value in values:
        if isinstance(value, list):
            yield from _flat(value)
        elif value is not None:
            yield value
