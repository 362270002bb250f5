from __future__ import annotations

import difflib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consolidate.edits.markdown import (
    add_changelog_entry,
    add_removed_component,
    detect_newline,
    footer_start,
)

ENTRY = "Removed the `payments` service and its `payments-db` database."

KEEP_A_CHANGELOG = """\
# Changelog

All notable changes to this project will be documented in this file.

The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),
and this project adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).

## [Unreleased]

### Added

- `consolidate plan` prints the actions as JSON with `--json`.

### Fixed

- Rollback no longer fails when the journal is empty.
- Compose files with anchors keep their anchors.

## [1.1.0] - 2024-05-02

### Added

- Dry-run shows a unified diff for every edited file.

### Removed

- Python 3.10 support.

## [1.0.0] - 2024-03-11

### Added

- First release.

[unreleased]: https://github.com/acme/consolidate/compare/v1.1.0...HEAD
[1.1.0]: https://github.com/acme/consolidate/compare/v1.0.0...v1.1.0
[1.0.0]: https://github.com/acme/consolidate/releases/tag/v1.0.0
"""


def insert_after(text: str, anchor: str, added: str) -> str:
    """`text` with `added` right after the first occurrence of `anchor`."""
    assert text.count(anchor) == 1, anchor
    return text.replace(anchor, anchor + added)


def assert_only_adds_lines(before: str, after: str) -> None:
    nl = detect_newline(before)
    # A missing final newline stays missing, so give both the same one before comparing.
    old, new = (before + nl).splitlines(keepends=True), (after + nl).splitlines(keepends=True)
    opcodes = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    assert {tag for tag, *_ in opcodes} <= {"equal", "insert"}, opcodes


# --- changelog ------------------------------------------------------------------------------


def test_removed_goes_between_added_and_fixed_in_unreleased() -> None:
    result = add_changelog_entry(KEEP_A_CHANGELOG, ENTRY)

    expected = insert_after(
        KEEP_A_CHANGELOG,
        "- `consolidate plan` prints the actions as JSON with `--json`.\n\n",
        f"### Removed\n\n- {ENTRY}\n\n",
    )
    assert result == expected
    assert_only_adds_lines(KEEP_A_CHANGELOG, result)


def test_existing_removed_gets_the_bullet_after_its_last_one() -> None:
    text = KEEP_A_CHANGELOG.replace(
        "### Fixed\n\n- Rollback",
        "### Removed\n\n- The `legacy-auth` service.\n- The `cron` worker and its\n"
        "  `cron-db` database.\n\n### Fixed\n\n- Rollback",
    )

    result = add_changelog_entry(text, ENTRY)

    assert result == insert_after(text, "  `cron-db` database.\n", f"- {ENTRY}\n")
    assert_only_adds_lines(text, result)


def test_existing_empty_removed_gets_the_bullet() -> None:
    text = "# Changelog\n\n## [Unreleased]\n\n### Removed\n\n### Fixed\n\n- A fix.\n"

    result = add_changelog_entry(text, ENTRY)

    assert result == (
        f"# Changelog\n\n## [Unreleased]\n\n### Removed\n\n- {ENTRY}\n\n### Fixed\n\n- A fix.\n"
    )


def test_removed_is_appended_after_changed_and_deprecated() -> None:
    text = "## [Unreleased]\n\n### Changed\n\n- A.\n\n### Deprecated\n\n- B.\n\n## [1.0.0]\n"

    result = add_changelog_entry(text, ENTRY)

    expected = insert_after(text, "- B.\n", f"\n### Removed\n\n- {ENTRY}\n")
    assert result == expected


def test_removed_goes_before_security_when_there_is_no_fixed() -> None:
    text = "## [Unreleased]\n\n### Added\n\n- A.\n\n### Security\n\n- S.\n"

    result = add_changelog_entry(text, ENTRY)

    assert result == insert_after(text, "- A.\n\n", f"### Removed\n\n- {ENTRY}\n\n")


def test_without_unreleased_a_section_goes_above_the_newest_version() -> None:
    text = KEEP_A_CHANGELOG.replace(
        "## [Unreleased]\n\n### Added\n\n- `consolidate plan` prints the actions as JSON with "
        "`--json`.\n\n### Fixed\n\n- Rollback no longer fails when the journal is empty.\n"
        "- Compose files with anchors keep their anchors.\n\n",
        "",
    )
    assert "Unreleased]" not in text

    result = add_changelog_entry(text, ENTRY)

    expected = insert_after(
        text,
        "(https://semver.org/spec/v2.0.0.html).\n\n",
        f"## [Unreleased]\n\n### Removed\n\n- {ENTRY}\n\n",
    )
    assert result == expected
    assert_only_adds_lines(text, result)


