"""Docs that stop listing a removed service: exact edits of rows, items, elements and counts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consolidate.edits.doc_lists import DocChange, edit_doc

NAMES = {"conductor"}
SERVICES = {"api", "conductor", "web", "db"}


def edited(text: str, names: set[str] = NAMES) -> str:
    return edit_doc(text, names, services=SERVICES).after


def unchanged(text: str) -> None:
    result = edit_doc(text, NAMES, services=SERVICES)
    assert result.after == text
    assert result.changes == ()


# --- tables ----------------------------------------------------------------------------------

COMPONENT_TABLE = """\
# Architecture

The stack runs 3 containers:

| Service     | Port | Owner    |
|-------------|------|----------|
| `api`       | 8000 | backend  |
| `conductor` | 8100 | platform |
| `web`       | 3000 | frontend |

More text.
"""


def test_component_table_loses_the_row_and_its_count() -> None:
    result = edit_doc(COMPONENT_TABLE, NAMES, services=SERVICES)

    assert result.after == COMPONENT_TABLE.replace(
        "| `conductor` | 8100 | platform |\n", ""
    ).replace("3 containers", "2 containers")
    assert result.changes == (
        DocChange(3, "count 3 -> 2"),
        DocChange(8, "table row of `conductor` removed"),
    )


def test_table_keyed_by_a_later_component_column() -> None:
    text = "| Port | Component (owner) |\n|--:|---|\n| 1 | api |\n| 2 | conductor (ops) |\n"

    assert edited(text) == "| Port | Component (owner) |\n|--:|---|\n| 1 | api |\n"


def test_table_whose_first_column_holds_compose_services() -> None:
    text = "| | Check |\n|---|---|\n| api | GET / |\n| conductor | ping |\n| db | pg |\n"

    assert edited(text) == "| | Check |\n|---|---|\n| api | GET / |\n| db | pg |\n"


def test_a_table_that_lists_no_components_stays() -> None:
    unchanged(
        "| Variable | Meaning |\n|---|---|\n| conductor | the one who runs it |\n"
        "| timeout | seconds |\n"
    )


def test_a_row_naming_more_than_the_service_stays() -> None:
    unchanged("| Service | Port |\n|---|---|\n| conductor, web | 80 |\n| api | 81 |\n")


def test_a_hyphenated_or_dotted_name_is_another_service() -> None:
    unchanged(
        "| Service | Port |\n|---|---|\n| conductor-ui | 80 |\n| conductor.v2 | 81 |\n"
        "| api | 82 |\n"
    )


def test_a_table_in_a_code_block_stays() -> None:
    unchanged("```\n| Service |\n|---|\n| api |\n| conductor |\n```\n")


def test_crlf_table_keeps_every_other_byte() -> None:
    text = "Core Services (3)\r\n\r\n| Name | X |\r\n|---|---|\r\n| api | 1 |\r\n| conductor | 2 |\r\n| web | 3 |"

    assert edited(text) == (
        "Core Services (2)\r\n\r\n| Name | X |\r\n|---|---|\r\n| api | 1 |\r\n| web | 3 |"
    )


# --- bullet lists ----------------------------------------------------------------------------

BULLETS = """\
## Running it

This starts 5 containers:

- `db` and `redis`: storage
- `api`: the HTTP API
- `conductor`: pipeline runs
  on a schedule (experimental)
- `web`: the UI

