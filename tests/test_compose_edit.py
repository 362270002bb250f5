"""Removing services from compose files: exact bytes in, exact bytes out."""

from __future__ import annotations

import codecs

import pytest

from consolidate.compose.edit import (
    ComposeEdit,
    RemovedSpan,
    RewrittenLine,
    remove_services,
    service_names,
)
from consolidate.errors import ComposeRefusal


def cut(text: str, *services: str) -> ComposeEdit:
    return remove_services(text.encode(), services, path="compose.yml")


def after(text: str, *services: str) -> str:
    return cut(text, *services).after.decode()


def refusal(text: str | bytes, *services: str) -> str:
    data = text.encode() if isinstance(text, str) else text
    with pytest.raises(ComposeRefusal) as caught:
        remove_services(data, services, path="compose.yml")
    assert caught.value.hint, "every refusal says what to do"
    return caught.value.message


THREE = """\
services:
  web:
    image: nginx
    depends_on:
      - api

  # The API: talks to the database.
  api:
    image: api
    # ports:
    #   - 8080

  db:
    image: postgres
"""


def test_service_names_in_file_order() -> None:
    assert service_names(THREE.encode()) == ["web", "api", "db"]
    assert service_names(b"version: '3'\n") == []


def test_middle_service_goes_with_its_comment_and_one_blank_line() -> None:
    edit = cut(THREE, "api")
    assert (
        edit.after.decode()
        == """\
services:
  web:
    image: nginx

  db:
    image: postgres
"""
    )
    assert edit.removed == (
        RemovedSpan(4, 5, "empty depends_on in web"),
        RemovedSpan(7, 7, "comment of service api"),
        RemovedSpan(8, 11, "service api"),
        RemovedSpan(12, 12, "blank line after service api"),
    )
    assert edit.removed_comments == ("# The API: talks to the database.", "# ports:", "#   - 8080")
    assert edit.services_removed == ("api",)
    assert edit.before == THREE.encode()


def test_first_service_takes_the_blank_line_after_it() -> None:
    assert (
        after(THREE, "web")
        == """\
services:
  # The API: talks to the database.
  api:
    image: api
    # ports:
    #   - 8080

  db:
    image: postgres
"""
    )


def test_last_service_in_the_file() -> None:
    assert (
        after(THREE, "db")
        == """\
services:
  web:
    image: nginx
    depends_on:
      - api

  # The API: talks to the database.
  api:
    image: api
    # ports:
    #   - 8080
"""
    )


def test_last_service_before_another_top_level_key() -> None:
    text = "services:\n  a:\n    image: a\n\n  b:\n    image: b\n\nvolumes:\n  data:\n"
    assert after(text, "b") == "services:\n  a:\n    image: a\n\nvolumes:\n  data:\n"


def test_blank_lines_left_dangling_at_the_end_of_the_file_go_too() -> None:
    text = "services:\n  a:\n    image: a\n\n\n  b:\n    image: b"
    assert after(text, "b") == "services:\n  a:\n    image: a"
    assert after(text + "\n", "b") == "services:\n  a:\n    image: a\n"


def test_adjacent_services_removed_together() -> None:
    assert after(THREE, "web", "api") == "services:\n  db:\n    image: postgres\n"


def test_comment_paragraph_after_a_block_belongs_to_it_a_standalone_one_stays() -> None:
    text = """\
services:
  a:
    image: a
  # a is pinned until upstream fixes #12

  # ---- standalone note about the stack ----

  b:
    image: b
"""
    assert (
        after(text, "a")
        == """\
services:
  # ---- standalone note about the stack ----

  b:
    image: b
"""
    )


def test_comment_directly_above_the_next_service_stays_with_it() -> None:
    text = "services:\n  a:\n    image: a\n  # about b\n  b:\n    image: b\n"
    assert after(text, "a") == "services:\n  # about b\n  b:\n    image: b\n"
    assert after(text, "b") == "services:\n  a:\n    image: a\n"


def test_comment_at_top_level_after_the_last_service_is_not_taken() -> None:
    text = "services:\n  a:\n    image: a\n  b:\n    image: b\n# --- volumes ---\n\nvolumes: {}\n"
    assert after(text, "b") == "services:\n  a:\n    image: a\n# --- volumes ---\n\nvolumes: {}\n"


DEPENDS = """\
services:
  web:
    depends_on:
      db:
        condition: service_healthy
        restart: true
      cache:
        condition: service_started
    links:
      - db:database
      - cache
    volumes_from:
      - db:ro
      - container:sidecar
  worker:
    depends_on: [cache, db]
  cache:
    image: redis
  db:
    image: postgres
"""


