"""Blocks, prose lists and counts of a management script that concern a removed component.

Exact bytes in, exact bytes out, with the cases where nothing must change beside each rule.
The component is `conductor`; `web`, `api-gateway` and `cache` stay.
"""

from __future__ import annotations

import codecs
from collections.abc import Collection

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_scripts_edit import applied

from consolidate.edits.scripts import ScriptEdit, edit_script

NAMES = frozenset({"conductor", "shop_conductor"})
OTHERS = frozenset({"web", "api-gateway", "cache"})


def run(path: str, text: str | bytes, others: Collection[str] = OTHERS) -> ScriptEdit:
    data = text.encode() if isinstance(text, str) else text
    return edit_script(path, data, NAMES, others=others)


def after(path: str, text: str, others: Collection[str] = OTHERS) -> str:
    return run(path, text, others).after.decode()


def reasons(edit: ScriptEdit) -> list[tuple[int, str]]:
    return [(c.line, c.reason) for c in edit.changes]


# --- prose lists in strings ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            'Write-Host "  web, api-gateway, conductor, cache"',
            'Write-Host "  web, api-gateway, cache"',
        ),
        ('Write-Host "  conductor, web, cache"', 'Write-Host "  web, cache"'),
        ('Write-Host "  web, cache, conductor"', 'Write-Host "  web, cache"'),
        ("Write-Host 'One of: web,conductor,cache.'", "Write-Host 'One of: web,cache.'"),
        ('Write-Host "services: web, cache and conductor"', 'Write-Host "services: web and cache"'),
        ('Write-Host "services: conductor, web and cache"', 'Write-Host "services: web and cache"'),
        ('Write-Host "services: web, conductor and cache"', 'Write-Host "services: web and cache"'),
        (
            'Write-Host "services: web, conductor, cache, and api"',
            'Write-Host "services: web, cache, and api"',
        ),
        (
            'Write-Host "services: web, cache, and conductor"',
            'Write-Host "services: web and cache"',
        ),
        ('Write-Host "services: web or conductor"', 'Write-Host "services: web"'),
    ],
)
def test_prose_list_element_goes_with_one_separator(line: str, expected: str) -> None:
    edit = run("manage.ps1", f"{line}\r\n")
    assert edit.after.decode() == f"{expected}\r\n"
    assert reasons(edit) == [(1, "element 'conductor' of a prose list")]


@pytest.mark.parametrize(
    "line",
    [
        'echo "web,  conductor, cache"',  # irregular separators: not certainly a list
        'echo "Stop, conductor"',  # two words without a heading: a sentence
        'echo "conductor, web and cache, and api"',  # two conjunctions
        'echo "conductor"',
        "# web, conductor, cache",  # a comment, not a string
    ],
)
def test_prose_that_is_not_certainly_a_list_stays(line: str) -> None:
    edit = run("ops.sh", f"{line}\n")
    assert edit.after == edit.before
    assert edit.left == ((1, line),)


def test_prose_in_shell_make_and_just() -> None:
    assert after("ops.sh", 'echo "all: web, conductor, cache"\n') == 'echo "all: web, cache"\n'
    make = 'help:\n\t@echo "services: web, conductor, cache"\n'
    assert after("Makefile", make) == 'help:\n\t@echo "services: web, cache"\n'


# --- counts ------------------------------------------------------------------------------------

HELP = (
    "function Show-Help {{\n"
    '    Write-Host "Core Services ({count})" -ForegroundColor Cyan\n'
    '    Write-Host "  postgres, redis, mongo, web, api-gateway"\n'
    '    Write-Host "  cache, scrapers, conductor"\n'
    "}}\n"
)


def test_count_above_a_prose_list_over_two_lines_goes_down() -> None:
    edit = run("manage.ps1", HELP.format(count=8))
    assert edit.after.decode() == (
        "function Show-Help {\n"
        '    Write-Host "Core Services (7)" -ForegroundColor Cyan\n'
        '    Write-Host "  postgres, redis, mongo, web, api-gateway"\n'
        '    Write-Host "  cache, scrapers"\n'
        "}\n"
    )
    assert reasons(edit) == [
        (2, "count 8 of the list that lost 1, now 7"),
        (4, "element 'conductor' of a prose list"),
    ]


@pytest.mark.parametrize("count", [3, 9])
def test_a_count_that_is_not_the_list_length_stays(count: int) -> None:
    edit = run("manage.ps1", HELP.format(count=count))
    assert f"Core Services ({count})" in edit.after.decode()
    assert [c.line for c in edit.changes] == [4]


