"""Management scripts stop naming a removed component: exact bytes in, exact bytes out.

Every edit goes through `run`, which checks that `after` is `before` with exactly the reported
changes made, line by line, and nothing else.
"""

from __future__ import annotations

import codecs
import json
import shutil
import subprocess
from collections.abc import Collection, Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import consolidate.sample
from consolidate.edits.script_shapes import kind_of
from consolidate.edits.scripts import ScriptChange, ScriptEdit, edit_script

FIXTURES = Path(__file__).parent / "fixtures" / "scripts"
SAMPLE = Path(consolidate.sample.__file__).parent / "repo"
NAMES = frozenset({"orchestrator"})


def applied(before: bytes, changes: Sequence[ScriptChange]) -> bytes:
    """`before` with exactly the reported changes made: what `after` must be."""
    bom = codecs.BOM_UTF8 if before.startswith(codecs.BOM_UTF8) else b""
    pieces = before[len(bom) :].split(b"\n")
    rows = [(p[:-1], b"\r\n") if p.endswith(b"\r") else (p, b"\n") for p in pieces[:-1]]
    rows += [(pieces[-1], b"")] if pieces[-1] else []
    gone: set[int] = set()
    new: dict[int, bytes] = {}
    for change in changes:
        lines = range(change.line - 1, change.line + change.before.count("\n"))
        assert gone.isdisjoint(lines) and not set(new).intersection(lines), "a line changed twice"
        original = b"\n".join(rows[i][0] for i in lines)
        assert original.decode("utf-8", "backslashreplace") == change.before
        if change.after is None:
            gone.update(lines)
        else:
            assert len(lines) == 1, "a rewrite is one line"
            new[change.line - 1] = change.after.encode()
    kept = [(new.get(i, text), end) for i, (text, end) in enumerate(rows) if i not in gone]
    if kept and rows[-1][1] == b"":
        kept[-1] = (kept[-1][0], b"")
    return bom + b"".join(text + end for text, end in kept)


def run(
    path: str,
    data: str | bytes,
    names: Collection[str] = NAMES,
    blocks: Sequence[tuple[str, str]] = (),
) -> ScriptEdit:
    raw = data.encode() if isinstance(data, str) else data
    edit = edit_script(path, raw, names, blocks)
    assert edit.path == path and edit.before == raw
    assert edit.after == applied(raw, edit.changes)
    assert [c.line for c in edit.changes] == sorted(c.line for c in edit.changes)
    if path.endswith("package.json"):
        json.loads(edit.after)
    return edit


def after(path: str, text: str, names: Collection[str] = NAMES) -> str:
    return run(path, text, names).after.decode()


def summary(edit: ScriptEdit) -> list[tuple[int, str | None, str]]:
    return [(c.line, c.after, c.reason) for c in edit.changes]


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


# --- PowerShell --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            '$Services = @("postgres", "redis", "orchestrator", "frontend")',
            '$Services = @("postgres", "redis", "frontend")',
        ),
        ('$Services = @("orchestrator", "redis")', '$Services = @("redis")'),
        ('$Services = @("postgres", "orchestrator")', '$Services = @("postgres")'),
        ("$Services = @('a', 'orchestrator', 'b')", "$Services = @('a', 'b')"),
        ('$Services = @("a","orchestrator","b")', '$Services = @("a","b")'),
        ('$Services = @("a","orchestrator")', '$Services = @("a")'),
        ('$Services = @( "orchestrator", "b" )', '$Services = @( "b" )'),
        ('$S = @("a", "orchestrator", "b") # orchestrated', '$S = @("a", "b") # orchestrated'),
        ('[ValidateSet("api","orchestrator","web")]', '[ValidateSet("api","web")]'),
        ('if ($Name -in @("a", "orchestrator")) { }', 'if ($Name -in @("a")) { }'),
        ('$s = @("a", "orchestrator", "orchestrator-ui")', '$s = @("a", "orchestrator-ui")'),
    ],
)
def test_powershell_inline_list_loses_the_element_and_one_separator(
    line: str, expected: str
) -> None:
    edit = run("manage.ps1", f"{line}\n")
    assert edit.after.decode() == f"{expected}\n"
    assert summary(edit) == [(1, expected, "element 'orchestrator' of an inline list")]


