from __future__ import annotations

import json
from collections.abc import Collection
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consolidate.analysis.compose_facts import ComposeFacts, compose_facts
from consolidate.analysis.entry_points import find_roots
from consolidate.analysis.uses import Root

SAMPLE = Path(__file__).resolve().parent.parent / "consolidate" / "sample" / "repo"


def roots(files: dict[str, str], main_guards: Collection[str] = ()) -> list[Root]:
    data = {path: text.encode() for path, text in files.items()}
    return find_roots(data, data.get, compose_facts(data, data.get), main_guards)


def of_kind(found: list[Root], kind: str) -> dict[str, Root]:
    return {r.path: r for r in found if r.kind == kind}


def test_compose_entry_files_are_roots_of_their_service() -> None:
    files = {
        "docker-compose.yml": "services:\n  api:\n    image: python\n    command: python /srv/api.py\n    volumes: ['./:/srv']\n",
        "api.py": "",
    }
    [root] = roots(files)
    assert root == Root(
        "api.py",
        "compose",
        "docker-compose.yml: service api command/entrypoint/Dockerfile CMD",
        "api",
        True,
    )


def test_dockerfile_cmd_entrypoint_and_run() -> None:
    files = {
        "svc/Dockerfile": """\
FROM python:3.12
WORKDIR /app
COPY . .
RUN pip install -r requirements.txt \\
 && python scripts/setup.py
ENTRYPOINT ["/app/entrypoint.sh"]
CMD python -m svc.main
""",
        "svc/requirements.txt": "",
        "svc/scripts/setup.py": "",
        "svc/entrypoint.sh": "",
        "svc/svc/main.py": "",
    }
    found = of_kind(roots(files), "dockerfile")
    assert {path: r.via for path, r in found.items()} == {
        "svc/scripts/setup.py": "svc/Dockerfile: RUN",
        "svc/entrypoint.sh": "svc/Dockerfile: ENTRYPOINT",
        "svc/svc/main.py": "svc/Dockerfile: CMD",
    }


def test_dockerfile_outside_its_context_falls_back_to_the_root() -> None:
    files = {
        "docker/worker.Dockerfile": "FROM python\nCMD python tools/worker.py\n",
        "tools/worker.py": "",
    }
    assert list(of_kind(roots(files), "dockerfile")) == ["tools/worker.py"]


def test_package_json_entry_fields_and_scripts() -> None:
    files = {
        "web/package.json": """{
  "main": "dist/index.js",
  "module": "./esm/index.mjs",
  "bin": {"hub": "./bin/hub.js"},
  "exports": {".": {"import": "./esm/index.mjs"}, "./cli": "./lib/cli.js"},
  "scripts": {
    "build": "node scripts/build.js && tsc -p tsconfig.json",
    "start": "tsx src/cli.ts",
    "lint": "ts-node ./tools/lint.ts",
    "clean": "rm -rf dist"
  }
}""",
        "web/src/index.ts": "",
        "web/esm/index.mjs": "",
        "web/bin/hub.js": "",
        "web/lib/cli.js": "",
        "web/scripts/build.js": "",
        "web/src/cli.ts": "",
        "web/tools/lint.ts": "",
        "web/tsconfig.json": "{}",
    }
    found = [(r.path, r.via, r.production) for r in roots(files) if r.kind == "package.json"]
    assert found == [
        ("web/bin/hub.js", "web/package.json: bin.hub", True),
        ("web/esm/index.mjs", "web/package.json: exports", True),
        ("web/esm/index.mjs", "web/package.json: module", True),
        ("web/lib/cli.js", "web/package.json: exports", True),
        ("web/scripts/build.js", "web/package.json: scripts.build", True),
        ("web/src/cli.ts", "web/package.json: scripts.start", True),
        ("web/src/index.ts", "web/package.json: main", True),
        ("web/tools/lint.ts", "web/package.json: scripts.lint", False),
    ]


def test_package_json_bin_string_and_broken_json() -> None:
    files = {"package.json": '{"bin": "cli.js"}', "cli.js": "", "bad/package.json": "{"}
    assert [r.path for r in roots(files)] == ["cli.js"]


