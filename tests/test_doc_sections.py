"""A Markdown section whose heading is the removed component goes whole, byte for byte."""

from __future__ import annotations

import pytest

from consolidate.edits.doc_sections import cut_path_rows, cut_sections, heading_names

DOC = (
    "# Architecture\n\n"
    "## api\n\nServes requests.\n\n"
    "## relay\n\nForwards events.\n\n### relay internals\n\nA queue.\n\n"
    "## web\n\nThe UI; `relay-ui` is another thing.\n"
)


def test_the_section_and_its_subsections_go() -> None:
    after, cuts = cut_sections(DOC, ["relay"])
    assert after == (
        "# Architecture\n\n## api\n\nServes requests.\n\n## web\n\nThe UI; `relay-ui` is another thing.\n"
    )
    assert [(c.line, c.heading, c.lines) for c in cuts] == [(7, "relay", 8)]


@pytest.mark.parametrize(
    "title",
    ["relay", "`relay`", "The relay service", "relay (experimental)", "**Relay**", "relay:"],
)
def test_headings_about_the_component(title: str) -> None:
    assert heading_names(title, ["relay"])


@pytest.mark.parametrize(
    "title", ["relay-ui", "relay.service", "Replacing relay with web", "relays", "api and relay"]
)
def test_headings_about_something_else(title: str) -> None:
    assert not heading_names(title, ["relay"])


def test_the_last_section_goes_to_the_end_and_crlf_stays() -> None:
    text = "# Doc\r\n\r\n## api\r\n\r\nx\r\n\r\n## relay\r\n\r\ny"
    after, _cuts = cut_sections(text, ["relay"])
    assert after == "# Doc\r\n\r\n## api\r\n\r\nx\r\n\r\n"


def test_records_and_code_stay() -> None:
    text = (
        "# Doc\n\n## Removed components\n\n### relay\n\nGone in 2.0.\n\n"
        "## Usage\n\n```sh\n# relay\nrun it\n```\n"
    )
    assert cut_sections(text, ["relay"]) == (text, [])


def test_a_layout_row_of_a_deleted_folder_goes() -> None:
    text = (
        "| Path | What |\n|------|------|\n| `api/` | the API |\n| `relay/` | events |\n"
        "\n```\n| relay/ | in code |\n```\n"
    )
    after, cuts = cut_path_rows(text, {"relay/", "relay/main.py"})
    assert after == text.replace("| `relay/` | events |\n", "")
    assert [c.line for c in cuts] == [4]


def test_a_table_is_never_emptied() -> None:
    text = "| Path | What |\n|---|---|\n| relay/main.py | all |\n"
    assert cut_path_rows(text, {"relay/main.py"}) == (text, [])


def test_a_trailing_footer_stays_after_the_last_section_goes() -> None:
    text = "# Doc\n\n## api\n\nx\n\n## relay\n\ny\n\n---\nLast updated: 2026-03-01\n"
    after, _cuts = cut_sections(text, ["relay"])
    assert after == "# Doc\n\n## api\n\nx\n\n---\nLast updated: 2026-03-01\n"