def test_only_element_stays_and_is_reported() -> None:
    text = '$Services = @("orchestrator")\n$Extra = @(\n    "orchestrator"\n)\n'
    edit = run("manage.ps1", text)
    assert edit.after == edit.before
    assert edit.left == (
        (1, '$Services = @("orchestrator")'),
        (3, '    "orchestrator"'),
    )


def test_several_names_in_one_list() -> None:
    edit = run(
        "manage.ps1",
        '$s = @("ui", "orchestrator", "api", "scheduler")\n',
        {"orchestrator", "scheduler", "ui"},
    )
    assert edit.after == b'$s = @("api")\n'
    assert summary(edit) == [
        (1, '$s = @("api")', "element 'ui', 'orchestrator', 'scheduler' of an inline list")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '$S = @(\n    "a",\n    "orchestrator",\n    "b"\n)\n',
            '$S = @(\n    "a",\n    "b"\n)\n',
        ),
        (
            '$S = @(\n    "a",\n    "b",\n    "orchestrator"\n)\n',
            '$S = @(\n    "a",\n    "b"\n)\n',
        ),
        (
            '$S = @(\n    "a",\n    "orchestrator",\n)\n',  # a trailing comma stays a trailing comma
            '$S = @(\n    "a",\n)\n',
        ),
        (
            "$S = @(\n    'a'\n    'orchestrator'   # one per line, no commas\n    'b'\n)\n",
            "$S = @(\n    'a'\n    'b'\n)\n",
        ),
        (
            '$S = @(\n    "a", "orchestrator",\n    "b", "c"\n)\n',
            '$S = @(\n    "a",\n    "b", "c"\n)\n',
        ),
        (
            '$S = @("a",\n       "orchestrator")\n',
            '$S = @("a"\n       )\n',
        ),
    ],
)
def test_powershell_multi_line_list(text: str, expected: str) -> None:
    assert after("manage.ps1", text) == expected


def test_dangling_comma_fix_is_its_own_change() -> None:
    edit = run("manage.ps1", '$S = @(\n    "a",\n    "orchestrator"\n)\n')
    assert summary(edit) == [
        (2, '    "a"', "the ',' left dangling at the new end"),
        (3, None, "element 'orchestrator' of a multi-line list"),
    ]


@pytest.mark.parametrize(
    "entry",
    [
        '    orchestrator = "Pipeline orchestrator (experimental)"',
        '    "orchestrator" = 9090',
        "    'orchestrator' = @('a', 'b')",
        "    orchestrator=1;",
    ],
)
def test_hashtable_entry_goes(entry: str) -> None:
    text = (
        f'$D = @{{\n    postgres     = "PostgreSQL 16"\n{entry}\n    frontend     = "Web UI"\n}}\n'
    )
    edit = run("manage.ps1", text)
    assert (
        edit.after.decode()
        == '$D = @{\n    postgres     = "PostgreSQL 16"\n    frontend     = "Web UI"\n}\n'
    )
    assert summary(edit) == [(3, None, "hashtable entry 'orchestrator'")]


def test_hashtable_entry_with_a_value_over_lines_goes_whole() -> None:
    text = "$H = @{\n    orchestrator = @{\n        Port = 9090\n    }\n    api = @{ Port = 8080 }\n}\n"
    edit = run("manage.ps1", text)
    assert edit.after == b"$H = @{\n    api = @{ Port = 8080 }\n}\n"
    assert edit.changes[0].before == "    orchestrator = @{\n        Port = 9090\n    }"


def test_entry_sharing_its_line_with_the_closing_brace_is_left() -> None:
    text = "$H = @{ api = 1\n    orchestrator = 2 }\n"
    edit = run("manage.ps1", text)
    assert edit.after == edit.before
    assert edit.left == ((2, "    orchestrator = 2 }"),)


