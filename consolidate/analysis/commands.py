"""Commands and Dockerfiles: which repository files a command line or an image runs.

Shared by `compose_facts` (what a compose service runs) and `entry_points` (what Dockerfiles,
scripts and package.json run). Lenient: what cannot be parsed is skipped, never guessed. How a
Python service names its module (`python -m`, uvicorn/gunicorn/flask... `module:attr`, their
`--app-dir`/`--chdir`, PYTHONPATH) is read by `frameworks.servers.launch_refs`; a line's `cd`
and `VAR=value` words carry over to the commands after them.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from collections.abc import Callable, Collection, Iterator
from collections.abc import Mapping as Map
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase

from consolidate.analysis.frameworks.server_args import launch_refs
from consolidate.workspace import repo_join

Reader = Callable[[str], bytes | None]
Ref = tuple[str, ...]  # one path a command names, as alternatives (`-m pkg` is pkg.py or pkg/)
Mapping = tuple[str, str, bool]  # container path, repository path, whether it is a folder


# --- paths ---------------------------------------------------------------------------------


def container_join(workdir: str, path: str) -> str:
    """An absolute, normalised container path, as a process in `workdir` would open `path`."""
    return posixpath.normpath(posixpath.join("/", workdir, path))


def map_paths(mappings: Collection[Mapping], path: str) -> list[str]:
    """Repository paths that `mappings` put at container `path`, the latest mapping first."""
    found: list[str] = []
    for target, source, folder in reversed(list(mappings)):
        if not folder:
            if path == target:
                found.append(source)
            continue
        prefix = target.rstrip("/") + "/"
        if path == target or path.startswith(prefix):
            mapped = repo_join(source, path[len(prefix) :] if path != target else ".")
            if mapped is not None:
                found.append(mapped)
    return found


# --- commands ------------------------------------------------------------------------------

_OPERATORS = frozenset({";", ";;", "&", "&&", "|", "||", "|&"})
_FILE_LIKE = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,9}$")
_MODULE = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
_MODULE_ATTR = re.compile(r"([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*):[A-Za-z_][\w.]*(?:\(.*\))?")
_VARIABLE = re.compile(r"\$\{(\w+)\}|\$(\w+)")
_ASSIGNMENT = re.compile(r"([A-Za-z_]\w*)=(.*)", re.DOTALL)
_JS_TO_TS = {".js": (".ts", ".tsx"), ".jsx": (".tsx",), ".mjs": (".mts",), ".cjs": (".cts",)}
_BUILD_DIRS = ("dist", "build", "out", "lib")


def split_command(text: str) -> list[list[str]]:
    """The simple commands of a shell line. A line shlex cannot split (an unbalanced quote)
    is split on whitespace: a rough split still finds file names, an exception finds none."""
    try:
        lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|")
        lexer.whitespace_split = True
        words = list(lexer)
    except ValueError:
        words = text.split()
    commands: list[list[str]] = [[]]
    for word in words:
        if word in _OPERATORS:
            commands.append([])
        else:
            commands[-1].append(word)
    return [command for command in commands if command]


@dataclass
class _Shell:
    """What earlier simple commands of a line set for later ones: `cd`, `export VAR=...`."""

    env: dict[str, str]
    cwd: str = ""


def command_refs(command: object, env: Map[str, str] | None = None) -> list[Ref]:
    """The paths a command may run. `command` is shell form (a string) or exec form (a list);
    `env` is the environment it runs with (PYTHONPATH and FLASK_APP matter here)."""
    if isinstance(command, str):
        commands = split_command(command)
    elif isinstance(command, list):
        commands = [[str(word) for word in command if word is not None]]
    else:
        return []
    shell = _Shell(dict(env or {}))
    return [ref for words in commands for ref in _word_refs(words, 0, shell) if ref]


def _word_refs(words: list[str], depth: int, shell: _Shell) -> Iterator[Ref]:
    """Refs in one simple command; `sh -c "..."` arguments are commands of their own. A
    path after `cd DIR` is tried under DIR first, then as written."""
    expanded = [part for word in words for part in split_flag(word)]
    if _change_dir(expanded, shell):
        return
    shell.env.update(_assignments(expanded))
    launched, used = launch_refs(expanded, shell.env)
    yield from (_under(shell.cwd, ref) for ref in launched)
    for i, word in enumerate(expanded):
        after = expanded[i + 1] if i + 1 < len(expanded) else ""
        if i in used:
            continue
        if word in ("-A", "--app"):  # celery -A proj
            yield _under(shell.cwd, _module_files(after.split(":")[0], "__init__.py", "celery.py"))
        elif any(space in word for space in " \n\t") and depth < 3:
            inner = _Shell(dict(shell.env), shell.cwd)
            for sub in split_command(word):
                yield from _word_refs(sub, depth + 1, inner)
        else:
            yield _under(shell.cwd, _path_ref(word))


def _change_dir(words: list[str], shell: _Shell) -> bool:
    """`cd DIR` (or `pushd DIR`): later paths are relative to DIR; True when it is one."""
    if len(words) != 2 or words[0] not in ("cd", "pushd") or "$" in words[1]:
        return False
    shell.cwd = posixpath.normpath(posixpath.join(shell.cwd, words[1]))
    return True


def _assignments(words: list[str]) -> dict[str, str]:
    """`VAR=value` words before the program, also after `env` or `export`."""
    found: dict[str, str] = {}
    for word in words:
        match = _ASSIGNMENT.fullmatch(word)
        if match:
            found[match[1]] = match[2]
        elif word not in ("env", "export"):
            break
    return found


def _under(cwd: str, ref: Ref) -> Ref:
    if not cwd or cwd == "." or not ref:
        return ref
    return tuple(dict.fromkeys([*(posixpath.join(cwd, a) for a in ref), *ref]))


def split_flag(word: str) -> list[str]:
    """`--config=x.py` is `--config x.py`; a value is a path as often as a separate word is."""
    if word.startswith("-") and "=" in word:
        return word.split("=", 1)
    return [word]


def _module_files(module: str, *package_files: str) -> Ref:
    if not _MODULE.fullmatch(module):
        return ()
    base = module.replace(".", "/")
    return (f"{base}.py", *(f"{base}/{name}" for name in package_files))


def _path_ref(word: str) -> Ref:
    """A word that looks like a file (`app.py`, `./run`, `pkg.mod:app`); () when it does not."""
    word = word.strip("'\"(),")
    if not word or word.startswith("-") or any(c in word for c in ("$", "://", "=", "*")):
        return ()
    module = _MODULE_ATTR.fullmatch(word)
    if module:
        return _module_files(module[1], "__init__.py")
    if "/" in word or _FILE_LIKE.search(word):
        return js_alternatives(word)
    return ()


def js_alternatives(path: str) -> Ref:
    """`dist/index.js` may be built from `src/index.ts`; both count, the first as written."""
    stem, suffix = posixpath.splitext(path)
    if suffix not in _JS_TO_TS:
        return (path,)
    parts = stem.split("/")
    stems = [stem]
    for i, part in enumerate(parts):
        if part in _BUILD_DIRS:
            stems.append("/".join([*parts[:i], "src", *parts[i + 1 :]]))
            stems.append("/".join([*parts[:i], *parts[i + 1 :]]))
            break
    return (path, *(s + ts for s in stems for ts in _JS_TO_TS[suffix]))


# --- Dockerfiles ---------------------------------------------------------------------------


@dataclass
class Stage:
    """One build stage as far as it matters here: where it runs, what it copied, what it runs."""

    name: str
    workdir: str = "/"
    copies: list[Mapping] = field(default_factory=list)
    cmd: object = None
    entrypoint: object = None
    runs: list[object] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # what COPY/ADD read from the context
    env: dict[str, str] = field(default_factory=dict)  # ENV, as later instructions see it


def _instructions(text: str) -> Iterator[tuple[str, str]]:
    """(INSTRUCTION, arguments), continuation lines joined, comment lines dropped."""
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#") or not (line or pending):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        words = (pending + line).split(None, 1)
        pending = ""
        if words:
            yield words[0].upper(), words[1].strip() if len(words) > 1 else ""
    if pending.strip():
        words = pending.split(None, 1)
        yield words[0].upper(), words[1].strip() if len(words) > 1 else ""


def parse_dockerfile(text: str, context: str, tracked: Collection[str]) -> list[Stage]:
    """The stages of a Dockerfile built with repository folder `context`."""
    stages: list[Stage] = []
    for instruction, args in _instructions(text):
        if instruction == "FROM":
            stages.append(_new_stage(args, stages))
        elif not stages:
            continue
        elif instruction == "WORKDIR":
            stages[-1].workdir = container_join(stages[-1].workdir, args.strip("'\""))
        elif instruction in ("COPY", "ADD"):
            _add_copy(stages[-1], args, context, tracked)
        elif instruction == "ENV":
            stages[-1].env.update(_env_pairs(args, stages[-1].env))
        elif instruction == "CMD":
            stages[-1].cmd = exec_or_shell(args)
        elif instruction == "ENTRYPOINT":
            stages[-1].entrypoint = exec_or_shell(args)
        elif instruction == "RUN":
            stages[-1].runs.append(exec_or_shell(re.sub(r"^(?:--\S+\s+)*", "", args)))
    return stages


def _new_stage(args: str, stages: list[Stage]) -> Stage:
    """`FROM base AS name`; a base that is an earlier stage passes on what that stage set."""
    words = [w for w in args.split() if not w.startswith("--")]
    base = words[0] if words else ""
    name = words[2] if len(words) >= 3 and words[1].lower() == "as" else ""
    parent = next((s for s in reversed(stages) if s.name and s.name == base), None)
    if parent is None:
        return Stage(name)
    return replace(
        parent,
        name=name,
        copies=list(parent.copies),
        runs=list(parent.runs),
        sources=list(parent.sources),
        env=dict(parent.env),
    )


def _env_pairs(args: str, before: dict[str, str]) -> dict[str, str]:
    """`ENV A=1 B="two words"` or the old `ENV A one value`, `$A`/`${A}` filled in from what
    the stage set before (an unset variable is empty), as Docker does.
    https://docs.docker.com/reference/dockerfile/#env"""
    words = _split_words(args)
    if words and "=" not in words[0]:
        pairs = [(words[0], args.split(None, 1)[1] if len(words) > 1 else "")]
    else:
        pairs = [(w.partition("=")[0], w.partition("=")[2]) for w in words if "=" in w]
    found: dict[str, str] = {}
    for name, value in pairs:
        found[name] = _VARIABLE.sub(lambda m: {**before, **found}.get(m[1] or m[2], ""), value)
    return found


