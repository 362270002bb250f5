"""How a Python service's command line names its application: ASGI/WSGI servers, Flask,
`python -m` and PYTHONPATH.

`launch_refs` reads one simple command (its words) the way the program would: which word is
the application (`module:attr`, `module:factory()`, a bare module where the server has a
default attribute, `path/to/module.py:app`) and which folders it is imported from
(`--app-dir`, `--chdir`, `--pythonpath`, `--working-dir`, the working folder, PYTHONPATH).
`commands` calls it for every command it reads: compose, Dockerfiles, scripts, Procfiles,
package.json, systemd units. This module imports nothing of `commands`: `commands` imports it.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

Ref = tuple[str, ...]  # one file a command runs, as alternatives: the first tracked one wins
MODULE = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
# `pkg.mod:attr`, `pkg.mod:create_app("dev")`, `src/pkg/mod.py:app` (hypercorn, granian, flask)
APP = re.compile(r"((?:[\w.-]+/)*[A-Za-z_][\w.]*):[A-Za-z_][\w.]*(?:\(.*\))?")
PYTHON = re.compile(r"python|^py$|^uv$", re.IGNORECASE)


def _options(text: str) -> frozenset[str]:
    return frozenset(text.split())


@dataclass(frozen=True)
class Server:
    """How one program's command line names the application it imports."""

    # Options whose value could pass for the application (`--log-level info` for a bare
    # module, `-b unix:app.sock` for `module:attr`); numbers, addresses and paths never do,
    # so other options are read as flags: at worst a value is taken for an application.
    values: frozenset[str] = frozenset()
    app_dirs: frozenset[str] = frozenset()  # a folder the application is imported from
    path_lists: frozenset[str] = frozenset()  # comma-separated folders put on sys.path
    classes: frozenset[str] = frozenset()  # a class named by its dotted path
    configs: frozenset[str] = frozenset()  # a config file, or `python:module`
    default_config: str = ""  # read from the working folder when no config option is given
    app_options: frozenset[str] = frozenset()  # the application as an option's value
    bare: bool = False  # a positional word without `:attr` names a module too
    positional: bool = True  # whether positional words name the application at all


# https://www.uvicorn.org/settings/ : APP is "<module>:<attribute>"; --app-dir is put on
# PYTHONPATH ("Default: current working directory"); --factory is a flag.
UVICORN = Server(values=_options("--uds"), app_dirs=_options("--app-dir"))
# https://docs.gunicorn.org/en/stable/settings.html : APP_MODULE is $(MODULE):$(VARIABLE),
# the variable defaulting to `application`; --chdir and --pythonpath go on sys.path;
# https://gunicorn.org/configure : ./gunicorn.conf.py is read by default, `-c python:mod` too.
GUNICORN = Server(
    values=_options(
        "-b --bind -u --user -g --group --log-level -n --name --reload-engine --statsd-prefix "
        "--log-syslog-prefix --log-syslog-facility --ssl-version --dogstatsd-tags -e --env"
    ),
    app_dirs=_options("--chdir"),
    path_lists=_options("--pythonpath"),
    classes=_options("-k --worker-class --logger-class"),
    configs=_options("-c --config"),
    default_config="gunicorn.conf.py",
    bare=True,
)
# https://docs.djangoproject.com/en/stable/howto/deployment/asgi/hypercorn/ : the application
# is path.to.module:instance; hypercorn's `load_application` (src/hypercorn/utils.py) defaults
# the attribute to `app` and takes a file path too, putting its folder on sys.path.
HYPERCORN = Server(
    values=_options(
        "-b --bind --insecure-bind --quic-bind -k --worker-class -g --group -u --user "
        "--log-level --server-name --statsd-prefix --verify-mode"
    ),
    configs=_options("-c --config"),
    bare=True,
)
# https://docs.djangoproject.com/en/stable/howto/deployment/asgi/daphne/ : daphne
# path.to.module:instance, run from the folder the module is imported from.
DAPHNE = Server(values=_options("-b --bind -u --unix-socket -s --server-name"))
# https://docs.pylonsproject.org/projects/waitress/en/stable/runner.html (waitress-serve
# --help, src/waitress/runner.py): MODULE:OBJECT, the current folder appended to sys.path;
# --call is a flag.
WAITRESS = Server(values=_options("--listen --unix-socket --url-scheme --ident"))
# https://pypi.org/project/granian/ (`granian [OPTIONS] APP`); granian/cli.py and
# `load_target` in granian/_internal.py: the attribute defaults to `app`, a file path is
# accepted, --working-dir is put on sys.path.
GRANIAN = Server(
    values=_options(
        "--host --interface --http --threading-mode --runtime-mode --loop --task-impl "
        "--log-level --ssl-protocol-min --process-name --uds"
    ),
    app_dirs=_options("--working-dir"),
    bare=True,
)
# https://flask.palletsprojects.com/en/stable/cli/#application-discovery : --app (or
# FLASK_APP) is "path/module:name"; without it, `wsgi` or `app` (a .py file or a package).
FLASK = Server(app_options=_options("-A --app"), positional=False)
SERVERS = {
    "uvicorn": UVICORN,
    "gunicorn": GUNICORN,
    "hypercorn": HYPERCORN,
    "daphne": DAPHNE,
    "waitress-serve": WAITRESS,
    "granian": GRANIAN,
    "flask": FLASK,
}
FLASK_DEFAULTS = ("wsgi", "app")
INSTALLS = frozenset({"install", "add"})  # `pip install gunicorn` names a package, runs nothing