def test_pyproject_scripts_flat_and_src_layouts() -> None:
    files = {
        "pyproject.toml": """\
[project.scripts]
hub = "hub.cli:main"
[project.gui-scripts]
hub-gui = "hub.gui:run"
[project.entry-points."hub.plugins"]
extra = "hub_extra:plugin"
""",
        "src/hub/cli/__init__.py": "",
        "src/hub/gui.py": "",
        "hub_extra.py": "",
        "tool/pyproject.toml": '[tool.poetry.scripts]\ntool = "tool_pkg.main:run"\n',
        "tool/tool_pkg/main.py": "",
        "broken/pyproject.toml": "[project\n",
    }
    found = {r.path: r.via for r in roots(files) if r.kind == "pyproject"}
    assert found == {
        "src/hub/cli/__init__.py": "pyproject.toml: project.scripts.hub",
        "src/hub/gui.py": "pyproject.toml: project.gui-scripts.hub-gui",
        "hub_extra.py": "pyproject.toml: project.entry-points.hub.plugins.extra",
        "tool/tool_pkg/main.py": "tool/pyproject.toml: tool.poetry.scripts.tool",
    }


@pytest.mark.parametrize(
    "path",
    [
        "test_x.py",
        "pkg/x_test.py",
        "conftest.py",
        "backend/tests/helpers.py",
        "test/util.js",
        "src/__tests__/view.tsx",
        "src/app.test.ts",
        "src/app.spec.jsx",
        "web/e2e.spec.js",
    ],
)
def test_test_files_are_non_production_roots(path: str) -> None:
    [root] = roots({path: ""})
    assert (root.kind, root.production) == ("test", False)


@pytest.mark.parametrize(
    "path", ["testing.py", "contest.py", "tests/data.json", "src/latest.ts", "attest_x.py"]
)
def test_other_files_are_not_test_roots(path: str) -> None:
    assert roots({path: ""}) == []


def test_shell_script_and_makefile_tokens() -> None:
    files = {
        "scripts/dev.sh": """\
#!/usr/bin/env bash
# python not_a_root.py
python backend/app.py
node tools/x.js "$@"
./deploy.sh
cd web && node build.js
""",
        "scripts/deploy.sh": "",
        "backend/app.py": "",
        "tools/x.js": "",
        "web/build.js": "",
        "not_a_root.py": "",
        "Makefile": "check:\n\t@$(PYTHON) -m tools.lint \\\n\t  --strict\n\tcat README.md\n",
        "tools/lint/__main__.py": "",
        "README.md": "",
    }
    found = {(r.path, r.via) for r in roots(files) if r.kind == "script"}
    assert found == {
        ("backend/app.py", "scripts/dev.sh: line 3"),
        ("tools/x.js", "scripts/dev.sh: line 4"),
        ("scripts/deploy.sh", "scripts/dev.sh: line 5"),
        ("web/build.js", "scripts/dev.sh: line 6"),
        ("tools/lint/__main__.py", "Makefile: line 2"),
    }
    assert not any(r.production for r in roots(files))


def test_procfile_is_production_and_ci_workflow_is_not() -> None:
    files = {
        "Procfile": "web: gunicorn app.wsgi:application\nworker: python worker.py\n",
        "app/wsgi.py": "",
        "worker.py": "",
        ".github/workflows/ci.yml": "jobs:\n  t:\n    steps:\n      - run: python ci/check.py\n",
        "ci/check.py": "",
    }
    found = {r.path: (r.via, r.production) for r in roots(files) if r.kind == "script"}
    assert found == {
        "app/wsgi.py": ("Procfile: line 1", True),
        "worker.py": ("Procfile: line 2", True),
        "ci/check.py": (".github/workflows/ci.yml: line 4", False),
    }


def test_systemd_exec_start_with_installed_paths() -> None:
    files = {
        "deploy/hub.service": """\
[Service]
WorkingDirectory=/opt/hub/backend
ExecStartPre=-/opt/hub/scripts/migrate.sh
ExecStart=/opt/hub/venv/bin/python -m hub.server
""",
        "scripts/migrate.sh": "",
        "backend/hub/server.py": "",
    }
    found = {r.path: (r.via, r.production) for r in roots(files) if r.kind == "systemd"}
    assert found == {
        "scripts/migrate.sh": ("deploy/hub.service: ExecStartPre", True),
        "backend/hub/server.py": ("deploy/hub.service: ExecStart", True),
    }


