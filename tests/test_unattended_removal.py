"""Issue 14's realistic repository: `plan` then `run --yes` with no hand edits."""

from __future__ import annotations

import re

from repo_support import RepoFactory, consolidate, git

from consolidate.playbook import PLACEHOLDER

FILES: dict[str, str] = {
    ".gitignore": "__pycache__/\n",
    "docker-compose.yml": (
        "# Fleet: the whole stack for local development.\n"
        "\n"
        "services:\n"
        "  # --- data ---\n"
        "  postgres:\n"
        "    image: postgres:16\n"
        "    volumes:\n"
        "      - pgdata:/var/lib/postgresql/data\n"
        "    healthcheck:\n"
        '      test: ["CMD", "pg_isready"]\n'
        "  redis:\n"
        "    image: redis:7\n"
        "\n"
        "  # --- application ---\n"
        "  api:\n"
        "    build: ./api\n"
        "    depends_on:\n"
        "      postgres:\n"
        "        condition: service_healthy\n"
        "  web:\n"
        "    build: ./web\n"
        "    depends_on: [api]\n"
        "\n"
        "  # --- event relay (experimental) ---\n"
        "  relay:\n"
        "    build: ./relay\n"
        "    depends_on: [redis]\n"
        "    environment:\n"
        '      RELAY_INTERVAL: "30"\n'
        "    volumes:\n"
        "      - relay-state:/state\n"
        "    healthcheck:\n"
        '      test: ["CMD", "redis-cli", "-h", "redis", "ping"]\n'
        "\n"
        "volumes:\n"
        "  pgdata:\n"
        "  relay-state:\n"
    ),
    "api/Dockerfile": 'FROM python:3.12-slim\nCOPY . /app\nCMD ["python", "/app/app.py"]\n',
    "api/app.py": "from store import save\n\n\ndef main() -> None:\n    save('started')\n\n\nif __name__ == '__main__':\n    main()\n",
    "api/store.py": "def save(event: str) -> None:\n    print(event)\n",
    "api/legacy_import.py": "def convert(rows:\n    return rows\n",  # broken long before
    "web/Dockerfile": "FROM nginx:1.27\nCOPY index.html /usr/share/nginx/html/\n",
    "web/index.html": "<!doctype html><title>Fleet</title>\n",
    "relay/Dockerfile": 'FROM python:3.12-slim\nCOPY . /relay\nCMD ["python", "/relay/forward.py"]\n',
    "relay/forward.py": "import os\nimport time\n\nINTERVAL = int(os.environ.get('RELAY_INTERVAL', '30'))\n\n\ndef loop() -> None:\n    while True:\n        time.sleep(INTERVAL)\n\n\nif __name__ == '__main__':\n    loop()\n",
    "scripts/manage.ps1": (
        'param([string]$Command = "help")\n'
        "\n"
        '$Services = @("postgres", "redis", "api", "web", "relay")\n'
        "$Ports = @{\n"
        "    api   = 8000\n"
        "    web   = 3000\n"
        "    relay = 8100\n"
        "}\n"
        "\n"
        "function Show-Help {\n"
        '    Write-Host "Core Services (5)"\n'
        '    Write-Host "  postgres, redis, api, web, relay"\n'
        '    Write-Host "Commands: up, down, status"\n'
        "}\n"
        "\n"
        "function Show-Status {\n"
        "    foreach ($name in $Services) {\n"
        "        docker compose ps $name\n"
        "    }\n"
        "\n"
        "    # Check relay\n"
        "    $relayHealth = docker inspect --format '{{.State.Health.Status}}' fleet_relay\n"
        '    if ($relayHealth -eq "healthy") {\n'
        '        Write-Host "relay: healthy"\n'
        '    } elseif ($relayHealth -eq "starting") {\n'
        '        Write-Host "relay: starting"\n'
        "    } else {\n"
        '        Write-Host "relay: DOWN"\n'
        "    }\n"
        "}\n"
        "\n"
        "switch ($Command) {\n"
        '    "up"     { docker compose up -d }\n'
        '    "down"   { docker compose down }\n'
        '    "status" { Show-Status }\n'
        '    "relay"  { docker compose logs -f relay }\n'
        "    default  { Show-Help }\n"
        "}\n"
    ),
    "scripts/dev.sh": (
        "#!/usr/bin/env bash\n"
        "set -euo pipefail\n"
        'SERVICES="postgres redis api web relay"\n'
        'case "${1:-help}" in\n'
        "  up) docker compose up -d ;;\n"
        "  relay) docker compose logs -f relay ;;\n"
        '  status) for s in $SERVICES; do docker compose ps "$s"; done ;;\n'
        '  *) echo "usage: dev.sh up|status" ;;\n'
        "esac\n"
    ),
    ".env.example": (
        "# Database\n"
        "POSTGRES_PASSWORD=change-me\n"
        "DATABASE_URL=postgres://fleet:change-me@postgres/fleet\n"
        "\n"
        "# SERVICE RELAY\n"
        "# Forwards queued events to the webhook endpoints.\n"
        "RELAY_ENABLED=false\n"
        "RELAY_INTERVAL=30\n"
        "ENABLE_RELAY=false\n"
        "\n"
        "# Web\n"
        "WEB_PORT=3000\n"
    ),
    "ARCHITECTURE.md": (
        "# Fleet architecture\n"
        "\n"
        "| Service | Role                     | Port |\n"
        "|---------|--------------------------|------|\n"
        "| api     | REST API                 | 8000 |\n"
        "| web     | UI                       | 3000 |\n"
        "| relay   | forwards events to hooks | 8100 |\n"
        "\n"
        "## api\n"
        "\n"
        "Stores events in postgres.\n"
        "\n"
        "## relay\n"
        "\n"
        "Forwards queued events to webhooks every RELAY_INTERVAL seconds.\n"
        "\n"
        "---\n"
        "Last updated: 2026-03-01 · version 2.3\n"
    ),
    "docs/operations.md": (
        "# Operations\n"
        "\n"
        "The stack runs 5 containers: postgres, redis, api, web and relay.\n"
        "\n"
        "Restart one with `docker compose restart <service>`.\n"
    ),
    "CHANGELOG.md": (
        "# Changelog\n"
        "\n"
        "## [Unreleased]\n"
        "\n"
        "## [2.3.0] - 2026-03-01\n"
        "\n"
        "### Added\n"
        "\n"
        "- relay: forwards events to webhooks (experimental).\n"
    ),
}