# --- command lines -----------------------------------------------------------------------


def launch_refs(words: Sequence[str], env: Mapping[str, str]) -> tuple[list[Ref], set[int]]:
    """What `python -m`, a server or `FLASK_APP=...` in one simple command imports, and the
    indexes of the words read here (the caller reads the others as paths)."""
    refs: list[Ref] = []
    used: set[int] = set()
    path = python_path(env)
    for i, word in enumerate(words):
        if word.startswith("FLASK_APP="):
            refs += module_refs(word.partition("=")[2], [".", *path])
            used.add(i)
            continue
        start, name = i + 1, posixpath.basename(word)
        if word == "-m" and i + 1 < len(words) and any(PYTHON.search(w) for w in words[:i]):
            refs += module_refs(words[i + 1], [".", *path], main=True)
            used |= {i, i + 1}
            start, name = i + 2, words[i + 1]
        server = SERVERS.get(name)
        if server is not None and not INSTALLS.intersection(words[:i]):
            found, read = _server_refs(server, list(words[start:]), path, env)
            return refs + found, used | {start + j for j in read}
    return refs, used


def env_refs(env: Mapping[str, str]) -> list[Ref]:
    """The application FLASK_APP in a container's environment names."""
    app = env.get("FLASK_APP", "")
    return module_refs(app, [".", *python_path(env)]) if app else []


def python_path(env: Mapping[str, str]) -> list[str]:
    """PYTHONPATH's folders; a part that needs a variable's value is left out.
    https://docs.python.org/3/using/cmdline.html#envvar-PYTHONPATH"""
    return [p for p in env.get("PYTHONPATH", "").split(":") if p and "$" not in p]


@dataclass
class _Parsed:
    """What a server's arguments say: the applications and where they are imported from."""

    apps: list[str] = field(default_factory=list)
    dirs: list[str] = field(default_factory=list)
    refs: list[Ref] = field(default_factory=list)
    used: set[int] = field(default_factory=set)
    config: bool = False


def _server_refs(
    server: Server, args: list[str], path: list[str], env: Mapping[str, str]
) -> tuple[list[Ref], set[int]]:
    takes_value = server.values | server.app_dirs | server.path_lists | server.classes
    takes_value |= server.configs | server.app_options
    parsed = _Parsed()
    words = iter(enumerate(args))
    for i, word in words:
        if word in takes_value:
            next(words, None)
            _option(server, word, args[i + 1] if i + 1 < len(args) else "", parsed, path)
            if word not in server.configs:  # a config file is read as a path
                parsed.used |= {i, i + 1}
        elif server.positional and _is_app(word, server.bare):
            parsed.apps.append(word)
            parsed.used.add(i)
    return _app_refs(server, parsed, path, env) + parsed.refs, parsed.used


