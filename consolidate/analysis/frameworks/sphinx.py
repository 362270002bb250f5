"""Sphinx: `sphinx-build` runs the documentation's `conf.py`, imports the extensions its
`extensions` names (from the folders `conf.py` puts on sys.path, or installed), copies the
scripts `html_js_files` or `app.add_js_file(...)` name from the folders of `html_static_path`,
and pulls the code files a page's `literalinclude` names into that page.

https://www.sphinx-doc.org/en/master/usage/configuration.html (`extensions`: "you can extend
sys.path within the conf file if your extensions live in another directory";
`html_static_path` and `html_js_files` are relative to the configuration directory and to the
static path), https://www.sphinx-doc.org/en/master/usage/restructuredtext/directives.html#directive-literalinclude
(a path relative to the page, or to the source directory with a leading `/`), and MyST's
```` ```{literalinclude} ```` (https://myst-parser.readthedocs.io/en/latest/syntax/roles-and-directives.html).
A `conf.py` counts when its text looks like Sphinx's (`extensions`, `html_theme`, `master_doc`,
`root_doc` or `sphinx`); all of it is documentation tooling, not production.
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Iterator

from consolidate.analysis import pyimports
from consolidate.analysis.frameworks.base import CODE_SUFFIXES, Found, Plugin, Project, join
from consolidate.analysis.frameworks.pymodules import DOTTED, assigned, module_paths, strings, use
from consolidate.analysis.uses import Root

DOCS = "https://www.sphinx-doc.org/en/master/usage/configuration.html"
SPHINX_LIKE = re.compile(
    r"^(?:extensions|html_theme|master_doc|root_doc)\s*(?::[^=\n]*)?\+?=|(?i:\bsphinx\b)", re.M
)
PAGES = (".rst", ".md", ".txt")
INCLUDE = re.compile(
    r"^[ \t>]*(?:\.\.[ \t]+literalinclude::|[`:]{3,}[ \t]*\{literalinclude\})[ \t]*(\S+)", re.M
)


def find(project: Project) -> Iterator[Found]:
    for conf in project.named("conf.py"):
        text = project.text(conf) or ""
        if "node_modules" in conf.split("/") or not SPHINX_LIKE.search(text):
            continue
        via = f"{conf}: the Sphinx configuration sphinx-build runs"
        yield Root(conf, "framework", via, production=False)
        tree = project.load_python(conf)
        if tree is not None:
            yield from _conf_uses(project, conf, tree)
            yield from _scripts(project, conf, tree)
        yield from _included(project, posixpath.dirname(conf))


def _conf_uses(project: Project, conf: str, tree: ast.Module) -> Iterator[Found]:
    """The `extensions` (also installed ones' names: then from the import roots), and every
    other string that names a module in a folder `conf.py` puts on sys.path or its own
    (extensions' options name classes so: `"spelling_filters": ["filters.Identifiers"]`)."""
    here = posixpath.dirname(conf)
    scan = pyimports.scan_file(conf, project.read(conf) or b"")
    folders = [f for f in scan.sys_paths if f is not None] + _cwd_folders(tree, here) + [here]
    extensions = {
        (text, line)
        for node in ast.walk(tree)
        for name, value in assigned(node)
        if name == "extensions"
        for text, line in strings(value)
    }
    for text, line in strings(tree):
        files = project.module_files(text, folders) if DOTTED.fullmatch(text) else []
        if (text, line) in extensions:
            files = files or module_paths(project, text, conf)
        kind = "sphinx extensions" if (text, line) in extensions else "sphinx conf"
        yield from use(project, conf, line, kind, files)


def _cwd_folders(tree: ast.Module, here: str) -> list[str]:
    """`sys.path.insert(0, os.path.abspath("_ext"))`: sphinx-build runs `conf.py` in its own
    folder, so a relative literal is relative to it."""
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        on_path = isinstance(owner, ast.Attribute) and owner.attr == "path"
        if on_path and node.func.attr in ("insert", "append") and node.args:
            literals = [text for text, _ in strings(node.args[-1])]
            if len(literals) == 1 and not literals[0].startswith("/"):
                found.append(join(here, literals[0]))
    return found


def _scripts(project: Project, conf: str, tree: ast.Module) -> Iterator[Found]:
    here = posixpath.dirname(conf)
    static: list[str] = []
    named: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        for name, value in assigned(node):
            if name == "html_static_path":
                static += [text for text, _ in strings(value)]
            elif name == "html_js_files":
                named += list(strings(value))
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "add_js_file":
            named += list(strings(node.args[0])) if node.args else []
    for text, line in named:
        files = [join(join(here, folder), text) for folder in static]
        found = [f for f in files if f in project.tracked]
        yield from use(project, conf, line, "sphinx html_js_files", found)


def _included(project: Project, source: str) -> Iterator[Root]:
    """Code files the pages under the source folder include (`literalinclude`)."""
    prefix = f"{source}/" if source else ""
    for page in project.holding([b"literalinclude"], PAGES):
        if not page.startswith(prefix):
            continue
        text = project.text(page) or ""
        for match in INCLUDE.finditer(text):
            written = match[1]
            base = source if written.startswith("/") else posixpath.dirname(page)
            path = join(base, written.lstrip("/"))
            if path in project.tracked and path.endswith(CODE_SUFFIXES):
                line = text.count("\n", 0, match.start(1)) + 1
                via = f"{page}:{line}: literalinclude {written}"
                yield Root(path, "framework", via, production=False)


PLUGINS = (Plugin("sphinx", DOCS, find, enablers=("sphinx",), config=("conf.py",)),)
