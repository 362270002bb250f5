"""`Project.holding`: a plugin's first filter over every file's bytes at once."""

from __future__ import annotations

from consolidate.analysis.frameworks.base import Project

FILES = {
    "b/settings.py": b"INSTALLED_APPS = []\n",
    "a/celery.py": b"app = Celery('proj')\n",
    "web/worker.ts": b"new Worker(new URL('./w.js', import.meta.url))\n",
    "web/types.d.ts": b"declare const Worker: unknown;\n",
    "web/old.js": b"const cp = require('child_process'); cp.fork('job.js');\n",
    "Dockerfile": b"ENV DJANGO_SETTINGS_MODULE=proj.settings\n",
    ".env": b"DJANGO_SETTINGS_MODULE=proj.settings\n",
    "empty.py": b"",
    "end.py": b"tail INSTALLED",  # a needle must not join the end of one file to the next
    "next.py": b"_APPS = 1\n",
}


def project() -> Project:
    return Project(frozenset(FILES), FILES.get)


def test_files_holding_a_needle_in_path_order() -> None:
    assert project().holding([b"INSTALLED_APPS"]) == ["b/settings.py"]
    assert project().holding([b"Worker", b"fork"]) == [
        "web/old.js",
        "web/types.d.ts",
        "web/worker.ts",
    ]


def test_suffixes_limit_the_files_searched() -> None:
    found = project().holding([b"Worker"], (".ts",))
    assert found == ["web/types.d.ts", "web/worker.ts"]
    assert project().holding([b"Worker"], (".d.ts",)) == ["web/types.d.ts"]
    assert project().holding([b"Celery(", b"Worker"], (".py",)) == ["a/celery.py"]
    assert project().holding([b"fork"], (".py", ".js")) == ["web/old.js"]


def test_names_without_an_extension_and_dot_files() -> None:
    needle = [b"DJANGO_SETTINGS_MODULE"]
    assert project().holding(needle) == [".env", "Dockerfile"]
    assert project().holding(needle, (".env",)) == [".env"]
    assert project().holding(needle, ("Dockerfile",)) == ["Dockerfile"]


def test_a_needle_never_spans_two_files() -> None:
    assert project().holding([b"INSTALLED_APPS"], (".py",)) == ["b/settings.py"]
    assert project().holding([b"_APPS"], (".py",)) == ["b/settings.py", "next.py"]