def test_a_number_that_counts_something_else_stays() -> None:
    text = 'Write-Host "Waiting 3 seconds"\n$Core = @("web", "conductor", "cache")\n$t = 3\n'
    edit = run("manage.ps1", text)
    assert edit.after.decode() == (
        'Write-Host "Waiting 3 seconds"\n$Core = @("web", "cache")\n$t = 3\n'
    )


def test_count_above_a_multi_line_array_and_in_an_inline_list_comment() -> None:
    text = (
        "# The 4 core services\n"
        "$Core = @(\n"
        '    "web",\n'
        '    "conductor",\n'
        '    "cache",\n'
        '    "api-gateway"\n'
        ")\n"
        '$Short = @("web", "conductor", "cache")  # 3 services, 2 ports\n'
    )
    assert after("manage.ps1", text) == (
        "# The 3 core services\n"
        "$Core = @(\n"
        '    "web",\n'
        '    "cache",\n'
        '    "api-gateway"\n'
        ")\n"
        '$Short = @("web", "cache")  # 2 services, 2 ports\n'
    )


def test_count_of_a_hashtable_and_of_a_help_block_of_lines() -> None:
    text = (
        'Write-Host "Services (3):"\n'
        'Write-Host "  web        the shop front"\n'
        'Write-Host "  conductor  schedules crawls"\n'
        'Write-Host "  cache      redis"\n'
        "\n"
        "# 3 ports\n"
        "$Ports = @{\n"
        "    web       = 3000\n"
        "    conductor = 9090\n"
        "    cache     = 6379\n"
        "}\n"
    )
    edit = run("manage.ps1", text)
    assert edit.after.decode() == (
        'Write-Host "Services (2):"\n'
        'Write-Host "  web        the shop front"\n'
        'Write-Host "  cache      redis"\n'
        "\n"
        "# 2 ports\n"
        "$Ports = @{\n"
        "    web       = 3000\n"
        "    cache     = 6379\n"
        "}\n"
    )
    assert reasons(edit) == [
        (1, "count 3 of the list that lost 1, now 2"),
        (3, "line of a help list for the component"),
        (6, "count 3 of the list that lost 1, now 2"),
        (9, "hashtable entry 'conductor'"),
    ]


# --- a health-check paragraph and if chains ----------------------------------------------------

STATUS = (
    "function Show-Status {\n"
    "    # Check Web\n"
    '    $webStatus = docker inspect -f "{{.State.Status}}" "${Project}_web"\n'
    '    Write-Host "  web: $webStatus"\n'
    "\n"
    "    # Check Conductor\n"
    "    $conductorStatus = docker inspect -f '{{.State.Health.Status}}' shop_conductor 2>$null\n"
    '    if ($conductorStatus -eq "healthy") {\n'
    '        Write-Host "  Conductor: healthy" -ForegroundColor Green\n'
    "    } elseif ($conductorStatus) {\n"
    '        Write-Host "  Conductor: $conductorStatus" -ForegroundColor Yellow\n'
    "    } else {\n"
    '        Write-Host "  Conductor: not running" -ForegroundColor Red\n'
    "    }\n"
    "\n"
    "    # Restart web and conductor\n"
    "    docker compose restart web conductor\n"
    "}"
)


@pytest.mark.parametrize(("bom", "newline"), [(b"", "\n"), (codecs.BOM_UTF8, "\r\n")])
def test_health_check_paragraph_goes_whole_the_shared_one_stays(bom: bytes, newline: str) -> None:
    edit = run("manage.ps1", bom + STATUS.replace("\n", newline).encode())
    expected = (
        "function Show-Status {\n"
        "    # Check Web\n"
        '    $webStatus = docker inspect -f "{{.State.Status}}" "${Project}_web"\n'
        '    Write-Host "  web: $webStatus"\n'
        "\n"
        "    # Restart web and conductor\n"
        "    docker compose restart web conductor\n"
        "}"
    )
    assert edit.after == bom + expected.replace("\n", newline).encode()
    assert reasons(edit) == [(6, "paragraph about the component (# Check Conductor)")]
    assert [line for line, _ in edit.left] == [16, 17]


def test_chain_on_the_component_result_goes_with_its_assignment() -> None:
    text = (
        "$web = docker inspect shop_web\n"
        "$state = docker inspect --format '{{.State.Status}}' shop_conductor\n"
        'Write-Host "checking"\n'
        'if ($state -eq "running") { Write-Host "up" }\n'
        'else { Write-Host "down" }\n'
        'Write-Host "done"\n'
    )
    edit = run("manage.ps1", text)
    assert edit.after.decode() == (
        '$web = docker inspect shop_web\nWrite-Host "checking"\nWrite-Host "done"\n'
    )
    assert reasons(edit) == [
        (2, "the line whose result the removed chain tested"),
        (4, "if chain on the component's result"),
    ]


