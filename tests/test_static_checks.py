"""Static checks on a work tree after a removal: compose references, schema, links, imports."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from consolidate.compose.checks import compose_config_of, compose_problems, schema_problems
from consolidate.validate.static_checks import dangling_imports, markdown_links, run_static


def tree(root: Path, files: dict[str, str]) -> Path:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


COMPOSE = """\
services:
  web:
    build: ./web
    env_file: [orchestrator/orchestrator.env]
    depends_on: [orchestrator, db]
    volumes: ["./orchestrator/config:/config", "./web:/app", "data:/data"]
  db:
    image: postgres
    env_file: .env
volumes:
  data:
"""


def test_compose_references_to_what_the_removal_took(tmp_path: Path) -> None:
    root = tree(tmp_path, {"docker-compose.yml": COMPOSE, "web/Dockerfile": "FROM x\n"})
    gone = {"orchestrator/orchestrator.env", "orchestrator/config/a.toml"}
    ours, others = compose_problems(root, ["docker-compose.yml"], gone, {"orchestrator"})
    assert ours == [
        "docker-compose.yml: service web: depends_on orchestrator, which no compose file here "
        "defines",
        "docker-compose.yml: service web: env_file orchestrator/orchestrator.env does not exist",
        "docker-compose.yml: service web: bind mount ./orchestrator/config does not exist",
    ]
    assert others == ["docker-compose.yml: service db: env_file .env does not exist"]


def test_schema_problems_the_edit_brought_and_those_it_found(tmp_path: Path) -> None:
    broken = "services:\n  web:\n    image: nginx\n    restartt: always\n"
    root = tree(tmp_path, {"compose.yaml": broken})
    new, old = schema_problems(root, ["compose.yaml"], lambda _p: broken.encode())
    assert new == [] and len(old) == 1 and "restartt" in old[0]
    fine = b"services:\n  web:\n    image: nginx\n"
    new, old = schema_problems(root, ["compose.yaml"], lambda _p: fine)
    assert len(new) == 1 and new[0].startswith("compose.yaml: services/web: ")


def test_markdown_links_to_removed_files_and_folders(tmp_path: Path) -> None:
    text = (
        "[a](orchestrator/README.md) [b](../x.md) [c](https://example.com/orchestrator)\n"
        "see [dir](./orchestrator/) and [ok](backend/app.py)\n"
    )
    root = tree(tmp_path, {"docs/index.md": text.replace("orchestrator/", "../orchestrator/")})
    gone = {"orchestrator/README.md", "orchestrator/main.py"}
    assert markdown_links(root, ["docs/index.md"], gone) == [
        "docs/index.md:1: links to removed ../orchestrator/README.md",
        "docs/index.md:2: links to removed ./../orchestrator/",
    ]


def test_imports_that_lost_their_file(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "app/main.py": "from app import util\nfrom app import helpers\nimport json\n",
            "app/__init__.py": "",
            "app/util.py": "",
            "web/src/index.ts": 'import { x } from "./gone";\nimport { y } from "./kept";\n',
            "web/src/kept.ts": "export const y = 1;\n",
        },
    )
    before = ["app/__init__.py", "app/helpers.py", "app/main.py", "app/util.py",
              "web/src/gone.ts", "web/src/index.ts", "web/src/kept.ts"]  # fmt: skip
    after = [p for p in before if p not in {"app/helpers.py", "web/src/gone.ts"}]
    result = dangling_imports(root, before, after, ["app/helpers.py", "web/src/gone.ts"])
    assert result["status"] == "failed"
    assert result["output"].splitlines() == [
        "app/main.py:2: from app import helpers (it meant app/helpers.py)",
        'web/src/index.ts:1: import { x } from "./gone"; (it meant web/src/gone.ts)',
    ]


def test_run_static_rows(tmp_path: Path) -> None:
    root = tree(tmp_path, {"a.py": "import b\n", "README.md": "[b](b.py)\n"})
    rows = run_static(root, ["a.py", "README.md"], {"removed": ["b.py"], "strict_docs": False})
    assert [(r["name"], r["status"]) for r in rows] == [
        ("imports of removed files", "failed"),
        ("compose references", "passed"),
        ("links to removed files", "warning"),
    ]


# Seven schema errors at HEAD, three of them in the service the removal takes (which sorts
# first): after the removal the file keeps four of its old errors and gains none.
MANY_ERRORS = """\
services:
  alpha:
    image: relay
    restartt: always
    ports: 5
    mem_limit: [1]
  web1: {image: nginx, colour: red}
  web2: {image: nginx, colour: red}
  web3: {image: nginx, colour: red}
  web4: {image: nginx, colour: red}
