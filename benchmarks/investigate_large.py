"""Investigation on a generated large repository, next to the cost of reading it once.

    python benchmarks/investigate_large.py [--dir DIR] [--py N] [--ts N] [--commits N]

    python benchmarks/investigate_large.py --code OTHER_CHECKOUT   # and another version

Generates (once; reused when DIR already holds it) a git repository of Python packages and
TypeScript modules that import each other, with a compose file, Dockerfiles, package.json
entry points, tests, framework files (a Django project with a set of apps and migrations, a
Next.js app tree with app and pages routers, TypeORM migrations loaded by glob) and a long
history written with `git fast-import`. Then it measures, with a warm cache, in interleaved
rounds (the minimum of each over `--rounds`, 5 by default, so a busy moment of a shared
machine does not count):

- the floor: `git ls-files -z | xargs -0 cat > /dev/null` (reading every tracked file once)
  plus `git log --name-only --no-renames > /dev/null` (one pass over history),
- `consolidate investigate` of one component, in a fresh process, with its peak memory,
- `consolidate orphans`,
- vulture over the same Python files, when it is installed (`pip install vulture`).

`--code DIR` (repeatable) also runs the investigation from another checkout of consolidate
(say, the commit before a change) on the same repository, in the same rounds, so two versions
compare on equal input and an equally busy machine.

Targets (issue 4): investigate within 3x of the floor, under 1 GB, and faster than vulture
alone; (issue 13) the framework layer keeps the ratio to the floor within 10% of before it.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# As installed: pip writes bytecode, so a measured run does not compile modules from source.
ENV = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}


def python_file(rng: random.Random, package: int, module: int, packages: int, size: int) -> str:
    lines = ['"""Generated module."""', "from __future__ import annotations", "import os"]
    for _ in range(rng.randint(1, 4)):
        other = rng.randrange(packages)
        lines.append(f"from pkg{other}.mod{rng.randrange(size)} import value as v{other}")
    lines.append("from . import mod0 as sibling" if module else "import json")
    for i in range(rng.randint(20, 60)):
        lines += [f"def function_{i}(x: int) -> int:", f"    return x * {i} + len(os.sep)", ""]
    lines.append("value = 1")
    return "\n".join(lines) + "\n"


def ts_file(rng: random.Random, module: int, count: int) -> str:
    lines = []
    for _ in range(rng.randint(1, 4)):
        lines.append(
            f'import {{ value as v{rng.randrange(count)} }} from "./m{rng.randrange(count)}";'
        )
    for i in range(rng.randint(20, 60)):
        lines.append(f"export function f{i}(x: number): number {{ return x * {i}; }}")
    lines.append(f"export const value = {module};")
    return "\n".join(lines) + "\n"


def generate_files(py: int, ts: int, seed: int = 4) -> dict[str, str]:
    rng = random.Random(seed)
    size = 50
    packages = max(1, py // size)
    files: dict[str, str] = {}
    for package in range(packages):
        files[f"backend/pkg{package}/__init__.py"] = ""
        for module in range(size):
            files[f"backend/pkg{package}/mod{module}.py"] = python_file(
                rng, package, module, packages, size
            )
    for package in range(0, packages, 10):
        files[f"backend/tests/test_pkg{package}.py"] = f"from pkg{package}.mod1 import value\n"
    for module in range(ts):
        files[f"frontend/src/m{module}.ts"] = ts_file(rng, module, ts)
    files["backend/app.py"] = "import sys\nfrom pkg0.mod0 import value\n" + (
        'if __name__ == "__main__":\n    print(value)\n'
    )
    files["backend/Dockerfile"] = (
        'FROM python:3.12\nWORKDIR /app\nCOPY . /app\nCMD ["python", "app.py"]\n'
    )
    files["frontend/package.json"] = '{"name": "frontend", "main": "src/m0.ts"}\n'
    files.update(framework_files(apps=40, routes=200, migrations=300))
    files["compose.yaml"] = (
        "services:\n  backend:\n    build: ./backend\n  frontend:\n    build: ./frontend\n"
        "  pkg3:\n    build: ./backend\n    command: python -m pkg3.mod0\n"
    )
    return files


def framework_files(apps: int, routes: int, migrations: int) -> dict[str, str]:
    """A Django project with `apps` apps (models, admin, migrations), a Next.js app tree with
    `routes` app-router pages and as many pages-router pages, and TypeORM migrations by glob."""
    boot = "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_conf.settings')\n"
    names = [f"app{i}" for i in range(apps)]
    files: dict[str, str] = {
        "web/manage.py": boot,
        "web/site_conf/__init__.py": "",
        "web/site_conf/urls.py": "from django.urls import include, path\nurlpatterns = []\n",
        "web/site_conf/wsgi.py": boot,
        "web/requirements.txt": "django\ngunicorn\n",
        "web/site_conf/settings.py": (
            "ROOT_URLCONF = 'site_conf.urls'\nWSGI_APPLICATION = 'site_conf.wsgi.application'\n"
            "INSTALLED_APPS = [\n" + "".join(f"    '{n}',\n" for n in names) + "]\n"
        ),
    }
    for name in names:
        files[f"web/{name}/__init__.py"] = ""
        files[f"web/{name}/apps.py"] = (
            f"from django.apps import AppConfig\n\n\nclass Config(AppConfig):\n    name = '{name}'\n"
        )
        files[f"web/{name}/models.py"] = "from django.db import models\n"
        files[f"web/{name}/admin.py"] = "from django.contrib import admin\nfrom . import models\n"
        files[f"web/{name}/migrations/__init__.py"] = ""
        for number in range(1, 4):
            files[f"web/{name}/migrations/000{number}_step.py"] = "operations = []\n"
    files["site/package.json"] = (
        '{"name": "site", "dependencies": {"next": "15.0.0", "typeorm": "0.3.20"}}\n'
    )
    files["site/next.config.js"] = "module.exports = {};\n"
    files["site/app/layout.tsx"] = "export default function L({ children }) { return children; }\n"
    for i in range(routes):
        files[f"site/app/section{i % 20}/page{i}/page.tsx"] = (
            f'import {{ Card }} from "../../../components/card{i % 10}";\n'
            f"export default function Page() {{ return Card({i}); }}\n"
        )
        files[f"site/pages/legacy{i}.tsx"] = f"export default function P() {{ return {i}; }}\n"
    for i in range(10):
        files[f"site/components/card{i}.tsx"] = f"export function Card(n) {{ return n + {i}; }}\n"
    files["site/src/data-source.ts"] = (
        'import { DataSource } from "typeorm";\n'
        "export default new DataSource({\n  migrations: [__dirname + '/migrations/*.ts'],\n});\n"
    )
    for i in range(migrations):
        files[f"site/src/migrations/{1700000000000 + i}-step.ts"] = (
            f"export class Step{i} {{ async up() {{}} }}\n"
        )
    return files


def fast_import_stream(files: dict[str, str], commits: int) -> bytes:
    """A history of `commits` commits: files arrive in batches, some are edited later."""
    rng = random.Random(7)
    paths = sorted(files)
    per_commit = max(1, len(paths) // max(1, commits // 2))
    out: list[bytes] = []
    added = 0
    stamp = 1_600_000_000
    for number in range(commits):
        stamp += 3600
        message = f"commit {number}".encode()
        out.append(b"commit refs/heads/main\n")
        out.append(f"committer bench <bench@example.com> {stamp} +0000\n".encode())
        out.append(b"data %d\n%s\n" % (len(message), message))  # fast-import continues the branch
        batch = paths[added : added + per_commit] if added < len(paths) else []
        added += len(batch)
        if number == commits - 1:
            batch += paths[added:]
            added = len(paths)
        edits = [paths[rng.randrange(max(1, added))] for _ in range(2)] if added else []
        for path in dict.fromkeys(batch + edits):
            data = files[path].encode()
            if path in edits and path not in batch:
                data += f"# edit {number}\n".encode()
            out.append(f"M 100644 inline {path}\n".encode())
            out.append(b"data %d\n%s\n" % (len(data), data))
    return b"".join(out)


def build(repo: Path, py: int, ts: int, commits: int) -> None:
    repo.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True, env=ENV)
    stream = fast_import_stream(generate_files(py, ts), commits)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input=stream, check=True, env=ENV)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=repo, check=True, env=ENV)


def timed(command: list[str] | str, cwd: Path, *, shell: bool = False) -> float:
    subprocess.run(command, cwd=cwd, shell=shell, check=True, stdout=subprocess.DEVNULL, env=ENV)
    started = time.perf_counter()  # the first run warmed the cache; time the second
    subprocess.run(command, cwd=cwd, shell=shell, check=True, stdout=subprocess.DEVNULL, env=ENV)
    return time.perf_counter() - started


MEASURE = """
import resource, sys, time
from pathlib import Path
from consolidate.gitio import Git
from consolidate.analysis import investigation
git = Git.open(Path(sys.argv[1]))
started = time.perf_counter()
if sys.argv[2] == "orphans":
    found = investigation.find_orphans(git, date="2026-11-25")
    size = len(found["orphans"])
