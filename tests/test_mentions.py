"""Mentions of a component left in a repository: which names count, which group a line
belongs to, and how the removal report's "Mentions left" lists them.

The component is `relay` (a compose service of project folder `Shop.Stack`); the decoys are
names that merely contain the word or join it to another word by `-` or `.`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from repo_support import RepoFactory, consolidate

from consolidate.analysis.references import (
    container_names,
    env_form,
    find_references,
    group_of,
    image_names,
)
from consolidate.report.removal import MAX_MENTIONS, ReportData, render_report

COMPOSE = "deploy/docker-compose.yml"


def scan(files: dict[str, str], **options: Any) -> list[tuple[str, int]]:
    rows = rows_of(files, **options)
    return [(r["path"], r["line"]) for r in rows]


def rows_of(
    files: dict[str, str], component: str = "relay", removed: tuple[str, ...] = (), **options: Any
) -> list[dict[str, Any]]:
    data = {path: text.encode() for path, text in files.items()}
    return find_references(
        data, data.get, component, list(removed), {p for p in data if "compose" in p}, **options
    )


# -- names ---------------------------------------------------------------------------------


def test_container_names_are_the_container_name_and_the_project_defaults() -> None:
    assert container_names(COMPOSE, "relay", None, "ignored") == [
        "deploy_relay",
        "deploy_relay_1",
        "deploy-relay",
        "deploy-relay-1",
    ]
    at_root = container_names("compose.yaml", "relay", "relay-main", "Shop.Stack")
    assert at_root == [
        "relay-main",  # container_name:
        "shopstack_relay",  # the folder lower-cased, `.` dropped
        "shopstack_relay_1",
        "shopstack-relay",
        "shopstack-relay-1",
    ]
    named = container_names(COMPOSE, "relay", None, "x", project="_Edge")
    assert named == ["edge_relay", "edge_relay_1", "edge-relay", "edge-relay-1"]


def test_image_names_keep_the_repository_without_tag_or_digest() -> None:
    assert image_names(["ghcr.io/acme/relay-img:2.0", "localhost:5000/hub@sha256:ab12"]) == {
        "ghcr.io/acme/relay-img:2.0",
        "ghcr.io/acme/relay-img",
        "localhost:5000/hub@sha256:ab12",
        "localhost:5000/hub",  # the registry's port is not a tag
    }
    assert env_form("data-sync.v2") == "data_sync_v2"


def test_default_container_names_are_mentions_only_for_the_project() -> None:
    files = {
        "docs/ops.md": (
            "Logs: docker logs shopstack-relay-1\n"  # v2 default
            "Old: docker logs shopstack_relay_1\n"  # v1 default (also `_relay`)
            "Other project: otherstack-relay-1\n"  # `-relay-`: another name
            "Attach: docker exec -it shopstack-relay sh\n"
        )
    }
    containers = container_names("compose.yaml", "relay", None, "Shop.Stack")
    assert scan(files, containers=containers) == [
        ("docs/ops.md", 1),
        ("docs/ops.md", 2),
        ("docs/ops.md", 4),
    ]
    assert scan(files) == [("docs/ops.md", 2)]  # without them only the `_` form is left


def test_container_name_is_a_mention() -> None:
    files = {"scripts/check.sh": "docker inspect relay-main\ndocker inspect relay-mainx\n"}
    assert scan(files, containers=["relay-main"]) == [("scripts/check.sh", 1)]
    assert scan(files) == []  # `relay-main` alone is another name


def test_an_exclusive_image_is_a_mention_and_a_shared_one_is_not_passed() -> None:
    files = {
        "Makefile": (
            "pull:\n\tdocker pull ghcr.io/acme/relay-img:2.0\n"
            "cache:\n\tdocker pull redis:7\n"
            "old:\n\tdocker rmi ghcr.io/acme/relay-img\n"
        )
    }
    assert scan(files, images=["ghcr.io/acme/relay-img:2.0"]) == [("Makefile", 2), ("Makefile", 6)]
    assert scan(files) == []


def test_underscore_identifiers_are_this_components() -> None:
    files = {
        ".env.example": (
            "RELAY_ENABLED=true\n"
            "ENABLE_RELAY=1\n"
            "RELAY_HEALTH_CHECK_INTERVAL=30\n"
            "SMTP_HOST=mail\n"
            "shop_relay_url=http://relay:8080\n"
        ),
        "app/settings.py": "USE_RELAY = False\nrelay_client = None\nrelayed = 1\n",
    }
    assert scan(files) == [
        (".env.example", 1),
        (".env.example", 2),
        (".env.example", 3),
        (".env.example", 5),
        ("app/settings.py", 1),
        ("app/settings.py", 2),
    ]


def test_a_dashed_name_is_found_in_its_env_variable_form() -> None:
    files = {".env": "DATA_SYNC_ENABLED=1\nDATA_SYNCER=2\nmy-data-sync-tool=3\n"}
    assert scan(files, component="data-sync") == [(".env", 1)]


def test_names_joined_by_dash_or_dot_and_words_containing_the_name_are_not_mentions() -> None:
    files = {
        "web/ai-relay.service.ts": (
            "import { AiRelayService } from './ai-relay.service';\n"
            "import { RelayClient } from './relay.service';\n"  # after `/`, and `.service`
            "this.relay.start();\n"
            "export const subrelay = new AiRelayService();\n"
        ),
        "tools/relays.py": "import relays\nsubrelay = SubRelay()\nrelay2 = 1\n",
        "systemd/mail.service": "After=relay.service\nWants=relay-proxy.target\n",
        "docs/names.md": "The ai-relay and relay-ui differ; so do relay.local and relays.\n",
    }
    assert scan(files) == []


def test_paths_and_sentences_still_mention_it() -> None:
    files = {
        "docs/layout.md": (
            "Code lives in relay/main.py.\n"  # the component's folder
            "See lib/relay.py too.\n"  # a file of another folder: not by this name
            "That is the relay.\n"  # end of a sentence
            "Flags: --relay, -relay.\n"
        ),
        "app/boot.py": "from relay.main import run\n",  # a removed module's dotted path
    }
    assert scan(files, removed=("relay/main.py",)) == [
        ("docs/layout.md", 1),
        ("docs/layout.md", 3),
        ("docs/layout.md", 4),
        ("app/boot.py", 1),
    ]


def test_a_rejected_match_does_not_hide_a_name_inside_it() -> None:
    files = {"notes.txt": "volume x/shop_relay kept\n"}  # `shop_relay` after `/`: `relay` counts
    assert scan(files, also=["shop_relay"]) == [("notes.txt", 1)]


# -- groups --------------------------------------------------------------------------------


def test_each_row_has_its_group() -> None:
    files = {
        "CHANGELOG.md": "- Added relay.\n",
        "docs/adr/0003-relay.md": "We add relay.\n",
        "MAILER_REMOVAL_REPORT.md": "relay stays\n",
        "README.md": "relay forwards mail\n",
        "requirements.txt": "relay-client==1\nshop_relay==2\n",
        "deploy/docker-compose.yml": "services:\n  relay:\n    image: x\n",
        "scripts/up.ps1": "Start relay\n",
        "HISTORY": "relay added\n",
        "docs/changes-record.md": "relay noted\n",
    }
    rows = rows_of(files, history={"docs/changes-record.md"})
    got = {r["path"]: (r["kind"], r["group"]) for r in rows}
    assert got == {
        "CHANGELOG.md": ("docs", "history"),
        "docs/adr/0003-relay.md": ("docs", "history"),
        "MAILER_REMOVAL_REPORT.md": ("docs", "history"),
        "README.md": ("docs", "docs"),
        "requirements.txt": ("config", "live"),  # pins are config, not prose
        "deploy/docker-compose.yml": ("compose", "live"),
        "scripts/up.ps1": ("script", "live"),
        "HISTORY": ("config", "history"),
        "docs/changes-record.md": ("docs", "history"),  # the caller said so
    }
    assert all(set(r) == {"path", "line", "kind", "text", "group"} for r in rows)


@pytest.mark.parametrize(
    ("path", "kind", "group"),
    [
        ("NEWS", "config", "history"),
        ("docs/decisions/relay.md", "docs", "history"),
        ("guide/relay.rst", "docs", "docs"),
        ("src/relay.ts", "code", "live"),
        (".env.example", "config", "live"),
    ],
)
def test_group_of(path: str, kind: str, group: str) -> None:
    assert group_of(path, kind) == group


# -- the report section --------------------------------------------------------------------


def report(references: list[dict[str, Any]]) -> str:
    data = ReportData(
        component="relay",
        summary="Remove relay: nothing sends mail through it any more.",
        date="2026-11-27",
        playbook="playbooks/relay.yaml",
        base_commit="0123456789abcdef",
        base_ref="refs/heads/main",
        references=references,
    )
    text = render_report(data)
    start = text.index("## Mentions left in the repository")
    return text[start : text.index("\n## ", start + 1) + 1]


def ref(path: str, line: int, kind: str, text: str, group: str | None) -> dict[str, Any]:
    row = {"path": path, "line": line, "kind": kind, "text": text}
    return row if group is None else {**row, "group": group}


def test_report_lists_live_then_docs_then_history_under_headings_with_counts() -> None:
    refs = [
        ref("CHANGELOG.md", 9, "docs", "- Added `relay`.", "history"),
        ref("README.md", 4, "docs", "relay | forwards mail", "docs"),
        ref(".env.example", 2, "config", "RELAY_ENABLED=true", "live"),
        ref("scripts/up.ps1", 7, "script", "Start-Service relay", "live"),
    ]
    assert report(refs) == (
        "## Mentions left in the repository\n"
        "\n"
        "### Live code, config and scripts (2)\n"
        "\n"
        "These still run or configure something: each should go, or say why it stays.\n"
        "\n"
        "| File | Line | Kind | Text |\n"
        "| --- | ---: | --- | --- |\n"
        "| `.env.example` | 2 | config | `RELAY_ENABLED=true` |\n"
        "| `scripts/up.ps1` | 7 | script | `Start-Service relay` |\n"
        "\n"
        "### Docs (1)\n"
        "\n"
        "These describe the repository as it is now: decide for each.\n"
        "\n"
        "| File | Line | Kind | Text |\n"
        "| --- | ---: | --- | --- |\n"
        "| `README.md` | 4 | docs | `relay \\| forwards mail` |\n"
        "\n"
        "### History (1)\n"
        "\n"
        "Records of earlier changes (changelogs, earlier removal reports, decision records):"
        " they stay as they are.\n"
        "\n"
        "| File | Line | Kind | Text |\n"
        "| --- | ---: | --- | --- |\n"
        "| `CHANGELOG.md` | 9 | docs | `` - Added `relay`. `` |\n"
        "\n"
    )
    assert "No live code" not in report(refs)


def test_report_says_plainly_when_only_history_is_left() -> None:
    text = report([ref("docs/adr/0001-relay.md", 3, "docs", "We add relay.", "history")])
    assert text.startswith(
        "## Mentions left in the repository\n\n"
        "No live code, config or script names relay any more.\n\n"
        "### History (1)\n"
    )
    assert "### Live" not in text and "### Docs" not in text


def test_report_without_any_mention_says_so() -> None:
    assert report([]) == (
        "## Mentions left in the repository\n\n"
        "No live code, config or script names relay any more.\n\n"
        "No docs or history mention it either.\n\n"
    )


def test_rows_without_a_group_are_grouped_by_path_and_kind() -> None:
    text = report([ref("NEWS", 1, "config", "relay added", None)])  # an older JSON's row
    assert "No live code, config or script names relay any more." in text
    assert "### History (1)" in text


def test_a_long_list_says_how_many_more_it_has() -> None:
    refs = [ref("docs/big.md", n, "docs", "relay", "docs") for n in range(1, MAX_MENTIONS + 4)]
    text = report(refs)
    assert f"### Docs ({MAX_MENTIONS + 3})" in text
    assert f"| `docs/big.md` | {MAX_MENTIONS} | docs |" in text
    assert f"| `docs/big.md` | {MAX_MENTIONS + 1} |" not in text
    assert "... and 3 more lines not shown here." in text


# -- through the CLI -----------------------------------------------------------------------


def test_investigate_json_keeps_its_fields_and_adds_the_group(make_repo: RepoFactory) -> None:
    repo = make_repo(
        {
            "compose.yaml": "services:\n  relay:\n    build: ./relay\n  web:\n    image: nginx\n",
            "relay/main.py": "print('relay')\n",
            ".env.example": "RELAY_ENABLED=true\nWEB_PORT=80\n",
            "README.md": "The relay forwards mail.\n",
            "CHANGELOG.md": "## 1.0\n- Added relay.\n",
            "tools/relays.py": "subrelay = 1\n",
        }
    )
    result = consolidate(repo, "investigate", "relay", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["references"]
    assert [(r["path"], r["line"], r["kind"], r["group"]) for r in rows] == [
        (".env.example", 1, "config", "live"),
        ("CHANGELOG.md", 2, "docs", "history"),
        ("README.md", 1, "docs", "docs"),
        ("compose.yaml", 2, "compose", "live"),
    ]
    assert rows[0]["text"] == "RELAY_ENABLED=true"


def test_investigate_markdown_marks_history(make_repo: RepoFactory, tmp_path: Path) -> None:
    repo = make_repo({"relay/main.py": "x = 1\n", "CHANGELOG.md": "- Added relay.\n"})
    out = tmp_path / "investigation.md"
    result = consolidate(repo, "investigate", "relay", "--markdown", str(out))
    assert result.returncode == 0, result.stderr
    assert "- `CHANGELOG.md:1` (docs, history) - Added relay." in out.read_text()