def exec_or_shell(args: str) -> object:
    """Exec form (a JSON array of strings) as a list, anything else as the shell string."""
    if args.startswith("["):
        try:
            value = json.loads(args)
        except ValueError:
            return args
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
    return args


def _add_copy(stage: Stage, args: str, context: str, tracked: Collection[str]) -> None:
    """A COPY/ADD from the build context; copies from other stages or images are left out."""
    form = exec_or_shell(args)
    words = form if isinstance(form, list) else _split_words(args)
    if any(w.startswith("--from") for w in words):
        return
    *sources, dest = [w for w in words if not w.startswith("--")] or [""]
    stage.copies.extend(_copies(sources, dest, stage.workdir, context, tracked))
    stage.sources.extend(_sources(sources, context, tracked))


def _copies(
    sources: list[str], dest: str, workdir: str, context: str, tracked: Collection[str]
) -> list[Mapping]:
    """Where COPY/ADD put build-context files; URLs are left out."""
    target = container_join(workdir, dest)
    into_folder = dest.endswith("/") or len(sources) > 1
    found: list[Mapping] = []
    for source in sources:
        glob = any(c in source for c in "*?[")
        repo = repo_join(context, posixpath.dirname(source) if glob else source)
        if repo is None or "://" in source:
            continue
        if glob or repo not in tracked:
            found.append((target, repo, True))
            continue
        inside = posixpath.join(target, posixpath.basename(source))
        found.extend((t, repo, False) for t in ([inside] if into_folder else [target, inside]))
    return found