def test_switch_branches_go() -> None:
    text = (
        "switch ($Name) {\n"
        '    "postgres"     { pg_isready }\n'
        '    "orchestrator" { Test-Orchestrator; Write-Host "ok" }\n'
        "    'orchestrator' {\n"
        "        Restart-Orchestrator\n"
        "    }\n"
        "    default        { throw }\n"
        "}\n"
    )
    edit = run("manage.ps1", text)
    assert edit.after.decode() == (
        'switch ($Name) {\n    "postgres"     { pg_isready }\n    default        { throw }\n}\n'
    )
    assert [c.reason for c in edit.changes] == ["switch branch 'orchestrator'"] * 2


def test_powershell_mentions_in_other_shapes_are_left() -> None:
    text = (
        "<#\n.SYNOPSIS\n    Starts the orchestrator.\n#>\n"
        '$path = $path.Replace("orchestrator", "worker")\n'
        "docker compose logs -f orchestrator\n"
        '$doc = @"\norchestrator = "not a hashtable"\n"@\n'
    )
    edit = run("manage.ps1", text)
    assert edit.after == edit.before
    assert [line for line, _ in edit.left] == [3, 5, 6, 8]


def test_powershell_fixture() -> None:
    edit = run("tools/manage.ps1", fixture("manage.ps1"))
    entry = "hashtable entry 'orchestrator'"
    multi = "element 'orchestrator' of a multi-line list"
    assert summary(edit) == [
        (18, '    [ValidateSet("api","web","queue")]', "element 'orchestrator' of an inline list"),
        (31, None, multi),
        (
            35,
            "$StartOrder = @('postgres', 'queue', 'api')",
            "element 'orchestrator' of an inline list",
        ),
        (38, '    "queue"', "the ',' left dangling at the new end"),
        (39, None, multi),
        (45, None, entry),
        (50, None, entry),
        (66, None, "switch branch 'orchestrator'"),
    ]
    assert edit.changes[6].before.count("\n") == 3
    assert edit.left == (
        (6, "    Wraps docker compose so nobody has to remember the flags. The orchestrator"),
        (90, "# The orchestrator keeps its state in a named volume; drop it with:"),
    )


# --- shell -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "SERVICES=(postgres redis backend worker orchestrator frontend)",
            "SERVICES=(postgres redis backend worker frontend)",
        ),
        ('SERVICES=("a" "orchestrator")', 'SERVICES=("a")'),
        ("SERVICES=('orchestrator'  'b')", "SERVICES=('b')"),
        ("  local -a svcs=(a orchestrator b)", "  local -a svcs=(a b)"),
        ("ALL+=(orchestrator worker)  # more", "ALL+=(worker)  # more"),
        ("for svc in api queue orchestrator; do", "for svc in api queue; do"),
        ("for svc in orchestrator api", "for svc in api"),
    ],
)
def test_shell_lists(line: str, expected: str) -> None:
    edit = run("dev.sh", f"{line}\n")
    assert edit.after.decode() == f"{expected}\n"


def test_shell_multi_line_array() -> None:
    text = "SERVICES=(\n  postgres\n  orchestrator  # experimental\n  frontend\n)\nLAST=(\n  a\n  orchestrator)\n"
    edit = run("dev.sh", text)
    assert edit.after.decode() == "SERVICES=(\n  postgres\n  frontend\n)\nLAST=(\n  a\n  )\n"


def test_shell_array_of_only_the_name_and_commands_are_left() -> None:
    text = 'ONE=(orchestrator)\ndocker compose logs orchestrator\necho "restart orchestrator"\n'
    edit = run("dev.sh", text)
    assert edit.after == edit.before
    assert [line for line, _ in edit.left] == [1, 2, 3]


CASE_TEXT = """\
case "$1" in
  postgres) pg_isready ;;
  worker|orchestrator)
    check_queue
    ;;
  orchestrator|scheduler) echo both ;;
  orchestrator)
    # No HTTP endpoint.
    case "$2" in
      tick) run_tick ;;
      *) status ;;
    esac
    ;;
  'orchestrator') echo quoted ;;
  *)
    die "unknown"
    ;;
esac
"""


