"""The draft playbook's `validate:` commands, detected from the repository.

Only what can check this removal, and only with tools found here: the validate step refuses
a command whose program is not found (`steps/validate.py`), so a command that cannot run here
is drafted commented out with the reason, for a person who installs the tool.

- Python: `python3 -m compileall -q` over the folders the removal touches (kept files the
  component imported, the files that import them, files left next to removed ones).
  https://docs.python.org/3/library/compileall.html#command-line-use
- TypeScript: `tsc --noEmit -p tsconfig.json` of a project the removal touches.
  https://www.typescriptlang.org/docs/handbook/compiler-options.html
- The project's own `test`, `lint`, `check` / `typecheck` entries of a Makefile, justfile or
  package.json at the root or in a folder the removal touches.
- `docker compose config -q` over the component's compose project, when `docker compose
  version` answers. https://docs.docker.com/reference/cli/docker/compose/config/
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

Reader = Callable[[str], bytes | None]
Which = Callable[[str], str | None]
MAKE_TARGETS = ("test", "lint", "check")
NPM_SCRIPTS = ("test", "lint", "typecheck")
MAKEFILES = ("Makefile", "makefile", "GNUmakefile")
JUSTFILES = ("justfile", "Justfile", ".justfile")
# Shell words that are not programs on PATH: what follows them is not known here.
BUILTINS = {"cd", "echo", "set", "test", "true", "exec", "env", "export", "[", "if", "for"}


@dataclass(frozen=True)
class Drafted:
    name: str
    argv: tuple[str, ...]
    why: str  # one line: what it checks
    missing: str | None = None  # why it cannot run here ("tsc not found: npm install")
    cwd: str = "."

    def lines(self) -> list[str]:
        run = json.dumps(" ".join(quote(a) for a in self.argv))
        body = [f"- name: {self.name}", f"  run: {run}"]
        if self.cwd != ".":
            body.append(f"  cwd: {json.dumps(self.cwd)}")
        if self.missing:
            return [f"  # {self.missing}; {self.why}", *[f"  # {b}" for b in body]]
        return [f"  # {self.why}", *[f"  {b}" for b in body]]


def quote(word: str) -> str:
    return word if re.fullmatch(r"[\w./:=@%+-]+", word) else json.dumps(word)


@dataclass(frozen=True)
class Repo:
    """What the detection reads: the tracked files after the removal, and the tools here."""

    tracked: frozenset[str]  # tracked files the removal keeps
    root: Path
    read: Reader
    which: Which = shutil.which


def commands(found: dict[str, Any], repo: Repo, scripts: Iterable[str]) -> list[Drafted]:
    touched = touched_paths(found, repo)
    removed = {r["path"] for r in found["files"] if r["verdict"] == "remove"}
    out = python_compile(touched, repo, removed)
    out += typescript(touched, repo)
    for folder in project_folders(touched | set(scripts)):
        out += make_targets(folder, repo) + just_recipes(folder, repo) + npm_scripts(folder, repo)
    out += compose_config(found, repo)
    return out


def touched_paths(found: dict[str, Any], repo: Repo) -> set[str]:
    """Paths the removal touches: removed files, kept candidates and their importers."""
    out = {r["path"] for r in found["files"]}
    out |= {u for r in found["files"] for u in r.get("used_by", []) if u in repo.tracked}
    return out


MAX_COMPILE_ROOTS = 20


def python_compile(touched: set[str], repo: Repo, removed: set[str]) -> list[Drafted]:
    """When the removal touches Python: every top folder (or loose root file) holding kept
    Python, so a syntax error or a broken edit anywhere shows; in a repository with more top
    folders than that, the top packages next to or importing what the removal touches."""
    if not any(p.endswith(".py") for p in touched):
        return []
    kept = sorted(p for p in repo.tracked if p.endswith(".py") and p not in removed)
    roots = sorted({p.split("/")[0] for p in kept})
    why = "byte-compile the kept Python (a syntax error or a broken edit anywhere shows)"
    if len(roots) > MAX_COMPILE_ROOTS:
        roots, why = (
            near_roots(touched, kept, repo),
            ("byte-compile the Python next to and importing what the removal touches"),
        )
    if not roots:
        return []
    argv = ("python3", "-m", "compileall", "-q", *roots)
    return [Drafted("python-compile", argv, why, missing=not_found("python3", repo))]


def near_roots(touched: set[str], kept: list[str], repo: Repo) -> list[str]:
    folders = {str(PurePosixPath(p).parent) for p in touched}
    targets: set[str] = set()
    for path in kept:
        folder = str(PurePosixPath(path).parent)
        if folder in folders or path in touched:
            targets.add(path if folder == "." else top_folder(folder, repo.tracked))
    return sorted(t for t in targets if not any(t.startswith(o + "/") for o in targets))


def top_folder(folder: str, tracked: Collection[str]) -> str:
    """The outermost package holding `folder` (its chain of `__init__.py`), else the folder."""
    parts = folder.split("/")
    top = folder
    for end in range(len(parts) - 1, 0, -1):
        parent = "/".join(parts[:end])
        if f"{parent}/__init__.py" not in tracked:
            break
        top = parent
    return top


def typescript(touched: set[str], repo: Repo) -> list[Drafted]:
    out = []
    for config in sorted(p for p in repo.tracked if PurePosixPath(p).name == "tsconfig.json"):
        folder = str(PurePosixPath(config).parent)
        if not any(under(p, folder) and p.endswith((".ts", ".tsx")) for p in touched):
            continue
        local = [f"{f}/node_modules/.bin/tsc" for f in dict.fromkeys((folder, "."))]
        binary = next((b.removeprefix("./") for b in local if (repo.root / b).is_file()), "tsc")
        missing = None if binary != "tsc" or repo.which("tsc") else "tsc not found: npm install"
        why = f"type-check the TypeScript project {config}"
        out.append(Drafted("typecheck", (binary, "--noEmit", "-p", config), why, missing))
    return out


def under(path: str, folder: str) -> bool:
    return folder == "." or path.startswith(folder + "/")


def project_folders(touched: set[str]) -> list[str]:
    """The root and every folder holding a touched path, shallowest first."""
    folders = {"."}
    for path in touched:
        parents = PurePosixPath(path).parents
        folders |= {str(p) for p in parents}
    return sorted(folders, key=lambda f: (f != ".", f.count("/"), f))


# How each tool's file names an entry and where its recipe lines are (group 1).
MAKE_RULE = r"^{name}\s*:(?!=)[^\n]*\n((?:\t[^\n]*\n?)*)"
JUST_RULE = r"^@?{name}\b[^:\n]*:[^\n]*\n((?:[ \t]+[^\n]*\n?)*)"


def make_targets(folder: str, repo: Repo) -> list[Drafted]:
    return _entries(folder, repo, MAKEFILES, MAKE_RULE, "make", "target")


def just_recipes(folder: str, repo: Repo) -> list[Drafted]:
    return _entries(folder, repo, JUSTFILES, JUST_RULE, "just", "recipe")


def _entries(
    folder: str, repo: Repo, files: Iterable[str], rule: str, tool: str, noun: str
) -> list[Drafted]:
    """The project's own `test`/`lint`/`check` entries of a Makefile or justfile, each
    commented out when `tool` or the program its recipe runs is missing here."""
    path = next((join(folder, n) for n in files if join(folder, n) in repo.tracked), None)
    if path is None:
        return []
    text = (repo.read(path) or b"").decode("utf-8", errors="replace")
    out = []
    for name in MAKE_TARGETS:
        found = re.search(rule.format(name=name), text, re.M)
        if found is None:
            continue
        missing = not_found(tool, repo) or not_found(first_word(found[1]), repo)
        why = f"the project's own `{name}` {noun} ({path})"
        out.append(Drafted(f"{tool}-{name}", (tool, name), why, missing, folder))
    return out


def npm_scripts(folder: str, repo: Repo) -> list[Drafted]:
    path = join(folder, "package.json")
    if path not in repo.tracked:
        return []
    try:
        scripts = json.loads(repo.read(path) or b"{}").get("scripts", {})
    except (ValueError, AttributeError):
        return []
    out = []
    for script in NPM_SCRIPTS:
        line = scripts.get(script) if isinstance(scripts, dict) else None
        if not isinstance(line, str) or not line.strip():
            continue
        argv = ("npm", "test") if script == "test" else ("npm", "run", script)
        why = f"the project's own `{script}` script ({path})"
        out.append(Drafted(f"npm-{script}", argv, why, npm_missing(line, folder, repo), folder))
    return out


def npm_missing(line: str, folder: str, repo: Repo) -> str | None:
    """Why an npm script cannot run here: no npm, or its tool neither installed in
    `node_modules/.bin` nor on PATH."""
    if not_found("npm", repo):
        return "npm not found: install Node.js"
    tool = first_word(line)
    bins = [f"{f}/node_modules/.bin/{tool}" for f in dict.fromkeys((folder, "."))]
    if tool and not any((repo.root / b).is_file() for b in bins) and not_found(tool, repo):
        return f"{tool} not found: npm install"
    return None


def compose_config(found: dict[str, Any], repo: Repo) -> list[Drafted]:
    """`docker compose config -q` over each of the component's compose projects."""
    out = []
    for project in found.get("projects", []):
        files = [f for f in project["files"] if f in repo.tracked]
        if not files:
            continue
        argv = ("docker", "compose", *[a for f in files for a in ("-f", f)], "config", "-q")
        why = f"the compose project ({', '.join(files)}) still parses after the edit"
        missing = None if compose_answers(repo) else "docker compose not found: install Compose v2"
        out.append(Drafted("compose-config", argv, why, missing))
    return out


def compose_answers(repo: Repo) -> bool:
    if repo.which("docker") is None:
        return False
    try:
        done = subprocess.run(
            ["docker", "compose", "version"], capture_output=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def first_word(recipe: str) -> str:
    """The program a recipe or script line runs ("" when a variable hides it)."""
    for line in recipe.splitlines():
        words = line.strip().lstrip("@-+").split()
        while words and re.fullmatch(r"\w+=\S*", words[0]):
            words = words[1:]  # FOO=bar cmd
        if words:
            return "" if "$" in words[0] or words[0] in BUILTINS else words[0]
    return ""


def not_found(program: str, repo: Repo) -> str | None:
    if not program or "/" in program or repo.which(program):
        return None
    return f"{program} not found"


def join(folder: str, name: str) -> str:
    return name if folder == "." else f"{folder}/{name}"
