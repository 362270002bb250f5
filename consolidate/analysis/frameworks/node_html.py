"""HTML pages: the scripts a `<script src>` names, and what an inline module script imports.

A `src` is relative to the page's folder; one with a leading `/` is relative to the site root,
which for a bundler's `index.html` is the project root (the page's folder or its package) and
for files served as they are may be the `public/` folder. Build output (`dist/main.js`) is
traced back to the source it is built from. Scripts of pages under tests, examples or docs
are not production.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from consolidate.analysis.frameworks.base import CODE_SUFFIXES, Found, Project
from consolidate.analysis.frameworks.node_build import Sources
from consolidate.analysis.uses import Root
from consolidate.workspace import repo_join

# Pages in these folders are not the product: what they load is not production code.
NOT_PRODUCTION = frozenset(
    {"examples", "example", "docs", "test", "tests", "__tests__", "fixtures", "coverage"}
)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)
_SRC = re.compile(r"""(?<![\w-])src\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)
_MODULE = re.compile(r"""\btype\s*=\s*["']?module\b""", re.I)
_END = re.compile(r"</script\s*>", re.I)
_INLINE_IMPORT = re.compile(r"""(?:\bfrom|\bimport\s*\(?)\s*["']((?:\.{1,2}/|/)[^"'\s]+)["']""")
_TEMPLATE = re.compile(r"<%|%>|\{\{|\{%|%[A-Z_]+%")


def find_html(project: Project) -> Iterator[Found]:
    """https://html.spec.whatwg.org/multipage/scripting.html#attr-script-src; Vite reads
    `index.html` as source and resolves `/src/main.ts` from the project root
    (https://vite.dev/guide/#index-html-and-project-root) and serves `public/` at `/`
    (https://vite.dev/guide/assets#the-public-directory)."""
    sources = Sources(project)
    pages = [p for p in project.named("*.htm*") if p.endswith((".html", ".htm"))]
    for page in pages:
        if "node_modules" not in page.split("/"):
            yield from _page_roots(project, sources, page)


def _page_roots(project: Project, sources: Sources, page: str) -> Iterator[Root]:
    text = _COMMENT.sub(lambda m: "\n" * m[0].count("\n"), project.text(page) or "")
    production = not NOT_PRODUCTION.intersection(page.split("/")[:-1])
    for tag in _SCRIPT.finditer(text):
        line = text.count("\n", 0, tag.start()) + 1
        src = _SRC.search(tag[1])
        if src is not None:
            written = next(group for group in src.groups() if group is not None)
            what = f"<script src={written}>"
            specs = [written]
        elif _MODULE.search(tag[1]):
            end = _END.search(text, tag.end())
            body = text[tag.end() : end.start() if end else len(text)]
            what, specs = "<script type=module> import", _INLINE_IMPORT.findall(body)
        else:
            continue
        for spec in specs:
            for path in _script_files(sources, page, spec):
                via = f"{page}:{line}: {what}"
                yield Root(path, "framework", via, production=production)


def _script_files(sources: Sources, page: str, written: str) -> list[str]:
    """The tracked code files a script URL may be."""
    url = written.split("#", 1)[0].split("?", 1)[0].strip()
    if not url or "://" in url or url.startswith(("//", "data:")) or _TEMPLATE.search(url):
        return []
    folder = posixpath.dirname(page)
    if url.startswith("/"):
        package = sources.package_root(folder)
        bases = [folder, package, repo_join(package, "public"), repo_join(folder, "public")]
    else:
        bases = [folder]
    found: list[str] = []
    for base in dict.fromkeys(b for b in bases if b is not None):
        path = repo_join(base, url.lstrip("/"))
        found += sources.files(path) if path is not None else []
    return [f for f in dict.fromkeys(found) if f.endswith(CODE_SUFFIXES)]