def test_crontab_entries_run_in_production() -> None:
    """`crontab`, `*.cron` and `cron.d/*`: the command after five time fields or a nickname
    (and, in cron.d, a user), with installed paths matched by their ending."""
    files = {
        "deploy/crontab": (
            "SHELL=/bin/bash\n# m h dom mon dow command\n"
            "*/15 * * * * cd /srv/app && python jobs/sync.py >> /var/log/sync.log 2>&1\n"
            "@daily /srv/app/scripts/rotate.sh\n"
        ),
        "ops/cron.d/reports": "0 6 * * 1-5 www-data /usr/bin/python3 /srv/app/jobs/report.py\n",
        "jobs/sync.py": "",
        "jobs/report.py": "",
        "jobs/unused.py": "",
        "scripts/rotate.sh": "",
    }
    found = {r.path: (r.via, r.production) for r in roots(files) if r.kind == "cron"}
    assert found == {
        "jobs/sync.py": ("deploy/crontab: line 3", True),
        "scripts/rotate.sh": ("deploy/crontab: line 4", True),
        "jobs/report.py": ("ops/cron.d/reports: line 1", True),
    }


def test_main_guards_are_roots_but_not_production() -> None:
    [root] = roots({"tools/report.py": ""}, main_guards=["tools/report.py"])
    assert root == Root("tools/report.py", "main", 'if __name__ == "__main__"', None, False)


def test_roots_found_only_in_examples_or_docs_are_not_production() -> None:
    files = {
        "examples/demo/package.json": '{"main": "index.js"}',
        "examples/demo/index.js": "",
        "docs/run.sh": "python src/app.py",
        "src/app.py": "",
        "Procfile": "web: python docs/serve.py\n",
        "docs/serve.py": "",
    }
    found = {(r.path, r.kind): r.production for r in roots(files)}
    assert found == {
        ("examples/demo/index.js", "package.json"): False,
        ("src/app.py", "script"): False,
        ("docs/serve.py", "script"): False,
    }


def test_roots_are_sorted_and_unique() -> None:
    files = {"run.sh": "python app.py\npython app.py\n", "app.py": ""}
    found = roots(files)
    assert [(r.path, r.via) for r in found] == [
        ("app.py", "run.sh: line 1"),
        ("app.py", "run.sh: line 2"),
    ]
    assert roots({**files, "run.sh": "python app.py; python app.py\n"}) == [
        Root("app.py", "script", "run.sh: line 1", None, False)
    ]


def sample() -> tuple[dict[str, bytes], ComposeFacts]:
    files = {
        p.relative_to(SAMPLE).as_posix(): p.read_bytes() for p in SAMPLE.rglob("*") if p.is_file()
    }
    return files, compose_facts(files, files.get)


def test_sample_repository_roots() -> None:
    files, compose = sample()
    found = find_roots(files, files.get, compose, ["backend/app.py"])
    by_service = {(r.service, r.path) for r in found if r.kind == "compose"}
    assert by_service == {
        ("orchestrator", "orchestrator/orchestrator.py"),
        ("backend", "backend/app.py"),
        ("worker", "backend/worker.py"),
    }
    assert {r.path for r in found if r.kind == "test"} == {
        "backend/tests/__init__.py",
        "backend/tests/test_app.py",
        "backend/tests/test_jobs.py",
        "backend/tests/test_scheduler.py",
        "backend/tests/test_worker.py",
    }
    assert {r.path for r in found if r.kind == "dockerfile"} == {
        "backend/app.py",
        "orchestrator/orchestrator.py",
    }
    assert all(r.path in files for r in found)