def _option(server: Server, word: str, value: str, parsed: _Parsed, path: list[str]) -> None:
    if word in server.app_dirs:
        parsed.dirs.append(value)
    elif word in server.path_lists:
        parsed.dirs += [d for d in value.split(",") if d]
    elif word in server.classes:
        parsed.refs += class_refs(value, [".", *path])
    elif word in server.app_options:
        parsed.apps.append(value)
    elif word in server.configs:
        parsed.config = True
        if value.startswith("python:"):
            parsed.refs += module_refs(value.removeprefix("python:"), [".", *path])


def _app_refs(
    server: Server, parsed: _Parsed, path: list[str], env: Mapping[str, str]
) -> list[Ref]:
    """The applications, looked for in the server's folders, the working folder, PYTHONPATH
    (a relative PYTHONPATH folder also under the server's folders, which it may chdir to)."""
    dirs = parsed.dirs
    search = [*dirs, *(folder_join(d, p) for d in dirs for p in path if not p.startswith("/"))]
    search += [".", *path]
    apps = parsed.apps
    if server is FLASK and not apps:
        apps = [env["FLASK_APP"]] if env.get("FLASK_APP") else list(FLASK_DEFAULTS)
    refs = [ref for app in apps for ref in module_refs(app, search)]
    if server.default_config and not parsed.config:
        refs.append((server.default_config,))
    return refs


def _is_app(word: str, bare: bool) -> bool:
    word = word.strip("'\"")
    return bool(APP.fullmatch(word) or (bare and MODULE.fullmatch(word)))


def module_refs(spec: str, dirs: Sequence[str], *, main: bool = False) -> list[Ref]:
    """The files importing `spec` runs (`pkg.mod`, `pkg.mod:attr`, `path/to/mod.py:app`): the
    module, in the first of `dirs` that has it, and the `__init__.py` of each package it is in.
    `main` (`python -m`): a package runs its `__init__.py`, then its `__main__.py`.
    https://docs.python.org/3/using/cmdline.html#cmdoption-m"""
    written = spec.strip().strip("'\"").split(":", 1)[0].strip()
    folder, _, name = written.rpartition("/")
    name = name.removesuffix(".py")
    if not MODULE.fullmatch(name) or "$" in folder:
        return []
    places = list(dict.fromkeys(folder_join(d, folder) for d in dirs))
    base = name.replace(".", "/")
    end = "__main__.py" if main else "__init__.py"
    refs = [_ref(places, f"{base}.py", f"{base}/{end}")]
    if main:
        refs.append(_ref(places, f"{base}/__init__.py"))
    parts = name.split(".")
    refs += [_ref(places, "/".join(parts[:n]) + "/__init__.py") for n in range(1, len(parts))]
    steps = folder.split("/") if folder else []  # `src/pkg/mod.py`: pkg may be a package
    refs += [_ref(dirs, "/".join(steps[:n]) + "/__init__.py") for n in range(len(steps), 0, -1)]
    return refs


def class_refs(dotted: str, dirs: Sequence[str]) -> list[Ref]:
    """The module of a class named by its dotted path (`-k app.workers.CustomWorker`)."""
    parts = dotted.split(".")
    if len(parts) < 2 or not MODULE.fullmatch(dotted):
        return []
    cuts = ["/".join(parts[:n]) for n in range(len(parts) - 1, 0, -1)]
    return [_ref(dirs, *(f"{cut}{end}" for cut in cuts for end in (".py", "/__init__.py")))]


def _ref(dirs: Sequence[str], *names: str) -> Ref:
    return tuple(dict.fromkeys(folder_join(d, name) for d in dirs for name in names))


def folder_join(folder: str, path: str) -> str:
    """`path` under `folder`, normalised; an absolute folder (inside a container) stays so."""
    return posixpath.normpath(posixpath.join(folder, path)) if folder else posixpath.normpath(path)


# --- plugins: what names an application outside a command line ---------------------------