"""


def test_schema_errors_are_compared_in_full_not_cut_to_the_first_few(tmp_path: Path) -> None:
    after = MANY_ERRORS.replace(
        "  alpha:\n    image: relay\n    restartt: always\n    ports: 5\n    mem_limit: [1]\n", ""
    )
    root = tree(tmp_path, {"compose.yaml": after})
    new, old = schema_problems(root, ["compose.yaml"], lambda _p: MANY_ERRORS.encode())
    assert new == []
    assert [p.split(": ", 2)[1] for p in old] == [f"services/web{n}" for n in (1, 2, 3, 4)]
    # a file new to the run: every one of its seven errors is new, and all are shown
    (root / "compose.yaml").write_text(MANY_ERRORS)
    rows = run_static(root, ["compose.yaml"], {"compose": ["compose.yaml"]}, lambda _p: None)
    schema = next(r for r in rows if r["name"] == "compose schema")
    assert schema["status"] == "failed" and len(schema["output"].splitlines()) == 7


def test_a_missing_path_named_like_a_removed_service_is_not_blamed_on_it(
    tmp_path: Path,
) -> None:
    compose = (
        "services:\n  web:\n    image: nginx\n    env_file: relay\n"
        "    volumes: ['./relay-config:/config', './logs:/logs']\n"
    )
    root = tree(tmp_path, {"docker-compose.yml": compose})
    gone = {"relay-config/app.toml"}  # the removal took this folder's file; `relay` and
    ours, others = compose_problems(root, ["docker-compose.yml"], gone, {"relay", "logs"})
    assert ours == [
        "docker-compose.yml: service web: bind mount ./relay-config does not exist",
    ]
    assert others == [  # ... `logs` were missing before, whatever the removed services' names
        "docker-compose.yml: service web: env_file relay does not exist",
        "docker-compose.yml: service web: bind mount ./logs does not exist",
    ]


def test_the_compose_check_reads_earlier_bytes_from_outside_the_work_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`compose config` of a file's earlier bytes: the copy lives in the temporary folder,
    read with the file's folder as the project directory (so relative paths resolve), and
    nothing is written beside the file, whatever names are there."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    fake = bin_dir / "docker"  # a stand-in for `docker compose`, logging what it was given
    fake.write_text(
        "#!/bin/sh\n"
        f'{{ pwd; for a in "$@"; do echo "$a"; done; echo ---; }} >> {log}\n'
        'for a in "$@"; do case "$a" in *.yml) [ -f "$a" ] && cp "$a" '
        f"{tmp_path}/seen.yml;; esac; done\n"
        'echo "error in $3" >&2; [ "$2" = version ]\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    root = tmp_path / "repo"
    (root / "deploy").mkdir(parents=True)
    (root / "deploy" / "docker-compose.yml").write_text("services: {}\n")
    user_file = root / "deploy" / ".docker-compose.yml.consolidate-before"
    user_file.write_text("a user's file\n")
    before = sorted(p.name for p in (root / "deploy").iterdir())

    problems = compose_config_of(root, "deploy/docker-compose.yml", b"services: {old: {}}\n")

    calls = [c.strip().splitlines() for c in log.read_text().split("---") if c.strip()]
    cwd, *argv = calls[-1]
    assert cwd == str(root / "deploy")
    twin = argv[argv.index("-f") + 1]
    assert not twin.startswith(str(root)) and twin.endswith("/docker-compose.yml")
    assert argv[argv.index("--project-directory") + 1] == "."
    assert argv[-2:] == ["config", "--quiet"]
    assert (tmp_path / "seen.yml").read_text() == "services: {old: {}}\n"
    assert not Path(twin).exists()  # removed once read
    # The copy's folder is named back to the file's own in what the check reports.
    shown = f"error in {root / 'deploy'}/docker-compose.yml"
    assert problems == [f"deploy/docker-compose.yml: {fake} compose config: {shown}"]
    assert sorted(p.name for p in (root / "deploy").iterdir()) == before
    assert user_file.read_text() == "a user's file\n"