def test_references_in_every_form_go() -> None:
    edit = cut(DEPENDS, "db")
    assert (
        edit.after.decode()
        == """\
services:
  web:
    depends_on:
      cache:
        condition: service_started
    links:
      - cache
    volumes_from:
      - container:sidecar
  worker:
    depends_on: [cache]
  cache:
    image: redis
"""
    )
    assert edit.removed == (
        RemovedSpan(4, 6, "depends_on entry in web"),
        RemovedSpan(10, 10, "links entry in web"),
        RemovedSpan(13, 13, "volumes_from entry in web"),
        RemovedSpan(19, 20, "service db"),
    )
    assert edit.rewritten == (
        RewrittenLine(
            16,
            "    depends_on: [cache, db]",
            "    depends_on: [cache]",
            "depends_on entry in worker",
        ),
    )


def test_emptied_keys_go_whole_unless_the_service_would_be_left_empty() -> None:
    edit = cut(DEPENDS, "cache", "db")
    assert (
        edit.after.decode()
        == """\
services:
  web:
    volumes_from:
      - container:sidecar
  worker:
    depends_on: []
"""
    )
    assert edit.removed[:2] == (
        RemovedSpan(3, 8, "empty depends_on in web"),
        RemovedSpan(9, 11, "empty links in web"),
    )
    assert edit.rewritten[0].reason == "depends_on in worker left empty: so worker stays a mapping"


def test_emptied_block_and_flow_keys_are_removed() -> None:
    text = """\
services:
  web:
    image: web
    depends_on:
      # wait for it
      - db
    links: [db]
    restart: always
  db:
    image: postgres
"""
    edit = cut(text, "db")
    assert edit.after.decode() == "services:\n  web:\n    image: web\n    restart: always\n"
    assert edit.removed_comments == ("# wait for it",)
    assert edit.rewritten == ()


def test_emptied_key_over_a_merged_anchor_is_written_empty() -> None:
    text = """\
x-common: &common
  depends_on:
    - db
services:
  app:
    <<: *common
    image: app
    depends_on:
      - cache
    links: [cache]
  cache:
    image: redis
  db:
    image: postgres
"""
    edit = cut(text, "cache")
    assert (
        edit.after.decode()
        == """\
x-common: &common
  depends_on:
    - db
services:
  app:
    <<: *common
    image: app
    depends_on: []
  db:
    image: postgres
"""
    )
    assert edit.rewritten == (
        RewrittenLine(
            8,
            "    depends_on:",
            "    depends_on: []",
            "depends_on in app left empty: so the merged one does not come back",
        ),
    )


def test_reference_inside_an_anchor_is_edited_where_it_is() -> None:
    text = """\
x-base: &base
  depends_on:
    - db  # shared
    - cache
services:
  app:
    <<: *base
    image: app
  cache: {image: redis}
  db: {image: postgres}
"""
    edit = cut(text, "db")
    assert edit.after.decode() == text.replace("    - db  # shared\n", "").replace(
        "  db: {image: postgres}\n", ""
    )
    assert edit.removed[0] == RemovedSpan(3, 3, "depends_on entry in x-base")


def test_refuses_to_empty_a_collection_inside_an_anchor() -> None:
    text = """\
x-base:
  depends_on:
    &base-deps
    db:
      condition: service_healthy
services:
  app:
    depends_on:
      <<: *base-deps
      db:
        condition: service_started
      cache:
        condition: service_started
  cache: {image: redis}
  db: {image: postgres}
"""
    assert refusal(text, "db") == (
        "compose.yml: the removal would empty the depends_on at line 3, anchor &base-deps, "
        "which other entries may merge"
    )
    text = "x-deps: &deps\n  depends_on: {db: {condition: x}}\nservices:\n  a:\n    <<: *deps\n"
    text += "  db:\n    image: d\n"
    assert refusal(text, "db") == (
        "compose.yml: the removal would empty the depends_on at line 2, inside anchor &deps "
        "(line 1), which other entries may merge"
    )


def test_emptied_key_that_is_all_its_mapping_holds_stays_as_empty() -> None:
    text = "services:\n  a:\n    depends_on: {db: {condition: x}}\n  db:\n    image: d\n"
    assert after(text, "db") == "services:\n  a:\n    depends_on: {}\n"