def test_case_branches_and_alternatives() -> None:
    edit = run("dev.sh", CASE_TEXT)
    assert edit.after.decode() == (
        'case "$1" in\n'
        "  postgres) pg_isready ;;\n"
        "  worker)\n"
        "    check_queue\n"
        "    ;;\n"
        "  scheduler) echo both ;;\n"
        "  *)\n"
        '    die "unknown"\n'
        "    ;;\n"
        "esac\n"
    )
    assert summary(edit) == [
        (3, "  worker)", "alternative 'orchestrator' of a case pattern"),
        (6, "  scheduler) echo both ;;", "alternative 'orchestrator' of a case pattern"),
        (7, None, "case branch 'orchestrator'"),
        (14, None, "case branch 'orchestrator'"),
    ]
    assert edit.changes[2].before.count("\n") == 6


def test_only_a_pattern_position_holds_a_case_branch() -> None:
    text = (
        'case "$1" in\n'
        "  up)\n"
        "    svcs=(\n"
        "      orchestrator)\n"
        '    start "${svcs[@]}"\n'
        "    ;;\n"
        "  down) stop ;;\n"
        "esac\n"
        "n=$((1 << 2))\n"
        "ALL=(a orchestrator)\n"
    )
    edit = run("dev.sh", text)
    assert summary(edit) == [(10, "ALL=(a)", "element 'orchestrator' of an inline list")]
    assert edit.left == ((4, "      orchestrator)"),)


def test_last_case_branch_without_terminator() -> None:
    text = 'case "$1" in\n  up) start ;;\n  orchestrator)\n    tick\nesac\n'
    assert after("dev.sh", text) == 'case "$1" in\n  up) start ;;\nesac\n'


def test_heredoc_is_text_not_code() -> None:
    text = "cat <<EOF > services.txt\norchestrator) not a branch\nSERVICES=(orchestrator a)\nEOF\n"
    edit = run("dev.sh", text)
    assert edit.after == edit.before
    assert [line for line, _ in edit.left] == [2, 3]


def test_shell_fixture() -> None:
    edit = run("tools/dev.sh", fixture("dev.sh"))
    assert summary(edit) == [
        (
            9,
            'SERVICES=("postgres" "api" "queue" "web")',
            "element 'orchestrator' of an inline list",
        ),
        (13, None, "element 'orchestrator' of a multi-line list"),
        (33, "    queue)", "alternative 'orchestrator' of a case pattern"),
        (45, None, "case branch 'orchestrator'"),
        (61, "    for svc in api queue; do", "element 'orchestrator' of a for list"),
        (74, None, "case branch 'orchestrator'"),
    ]
    assert edit.changes[-1].before.splitlines()[-1] == "    ;;"
    assert [line for line, _ in edit.left] == [4, 51]  # the usage comment, a here-document
    assert b"orchestrator-ui) curl" in edit.after


def test_shell_fixture_with_two_names() -> None:
    edit = run("tools/dev.sh", fixture("dev.sh"), {"orchestrator", "orchestrator-ui"})
    assert (36, None, "case branch 'orchestrator-ui'") in summary(edit)


def test_script_without_suffix_is_shell_by_its_shebang() -> None:
    text = "#!/bin/sh\nSERVICES=(a orchestrator)\n"
    assert after("scripts/dev", text) == "#!/bin/sh\nSERVICES=(a)\n"
    edit = run("scripts/dev", "SERVICES=(a orchestrator)\n")  # no shebang: unknown kind
    assert edit.after == edit.before and edit.left == ((1, "SERVICES=(a orchestrator)"),)


# --- make --------------------------------------------------------------------------------------