else:
    found = investigation.investigate(git, sys.argv[2], date="2026-11-25")
    size = len(found["files"])
seconds = time.perf_counter() - started
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{seconds:.2f} {own // 1024} {workers // 1024} {size}")
"""


def measure(repo: Path, what: str, code: Path | None = None) -> tuple[float, int, int, int]:
    env = {**ENV, "PYTHONPATH": str(code)} if code else ENV
    result = subprocess.run(
        [sys.executable, "-P", "-c", MEASURE, str(repo), what],  # -P: not the current folder
        capture_output=True,
        text=True,
        env=env,
    )
    if result.returncode:
        raise SystemExit(result.stderr)
    seconds, own, workers, size = result.stdout.split()
    return float(seconds), int(own), int(workers), int(size)


def add_code_option(parser: argparse.ArgumentParser) -> None:
    """`--code DIR`, repeatable: other checkouts measured in the same rounds."""
    parser.add_argument(
        "--code",
        type=Path,
        action="append",
        default=[],
        help="another checkout of consolidate to measure in the same rounds (repeatable)",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dir", type=Path, default=Path(tempfile.gettempdir()) / "consolidate-bench"
    )
    parser.add_argument("--py", type=int, default=12000)
    parser.add_argument("--ts", type=int, default=8000)
    parser.add_argument("--commits", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    add_code_option(parser)
    args = parser.parse_args()
    repo = args.dir / f"repo-{args.py}-{args.ts}-{args.commits}-fw"
    if not (repo / ".git").is_dir():
        shutil.rmtree(repo, ignore_errors=True)
        started = time.perf_counter()
        build(repo, args.py, args.ts, args.commits)
        print(f"generated {repo} in {time.perf_counter() - started:.1f}s")
    tracked = subprocess.run(["git", "ls-files"], cwd=repo, capture_output=True, text=True).stdout
    print(f"{len(tracked.splitlines())} tracked files, {args.commits} commits")
    codes: list[Path | None] = [None, *args.code]
    rounds = rounds_of(repo, args.rounds, codes)
    cat, log = min(r[0] for r in rounds), min(r[1] for r in rounds)
    floor = cat + log
    print(f"read every file: {cat:.2f}s   git log --name-only: {log:.2f}s   floor: {floor:.2f}s")
    for index, code in enumerate(codes):
        report([r[2][index] for r in rounds], floor, code)
    vulture = shutil.which("vulture")
    if vulture:
        started = time.perf_counter()
        subprocess.run([vulture, "backend"], cwd=repo, stdout=subprocess.DEVNULL, check=False)
        print(f"vulture backend/: {time.perf_counter() - started:.2f}s")
    else:
        print("vulture not installed (pip install vulture) - not compared")


Measure = tuple[float, int, int, int]
Round = tuple[float, float, list[tuple[Measure, Measure]]]  # cat, log, per code


def report(measures: list[tuple[Measure, Measure]], floor: float, code: Path | None) -> None:
    """The minimum over the rounds of one checkout's investigate and orphans."""
    print(f"code: {code or 'this checkout'}")
    seconds = min(m[0][0] for m in measures)
    _, own, workers, size = measures[-1][0]
    print(
        f"  investigate pkg3: {seconds:.2f}s ({seconds / floor:.2f}x the floor), "
        f"peak memory {own} MB (workers {workers} MB), {size} files judged"
    )
    orphans = min(m[1][0] for m in measures)
    found = measures[-1][1][3]
    print(f"  orphans: {orphans:.2f}s ({orphans / floor:.2f}x the floor), {found} orphans")


def rounds_of(repo: Path, count: int, codes: list[Path | None]) -> list[Round]:
    """Each round measures everything once, every checkout in turn, so every measure sees the
    same machine."""
    for code in codes:
        measure(repo, "pkg3", code)  # warm the cache, the interpreter's files and bytecode
    out: list[Round] = []
    for _ in range(count):
        cat = timed("git ls-files -z | xargs -0 cat > /dev/null", repo, shell=True)
        log = timed(["git", "log", "--name-only", "--no-renames"], repo)
        each = [(measure(repo, "pkg3", c), measure(repo, "orphans", c)) for c in codes]
        out.append((cat, log, each))
    return out


if __name__ == "__main__":
    main()