SHAPES = st.recursive(
    st.none() | st.integers() | st.text(alphabet=":/.-$ {}[]\"'=#\\\nabc", max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(service=SHAPES, dockerfile=st.text(max_size=120), script=st.text(max_size=60))
def test_odd_input_never_raises(service: object, dockerfile: str, script: str) -> None:
    keys = ("build", "command", "entrypoint", "volumes", "healthcheck", "depends_on")
    spec = dict.fromkeys(keys, service)
    spec["healthcheck"] = {"test": service}
    files = {
        "compose.yml": json.dumps({"services": {"a": spec, "b": service}}),
        "Dockerfile": dockerfile,
        "run.sh": script,
        "package.json": json.dumps({"main": service, "bin": service, "scripts": service}),
        "a.service": f"ExecStart={script}",
    }
    roots(files)


def test_the_guards_added_after_the_rest_give_the_same_roots() -> None:
    """The engine finds every other entry point while the scan runs, then adds the
    `__main__` guards the scan found: the same list, order and duplicates included."""
    from consolidate.analysis.entry_points import with_main_guards

    data = {
        str(p.relative_to(SAMPLE)): p.read_bytes()
        for p in sorted(SAMPLE.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }
    compose = compose_facts(data, data.get)
    guards = sorted(p for p in data if p.endswith(".py"))  # some are roots for other reasons
    whole = find_roots(data, data.get, compose, guards)
    assert with_main_guards(find_roots(data, data.get, compose, ()), guards) == whole
    assert {r.path for r in whole if r.kind == "main"} == set(guards)
    rest = find_roots(data, data.get, compose, ())
    assert set(whole) - set(rest) == {r for r in whole if r.kind == "main"}
    assert whole == sorted(whole, key=lambda r: (r.path, r.kind, r.via, r.service or ""))
    assert len(whole) == len(set(whole)) and len(whole) > len(guards)


def test_the_imports_only_graph_reaches_what_the_whole_graph_reaches() -> None:
    from consolidate.analysis.graph import Graph, orphans
    from consolidate.analysis.uses import Use

    uses = [
        Use("a.py", ("b.py",), 1, "import", True, "import b"),
        Use("b.py", ("b.py", "c.py"), 1, "import", True, "import c"),
        Use("d.py", ("e.py",), 2, "import", True, "import e"),
        Use("c.py", ("c.py",), 3, "import", True, "import c"),
    ]
    start = [Root("a.py", "main", "guard")]
    code = ["a.py", "b.py", "c.py", "d.py", "e.py"]
    whole, lean = Graph.build(uses, start), Graph.of_imports(uses)
    assert lean.reached(["a.py"]) == whole.reached(["a.py"]) == {"a.py", "b.py", "c.py"}
    assert orphans(lean, code, start) == orphans(whole, code, start) == ["d.py", "e.py"]
    assert not lean.importers and not lean.runs
    # Who imports what is made when first asked (the verdicts ask; `orphans` never does),
    # each importer with its first use.
    assert "importers" not in vars(whole)
    assert {t: list(by) for t, by in whole.importers.items()} == {
        "b.py": ["a.py"],
        "c.py": ["b.py"],
        "e.py": ["d.py"],
    }
    assert whole.importers["b.py"]["a.py"] is uses[0] and "importers" in vars(whole)


# What the per-file rules look at: names and folders they know, and near misses.
_PIECES = [
    *("tests", "test", "__tests__", "src", "cron.d", ".github", "workflows", "deploy", "a.b"),
    *("test_x.py", "x_test.py", "conftest.py", "tests.py", "x.test.ts", "x.spec.jsx", "x.py"),
    *("run.sh", "x.bash", "x.zsh", "x.ps1", "rules.mk", "ci.yml", "ci.yaml", ".gitlab-ci.yml"),
    *("Procfile", "Procfile.web", "Makefile", "makefile", "GNUmakefile", "justfile", ".justfile"),
    *("Justfile", "crontab", "x.cron", "x.crontab", "x.service", "Dockerfile", ".sh", "..py"),
]


@given(st.lists(st.sampled_from(_PIECES) | st.text("abt._-/", max_size=8), min_size=1, max_size=5))
def test_the_cheap_filters_never_skip_a_file_the_rules_would_take(parts: list[str]) -> None:
    """`find_roots` asks the test, script and crontab rules only about paths holding what
    each needs (`test` or `.spec.`, a script's ending or name, `cron`): a path without it is
    one the rule turns down anyway."""
    from consolidate.analysis import entry_points as ep
    from consolidate.analysis.unit_files import is_crontab

    path = "/".join(parts)
    if not ("test" in path or ".spec." in path):
        assert ep._test_reason(path) is None
    if not (path.endswith(ep._SCRIPT_ENDS) or ep._SCRIPT_WORDS(path)):
        assert ep._script_kind(path) is None
    if "cron" not in path:
        assert not is_crontab(path)