@pytest.mark.parametrize("text", ["", "\ufeff"])
def test_empty_file_gets_a_keep_a_changelog_skeleton(text: str) -> None:
    result = add_changelog_entry(text, ENTRY)

    assert result == text + (
        "# Changelog\n"
        "\n"
        "All notable changes to this project will be documented in this file.\n"
        "\n"
        "The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/).\n"
        "\n"
        "## [Unreleased]\n"
        "\n"
        "### Removed\n"
        "\n"
        f"- {ENTRY}\n"
    )


def test_title_only_file_gets_unreleased_at_the_end() -> None:
    result = add_changelog_entry("# Changelog\n", ENTRY)

    assert result == f"# Changelog\n\n## [Unreleased]\n\n### Removed\n\n- {ENTRY}\n"


def test_other_format_keeps_its_bullets_and_heading_style() -> None:
    text = (
        "# Changelog\n\n"
        "## v1.2.0 - 2024-01-01\n\n"
        "* Fixed the retry loop in the `orders` worker.\n"
        "* Added a health check to `web`.\n\n"
        "## v1.1.0 - 2023-11-02\n\n"
        "* First public release.\n"
    )

    result = add_changelog_entry(text, ENTRY)

    expected = insert_after(
        text, "# Changelog\n\n", f"## Unreleased\n\n### Removed\n\n* {ENTRY}\n\n"
    )
    assert result == expected


def test_setext_versions_get_a_setext_unreleased() -> None:
    text = "Version 1.1\n===========\n\n* Faster start-up.\n\nVersion 1.0\n===========\n\n* Hi.\n"

    result = add_changelog_entry(text, ENTRY)

    assert result == f"Unreleased\n==========\n\n## Removed\n\n* {ENTRY}\n\n" + text


def test_compact_file_stays_compact() -> None:
    text = "# Changelog\n## [Unreleased]\n### Added\n- A.\n### Fixed\n- F.\n## [1.0.0]\n- X.\n"

    result = add_changelog_entry(text, ENTRY)

    assert result == insert_after(text, "- A.\n", f"### Removed\n- {ENTRY}\n")


def test_lowercase_unbracketed_unreleased_is_found() -> None:
    text = "# Changelog\n\n## unreleased\n\n### Removed\n\n- Old thing.\n\n## 1.0.0\n"

    result = add_changelog_entry(text, ENTRY)

    assert result == insert_after(text, "- Old thing.\n", f"- {ENTRY}\n")


def test_crlf_file_gets_crlf_lines_and_keeps_its_bytes() -> None:
    text = KEEP_A_CHANGELOG.replace("\n", "\r\n").replace("First release.", "First release.  ")

    result = add_changelog_entry(text, ENTRY)

    assert result == add_changelog_entry(KEEP_A_CHANGELOG, ENTRY).replace("\n", "\r\n").replace(
        "First release.", "First release.  "
    )
    assert "\n" not in result.replace("\r\n", "")


def test_missing_final_newline_stays_missing() -> None:
    text = "# Changelog\n\n## [Unreleased]\n\n### Removed\n\n- Old thing."

    result = add_changelog_entry(text, ENTRY)

    assert result == f"{text}\n- {ENTRY}"


def test_missing_final_newline_kept_when_inserting_in_the_middle() -> None:
    text = "## [Unreleased]\n\n### Removed\n\n- Old.\n\n## [1.0.0]\n\n- X."

    result = add_changelog_entry(text, ENTRY)

    assert result == insert_after(text, "- Old.\n", f"- {ENTRY}\n")


def test_bom_is_kept() -> None:
    text = "\ufeff# Changelog\n\n## [1.0.0]\n"

    result = add_changelog_entry(text, ENTRY)

    assert (
        result
        == f"\ufeff# Changelog\n\n## [Unreleased]\n\n### Removed\n\n- {ENTRY}\n\n## [1.0.0]\n"
    )


def test_headings_inside_code_blocks_are_ignored() -> None:
    text = (
        "## [Unreleased]\n\n### Removed\n\n- Old.\n\n```sh\n# Fixed\n## 2.0.0\n```\n\n## [1.0.0]\n"
    )

    result = add_changelog_entry(text, ENTRY)

    assert result == insert_after(text, "- Old.\n", f"- {ENTRY}\n")


@pytest.mark.parametrize(
    "text",
    [
        KEEP_A_CHANGELOG,
        "",
        "# Changelog\n",
        "# Changelog\n\n## v1.2.0 - 2024-01-01\n\n* A.\n",
        "## [Unreleased]\r\n### Removed\r\n- X.",
    ],
)
def test_changelog_entry_is_idempotent(text: str) -> None:
    once = add_changelog_entry(text, ENTRY)

    assert add_changelog_entry(once, ENTRY) == once
    assert once.count(ENTRY) == 1


