"""`.env`-style files lose the component's variables, and a run does it end to end.

Unit cases assert exact bytes; the end-to-end cases run the real CLI on a real repository with a
PowerShell management script and a `.env.example` under `scripts:`, and the three bad-input
refusals (missing file, binary file, block regex that matches nothing).
"""

from __future__ import annotations

import codecs
from collections.abc import Collection

import pytest
from repo_support import RepoFactory, consolidate, git

from consolidate.edits.envfile import candidates, is_env_file
from consolidate.edits.scripts import ScriptEdit, edit_script

NAMES = frozenset({"conductor"})
OTHERS = frozenset({"web", "api-gateway", "cache"})

ENV = """\
# Shop settings
COMPOSE_PROJECT_NAME=shop

# =======================
# SERVICE WEB
# =======================
WEB_PORT=3000

# =======================
# SERVICE CONDUCTOR
# =======================

# The conductor schedules crawls; turn it off to pause them.
CONDUCTOR_ENABLED=true
CONDUCTOR_HEALTH_CHECK_INTERVAL=30
ENABLE_CONDUCTOR=true

# ---- Feature flags ----
ENABLE_CACHE=true
# conductor retries
SHOP_CONDUCTOR_RETRIES=3
ENABLE_WEB=true
CONDUCTOR_TOKEN=abc
"""

EXPECTED = """\
# Shop settings
COMPOSE_PROJECT_NAME=shop

# =======================
# SERVICE WEB
# =======================
WEB_PORT=3000

# ---- Feature flags ----
ENABLE_CACHE=true
ENABLE_WEB=true
"""


def run(
    text: str | bytes,
    names: Collection[str] = NAMES,
    keep: Collection[str] = (),
    others: Collection[str] = OTHERS,
    path: str = ".env.example",
) -> ScriptEdit:
    data = text.encode() if isinstance(text, str) else text
    return edit_script(path, data, names, keep=keep, others=others)


@pytest.mark.parametrize(
    ("bom", "newline", "final"),
    [(b"", "\n", True), (codecs.BOM_UTF8, "\r\n", True), (b"", "\r\n", False)],
)
def test_section_comment_and_variables_go(bom: bytes, newline: str, final: bool) -> None:
    def shaped(text: str) -> bytes:
        text = text.replace("\n", newline)
        return bom + (text if final else text[: -len(newline)]).encode()

    edit = run(shaped(ENV))
    assert edit.after == shaped(EXPECTED)
    assert [(c.line, c.reason) for c in edit.changes] == [
        (9, "section header of the component"),
        (13, "variables of the component"),
        (20, "variable 'SHOP_CONDUCTOR_RETRIES' of the component"),
        (23, "variable 'CONDUCTOR_TOKEN' of the component"),
    ]
    assert edit.left == ()


def test_a_variable_a_kept_file_reads_stays_and_so_does_its_section() -> None:
    edit = run(ENV, keep={"CONDUCTOR_ENABLED"})
    text = edit.after.decode()
    assert "# SERVICE CONDUCTOR\n" in text
    assert "# The conductor schedules crawls; turn it off to pause them.\n" in text
    assert "CONDUCTOR_ENABLED=true\nENABLE_CACHE" not in text
    assert [(n, t) for n, t in edit.left] == [
        (10, "# SERVICE CONDUCTOR"),
        (13, "# The conductor schedules crawls; turn it off to pause them."),
        (14, "CONDUCTOR_ENABLED=true"),
    ]
    assert "CONDUCTOR_HEALTH_CHECK_INTERVAL" not in text


def test_a_variable_a_kept_line_of_the_file_reads_stays() -> None:
    text = "CONDUCTOR_URL=http://conductor:9090\nWEB_UPSTREAM=${CONDUCTOR_URL}/api\nCONDUCTOR_X=1\n"
    edit = run(text)
    assert edit.after.decode() == (
        "CONDUCTOR_URL=http://conductor:9090\nWEB_UPSTREAM=${CONDUCTOR_URL}/api\n"
    )


@pytest.mark.parametrize("name", ["api", "web", "db", "cache"])
def test_generic_names_remove_nothing_and_report_the_lines(name: str) -> None:
    upper = name.upper()
    text = f"{upper}_URL=http://{name}:80\nENABLE_{upper}=1\nOTHER=2\n"
    edit = run(text, names={name}, others=())
    assert edit.after == edit.before
    assert [n for n, _ in edit.left] == [1, 2]


def test_a_name_a_kept_service_holds_removes_nothing() -> None:
    text = "CONDUCTOR_URL=http://conductor:9090\nCONDUCTOR_UI_PORT=8081\n"
    edit = run(text, others={"conductor-ui"})
    assert edit.after == edit.before
    assert [n for n, _ in edit.left] == [1, 2]


def test_a_variable_holding_a_compound_of_the_file_stays_for_a_person() -> None:
    text = "# conductor-ui reads its port\nCONDUCTOR_UI_PORT=8081\nCONDUCTOR_URL=http://x:1\n"
    edit = run(text, others=())
    assert edit.after.decode() == "# conductor-ui reads its port\nCONDUCTOR_UI_PORT=8081\n"
    assert [n for n, _ in edit.left] == [2]


def test_multi_line_value_and_commented_variable_go() -> None:
    text = 'A=1\n# CONDUCTOR_DEBUG=true\nCONDUCTOR_KEY="line one\nline two"\nB=2\n'
    assert run(text).after.decode() == "A=1\nB=2\n"


