"""The reports' Markdown renders as written (issue 16): code spans hold any text whole, tables
keep their columns, and Mermaid's own parser reads the diagrams, whatever the repository's
file names and lines hold. Markdown is read with markdown-it-py (CommonMark and GFM tables);
Mermaid with the `mermaid` npm package that `.ci/node-tools.sh` installs."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from docker_support import running_in_ci
from markdown_it import MarkdownIt
from markdown_it.token import Token
from repo_support import RepoFactory, consolidate

from consolidate.compose.checks import compose_binary
from consolidate.report.investigation import mermaid
from consolidate.report.markdown_text import code_span, mermaid_label
from consolidate.report.removal import validation_table
from consolidate.validate.static_checks import run_static

# Read before conftest points HOME at a temporary folder: where .ci/node-tools.sh installed.
_CACHE = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
NODE_TOOLS = Path(os.environ.get("CONSOLIDATE_NODE_TOOLS") or f"{_CACHE}/consolidate-tests/node")
PARSER = Path(__file__).with_name("mermaid_parse.mjs")

MENTION = "Restart it with `docker compose restart relay` or ``relay --once`` | tail."
FILES = {
    "docker-compose.yml": (
        "services:\n  web:\n    build: ./web\n  relay:\n    build: ./relay\n"
        "    command: node main.ts\n"
    ),
    "web/Dockerfile": "FROM node:20\n",
    "web/index.ts": 'console.log("web");\n',
    "relay/Dockerfile": "FROM node:20\n",
    "relay/main.ts": "import { quoted } from './we\"ird';\nconsole.log(quoted);\n",
    'relay/we"ird.ts': "export const quoted = 1;\n",
    "docs/ops.md": f"# Ops\n\n{MENTION}\n",
    'docs/we"ird notes.md': "The relay service forwards events.\n",
    "playbooks/relay.yaml": (
        "component: relay\nsummary: Never used.\nfiles: [relay/**]\n"
        "compose:\n  docker-compose.yml: [relay]\nbackup: {images: false}\n"
    ),
}
MARKDOWN = MarkdownIt("commonmark").enable("table")


def tokens(text: str) -> list[Token]:
    """Every token, inline children included."""
    out: list[Token] = []
    for token in MARKDOWN.parse(text):
        out += [token, *(token.children or [])]
    return out


def code_spans(text: str) -> list[str]:
    return [t.content for t in tokens(text) if t.type == "code_inline"]


def table_rows(text: str) -> list[list[str]]:
    """Each table's source lines, split into cells as GFM splits them (at unescaped pipes):
    the header row first, then one list per row, tables one after the other."""
    lines = text.splitlines()
    tables: list[list[str]] = []
    for token in MARKDOWN.parse(text):
        if token.type == "table_open" and token.map:
            start, end = token.map
            tables.append([lines[start], *lines[start + 2 : end]])
    assert tables, "no table in the Markdown"
    return tables


def cells(line: str) -> list[str]:
    return re.split(r"(?<!\\)\|", line.strip().removeprefix("|").removesuffix("|"))


def assert_tables_whole(text: str) -> None:
    for table in table_rows(text):
        width = len(cells(table[0]))
        for line in table[1:]:
            assert len(cells(line)) == width, (table[0], line)


def test_the_removal_report_shows_mentions_and_names_whole(make_repo: RepoFactory) -> None:
    repo = make_repo(FILES)
    result = consolidate(repo, "run", "relay", "--yes")
    assert result.returncode == 0, result.stderr
    report = (repo / "RELAY_REMOVAL_REPORT.md").read_text(encoding="utf-8")
    spans = code_spans(report)
    assert MENTION in spans  # backticks and a pipe inside, in a table cell
    assert {'docs/we"ird notes.md', 'relay/we"ird.ts', "The relay service forwards events."} <= (
        set(spans)
    )
    assert_tables_whole(report)
    rows = [cells(line) for table in table_rows(report) for line in table]
    mention = next(r for r in rows if r[0].strip() == "`docs/ops.md`")
    assert [c.strip() for c in mention[1:3]] == ["3", "docs"]
    check = next(r for r in rows if r[0].strip() == "compose config")
    # No binary here: the row says the check did not run; with one, it ran and passed.
    assert check[2].strip() == ("not available" if compose_binary() is None else "passed")


def test_a_validation_table_keeps_commands_names_and_outputs_whole() -> None:
    argv = ["sh", "-c", "grep -c 'a|b' x | wc -l && echo `date` ``"]
    results = [
        {"name": "pipe | name", "argv": argv, "status": "failed", "exit": 3, "seconds": 1.5,
         "output": "```\nfenced in the output\n```\n<b>not html</b>"},
        {"name": "<x>", "argv": [], "status": "passed", "exit": None, "seconds": 0.0,
         "output": ""},
    ]  # fmt: skip
    table = validation_table(results)
    assert_tables_whole(table)
    assert shlex.join(argv) in code_spans(table)
    blocks = [t.content for t in MARKDOWN.parse(table) if t.type == "fence"]
    assert blocks == [results[0]["output"] + "\n", "(no output)\n"]
    assert "<summary>&lt;x&gt;: output</summary>" in table


@pytest.mark.parametrize(
    "text", ["plain", "`", "a ` b", "``x``", "`start", "end`", " both ", "a|b", "a\\|b", "x\\"]
)
def test_a_code_span_holds_any_text(text: str) -> None:
    assert code_spans(code_span(text) + "\n") == [text]
    row = f"| h | i |\n| --- | --- |\n| {code_span(text, cell=True)} | j |\n"
    assert code_spans(row) == [text]
    assert_tables_whole(row)


HOSTILE = ['we"ird.ts', "`md`.ts", "a[b](c){d}.ts", "<b>x</b>.ts", "a#b;.ts", "#quot;.ts",
           "%%{init: {'theme': 'dark'}}%%.ts", "a|b;c.ts", "a&amp;b.ts", "new\nline.ts",
           "end.ts", "a-->b.ts", "café.ts"]  # fmt: skip


def test_mermaid_labels_decode_to_the_file_name() -> None:
    """Mermaid turns `#quot;` into `"` and `#NN;` into the character NN."""
    for name in HOSTILE:
        label = mermaid_label(name)
        assert label.startswith('"') and label.endswith('"') and '"' not in label[1:-1]
        inside = label[1:-1].replace("#quot;", '"')
        assert re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), inside) == name


def node_tools() -> str | None:
    """Why Mermaid's parser cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed"
    for package in ("mermaid", "jsdom"):
        if not (NODE_TOOLS / "node_modules" / package / "package.json").is_file():
            return f"{package} is not in {NODE_TOOLS}: run .ci/node-tools.sh"
    return None