def _sources(sources: list[str], context: str, tracked: Collection[str]) -> Iterator[str]:
    """Repository paths COPY/ADD read ("" for the root); a glob is the tracked files it matches
    (`*` stays within one folder, as in Docker); heredocs and URLs are not repository paths."""
    for source in sources:
        repo = repo_join(context, source)
        if repo is None or "://" in source or source.startswith("<<"):
            continue
        if any(c in source for c in "*?["):
            depth = repo.count("/")
            yield from sorted(p for p in tracked if p.count("/") == depth and fnmatchcase(p, repo))
        else:
            yield repo


def _split_words(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


@dataclass(frozen=True)
class ContainerPaths:
    """How a container's paths map back to the repository: bind mounts hide what the image
    copied, and a relative path is also tried against the build context as a last resort."""

    workdir: str
    mounts: tuple[Mapping, ...]
    copies: tuple[Mapping, ...]
    context: str | None

    def resolve(self, ref: Ref, tracked: Collection[str]) -> list[str]:
        """The tracked files `ref` may be in the container that runs it; of its alternatives,
        the first that names a tracked file wins."""
        for alternative in ref:
            found = list(dict.fromkeys(self._resolve(alternative, tracked)))
            if found:
                return found
        return []

    def _resolve(self, path: str, tracked: Collection[str]) -> list[str]:
        inside = container_join(self.workdir, path)
        mounted = [p for p in map_paths(self.mounts, inside) if p in tracked]
        if mounted:
            return mounted
        found = [p for p in map_paths(self.copies, inside) if p in tracked]
        if self.context is not None and not path.startswith("/"):
            direct = repo_join(self.context, path)
            if direct is not None and direct in tracked:
                found.append(direct)
        return found