def test_candidates_and_env_file_names() -> None:
    assert candidates(ENV.encode(), NAMES, OTHERS) == {
        "CONDUCTOR_ENABLED",
        "CONDUCTOR_HEALTH_CHECK_INTERVAL",
        "ENABLE_CONDUCTOR",
        "SHOP_CONDUCTOR_RETRIES",
        "CONDUCTOR_TOKEN",
    }
    assert candidates(b"API_URL=1\n", {"api"}) == set()
    assert [is_env_file(p) for p in (".env", "a/.env.example", "prod.env", "env.py")] == [
        True,
        True,
        True,
        False,
    ]


# --- through the CLI ---------------------------------------------------------------------------

MANAGE = """\
param([string]$Command = "status")

$Project = "shop"
$Services = @("web", "api-gateway", "conductor", "cache")

function Show-Help {
    Write-Host "Core Services (4)"
    Write-Host "  web, api-gateway, conductor, cache"
}

function Show-Status {
    # Check Web
    $webStatus = docker inspect -f '{{.State.Status}}' "${Project}_web" 2>$null
    Write-Host "  web: $webStatus"

    # Check Conductor
    $conductorStatus = docker inspect -f '{{.State.Health.Status}}' "${Project}_conductor" 2>$null
    if ($conductorStatus -eq "healthy") {
        Write-Host "  Conductor: healthy" -ForegroundColor Green
    } elseif ($conductorStatus) {
        Write-Host "  Conductor: $conductorStatus" -ForegroundColor Yellow
    } else {
        Write-Host "  Conductor: not running" -ForegroundColor Red
    }
}
"""

MANAGE_AFTER = """\
param([string]$Command = "status")

$Project = "shop"
$Services = @("web", "api-gateway", "cache")

function Show-Help {
    Write-Host "Core Services (3)"
    Write-Host "  web, api-gateway, cache"
}

function Show-Status {
    # Check Web
    $webStatus = docker inspect -f '{{.State.Status}}' "${Project}_web" 2>$null
    Write-Host "  web: $webStatus"
}
"""

PLAYBOOK = """\
component: conductor
summary: The conductor never ran; compose already orders start-up with depends_on.
files: [conductor/**]
compose:
  docker-compose.yml: [conductor]
backup: {images: false}
scripts:
"""

FILES = {
    "conductor/main.py": 'print("tick")\n',
    "web/app.py": 'print("web")\n',
    "web/settings.py": 'import os\n\nTOKEN = os.environ["CONDUCTOR_TOKEN"]\n',
    "docs/setup.md": "Set CONDUCTOR_ENABLED=true to run it.\n",
    "docker-compose.yml": (
        "services:\n  web:\n    build: ./web\n  conductor:\n    build: ./conductor\n"
        "    depends_on: [web]\n"
    ),
    "scripts/manage.ps1": MANAGE.replace("\n", "\r\n").encode(),
    ".env.example": ENV,
}


def test_run_edits_the_script_and_the_env_file(make_repo: RepoFactory) -> None:
    files = {
        **FILES,
        "playbooks/conductor.yaml": PLAYBOOK
        + "  - file: scripts/manage.ps1\n  - file: .env.example\n",
    }
    repo = make_repo(files)
    result = consolidate(repo, "run", "conductor", "--yes")
    assert result.returncode == 0, result.stderr
    assert (repo / "scripts/manage.ps1").read_bytes() == MANAGE_AFTER.replace("\n", "\r\n").encode()
    # CONDUCTOR_TOKEN stays: web/settings.py reads it (docs do not count)
    assert (repo / ".env.example").read_text() == EXPECTED.replace(
        "ENABLE_WEB=true\n", "ENABLE_WEB=true\nCONDUCTOR_TOKEN=abc\n"
    )
    assert git(repo, "status", "--porcelain") == ""
    report = (repo / "CONDUCTOR_REMOVAL_REPORT.md").read_text()
    assert "- `.env.example:9` section header of the component" in report
    assert "- `scripts/manage.ps1:15` paragraph about the component (# Check Conductor)" in report


@pytest.mark.parametrize(
    ("entry", "extra", "message"),
    [
        (
            "  - file: scripts/gone.ps1\n",
            {},
            "consolidate: error: scripts: scripts/gone.ps1 does not exist",
        ),
        (
            "  - file: tools/probe.ps1\n",
            {"tools/probe.ps1": b"MZ\x90\x00\x03conductor"},
            "consolidate: error: scripts: tools/probe.ps1 is a binary file "
            "(a NUL byte in its first 8 KiB)",
        ),
        (
            "  - file: scripts/manage.ps1\n    blocks:\n      - {start: '^# BEGIN relay', end: '^# END'}\n",
            {},
            "consolidate: error: scripts: scripts/manage.ps1: the block start /^# BEGIN relay/ "
            "matches no line of the file",
        ),
    ],
)
def test_bad_scripts_entries_are_refused_while_planning(
    make_repo: RepoFactory, entry: str, extra: dict[str, str | bytes], message: str
) -> None:
    repo = make_repo({**FILES, **extra, "playbooks/conductor.yaml": PLAYBOOK + entry})
    head = git(repo, "rev-parse", "HEAD")
    result = consolidate(repo, "run", "conductor", "--yes")
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("consolidate:")]
    assert len(lines) == 1 and lines[0].startswith(message), result.stderr
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "rev-parse", "HEAD") == head
    assert "backup/" not in git(repo, "branch", "--list")


def test_nothing_is_left_on_disk_by_a_refusal(make_repo: RepoFactory) -> None:
    repo = make_repo({**FILES, "playbooks/conductor.yaml": PLAYBOOK + "  - file: nope.sh\n"})
    result = consolidate(repo, "run", "conductor", "--yes")
    assert result.returncode == 2
    assert not (repo / ".git" / "consolidate" / "journal.json").exists()