def test_make_fixture() -> None:
    edit = run("Makefile", fixture("Makefile"))
    dangling = "the '\\' left dangling by the removed last line"
    assert summary(edit) == [
        (
            4,
            "SERVICES := postgres api queue web",
            "element 'orchestrator' of make variable 'SERVICES'",
        ),
        (6, "               queue", dangling),
        (7, None, "element 'orchestrator' of make variable 'APP_SERVICES'"),
        (10, "        logs-api logs-web", dangling),
        (11, None, "'.PHONY' entry 'logs-orchestrator'"),
        (13, None, "'.PHONY' entry 'orchestrator-shell'"),
        (14, None, "make target 'orchestrator-shell' with its recipe"),
        (32, None, "make target 'logs-orchestrator' with its recipe"),
        (46, "check: test", "prerequisite 'logs-orchestrator' of 'check'"),
        (
            48,
            "all-logs: logs-api logs-web  ## every log, one after the other",
            "prerequisite 'logs-orchestrator' of 'all-logs'",
        ),
    ]
    # each removed target takes one blank line along
    assert edit.changes[7].before.split("\n")[-1] == ""
    # targets that are not about it keep their recipes; a person decides
    assert edit.left == (
        (41, "\t$(COMPOSE) run --rm orchestrator pytest -q"),
        (44, "\truff check api orchestrator"),
    )
    assert b"\n\n\n" not in edit.after


@pytest.mark.parametrize("target", ["logs-orchestrator", "orchestrator_logs", "orchestrator"])
def test_make_target_about_the_component(target: str) -> None:
    text = f".PHONY: up {target} down\n\nup:\n\tstart\n\n{target}:  ## its logs\n\tlogs\n\ndown:\n\tstop\n"
    assert after("build/tasks.mk", text) == ".PHONY: up down\n\nup:\n\tstart\n\ndown:\n\tstop\n"


def test_make_targets_about_another_compound_stay() -> None:
    text = (
        "logs-ai-orchestrator:\n\t$(COMPOSE) logs -f ai-orchestrator\n\nlogs-orchestrators:\n\ty\n"
    )
    edit = run("GNUmakefile", text)
    assert edit.after == edit.before and edit.left == ()
    edit = run("GNUmakefile", text, {"ai-orchestrator", "orchestrators"})
    assert edit.after == b""


def test_make_target_named_by_the_spec_rule_without_a_body_to_tell() -> None:
    # `orchestrator` is a word of `logs-ai-orchestrator`; nothing in the recipe says otherwise
    assert after("Makefile", "up:\n\tstart\n\nlogs-ai-orchestrator:\n\tx\n") == "up:\n\tstart\n"


def test_make_only_prerequisite_and_commands_are_left() -> None:
    text = "RUN = docker compose run orchestrator\nall: logs-orchestrator\n\nlogs-orchestrator:\n\tlogs\n"
    edit = run("Makefile", text)
    assert edit.after == b"RUN = docker compose run orchestrator\nall: logs-orchestrator\n"
    assert edit.left == (
        (1, "RUN = docker compose run orchestrator"),
        (2, "all: logs-orchestrator"),
    )


def test_make_target_at_the_end_of_a_file_without_final_newline() -> None:
    text = "up:\n\tstart\n\nlogs-orchestrator:\n\tlogs"
    edit = run("Makefile", text)
    assert edit.after == b"up:\n\tstart"
    assert summary(edit) == [(3, None, "make target 'logs-orchestrator' with its recipe")]


# --- just --------------------------------------------------------------------------------------


def test_just_fixture() -> None:
    edit = run("justfile", fixture("justfile"))
    assert summary(edit) == [
        (7, None, "just alias 'lo' of a removed recipe"),
        (22, None, "just recipe 'logs-orchestrator' with its body"),
        (34, "ci: test", "dependency 'logs-orchestrator' of recipe 'ci'"),
    ]
    removed = edit.changes[1].before.split("\n")
    assert removed[:3] == [
        "# follow the orchestrator's logs",
        "[group('logs')]",
        "logs-orchestrator:",
    ]
    assert removed[-1] == ""
    assert edit.left == ((5, 'services := "postgres api queue orchestrator web"'),)


# --- package.json ------------------------------------------------------------------------------


