"""`consolidate investigate`, `orphans` and `plan` on real git repositories, through the CLI.

One repository holds every import form the engine must follow. The component is
`orchestrator`; around it sit files that only it uses (they go with it), files that it shares
with services that stay (they stay, naming who uses them), and decoys.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from repo_support import RepoFactory, consolidate, git

COMPOSE = """\
services:
  backend:
    build: ./backend
    command: python app.py
  orchestrator:
    build: ./orchestrator
    command: python -m orchestrator.main
    healthcheck:
      test: ["CMD", "redis-cli", "-h", "redis", "ping"]
  redis:
    image: redis
"""

FILES: dict[str, str] = {
    "docker-compose.yml": COMPOSE,
    "backend/Dockerfile": 'FROM python:3.12\nWORKDIR /app\nCOPY . /app\nCMD ["python", "app.py"]\n',
    "orchestrator/Dockerfile": "FROM python:3.12\nWORKDIR /srv\nCOPY . /srv/orchestrator\n",
    # -- the component (Python) -------------------------------------------------------------
    "orchestrator/__init__.py": "",
    "orchestrator/main.py": (
        "import importlib\n"
        "from . import steps\n"  # relative, submodule
        "from .util import helper\n"  # relative module
        "import orch_helpers\n"  # absolute, repository root: only the component uses it
        "from shared.scheduler import next_run\n"  # shared with the worker
        "from nspkg import thing\n"  # namespace package (no __init__.py)
        "from flat_pkg.deep import (\n    one,\n    two,  # trailing comma\n)\n"
        'cleanup = importlib.import_module("plugins.cleanup")\n'
        'legacy = __import__("legacy_tool")\n'
        "from orchestrator import reporting\n"
        "import cron_helpers\n"  # from the repository root: means tools/cron_helpers.py
    ),
    "orchestrator/steps.py": "from .util import helper\n",
    "orchestrator/util.py": "helper = 1\n",
    "orchestrator/reporting.py": "report = 1\n",
    "orchestrator/README.md": "# orchestrator\n",
    "orch_helpers.py": "x = 1\n",
    "nspkg/thing.py": "thing = 1\n",
    "flat_pkg/deep.py": "one = two = 1\n",
    "plugins/__init__.py": "",
    "plugins/cleanup.py": "x = 1\n",
    "legacy_tool.py": "x = 1\n",
    "shared/__init__.py": "",
    "shared/scheduler.py": "def next_run():\n    return 1\n",
    # -- what stays (Python) ----------------------------------------------------------------
    "backend/app.py": "import worker\nimport loader\nimport cron\n",
    "backend/cron.py": (
        "import os\nimport sys\n"
        "sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tools'))\n"
        "import cron_helpers\n"
    ),
    "tools/cron_helpers.py": "x = 1\n",
    "backend/worker.py": (
        "import sys\nfrom pathlib import Path\n"
        'sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "shared"))\n'
        "from scheduler import next_run\n"
    ),
    "backend/loader.py": (
        "import os, sys\n"
        'sys.path.append(os.environ["PLUGIN_DIR"])\n'
        "import reporting  # which one? the scanner cannot know\n"
    ),
    "tools/reporting.py": "report = 2\n",
    "backend/tests/test_legacy.py": "import legacy_tool\n",
    # -- the component (TypeScript) ---------------------------------------------------------
    "frontend/package.json": '{"name": "frontend", "main": "src/main.ts"}\n',
    "frontend/tsconfig.json": (
        '{\n  // comments are allowed here\n  "compilerOptions": {\n'
        '    "baseUrl": ".",\n    "paths": {"@app/*": ["src/*"]},\n  },\n}\n'
    ),
    "frontend/src/main.ts": 'import { api } from "./api";\nimport { Widget } from "./orchestrator/widget";\n',
    "frontend/src/api.ts": "export const api = 1;\n",
    "frontend/src/orchestrator/index.ts": (
        'import { panel } from "./panel.js";\n'  # .js specifier for a .ts file
        'import { fmt } from "../lib/format";\n'  # only the component: goes
        'import { api } from "@app/api";\n'  # tsconfig paths: shared with main.ts
        'export * from "./types";\n'
        'const lazy = () => import("./lazy");\n'
        'const old = require("./legacy.cjs");\n'
        'import { Button } from "@acme/ui";\n'  # workspace package, through `exports`
        'import { sub } from "./sub";\n'  # a folder's index file
    ),
    "frontend/src/orchestrator/sub/index.ts": "export const sub = 1;\n",
    "frontend/src/orchestrator/panel.ts": "export const panel = 1;\n",
    "frontend/src/orchestrator/types.ts": "export type T = number;\n",
    "frontend/src/orchestrator/lazy.ts": "export const lazy = 1;\n",
    "frontend/src/orchestrator/legacy.cjs": "module.exports = 1;\n",
    "frontend/src/orchestrator/widget.ts": "export const Widget = 1;\n",
    "frontend/src/lib/format.ts": "export const fmt = 1;\n",
    "frontend/src/ai-orchestrator.service.ts": "export const decoy = 1;\n",
    "packages/ui/package.json": (
        '{"name": "@acme/ui", "exports": {".": {"import": "./src/index.ts"}}}\n'
    ),
    "packages/ui/src/index.ts": "export const Button = 1;\n",
    "docs/operations.md": "Restart the orchestrator with `docker compose restart orchestrator`.\n",
    "lonely/forgotten.py": "print('nobody imports me')\n" * 20,
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return RepoFactory(tmp_path_factory.mktemp("investigate"))(FILES)


@pytest.fixture(scope="module")
def found(repo: Path) -> dict[str, Any]:
    result = consolidate(repo, "investigate", "orchestrator", "--json")
    assert result.returncode == 0, result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def verdicts(found: dict[str, Any]) -> dict[str, str]:
    return {f["path"]: f["verdict"] for f in found["files"]}


def row(found: dict[str, Any], path: str) -> dict[str, Any]:
    return next(f for f in found["files"] if f["path"] == path)


@pytest.mark.parametrize(
    "path",
    [
        "orchestrator/main.py",
        "orchestrator/steps.py",  # from . import steps
        "orchestrator/util.py",  # from .util import helper
        "orchestrator/README.md",
        "orch_helpers.py",  # cascading orphan: only the component imports it
        "nspkg/thing.py",  # namespace package
        "flat_pkg/deep.py",  # multi-line parenthesised import
        "plugins/cleanup.py",  # importlib.import_module("...")
        "frontend/src/orchestrator/index.ts",
        "frontend/src/orchestrator/panel.ts",  # "./panel.js" means panel.ts
        "frontend/src/orchestrator/types.ts",  # export * from
        "frontend/src/orchestrator/lazy.ts",  # import()
        "frontend/src/orchestrator/legacy.cjs",  # require()
        "frontend/src/lib/format.ts",  # cascading orphan in TypeScript
        "frontend/src/orchestrator/sub/index.ts",  # "./sub" means sub/index.ts
    ],
)
def test_what_only_the_component_reaches_goes(found: dict[str, Any], path: str) -> None:
    assert verdicts(found)[path] == "remove", row(found, path)


def test_a_module_shared_through_sys_path_stays_and_names_its_user(found: dict[str, Any]) -> None:
    scheduler = row(found, "shared/scheduler.py")
    assert scheduler["verdict"] == "keep"
    assert "backend/worker.py" in scheduler["used_by"]
    assert scheduler["chain"][:3] == ["shared/scheduler.py", "backend/worker.py", "backend/app.py"]
    assert scheduler["chain"][-1].startswith("run by docker-compose.yml")


def test_sys_path_with_os_path_forms(found: dict[str, Any]) -> None:
    helpers = row(found, "tools/cron_helpers.py")
    assert helpers["verdict"] == "keep" and helpers["used_by"] == ["backend/cron.py"]


def test_an_unresolvable_import_keeps_every_file_it_could_mean(found: dict[str, Any]) -> None:
    reporting = row(found, "orchestrator/reporting.py")  # a seed, but maybe `import reporting`
    assert reporting["verdict"] == "keep"
    assert reporting["used_by"] == ["backend/loader.py"]
    uncertain = [u for u in found["uncertain"] if u["path"] == "backend/loader.py"]
    assert set(uncertain[0]["could_be"]) == {"orchestrator/reporting.py", "tools/reporting.py"}


def test_seed_files_that_kept_files_import_stay(found: dict[str, Any]) -> None:
    widget = row(found, "frontend/src/orchestrator/widget.ts")
    assert widget["verdict"] == "keep" and widget["used_by"] == ["frontend/src/main.ts"]
    assert verdicts(found)["frontend/src/api.ts"] == "keep"  # via tsconfig paths too
    # only the component imports @acme/ui, but its package.json `exports` is an entry point
    assert verdicts(found)["packages/ui/src/index.ts"] == "keep"


def test_tests_alone_make_a_file_review(found: dict[str, Any]) -> None:
    legacy = row(found, "legacy_tool.py")  # __import__("legacy_tool"), and a backend test
    assert legacy["verdict"] == "review"
    assert legacy["used_by"] == ["backend/tests/test_legacy.py"]


def test_decoys_and_unrelated_files_are_not_candidates(found: dict[str, Any]) -> None:
    paths = verdicts(found)
    assert "frontend/src/ai-orchestrator.service.ts" not in paths
    assert "tools/reporting.py" not in paths
    assert "lonely/forgotten.py" not in paths


def test_compose_facts_references_and_history(found: dict[str, Any]) -> None:
    assert found["compose"] == [
        {
            "file": "docker-compose.yml",
            "service": "orchestrator",
            "line": 5,
            "image": None,
            "depended_on_by": [],
            "entry_files": ["orchestrator/main.py"],
        }
    ]
    kinds = {w["kind"] for w in found["warnings"] if w["service"] == "orchestrator"}
    assert "healthcheck tests a dependency" in kinds
    where = {(r["path"], r["line"], r["kind"]) for r in found["references"]}
    assert ("docs/operations.md", 1, "docs") in where
    assert ("docker-compose.yml", 5, "compose") in where
    assert not any(path.startswith("orchestrator/") for path, _, _ in where)
    assert found["history"]["commits"] == 1 and found["history"]["age_days"] >= 0


def test_text_and_markdown(repo: Path, tmp_path: Path) -> None:
    report = tmp_path / "investigation.md"
    result = consolidate(repo, "investigate", "orchestrator", "--markdown", str(report))
    assert result.returncode == 0, result.stderr
    assert "shared/scheduler.py stays: shared/scheduler.py <- backend/worker.py" in result.stdout
    text = report.read_text()
    assert text.startswith("## Investigation of `orchestrator`")
    assert "| keep | `shared/scheduler.py` |" in text


def test_orphans_lists_files_no_entry_point_reaches(repo: Path) -> None:
    result = consolidate(repo, "orphans", "--json")
    assert result.returncode == 0, result.stderr
    orphans = [o["path"] for o in json.loads(result.stdout)["orphans"]]
    assert orphans[0] == "lonely/forgotten.py"  # the largest first
    assert "tools/reporting.py" not in orphans  # an uncertain import reaches it
    assert "backend/worker.py" not in orphans


def test_plan_writes_a_draft_that_validates(repo: Path, tmp_path: Path) -> None:
    target = tmp_path / "orchestrator.yaml"
    result = consolidate(repo, "plan", "orchestrator", "--output", str(target))
    assert result.returncode == 0, result.stderr
    text = target.read_text()
    assert '  - "orch_helpers.py"' in text
    assert "#   keep: shared/scheduler.py: used by backend/worker.py" in text
    assert '  "docker-compose.yml": ["orchestrator"]' in text
    again = consolidate(repo, "plan", "orchestrator", "--output", str(target))
    assert again.returncode == 2 and "already exists" in again.stderr
    git(repo, "status", "--porcelain")


def test_a_run_that_would_delete_a_file_still_in_use_is_refused(
    make_repo: RepoFactory,
) -> None:
    playbook = (
        "component: orchestrator\nsummary: Never ran.\n"
        "files: [orchestrator/main.py, shared/scheduler.py]\nbackup: {images: false}\n"
        "compose:\n  docker-compose.yml: [orchestrator]\n"
    )
    repo = make_repo({**FILES, "playbooks/orchestrator.yaml": playbook})
    result = consolidate(repo, "run", "orchestrator", "--yes")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(
        "consolidate: error: investigate: shared/scheduler.py is still in use: used by "
        "backend/worker.py"
    )
    # The route names the line and the rule of each link: the import that keeps the file.
    assert (
        "shared/scheduler.py <- backend/worker.py:4 (sys.path import)"
        " <- backend/app.py:1 (import) <- run by " in result.stderr
    )
    assert len(result.stderr.splitlines()) == 1
    assert git(repo, "status", "--porcelain") == ""


def test_a_run_that_deletes_what_a_service_it_keeps_runs_is_refused(
    make_repo: RepoFactory,
) -> None:
    """The playbook deletes the orchestrator's code but not its compose service: that service
    would start a file that is gone, so the run refuses and names the service."""
    playbook = (
        "component: orchestrator\nsummary: Never ran.\n"
        "files: [orchestrator/main.py]\nbackup: {images: false}\n"
    )
    repo = make_repo({**FILES, "playbooks/orchestrator.yaml": playbook})
    result = consolidate(repo, "run", "orchestrator", "--yes")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(
        "consolidate: error: investigate: orchestrator/main.py is still in use: used by "
        "docker-compose.yml: service orchestrator command/entrypoint/Dockerfile CMD (compose)"
    )
    assert git(repo, "status", "--porcelain") == ""


@pytest.mark.parametrize(("how", "commits"), [(["--depth", "1"], 1), (["--filter=blob:none"], 2)])
def test_shallow_and_partial_clones(
    make_repo: RepoFactory, tmp_path: Path, how: list[str], commits: int
) -> None:
    origin = make_repo(FILES)
    (origin / "orchestrator/util.py").write_text("helper = 2\n")
    git(origin, "commit", "-qam", "second")
    git(origin, "config", "uploadpack.allowFilter", "true")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--no-local", *how, f"file://{origin}", str(clone))
    if "--filter=blob:none" in how:
        assert git(clone, "config", "remote.origin.promisor").strip() == "true"
    result = consolidate(clone, "investigate", "orchestrator", "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert verdicts(doc)["shared/scheduler.py"] == "keep"
    assert doc["history"]["commits"] == commits  # a shallow clone sees only what it has
