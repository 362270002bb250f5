"""How Python services are started: ASGI/WSGI servers, Flask, `python -m` and PYTHONPATH.

Two halves. `launch_refs` reads one simple command (its words) the way the program would:
which word is the application (`module:attr`, `module:factory()`, a bare module where the
server has a default attribute, `path/to/module.py:app`) and which folders it is imported from
(`--app-dir`, `--chdir`, `--pythonpath`, `--working-dir`, the working folder, PYTHONPATH).
`commands` calls it for every command it reads: compose, Dockerfiles, scripts, Procfiles,
package.json, systemd units. The plugins read what names an application outside a command
line: gunicorn config files (`wsgi_app`), Flask's `.flaskenv` and `.env` (`FLASK_APP`), and
`uvicorn.run("main:app")` or `Granian("main:app")` in Python. This module imports nothing of
`commands`: `commands` imports it.
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from consolidate.analysis.frameworks.base import Found, Plugin, Project
from consolidate.analysis.uses import Root, Use

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
    search = [*dirs, *(_join(d, p) for d in dirs for p in path if not p.startswith("/"))]
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
    places = list(dict.fromkeys(_join(d, folder) for d in dirs))
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
    return tuple(dict.fromkeys(_join(d, name) for d in dirs for name in names))


def _join(folder: str, path: str) -> str:
    """`path` under `folder`, normalised; an absolute folder (inside a container) stays so."""
    return posixpath.normpath(posixpath.join(folder, path)) if folder else posixpath.normpath(path)


# --- plugins: what names an application outside a command line ---------------------------

FLASK_APP_LINE = re.compile(r"^\s*(?:export\s+)?FLASK_APP\s*=\s*['\"]?([^'\"#\s]+)", re.MULTILINE)
GUNICORN_SETTINGS = ("wsgi_app", "chdir", "pythonpath")
RUNNERS = {"run": "uvicorn", "Config": "uvicorn", "Granian": "granian"}
APP_KEYWORDS = ("app", "target")
DIR_KEYWORDS = ("app_dir", "working_dir")


def app_files(project: Project, spec: str, bases: Sequence[str]) -> list[str]:
    """The tracked files importing application `spec` runs, started in one of `bases` (then
    from any import root): the module and the `__init__.py` of the packages it is in."""
    written = spec.strip().strip("'\"").split(":", 1)[0].strip()
    folder, _, name = written.rpartition("/")
    roots = ["" if r == "." else r for r in (_join(base, folder) for base in bases)]
    found = project.module_files(name.removesuffix(".py"), roots)
    if not found and not folder:
        found = project.module_files(name.removesuffix(".py"))
    return list(dict.fromkeys(f for module in found for f in _with_packages(project, module)))


def _with_packages(project: Project, module: str) -> list[str]:
    folder = posixpath.dirname(module)
    if module.endswith("/__init__.py"):
        folder = posixpath.dirname(folder)
    found = [module]
    while folder and f"{folder}/__init__.py" in project.tracked:
        found.append(f"{folder}/__init__.py")
        folder = posixpath.dirname(folder)
    return found


def _line(text: str, number: int) -> str:
    lines = text.splitlines()
    return lines[number - 1].strip()[:200] if 0 < number <= len(lines) else ""


def _gunicorn(project: Project) -> Iterator[Found]:
    """`gunicorn.conf.py` runs when gunicorn starts in its folder; a config file's
    `wsgi_app` names the application (https://docs.gunicorn.org/en/stable/settings.html)."""
    for path in project.named("gunicorn.conf.py"):
        yield Root(path, "convention", f"{path}: gunicorn reads it from the folder it starts in")
    for path in project.named("*gunicorn*.py"):
        settings = _assignments(project, path, GUNICORN_SETTINGS)
        if "wsgi_app" not in settings:
            continue
        line, app = settings["wsgi_app"]
        folder = posixpath.dirname(path)
        extra = [settings[k][1] for k in ("chdir", "pythonpath") if k in settings]
        bases = [*(_join(folder, d) for d in extra if not d.startswith("/")), folder]
        targets = app_files(project, app, bases)
        if targets:
            text = _line(project.text(path) or "", line)
            yield Use(path, tuple(targets), line, "gunicorn wsgi_app", True, text)


def _assignments(project: Project, path: str, names: Sequence[str]) -> dict[str, tuple[int, str]]:
    """Top-level `name = "string"` of a Python config file: {name: (line, value)}."""
    tree = project.load_python(path) if "wsgi_app" in (project.text(path) or "") else None
    found: dict[str, tuple[int, str]] = {}
    for node in tree.body if tree else []:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            value = node.value.value
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in names and isinstance(value, str):
                    found[target.id] = (node.lineno, value)
    return found


def _flask(project: Project) -> Iterator[Found]:
    """FLASK_APP in `.flaskenv` or `.env`, which the flask command loads from the folder it
    starts in (https://flask.palletsprojects.com/en/stable/cli/#environment-variables-from-dotenv)."""
    for path in [*project.named(".flaskenv"), *project.named(".env")]:
        text = project.text(path) or ""
        folder = posixpath.dirname(path)
        for match in FLASK_APP_LINE.finditer(text):
            line = text.count("\n", 0, match.start(1)) + 1
            via = f"{path}:{line}: FLASK_APP={match[1]}"
            for found in app_files(project, match[1], [folder]):
                yield Root(found, "framework", via)


def _runners(project: Project) -> Iterator[Found]:
    """`uvicorn.run("main:app")`, `uvicorn.Config(...)` and `Granian("main:app")` import the
    application by name, from the folders on sys.path: the script's own first.
    https://www.uvicorn.org/deployment/#running-programmatically"""
    for path in project.sorted:
        text = project.text(path) if path.endswith(".py") else None
        if not text or ("uvicorn" not in text and "Granian" not in text):
            continue
        tree = project.load_python(path)
        for node in ast.walk(tree) if tree else []:
            found = _runner_app(node)
            if found is None:
                continue
            app, folder = found
            here = posixpath.dirname(path)
            bases = [_join(here, folder), here] if folder else [here]
            targets = [t for t in app_files(project, app, bases) if t != path]
            if targets:
                line = getattr(node, "lineno", 1)
                yield Use(path, tuple(targets), line, "server run", True, _line(text, line))


def _runner_app(node: ast.AST) -> tuple[str, str] | None:
    """(application, folder) of a call that runs an application named by a string."""
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    owner = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
    if name not in RUNNERS or (RUNNERS[name] == "uvicorn" and owner != "uvicorn"):
        return None
    keywords = {k.arg: k.value for k in node.keywords if k.arg}
    first = (
        node.args[0]
        if node.args
        else next((keywords[k] for k in APP_KEYWORDS if k in keywords), None)
    )
    folder = next((keywords[k] for k in DIR_KEYWORDS if k in keywords), None)
    if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
        return None
    where = folder.value if isinstance(folder, ast.Constant) else ""
    return first.value, where if isinstance(where, str) else ""


PLUGINS = (
    Plugin(
        name="gunicorn",
        docs="https://docs.gunicorn.org/en/stable/settings.html",
        find=_gunicorn,
        enablers=("gunicorn",),
        config=("gunicorn.conf.py",),
    ),
    Plugin(
        name="flask",
        docs="https://flask.palletsprojects.com/en/stable/cli/",
        find=_flask,
        enablers=("flask",),
        config=(".flaskenv",),
    ),
    Plugin(
        name="asgi-runners",
        docs="https://www.uvicorn.org/deployment/#running-programmatically",
        find=_runners,
        enablers=("uvicorn", "granian"),
    ),
)