def test_package_json_fixture() -> None:
    edit = run("web/package.json", fixture("package.json"))
    assert summary(edit) == [
        (8, '    "api-client"', "the ',' left dangling at the new end"),
        (9, None, "element 'orchestrator' of a multi-line list"),
        (14, None, "package.json script 'logs:orchestrator'"),
        (
            16,
            '    "check": "npm run build && npm run logs:orchestrator"',
            "the ',' left dangling by the removed last script",
        ),
        (17, None, "package.json script 'orchestrator:tick'"),
    ]
    before, result = json.loads(edit.before), json.loads(edit.after)
    del before["scripts"]["logs:orchestrator"], before["scripts"]["orchestrator:tick"]
    before["workspaces"].remove("orchestrator")
    assert result == before
    # a script that still calls a removed one is for a person
    assert [line for line, _ in edit.left] == [5, 16]


def test_package_json_only_script() -> None:
    text = '{\n  "scripts": {\n    "logs:orchestrator": "docker compose logs -f orchestrator"\n  }\n}\n'
    assert after("package.json", text) == '{\n  "scripts": {\n  }\n}\n'


def test_package_json_scripts_on_one_line_are_left() -> None:
    text = '{"scripts": {"build": "tsc", "logs:orchestrator": "x"}}\n'
    edit = run("package.json", text)
    assert edit.after == edit.before and len(edit.left) == 1


# --- blocks ------------------------------------------------------------------------------------

NOTES = "intro\n# BEGIN orchestrator\nstart orchestrator\n# END\nmiddle\n# BEGIN orchestrator\nx\n# END\nthe orchestrator is gone\n"


def test_blocks_go_in_any_kind_of_file() -> None:
    edit = run("docs/ops.txt", NOTES, blocks=[("^# BEGIN orchestrator", "^# END")])
    assert edit.after == b"intro\nmiddle\nthe orchestrator is gone\n"
    reason = "block between /^# BEGIN orchestrator/ and /^# END/"
    assert summary(edit) == [(2, None, reason), (6, None, reason)]
    assert edit.changes[0].before == "# BEGIN orchestrator\nstart orchestrator\n# END"
    assert edit.left == ((9, "the orchestrator is gone"),)


def test_block_that_never_ends_is_refused() -> None:
    with pytest.raises(
        ValueError, match=r"line 6 \(/\^# BEGIN/\) never ends: no later line matches /\^# STOP\|"
    ):
        edit_script(
            "notes",
            NOTES.replace("# END\nthe", "the").encode(),
            NAMES,
            [("^# BEGIN", "^# STOP|^# END$")],
        )
    with pytest.raises(ValueError, match="bad block regex"):
        edit_script("notes", NOTES.encode(), NAMES, [("(", "x")])


def test_block_wins_over_a_shape_inside_it() -> None:
    text = "# >>> orchestrator\nSERVICES=(a orchestrator)\n# <<<\nOTHER=(b orchestrator)\n"
    edit = run("dev.sh", text, blocks=[(">>> orchestrator", "<<<")])
    assert edit.after == b"OTHER=(b)\n"
    assert len(edit.changes) == 2


def test_blocks_without_names() -> None:
    edit = run("Makefile", NOTES, names=(), blocks=[("BEGIN", "END")])
    assert edit.after == b"intro\nmiddle\nthe orchestrator is gone\n" and edit.left == ()


# --- bytes -------------------------------------------------------------------------------------


def test_crlf_bom_and_trailing_whitespace_stay() -> None:
    text = '\ufeff$S = @("a", "orchestrator")  \r\n$D = @{\r\n\torchestrator = 1\r\n\tapi = 2 \r\n}\r\n'
    edit = run("manage.ps1", text)
    assert edit.after.decode() == '\ufeff$S = @("a")  \r\n$D = @{\r\n\tapi = 2 \r\n}\r\n'
    assert edit.changes[0].before == '$S = @("a", "orchestrator")  '


def test_crlf_fixture_is_edited_line_for_line() -> None:
    lf = run("dev.sh", fixture("dev.sh"))
    crlf = run("dev.sh", fixture("dev.sh").replace(b"\n", b"\r\n"))
    assert crlf.after == lf.after.replace(b"\n", b"\r\n")
    assert summary(crlf) == summary(lf)