def test_a_bullet_already_present_returns_the_text_unchanged() -> None:
    text = f"## [Unreleased]\n\n### Removed\n\n* {ENTRY}   \n"

    assert add_changelog_entry(text, ENTRY) is text


@pytest.mark.parametrize("entry", ["", "   ", "two\nlines"])
def test_an_entry_must_be_one_line(entry: str) -> None:
    with pytest.raises(ValueError, match="one non-empty line"):
        add_changelog_entry("# Changelog\n", entry)


# --- architecture ---------------------------------------------------------------------------

ARCHITECTURE = """\
# Architecture

The shop is four services behind one gateway.

## Services

- `web`: the storefront.
- `orders`: takes orders and emits `order.created`.

## Data

Each service owns its database; nothing is shared.
"""

COMPONENT = "`payments` (service) and `payments-db`: removed; `orders` now calls Stripe directly."


def test_removed_components_section_is_created_at_the_end() -> None:
    result = add_removed_component(ARCHITECTURE, COMPONENT)

    assert result == ARCHITECTURE + f"\n## Removed components\n\n- {COMPONENT}\n"


def test_removed_components_section_gets_a_bullet_at_its_end() -> None:
    text = ARCHITECTURE.replace(
        "## Data",
        "## Removed components\n\n- `legacy-auth`: replaced by the gateway.\n\n## Data",
    )

    result = add_removed_component(text, COMPONENT)

    assert result == insert_after(
        text, "- `legacy-auth`: replaced by the gateway.\n", f"- {COMPONENT}\n"
    )
    assert_only_adds_lines(text, result)


def test_section_level_follows_the_document() -> None:
    text = "# Architecture\n\n### Overview\n\nText.\n"

    result = add_removed_component(text, COMPONENT)

    assert result == text + f"\n### Removed components\n\n- {COMPONENT}\n"


def test_untitled_document_uses_its_top_level() -> None:
    text = "# Overview\n\nText.\n\n# Services\n\n* a\n"

    result = add_removed_component(text, COMPONENT)

    assert result == text + f"\n# Removed components\n\n* {COMPONENT}\n"


def test_new_section_goes_before_trailing_link_definitions() -> None:
    text = "# Architecture\n\nSee [ADR 1].\n\n[ADR 1]: docs/adr/0001.md\n"

    result = add_removed_component(text, COMPONENT)

    assert result == insert_after(
        text, "See [ADR 1].\n", f"\n## Removed components\n\n- {COMPONENT}\n"
    )


def test_architecture_crlf_without_final_newline() -> None:
    text = "# Architecture\r\n\r\n## Services\r\n\r\n- web"

    result = add_removed_component(text, COMPONENT)

    assert result == text + f"\r\n\r\n## Removed components\r\n\r\n- {COMPONENT}"


def test_empty_architecture_and_custom_heading() -> None:
    assert (
        add_removed_component("", COMPONENT, heading="Retired") == f"## Retired\n\n- {COMPONENT}\n"
    )


def test_removed_component_is_idempotent() -> None:
    once = add_removed_component(ARCHITECTURE, COMPONENT)

    assert add_removed_component(once, COMPONENT) == once
    assert_only_adds_lines(ARCHITECTURE, once)


# --- detect_newline -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", "\n"), ("a", "\n"), ("a\nb\n", "\n"), ("a\r\nb\r\n", "\r\n"), ("a\r\nb\r\nc\n", "\r\n")],
)
def test_detect_newline(text: str, expected: str) -> None:
    assert detect_newline(text) == expected


# --- properties -----------------------------------------------------------------------------

LINES = st.one_of(
    st.sampled_from(
        [
            "# Changelog",
            "# Architecture",
            "## [Unreleased]",
            "## Unreleased",
            "### unreleased",
            "## [1.2.0] - 2024-01-01",
            "## v1.1.0 (2023-05-01)",
            "Version 1.0",
            "Unreleased",
            "Removed",
            "===========",
            "-----------",
            "### Added",
            "### Removed",
            "### Fixed",
            "#### Removed",
            "## Removed components",
            "## Services",
            "- a bullet",
            "* another bullet",
            "  continued",
            "    indented",
            "[1.0.0]: https://example.com",
            "",
            "   ",
            "Some paragraph text.",
            "```",
            "~~~sh",
            "---",
            "* * *",
            "+ plus bullet",
            "  - nested bullet",
        ]
    ),
    st.from_regex(r"(#{1,6} |[-*] |)[A-Za-z0-9 .\[\]]{0,12}", fullmatch=True),
)