Then open the UI.
"""


def test_an_item_about_the_service_goes_and_the_count_follows() -> None:
    result = edit_doc(BULLETS, NAMES, services=SERVICES)

    assert result.after == BULLETS.replace(
        "- `conductor`: pipeline runs\n  on a schedule (experimental)\n", ""
    ).replace("5 containers", "4 containers")
    assert [c.line for c in result.changes] == [3, 7]


def test_count_in_words_and_in_the_heading() -> None:
    text = "## Services (3)\n\n- api\n- conductor\n- web\n\nSix services here:\n\n"
    text += "* api\n* web\n* db\n* a\n* b\n* **conductor:** runs things\n"

    assert edited(text) == (
        "## Services (2)\n\n- api\n- web\n\nFive services here:\n\n* api\n* web\n* db\n* a\n* b\n"
    )


def test_upper_case_word_count_and_singular() -> None:
    assert edited("TWO SERVICES:\n\n- api\n- conductor\n") == "ONE SERVICE:\n\n- api\n"


def test_last_item_of_a_loose_list_takes_the_blank_line_before_it() -> None:
    text = "Stack:\r\n\r\n- api\r\n\r\n- web\r\n\r\n- conductor\r\n\r\nAfter"

    assert edited(text) == "Stack:\r\n\r\n- api\r\n\r\n- web\r\n\r\nAfter"


def test_a_count_that_is_not_the_lists_length_stays() -> None:
    text = "The stack runs 4 containers:\n\n- api\n- conductor\n- web\n"

    assert edited(text) == "The stack runs 4 containers:\n\n- api\n- web\n"


def test_items_that_only_mention_the_service_stay() -> None:
    unchanged("- conductor restarts nightly\n- web is fine\n- conductor-ui: other\n")


def test_a_list_of_only_the_service_stays() -> None:
    unchanged("Removed:\n\n- conductor\n")


# --- sentences -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("It runs api, conductor and web.", "It runs api and web."),
        ("It runs api, web, conductor.", "It runs api, web."),
        ("It runs api, web and conductor.", "It runs api and web."),
        ("It runs conductor, api, and web.", "It runs api and web."),
        ("It runs api, web, db, and conductor.", "It runs api, web, and db."),
        ("Use `api`, `conductor`, `web` or `db`.", "Use `api`, `web` or `db`."),
        ("Start Conductor, api, web and db.", "Start api, web and db."),
    ],
)
def test_an_element_of_a_comma_list_goes_with_its_separator(before: str, after: str) -> None:
    assert edited(before + "\n") == after + "\n"


def test_a_list_across_lines_keeps_the_line_breaks_and_its_count() -> None:
    text = (
        "A healthy stack runs 6 containers. `docker compose ps` should list db,\r\n"
        "redis, api, worker, conductor and web as running.\r\n"
    )

    result = edit_doc(text, NAMES, services=SERVICES)

    assert result.after == (
        "A healthy stack runs 5 containers. `docker compose ps` should list db,\r\n"
        "redis, api, worker and web as running.\r\n"
    )
    assert result.changes == (
        DocChange(1, "count 6 -> 5"),
        DocChange(2, "`conductor` removed from a list"),
    )


def test_an_element_first_on_its_line_keeps_the_break() -> None:
    text = "Services: db,\napi,\nconductor, web and worker.\n"

    assert edited(text) == "Services: db,\napi,\nweb and worker.\n"


@pytest.mark.parametrize(
    "text",
    [
        "The conductor runs every night.\n",  # names it, but no list
        "Talk to api and conductor.\n",  # two elements: not a comma list
        "It runs conductor-ui, api and web.\n",  # another service
        "It runs api, conductor.yml and web.\n",  # a file, not the service
        "It runs 5 services: api, web and db.\n",  # the list does not name it
        "```\napi, conductor and web\n```\n",  # code
    ],
)
def test_sentences_that_are_no_list_of_the_service_stay(text: str) -> None:
    unchanged(text)


def test_a_count_that_is_not_the_lists_length_stays_in_prose() -> None:
    assert edited("All 6 services: api, conductor and web.\n") == "All 6 services: api and web.\n"


def test_bom_and_missing_final_newline_are_kept() -> None:
    assert edited("\ufeffapi, conductor and web") == "\ufeffapi and web"


def test_several_names_and_a_container_name() -> None:
    text = "| Container | Image |\n|---|---|\n| shop_conductor | x |\n| shop_api | y |\n"

    assert edit_doc(text, {"conductor", "shop_conductor"}).after == (
        "| Container | Image |\n|---|---|\n| shop_api | y |\n"
    )


def test_no_names_no_change() -> None:
    assert edit_doc(COMPONENT_TABLE, set()).after == COMPONENT_TABLE


@pytest.mark.parametrize(
    ("item", "kept"),
    [
        ("- conductor \u2014 pipeline runs\n", False),
        ("- conductor - pipeline runs\n", False),
        ("- conductor (experimental)\n", False),
        ("- **conductor**: pipeline runs\n", False),
        ("- `conductor` runs pipelines\n", False),
        ("- `conductor` and `web`: the front\n", True),  # names another service too
        ("- `conductor-ui`: its dashboard\n", True),
        ("- Conductor restarts are rare\n", True),  # a sentence, not an entry
    ],
)
def test_which_items_are_about_the_service_alone(item: str, kept: bool) -> None:
    text = f"- api: the API\n{item}- web: the UI\n"

    assert edited(text) == (text if kept else "- api: the API\n- web: the UI\n")


def test_a_nested_list_goes_with_its_item() -> None:
    text = "- api\n- conductor\n  - schedules\n  - retries\n\n  More.\n- web\n"

    assert edited(text) == "- api\n- web\n"


def test_an_element_in_a_bullet_line_goes_too() -> None:
    assert edited("- Runs on api, conductor and web.\n- Other.\n") == (
        "- Runs on api and web.\n- Other.\n"
    )


def test_a_numbered_list_is_not_edited_as_items() -> None:
    unchanged("1. conductor\n2. api\n")


def test_a_count_in_a_heading_not_right_above_the_list_stays() -> None:
    text = "## Services (3)\n\nSome text.\n\nMore text:\n\n- api\n- conductor\n- web\n"

    assert edited(text) == "## Services (3)\n\nSome text.\n\nMore text:\n\n- api\n- web\n"


@given(st.text(alphabet="ab ,|-*`#\n\r\t:()6", max_size=200))
def test_a_text_without_the_name_comes_back_unchanged(text: str) -> None:
    assert edit_doc(text, NAMES, services=SERVICES).after == text


@given(st.text(alphabet="ab ,|-*`#\n\r:()6", max_size=120), st.sampled_from(["\n", "\r\n"]))
def test_the_rest_of_the_document_keeps_every_byte(text: str, nl: str) -> None:
    head = f"Stack (3):{nl}{nl}- a{nl}- conductor{nl}- b{nl}{nl}# Next{nl}"

    after = edit_doc(head + text, NAMES, services=SERVICES).after

    assert after == f"Stack (2):{nl}{nl}- a{nl}- b{nl}{nl}# Next{nl}" + text


def test_a_command_of_the_same_shape_names_what_varies() -> None:
    text = "Logs: `make logs-api`, `make logs-web`, `make logs-relay`, or `scripts/dev.sh logs`.\n"
    edit = edit_doc(text, {"logs-relay"})
    assert edit.after == "Logs: `make logs-api`, `make logs-web`, or `scripts/dev.sh logs`.\n"
    # a command unlike the others is no shape: the element is left
    two = "Run `make logs-api`, `npm run logs-relay`, or `make check`.\n"
    assert edit_doc(two, {"logs-relay"}).after == two