def test_no_final_newline() -> None:
    assert after("dev.sh", "A=(orchestrator b)") == "A=(b)"
    assert after("x.ps1", '$a = 1\n    "orchestrator" = 2') == "$a = 1"
    assert after("x.ps1", '$a = 1\r\n    "orchestrator" = 2') == "$a = 1"


def test_utf16_powershell_round_trips() -> None:
    text = '$S = @("a", "orchestrator")\r\n# café\r\n'
    data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    edit = edit_script("win.ps1", data, NAMES)
    assert edit.after == codecs.BOM_UTF16_LE + '$S = @("a")\r\n# café\r\n'.encode("utf-16-le")


def test_bytes_that_are_not_utf8_survive_and_show_escaped() -> None:
    data = b"# caf\xe9 orchestrator\nSERVICES=(orchestrator b)  # caf\xe9\n"
    edit = edit_script("dev.sh", data, NAMES)
    assert edit.after == b"# caf\xe9 orchestrator\nSERVICES=(b)  # caf\xe9\n"
    assert summary(edit) == [
        (2, "SERVICES=(b)  # caf\\xe9", "element 'orchestrator' of an inline list")
    ]
    assert edit.left == ((1, "# caf\\xe9 orchestrator"),)
    "".join(c.before for c in edit.changes).encode("utf-8")  # a report can write them


def test_whole_words_only() -> None:
    text = (
        "SERVICES=(ai-orchestrator orchestrators orchestrator_x orchestrator-ui)\n"
        "# the ORCHESTRATOR is case-insensitively a mention\n"
    )
    edit = run("dev.sh", text)
    assert edit.after == edit.before
    # joined by `_` the name is the component's (`orchestrator_x`): a mention, for a person
    assert edit.left == (
        (1, "SERVICES=(ai-orchestrator orchestrators orchestrator_x orchestrator-ui)"),
        (2, "# the ORCHESTRATOR is case-insensitively a mention"),
    )


@pytest.mark.parametrize(
    ("path", "first", "kind"),
    [
        ("scripts/manage.ps1", "", "powershell"),
        ("Tools/Mod.PSM1", "", "powershell"),
        ("dev.sh", "", "shell"),
        ("dev.bash", "", "shell"),
        ("bin/dev", "#!/usr/bin/env bash", "shell"),
        ("bin/dev", "#!/bin/sh -e", "shell"),
        ("bin/dev", "#!/usr/bin/env -S bash -x", "shell"),
        ("bin/dev", "#!/usr/bin/env python3", None),
        ("bin/dev", "#!/bin/zsh", None),
        ("bin/dev", "", None),
        ("Makefile", "", "make"),
        ("GNUmakefile", "", "make"),
        ("build/rules.mk", "", "make"),
        ("justfile", "", "just"),
        ("Justfile", "", "just"),
        (".justfile", "", "just"),
        ("web/package.json", "", "npm"),
        ("docker-compose.yml", "", None),
        ("notes.txt", "#!/bin/sh", None),
    ],
)
def test_kind_of(path: str, first: str, kind: str | None) -> None:
    assert kind_of(path, first) == kind


# --- the sample repository ---------------------------------------------------------------------


def sample(path: str) -> ScriptEdit:
    return run(path, (SAMPLE / path).read_bytes())


def test_sample_manage_ps1() -> None:
    edit = sample("scripts/manage.ps1")
    assert summary(edit) == [
        (
            23,
            '$Services = @("postgres", "redis", "backend", "worker", "frontend")',
            "element 'orchestrator' of an inline list",
        ),
        (30, None, "hashtable entry 'orchestrator'"),
    ]
    assert edit.changes[1].before == '    orchestrator = "Pipeline orchestrator (experimental)"'
    assert edit.left == ()