def parse_mermaid(diagrams: dict[str, str], folder: Path) -> dict[str, str]:
    """Each diagram's verdict from Mermaid's parser ("ok" or its error), in one node process."""
    reason = node_tools()
    if reason:
        if running_in_ci():
            pytest.fail(f"Mermaid's parser is needed in CI: {reason}")
        pytest.skip(reason)
    paths = []
    for name, text in diagrams.items():
        paths.append(folder / f"{name}.mmd")
        paths[-1].write_text(text, encoding="utf-8")
    done = subprocess.run(
        ["node", str(PARSER), str(NODE_TOOLS), *map(str, paths)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    verdicts: dict[str, str] = {}
    for path in paths:
        prefix = f"{path}: "
        found = [line for line in done.stdout.splitlines() if line.startswith(prefix)]
        verdicts[path.stem] = found[0][len(prefix) :] if found else "(no verdict)"
    return verdicts


def mermaid_block(markdown: str) -> str:
    blocks = [t.content for t in MARKDOWN.parse(markdown) if t.info == "mermaid"]
    assert len(blocks) == 1, markdown
    return blocks[0]


def diagram(rows: list[dict[str, Any]], edges: list[list[str]]) -> str:
    return mermaid_block("\n".join(mermaid({"files": rows, "edges": edges})))


def test_mermaids_parser_reads_the_investigation_diagram(
    make_repo: RepoFactory, tmp_path: Path
) -> None:
    repo = make_repo(FILES)
    markdown = tmp_path / "investigation.md"
    result = consolidate(repo, "investigate", "relay", "--markdown", str(markdown))
    assert result.returncode == 0, result.stderr
    found = mermaid_block(markdown.read_text(encoding="utf-8"))
    assert 'n1["relay/we#quot;ird.ts"]:::remove' in found and "n0 --> n1" in found
    diagrams = {"investigation": found}
    for number, name in enumerate(HOSTILE):  # each name first in its label and inside one
        rows = [{"path": name, "verdict": "remove"}, {"path": f"src/{name}", "verdict": "keep"}]
        diagrams[f"hostile{number}"] = diagram(rows, [[name, f"src/{name}"]])
    # The label as the report wrote it before: Mermaid must refuse it, or it checks nothing.
    diagrams["unescaped"] = found.replace("we#quot;ird", 'we"ird')
    verdicts = parse_mermaid(diagrams, tmp_path)
    assert verdicts.pop("unescaped").startswith("Parse error on line 3:")
    assert verdicts == dict.fromkeys(verdicts, "ok")


def fake_compose(folder: Path, config: str) -> None:
    """A `docker` whose `compose version` answers and whose `compose config` runs `config`
    (shell, with $f the compose file it was given)."""
    folder.mkdir()
    script = folder / "docker"
    script.write_text(
        "#!/bin/sh\n"
        '[ "$2" = version ] && exit 0\n'
        'f=$3\n'
        f"{config}\n"
    )  # fmt: skip
    script.chmod(0o755)


COMPOSE_BEFORE = "services:\n  web:\n    image: nginx\n  relay:\n    image: relay\n"
COMPOSE_AFTER = "services:\n  web:\n    image: nginx\n    labels: [broken]\n"


def config_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config: str | None
) -> list[dict[str, Any]]:
    """The static checks' compose config rows after an edit of compose.yaml, with a fake
    compose binary running `config`, or none at all (None)."""
    bin_dir = tmp_path / "bin"
    if config is None:
        bin_dir.mkdir()
        monkeypatch.setenv("PATH", str(bin_dir))  # no docker, no docker-compose
    else:
        fake_compose(bin_dir, config)  # ahead of any real one
        monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    root = tmp_path / "repo"
    root.mkdir()
    (root / "compose.yaml").write_text(COMPOSE_AFTER)
    spec = {"compose": ["compose.yaml"], "services": ["relay"]}
    rows = run_static(root, ["compose.yaml"], spec, lambda _p: COMPOSE_BEFORE.encode())
    assert [r["name"] for r in rows if "schema" in r["name"]] == ["compose schema"]
    return [r for r in rows if r["name"].startswith("compose config")]


def test_the_compose_config_row_when_no_binary_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    [row] = config_rows(tmp_path, monkeypatch, None)
    assert (row["status"], row["note"]) == ("skipped", "not available")
    assert row["output"].startswith("not available: neither `docker compose` nor")
    assert "| compose config | (built in) | not available | 0.00 |" in validation_table([row])


def test_the_compose_config_row_when_it_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    [row] = config_rows(tmp_path, monkeypatch, "exit 0")
    assert row["status"] == "passed"
    assert row["output"] == "docker compose config --quiet: no problem in compose.yaml"
    assert "| compose config | (built in) | passed |" in validation_table([row])


def test_the_compose_config_row_names_the_problem_the_edit_brought(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fake fails on the edited file only (its earlier bytes hold no `broken`), so the
    failure is the edit's; a failure both sides share is a warning of its own row."""
    failing = 'grep -q broken "$f" && { echo "labels: broken is not a map" >&2; exit 1; }; exit 0'
    [row] = config_rows(tmp_path, monkeypatch, failing)
    assert row["status"] == "failed"
    fake = tmp_path / "bin" / "docker"
    assert row["output"] == f"compose.yaml: {fake} compose config: labels: broken is not a map"
    assert "| compose config | (built in) | **failed** |" in validation_table([row])
    shared = 'echo "project name missing" >&2; exit 1'
    for folder in ("bin", "repo"):
        shutil.rmtree(tmp_path / folder)
    new, old = config_rows(tmp_path, monkeypatch, shared)
    assert (new["name"], new["status"]) == ("compose config", "passed")
    assert (old["name"], old["status"]) == ("compose config (as before the removal)", "warning")
    assert old["output"] == f"compose.yaml: {fake} compose config: project name missing"