@st.composite
def documents(draw: st.DrawFn) -> str:
    lines = draw(st.lists(LINES, max_size=25))
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    text = nl.join(lines)
    if lines and draw(st.booleans()):
        text += nl
    return ("\ufeff" if draw(st.booleans()) else "") + text


def inserted_block(before: str, after: str) -> list[str]:
    """The lines `after` adds to `before`, asserting they are one contiguous block."""
    bom = "\ufeff" if before.startswith("\ufeff") else ""
    assert after.startswith(bom)
    before, after = before[len(bom) :], after[len(bom) :]
    nl = detect_newline(before)
    old, new = (before + nl).split("\n"), (after + nl).split("\n")
    prefix = 0
    while prefix < len(old) and old[prefix] == new[prefix]:
        prefix += 1
    assert new[len(new) - (len(old) - prefix) :] == old[prefix:]
    return new[prefix : len(new) - (len(old) - prefix)]


@given(documents())
def test_changelog_edit_only_inserts_and_is_idempotent(text: str) -> None:
    result = add_changelog_entry(text, ENTRY)

    added = inserted_block(text, result)
    assert sum(line.endswith(ENTRY) or line.endswith(ENTRY + "\r") for line in added) == 1
    assert result.count(ENTRY) == 1
    assert add_changelog_entry(result, ENTRY) == result
    if text.lstrip("\ufeff"):
        assert result.endswith("\n") == text.endswith("\n")


@given(documents())
def test_architecture_edit_only_inserts_and_is_idempotent(text: str) -> None:
    result = add_removed_component(text, COMPONENT)

    inserted_block(text, result)
    assert result.count(COMPONENT) == 1
    assert add_removed_component(result, COMPONENT) == result


# --- the document's footer -------------------------------------------------------------------

BODY = "# Architecture\n\n## api\n\nServes HTTP.\n"
SECTION = f"## Removed components\n\n- {COMPONENT}\n"


@pytest.mark.parametrize(
    "footer",
    [
        "---\n\nLast updated: 2026-01-01\n",
        "---\nLast updated: 2026-01-01  \n*Version 2.3*\n",
        "***\n\nMaintained by the platform team. Questions go to #infra.\n",
        "___\n",
        "Last updated: 2026-01-01\n",
        "*Version 2.3*\n_Generated by docs-bot on 2026-01-01_\n",
        "© 2026 Acme Corp\n\n<!-- generated: do not edit -->\n",
    ],
)
def test_new_section_goes_before_the_footer(footer: str) -> None:
    text = f"{BODY}\n{footer}"

    assert add_removed_component(text, COMPONENT) == f"{BODY}\n{SECTION}\n{footer}"


def test_footer_before_link_definitions_and_trailing_blank_lines() -> None:
    text = f"{BODY}\n---\n\n*Version 2.3*\n\n[api]: https://example.com/api\n\n"

    assert add_removed_component(text, COMPONENT) == (
        f"{BODY}\n{SECTION}\n---\n\n*Version 2.3*\n\n[api]: https://example.com/api\n\n"
    )


def test_footer_crlf_without_final_newline() -> None:
    text = "# A\r\n\r\n## api\r\n\r\nServes.\r\n\r\n---\r\nLast updated: 2026-01-01"

    assert add_removed_component(text, "x") == (
        "# A\r\n\r\n## api\r\n\r\nServes.\r\n\r\n## Removed components\r\n\r\n- x\r\n\r\n"
        "---\r\nLast updated: 2026-01-01"
    )


def test_existing_empty_section_gets_the_bullet_before_the_footer() -> None:
    text = f"{BODY}\n## Removed components\n\n---\n\nLast updated: 2026-01-01\n"

    assert add_removed_component(text, COMPONENT) == (
        f"{BODY}\n## Removed components\n\n- {COMPONENT}\n\n---\n\nLast updated: 2026-01-01\n"
    )


@pytest.mark.parametrize(
    "tail",
    [
        "## Versions\n\n*Version 2.3*\n",  # the last section's own content
        "## api\n\nServes HTTP.\n*Version 2.3*\n",  # part of a paragraph
        "## api\n\n---\n\nA long closing paragraph that goes on to explain several things about"
        " the deployment, the owners, the on-call rota and what to do when the pager fires at"
        " night.\n",  # content after the rule
        "## api\n\n---\n\n- a bullet\n",
        "## api\n\nServes.\n\n---\n\n## Later\n\nText.\n",  # a rule between sections
    ],
)
def test_what_is_no_footer_stays_above_the_new_section(tail: str) -> None:
    text = f"# Architecture\n\n{tail}"

    assert add_removed_component(text, COMPONENT) == f"{text}\n{SECTION}"
    assert footer_start(text) is None


def test_footer_start_line() -> None:
    assert footer_start(f"{BODY}\n---\n\nLast updated: 2026-01-01\n") == 6