def test_sample_dev_sh() -> None:
    edit = sample("scripts/dev.sh")
    assert summary(edit) == [
        (
            13,
            "SERVICES=(postgres redis backend worker frontend)",
            "element 'orchestrator' of an inline list",
        ),
        (43, None, "case branch 'orchestrator'"),
    ]
    assert edit.changes[1].before.split("\n") == [
        "    orchestrator)",
        "      # No HTTP endpoint: check the container is up and has ticked recently.",
        "      $COMPOSE exec -T orchestrator test -s /var/lib/orchestrator/status.json",
        "      ;;",
    ]
    assert edit.left == ()


def test_sample_makefile() -> None:
    edit = sample("Makefile")
    assert summary(edit) == [
        (
            6,
            ".PHONY: help up down ps build logs logs-backend logs-worker logs-frontend \\",
            "'.PHONY' entry 'logs-orchestrator'",
        ),
        (33, None, "make target 'logs-orchestrator' with its recipe"),
    ]
    assert edit.changes[1].before.split("\n") == [
        "logs-orchestrator:  ## follow orchestrator logs",
        "\t$(COMPOSE) logs -f --tail=200 orchestrator",
        "",
    ]
    assert edit.left == ()


@pytest.mark.parametrize("script", [FIXTURES / "dev.sh", SAMPLE / "scripts/dev.sh"])
def test_edited_shell_scripts_still_parse(script: Path) -> None:
    bash = shutil.which("bash") or pytest.skip("no bash")
    edit = run(script.name, script.read_bytes())
    subprocess.run([bash, "-n"], input=edit.after, check=True)


@pytest.mark.parametrize(
    ("makefile", "goals"),
    [
        (FIXTURES / "Makefile", ["up", "logs", "check", "all-logs"]),
        (SAMPLE / "Makefile", ["help", "logs", "check", "clean"]),
    ],
)
def test_edited_makefiles_still_resolve(makefile: Path, goals: list[str]) -> None:
    make = shutil.which("make") or pytest.skip("no make")
    edit = run("Makefile", makefile.read_bytes())
    result = subprocess.run([make, "-n", "-f", "-", *goals], input=edit.after, capture_output=True)
    assert result.returncode == 0, result.stderr.decode()


# --- properties --------------------------------------------------------------------------------

FRAGMENTS = {
    "x.ps1": [
        '$S = @("a", "orchestrator")',
        "$S = @(",
        '    "orchestrator",',
        "    'b'",
        ")",
        "    orchestrator = @{",
        "    }",
        '    "orchestrator" { x }',
        "<#",
        "#>",
        '@"',
        '"@',
        "switch ($a) {",
        "}",
        "",
        "   ",
        "# orchestrator",
    ],
    "x.sh": [
        'case "$1" in',
        "esac",
        "  orchestrator)",
        "  a|orchestrator) x ;;",
        "    ;;",
        "A=(",
        "  orchestrator",
        ")",
        "A=(orchestrator b)",
        "for s in orchestrator b; do",
        "done",
        "cat <<EOF",
        "EOF",
        "",
        "'",
        '"',
    ],
    "Makefile": [
        ".PHONY: a logs-orchestrator \\",
        "  logs-orchestrator \\",
        "  b",
        "logs-orchestrator:",
        "\tx orchestrator \\",
        "\ty",
        "",
        "SERVICES := a orchestrator \\",
        "a: logs-orchestrator b",
        "orchestrator: ; x",
        "# c",
    ],
    "justfile": [
        "alias o := orchestrator",
        "orchestrator:",
        "    x",
        "",
        "# doc",
        "[private]",
        "a: orchestrator b",
    ],
    "package.json": [
        "{",
        '  "scripts": {',
        '    "a": "b",',
        '    "orchestrator": "c"',
        "  },",
        "  }",
        '  "w": [',
        '    "orchestrator",',
        '    "x"',
        "  ]",
        "}",
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
def test_any_script_changes_only_the_lines_it_reports(
    args: tuple[str, list[str], str, bool],
) -> None:
    path, lines, newline, final = args
    text = newline.join(lines) + (newline if final and lines else "")
    edit = edit_script(path, text.encode(), NAMES)
    assert edit.after == applied(edit.before, edit.changes)
    if text.endswith("\n") and edit.after:
        assert edit.after.endswith(newline.encode())