def test_chain_whose_result_is_used_elsewhere_or_that_tests_another_service_stays() -> None:
    text = (
        "$state = docker inspect shop_conductor\n"
        "$web = docker inspect shop_web\n"
        'if ($state -eq "running" -and $web) { Write-Host "up" }\n'
        'if ($state) { Write-Host "up" }\n'
        'Write-Host "state: $state"\n'
    )
    edit = run("manage.ps1", text)
    assert edit.after == edit.before
    assert [line for line, _ in edit.left] == [1]


CHAIN = (
    "function Restart-One([string]$Name) {{\n"
    '    if ($Name -eq "{a}") {{\n'
    "        docker compose restart {a}\n"
    '    }} elseif ($Name -eq "{b}") {{\n'
    "        docker compose restart {b}\n"
    "    }} else {{\n"
    "        docker compose restart $Name\n"
    "    }}\n"
    "}}\n"
)


def test_chain_that_handles_other_services_loses_only_the_component_branch() -> None:
    middle = run("manage.ps1", CHAIN.format(a="web", b="conductor"))
    assert middle.after.decode() == (
        "function Restart-One([string]$Name) {\n"
        '    if ($Name -eq "web") {\n'
        "        docker compose restart web\n"
        "    } else {\n"
        "        docker compose restart $Name\n"
        "    }\n"
        "}\n"
    )
    first = run("manage.ps1", CHAIN.format(a="conductor", b="web"))
    assert first.after == middle.after
    assert reasons(first) == [
        (2, "branch of an if chain for the component"),
        (4, "the next branch now opens the chain"),
    ]


def test_component_first_then_else_stays_for_a_person() -> None:
    text = 'if ($Name -eq "conductor") {\n    A\n} else {\n    B\n}\n'
    edit = run("manage.ps1", text)
    assert edit.after == edit.before
    assert edit.left == ((1, 'if ($Name -eq "conductor") {'),)


def test_allman_elseif_branch_goes() -> None:
    text = (
        'if ($n -eq "web") {\n    A\n}\nelseif ($n -eq "conductor") {\n    B\n}\nelse {\n    C\n}\n'
    )
    assert after("manage.ps1", text) == 'if ($n -eq "web") {\n    A\n}\nelse {\n    C\n}\n'


def test_shell_chains() -> None:
    text = (
        "#!/bin/bash\n"
        "# Conductor health\n"
        'status=$(docker inspect -f "{{.State.Status}}" shop_conductor 2>/dev/null || true)\n'
        'if [ "$status" = "running" ]; then\n'
        '  echo "conductor: up"\n'
        'elif [ -n "$status" ]; then\n'
        '  echo "conductor: $status"\n'
        "else\n"
        '  echo "conductor: missing"\n'
        "fi\n"
        "\n"
        'if [ "$1" = "conductor" ]; then\n'
        "  docker compose restart conductor\n"
        'elif [ "$1" = "web" ]; then\n'
        "  docker compose restart web\n"
        "fi\n"
    )
    edit = run("ops.sh", text)
    assert edit.after.decode() == (
        '#!/bin/bash\n\nif [ "$1" = "web" ]; then\n  docker compose restart web\nfi\n'
    )
    assert reasons(edit) == [
        (2, "paragraph about the component (# Conductor health)"),
        (12, "branch of an if chain for the component"),
        (14, "the next branch now opens the chain"),
    ]


# --- functions and case branches ---------------------------------------------------------------


def test_functions_named_after_the_component_go_with_their_lone_calls() -> None:
    text = (
        "function Test-ConductorHealth {\n"
        "    param([int]$Timeout = 5)\n"
        "    docker inspect shop_conductor | Out-Null\n"
        "}\n"
        "\n"
        "function Test-ConductorUiHealth {\n"
        "    docker inspect shop_conductor-ui\n"
        "}\n"
        "\n"
        "Test-ConductorHealth -Timeout 3\n"
        'switch ($c) { "check" { Test-ConductorHealth } }\n'
    )
    edit = run("manage.ps1", text, others=[*OTHERS, "conductor-ui"])
    assert edit.after.decode() == (
        "function Test-ConductorUiHealth {\n"
        "    docker inspect shop_conductor-ui\n"
        "}\n"
        "\n"
        'switch ($c) { "check" { Test-ConductorHealth } }\n'
    )
    assert edit.left == ((11, 'switch ($c) { "check" { Test-ConductorHealth } }'),)