def test_quoted_names_and_quoted_references() -> None:
    text = """\
services:
  "orchestrator":
    image: o
  'worker':
    depends_on: ["orchestrator", 'other']
    links:
      - 'orchestrator'
  other:
    depends_on:
      "orchestrator":
        condition: service_started
      worker:
        condition: service_started
"""
    assert (
        after(text, "orchestrator")
        == """\
services:
  'worker':
    depends_on: ['other']
  other:
    depends_on:
      worker:
        condition: service_started
"""
    )


def test_any_indentation_width() -> None:
    text = "root: 1\nservices:\n\n    a:\n        image: a\n        depends_on:\n        - b\n\n"
    text += "    b:\n        image: b\n"
    assert after(text, "b") == "root: 1\nservices:\n\n    a:\n        image: a\n"
    assert after(text, "a") == "root: 1\nservices:\n\n    b:\n        image: b\n"


def test_crlf_line_endings_are_kept() -> None:
    text = THREE.replace("\n", "\r\n")
    result = after(text, "api")
    assert (
        result == "services:\r\n  web:\r\n    image: nginx\r\n\r\n  db:\r\n    image: postgres\r\n"
    )
    flow = "services:\r\n  a:\r\n    depends_on: [b, c]  # keep\r\n  b: {}\r\n  c: {}\r\n"
    assert after(flow, "b") == "services:\r\n  a:\r\n    depends_on: [c]  # keep\r\n  c: {}\r\n"


def test_byte_order_mark_is_kept() -> None:
    data = codecs.BOM_UTF8 + THREE.encode()
    edit = remove_services(data, ["db"])
    assert edit.after.startswith(codecs.BOM_UTF8)
    assert edit.after[3:].decode() == after(THREE, "db")
    assert service_names(data) == ["web", "api", "db"]


def test_missing_final_newline_is_kept_when_the_last_block_goes() -> None:
    text = "services:\n  a:\n    image: a\n\n  b:\n    image: b"
    assert after(text, "b") == "services:\n  a:\n    image: a"
    assert after(text, "a") == "services:\n  b:\n    image: b"
    crlf = text.replace("\n", "\r\n")
    assert after(crlf, "b") == "services:\r\n  a:\r\n    image: a"


def test_refuses_a_service_that_is_not_there() -> None:
    assert refusal(THREE, "nope") == "service nope is not in compose.yml"


def test_refuses_to_leave_no_service() -> None:
    assert "would leave no service" in refusal(THREE, "web", "api", "db")


def test_refuses_invalid_yaml() -> None:
    message = refusal("services:\n  a: [\n", "a")
    assert message.startswith("compose.yml is not valid YAML")


def test_refuses_bytes_that_are_not_utf8() -> None:
    assert refusal(b"services:\n  a: {image: \xff}\n", "a").startswith("compose.yml is not UTF-8")


def test_refuses_network_mode_of_a_removed_service() -> None:
    text = "services:\n  vpn:\n    image: v\n  app:\n    network_mode: service:vpn\n"
    message = refusal(text, "vpn")
    assert message == "compose.yml: service app uses network_mode of service vpn (line 5)"


@pytest.mark.parametrize(
    "extends", ["extends: base", "extends:\n      service: base", "extends: {service: base}"]
)
def test_refuses_extends_of_a_removed_service(extends: str) -> None:
    text = f"services:\n  base:\n    image: b\n  app:\n    {extends}\n"
    assert "service app uses extends of service base (line 5)" in refusal(text, "base")


def test_extends_from_another_file_is_not_a_reference() -> None:
    text = "services:\n  base:\n    image: b\n  app:\n    extends: {file: x.yml, service: base}\n"
    assert after(text, "base") == "services:\n  app:\n    extends: {file: x.yml, service: base}\n"


def test_refuses_an_anchor_defined_in_a_removed_service() -> None:
    text = """\
services:
  redis: &redis
    image: redis
  cache:
    <<: *redis
"""
    assert refusal(text, "redis") == (
        "compose.yml: service cache uses anchor &redis defined in service redis (line 2), "
        "which is being removed"
    )


def test_refuses_a_reference_in_a_multi_line_flow_collection() -> None:
    text = "services:\n  a:\n    depends_on: [b,\n      c]\n  b: {}\n  c: {}\n"
    assert refusal(text, "b") == (
        "compose.yml: a reference in a multi-line flow collection at line 3 (in a) "
        "cannot be spliced safely"
    )


def test_refuses_when_the_post_edit_check_fails() -> None:
    # The blank line before b is part of a's kept ("|+") scalar; cutting it would change a.
    text = "services:\n  a:\n    command: |+\n      run\n\n  b:\n    image: b\n"
    assert refusal(text, "b") == (
        "compose.yml: post-edit check failed: service a changed beyond its references"
    )