DAY = {"SOURCE_DATE_EPOCH": "1795176000"}  # 2026-11-20
SUMMARY = (
    "Its health check only tests a dependency (docker-compose.yml:32); no production file"
    " imports or runs it. Nothing outside it uses its files."
)


def edited(path: str, *cuts: str, swap: tuple[str, str] = ("", "")) -> str:
    """The fixture's file with `cuts` taken out and one `swap` made: the expected bytes."""
    text = FILES[path]
    for cut in cuts:
        assert cut in text, cut
        text = text.replace(cut, "", 1)
    return text.replace(*swap, 1) if swap[0] else text


EXPECTED = {
    "docker-compose.yml": edited(
        "docker-compose.yml",
        FILES["docker-compose.yml"][
            FILES["docker-compose.yml"].index("  # --- event relay") : FILES[
                "docker-compose.yml"
            ].index("volumes:\n  pgdata")
        ],
        "  relay-state:\n",
    ),
    "scripts/manage.ps1": edited(
        "scripts/manage.ps1",
        ', "relay"',
        "    relay = 8100\n",
        ", relay",
        FILES["scripts/manage.ps1"][
            FILES["scripts/manage.ps1"].index("\n    # Check relay") : FILES[
                "scripts/manage.ps1"
            ].index("}\n\nswitch")
        ],
        '    "relay"  { docker compose logs -f relay }\n',
        swap=("Core Services (5)", "Core Services (4)"),
    ),
    "scripts/dev.sh": edited(
        "scripts/dev.sh", " relay", "  relay) docker compose logs -f relay ;;\n"
    ),
    ".env.example": edited(
        ".env.example",
        "# SERVICE RELAY\n# Forwards queued events to the webhook endpoints.\n"
        "RELAY_ENABLED=false\nRELAY_INTERVAL=30\nENABLE_RELAY=false\n\n",
    ),
    "docs/operations.md": edited(
        "docs/operations.md",
        " and relay",
        swap=(
            "5 containers: postgres, redis, api, web.",
            "4 containers: postgres, redis, api and web.",
        ),
    ),
    "ARCHITECTURE.md": edited(
        "ARCHITECTURE.md",
        "| relay   | forwards events to hooks | 8100 |\n",
        swap=(
            "## relay\n\nForwards queued events to webhooks every RELAY_INTERVAL seconds.\n",
            "## Removed components\n\n- **relay**, removed 2026-11-20. "
            + SUMMARY
            + " Backup: branch `backup/relay-removal-2026-11-20`.\n",
        ),
    ),
}


def test_plan_then_run_removes_everything_with_no_hand_edit(make_repo: RepoFactory) -> None:
    repo = make_repo(FILES, name="fleet")
    planned = consolidate(repo, "plan", "relay")
    assert planned.returncode == 0, planned.stderr
    draft = (repo / "playbooks" / "relay.yaml").read_text()
    assert not PLACEHOLDER.search(draft)
    assert f'summary: "{SUMMARY}"' in draft
    scripts = re.findall(r'^  - file: "(.+)"$', draft, re.M)
    assert scripts == [".env.example", "scripts/dev.sh", "scripts/manage.ps1"]
    assert '    run: "python3 -m compileall -q api"' in draft

    result = consolidate(repo, "run", "relay", "--yes", "--no-image-backup", env=DAY)
    assert result.returncode == 0, result.stderr
    for path, text in EXPECTED.items():
        assert (repo / path).read_text() == text, path
    assert not (repo / "relay").exists()
    assert (repo / "CHANGELOG.md").read_text().endswith(FILES["CHANGELOG.md"].split("\n\n", 2)[2])

    # The drafted check ran, and the file broken before the removal did not block it.
    report = (repo / "RELAY_REMOVAL_REPORT.md").read_text()
    assert (
        "| python-compile | `python3 -m compileall -q api` | **failed before this removal**"
        in report
    )
    assert "*** Error compiling 'api/legacy_import.py'" in report
    # Nothing live names the component: only the changelog's earlier entry, as history.
    assert "No live code, config or script names relay any more." in report
    assert "### History (1)" in report and "### Docs" not in report
    committed = git(repo, "show", "--format=%B", "-s", "HEAD")
    assert SUMMARY in committed and not PLACEHOLDER.search(committed)
    assert git(repo, "status", "--porcelain") == "?? playbooks/\n"  # the draft, unasked
    left = [
        p
        for p in git(repo, "grep", "-il", "relay").split()
        if p not in ("CHANGELOG.md", "RELAY_REMOVAL_REPORT.md", "ARCHITECTURE.md")
    ]
    assert left == []