def test_function_with_help_and_a_here_string_goes_whole() -> None:
    text = (
        "function Get-ConductorReport {\n"
        "    <#\n"
        "    .SYNOPSIS\n"
        "        Shows { the conductor\n"
        "    #>\n"
        '    $doc = @"\n'
        "conductor = 1 }\n"
        '"@\n'
        "    Write-Host $doc\n"
        "}\n"
        "\n"
        'Write-Host "ok"\n'
    )
    edit = run("manage.ps1", text)
    assert edit.after.decode() == 'Write-Host "ok"\n'
    assert [(c.line, c.before.count("\n")) for c in edit.changes] == [(1, 10)]


def test_shell_function_and_case_branch() -> None:
    text = (
        "#!/bin/sh\n"
        "check_conductor() {\n"
        "  case $1 in\n"
        "    a) echo a ;;\n"
        "  esac\n"
        "}\n"
        "\n"
        'case "$1" in\n'
        "  web) up web ;;\n"
        "  conductor)\n"
        "    up conductor\n"
        "    ;;\n"
        "esac\n"
        "if true; then\n"
        "  check_conductor\n"
        "fi"
    )
    edit = run("ops", text)
    assert edit.after.decode() == (
        '#!/bin/sh\n\ncase "$1" in\n  web) up web ;;\nesac\nif true; then\n  check_conductor\nfi'
    )
    assert edit.left == ((15, "  check_conductor"),)  # a lone call would leave `then` empty


def test_generic_component_name_claims_no_function() -> None:
    text = "function Get-WebSession {\n    x\n}\n"
    edit = edit_script("manage.ps1", text.encode(), {"web"})
    assert edit.after == edit.before


# --- bad input -----------------------------------------------------------------------------------


def test_binary_file_and_block_start_matching_nothing_are_refused() -> None:
    with pytest.raises(ValueError, match=r"^is a binary file \(a NUL byte in its first 8 KiB\)"):
        edit_script("tool.ps1", b"MZ\x00\x01conductor", NAMES)
    with pytest.raises(ValueError, match=r"^the block start /BEGIN conductor/ matches no line"):
        edit_script("ops.sh", b"echo hi\n", NAMES, [("BEGIN conductor", "END")])


# --- properties --------------------------------------------------------------------------------

FRAGMENTS = {
    "x.ps1": [
        "# Check Conductor",
        "$s = docker inspect shop_conductor",
        'if ($s -eq "ok") {',
        'if ($n -eq "conductor") {',
        '} elseif ($n -eq "web") {',
        "} elseif ($s) {",
        "} else {",
        "}",
        "function Test-ConductorHealth {",
        "Test-ConductorHealth",
        'Write-Host "Services (3)"',
        'Write-Host "  web, conductor, cache"',
        'Write-Host "  conductor  runs jobs"',
        '$a = @("web", "conductor")  # 2 services',
        "$h = @{",
        "    conductor = 1",
        "",
        "    ",
    ],
    "x.sh": [
        "# conductor",
        "s=$(docker inspect shop_conductor)",
        'if [ "$s" = ok ]; then',
        'if [ "$1" = conductor ]; then',
        'elif [ "$1" = web ]; then',
        "else",
        "fi",
        "check_conductor() {",
        "}",
        "check_conductor",
        'echo "all: web, cache and conductor"',
        'echo "  conductor  runs jobs"',
        "",
    ],
    ".env": [
        "# SERVICE CONDUCTOR",
        "# ----",
        "CONDUCTOR_ENABLED=true",
        "ENABLE_CONDUCTOR=1",
        "WEB_PORT=1",
        'CONDUCTOR_KEY="a',
        'b"',
        "# conductor",
        "X=${CONDUCTOR_ENABLED}",
        "",
    ],
}


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(sorted(FRAGMENTS)).flatmap(
        lambda path: st.tuples(
            st.just(path),
            st.lists(st.sampled_from(FRAGMENTS[path]), max_size=14),
            st.sampled_from(["\n", "\r\n"]),
            st.booleans(),
        )
    )
)
def test_blocks_change_only_the_lines_they_report(args: tuple[str, list[str], str, bool]) -> None:
    path, lines, newline, final = args
    text = newline.join(lines) + (newline if final and lines else "")
    edit = edit_script(path, text.encode(), NAMES, others=OTHERS)
    assert edit.after == applied(edit.before, edit.changes)
    if text.endswith("\n") and edit.after:
        assert edit.after.endswith(newline.encode())
