"""Group header comments, whitespace-only lines and `extends` from another file: exact bytes."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from repo_support import RepoFactory, consolidate

from consolidate.compose.edit import ComposeEdit, RemovedSpan, remove_services
from consolidate.compose.groups import Header, headers
from consolidate.compose.locate import parse
from consolidate.errors import ComposeRefusal


def cut(text: str, *services: str, files: Mapping[str, str] | None = None) -> ComposeEdit:
    read = None if files is None else (lambda p: files[p].encode() if p in files else None)
    return remove_services(text.encode(), services, path="deploy/compose.yml", read=read)


def after(text: str, *services: str) -> str:
    return cut(text, *services).after.decode()


GROUPS = """\
services:
  # ---- Core ----

  # The gateway in front of everything
  gateway:
    image: gw

  ledger:
    image: ledger

  # ---- Background work ----

  # Takes jobs off the queue
  dispatcher:
    image: dispatcher

  relay:
    image: relay

  # ---- Tools ----

  console:
    image: console
"""


def test_headers_and_the_services_they_introduce() -> None:
    found = headers(parse(GROUPS.encode(), "compose.yml"))
    assert found == [
        Header(1, 1, ("gateway", "ledger"), lead=False),
        Header(10, 10, ("dispatcher", "relay"), lead=False),
        Header(19, 19, ("console",), lead=False),
    ]


def test_a_group_header_goes_when_every_service_under_it_goes() -> None:
    edit = cut(GROUPS, "dispatcher", "relay")
    assert (
        edit.after.decode()
        == """\
services:
  # ---- Core ----

  # The gateway in front of everything
  gateway:
    image: gw

  ledger:
    image: ledger

  # ---- Tools ----

  console:
    image: console
"""
    )
    assert edit.removed == (
        RemovedSpan(11, 11, "comment introducing dispatcher, relay"),
        RemovedSpan(12, 12, "blank line after comment introducing dispatcher, relay"),
        RemovedSpan(13, 13, "comment of service dispatcher"),
        RemovedSpan(14, 15, "service dispatcher"),
        RemovedSpan(16, 16, "blank line after service dispatcher"),
        RemovedSpan(17, 18, "service relay"),
        RemovedSpan(19, 19, "blank line after service relay"),
    )
    assert edit.removed_comments == ("# ---- Background work ----", "# Takes jobs off the queue")


def test_a_group_header_stays_while_one_of_its_services_stays() -> None:
    assert after(GROUPS, "relay") == GROUPS.replace("  relay:\n    image: relay\n\n", "")
    assert after(GROUPS, "dispatcher") == GROUPS.replace(
        "  # Takes jobs off the queue\n  dispatcher:\n    image: dispatcher\n\n", ""
    )


def test_the_first_group_goes_and_the_next_header_moves_up_under_services() -> None:
    assert after(GROUPS, "gateway", "ledger") == (
        "services:\n  # ---- Background work ----\n\n  # Takes jobs off the queue\n"
        "  dispatcher:\n    image: dispatcher\n\n  relay:\n    image: relay\n\n"
        "  # ---- Tools ----\n\n  console:\n    image: console\n"
    )


def test_the_last_group_goes_with_the_blank_lines_before_it_at_the_end_of_the_file() -> None:
    assert after(GROUPS, "console") == GROUPS.removesuffix(
        "\n  # ---- Tools ----\n\n  console:\n    image: console\n"
    )


def test_the_last_group_before_a_top_level_key_keeps_the_spacing_it_had() -> None:
    text = (
        "services:\n  gateway:\n    image: gw\n\n  # ---- Tools ----\n\n"
        "  console:\n    image: console\nvolumes:\n  data:\n"
    )
    assert after(text, "console") == "services:\n  gateway:\n    image: gw\nvolumes:\n  data:\n"


def test_a_header_over_the_whole_services_block_stays_a_group_header_goes() -> None:
    text = """\
services:
  # Everything the shop runs; see docs/stack.md

  # ---- Storage ----

  ledger:
    image: ledger

  # ---- Background work ----

  relay:
    image: relay
"""
    assert (
        after(text, "ledger")
        == """\
services:
  # Everything the shop runs; see docs/stack.md

  # ---- Background work ----

  relay:
    image: relay
"""
    )
    top = "# Stack of the shop\nservices:\n  # ---- All of it ----\n\n  a:\n    image: a\n\n"
    assert after(top + "  b:\n    image: b\n", "b") == top.removesuffix("\n")


def test_a_comment_on_a_packed_run_of_services_introduces_them_all() -> None:
    text = """\
services:
  gateway:
    image: gw

  # Queue workers
  dispatcher:
    image: dispatcher
  relay:
    image: relay

  console:
    image: console
"""
    assert (
        after(text, "dispatcher")
        == "services:\n  gateway:\n    image: gw\n\n  # Queue workers\n  relay:\n    image: relay\n"
        "\n  console:\n    image: console\n"
    )
    assert after(text, "relay") == text.replace("  relay:\n    image: relay\n", "")
    assert after(text, "dispatcher", "relay") == (
        "services:\n  gateway:\n    image: gw\n\n  console:\n    image: console\n"
    )


def test_a_run_of_services_removed_from_under_its_comment_leaves_the_rest_under_it() -> None:
    text = (
        "services:\n  # Queue workers\n  dispatcher:\n    image: d\n  relay:\n    image: r\n"
        "  conductor:\n    image: c\n\n  console:\n    image: console\n\n  gateway:\n"
        "    image: gw\n"
    )
    assert after(text, "dispatcher", "relay") == (
        "services:\n  # Queue workers\n  conductor:\n    image: c\n\n  console:\n"
        "    image: console\n\n  gateway:\n    image: gw\n"
    )


def test_where_every_service_is_packed_a_comment_describes_its_own_only() -> None:
    text = (
        "services:\n  a:\n    image: a\n  # Feeds events to the store\n  dispatcher:\n"
        "    image: d\n  relay:\n    image: r\n"
    )
    assert after(text, "dispatcher") == "services:\n  a:\n    image: a\n  relay:\n    image: r\n"


def test_a_comment_on_a_packed_run_of_one_line_volumes_introduces_them_all() -> None:
    text = (
        "services:\n  relay:\n    volumes: [spool:/s, cache:/c]\n  a:\n    volumes: [logs:/l]\n"
        "volumes:\n  # Scratch data, safe to delete\n  spool:\n  cache:\n  logs:\n"
    )
    assert after(text, "relay") == (
        "services:\n  a:\n    volumes: [logs:/l]\nvolumes:\n  # Scratch data, safe to delete\n"
        "  logs:\n"
    )


def test_a_comment_on_one_service_among_blank_separated_ones_goes_with_it() -> None:
    text = (
        "services:\n  # The ledger keeps accounts\n  ledger:\n    image: l\n\n"
        "  relay:\n    image: r\n"
    )
    assert after(text, "ledger") == "services:\n  relay:\n    image: r\n"


def test_a_commented_out_service_above_a_group_is_not_its_header() -> None:
    text = """\
services:
  gateway:
    image: gw

#  tracer:
#    image: tracer
#    ports:
#    - "16686:16686"

  relay:
    image: relay
"""
    assert after(text, "relay") == text.removesuffix("\n  relay:\n    image: relay\n")
    assert headers(parse(text.encode(), "compose.yml")) == []


def test_crlf_group_removal_keeps_crlf() -> None:
    text = GROUPS.replace("\n", "\r\n")
    expected = after(GROUPS, "dispatcher", "relay").replace("\n", "\r\n")
    assert after(text, "dispatcher", "relay") == expected


def test_a_line_of_spaces_before_the_block_goes_the_clean_blank_line_stays() -> None:
    for junk in (" ", "    "):
        text = f"services:\n  a:\n    image: a\n{junk}\n  relay:\n    image: r\n\n  c:\n"
        assert after(text + "    image: c\n", "relay") == (
            "services:\n  a:\n    image: a\n\n  c:\n    image: c\n"
        )


def test_a_line_holding_a_tab_is_refused_as_yaml_compose_cannot_read() -> None:
    # ruamel.yaml, PyYAML and libyaml all stop on it: the file is refused and stays as it is.
    text = "services:\n  a:\n    image: a\n  \t\n  relay:\n    image: r\n"
    with pytest.raises(ComposeRefusal) as caught:
        cut(text, "relay")
    assert caught.value.message == (
        "deploy/compose.yml is not valid YAML at line 4: "
        "found character '\\t' that cannot start any token"
    )
    assert caught.value.hint == "fix it first"


def test_a_line_of_spaces_before_the_block_in_a_crlf_file() -> None:
    text = "services:\r\n  a:\r\n    image: a\r\n  \r\n  relay:\r\n    image: r\r\n\r\n  c:\r\n"
    assert after(text + "    image: c\r\n", "relay") == (
        "services:\r\n  a:\r\n    image: a\r\n\r\n  c:\r\n    image: c\r\n"
    )


def test_whitespace_only_lines_left_at_the_end_of_the_file_go() -> None:
    text = "services:\n  a:\n    image: a\n  relay:\n    image: r\n\n  \n   "
    assert after(text, "relay") == "services:\n  a:\n    image: a"
    text = (
        "services:\n  a:\n    image: a\n  relay:\n    volumes: [data:/d]\nvolumes:\n  data:\n\n  \n"
    )
    assert after(text, "relay") == "services:\n  a:\n    image: a\n"


EXTENDS = """\
services:
  relay:
    image: relay
    volumes:
      - relay-spool:/spool
      - relay-cache:/cache
  worker:
    extends:
      file: ../common/base.yml
      service: runner
volumes:
  relay-spool:
  relay-cache:
"""


def test_extends_keeps_only_the_volume_the_extended_service_uses() -> None:
    base = "services:\n  runner:\n    image: run\n    volumes:\n      - relay-cache:/cache\n"
    edit = cut(EXTENDS, "relay", files={"common/base.yml": base})
    assert edit.after.decode() == (
        "services:\n  worker:\n    extends:\n      file: ../common/base.yml\n"
        "      service: runner\nvolumes:\n  relay-cache:\n"
    )
    assert edit.resources_removed == ("volume relay-spool",)
    assert edit.resources_kept == ()


def test_extends_is_followed_through_the_extended_services_own_extends() -> None:
    base = (
        "services:\n  runner:\n    extends: plain\n  plain:\n    extends:\n"
        "      file: ../shared/root.yml\n      service: root\n"
    )
    root = "services:\n  root:\n    volumes: [relay-spool:/spool]\n"
    files = {"common/base.yml": base, "shared/root.yml": root}
    edit = cut(EXTENDS, "relay", files=files)
    assert edit.resources_removed == ("volume relay-cache",)
    assert edit.after.decode().endswith("volumes:\n  relay-spool:\n")


def test_extends_of_a_file_that_cannot_be_read_keeps_every_volume_and_says_why() -> None:
    edit = cut(EXTENDS, "relay", files={})
    assert edit.after.decode().endswith("volumes:\n  relay-spool:\n  relay-cache:\n")
    why = (
        "kept: service worker extends a service in ../common/base.yml, which cannot be read "
        "(common/base.yml is not a file of this repository)"
    )
    assert edit.resources_kept == (f"volume relay-cache {why}", f"volume relay-spool {why}")
    broken = cut(EXTENDS, "relay", files={"common/base.yml": "services: [\n"})
    assert broken.resources_removed == ()
    assert "common/base.yml is not valid YAML at line 2" in broken.resources_kept[0]
    missing = cut(EXTENDS, "relay", files={"common/base.yml": "services:\n  other: {}\n"})
    assert missing.resources_kept[0].endswith("(common/base.yml defines no service runner)")


def test_extends_without_a_reader_stays_conservative() -> None:
    edit = cut(EXTENDS, "relay")
    assert edit.resources_removed == ()
    assert edit.resources_kept[0] == (
        "volume relay-cache kept: service worker extends a service in ../common/base.yml"
    )


def test_an_extends_chain_that_loops_is_in_doubt() -> None:
    base = (
        "services:\n  runner:\n    extends: {file: base.yml, service: again}\n"
        "  again:\n    extends: runner\n"
    )
    edit = cut(EXTENDS, "relay", files={"common/base.yml": base})
    assert edit.resources_removed == ()
    assert "the extends chain through common/base.yml loops" in edit.resources_kept[0]


STACK = """\
services:
  # ---- Web ----

  gateway:
    image: gw
    depends_on: [relay]

  # ---- Messaging ----

  relay:
    build: ./relay
    volumes:
      - relay-spool:/spool
  \n\
  # ---- Tools ----

  console:
    image: console
volumes:
  relay-spool:
"""


def test_run_removes_the_group_header_with_its_last_service(make_repo: RepoFactory) -> None:
    repo = make_repo(
        {
            "relay/main.py": "print('never')\n",
            "compose.yaml": STACK,
            "playbooks/relay.yaml": (
                "component: relay\nsummary: Never ran.\nfiles: [relay/**]\n"
                "compose:\n  compose.yaml: [relay]\nbackup: {images: false}\n"
            ),
        }
    )
    result = consolidate(repo, "run", "relay", "--yes")
    assert result.returncode == 0, result.stderr
    assert (repo / "compose.yaml").read_text() == (
        "services:\n  # ---- Web ----\n\n  gateway:\n    image: gw\n\n"
        "  # ---- Tools ----\n\n  console:\n    image: console\n"
    )
    assert not (repo / "relay").exists()


def test_a_project_removal_keeps_only_what_an_extended_service_uses() -> None:
    """Through `plan_project`, as a run plans: the other file's service uses `spool` only."""
    from consolidate.compose.project import plan_project

    files = {
        "docker-compose.yml": (
            "services:\n"
            "  worker:\n"
            "    extends: {file: base.yml, service: job}\n"
            "  relay:\n"
            "    image: relay:1\n"
            "    volumes: [spool:/s, state:/t]\n"
            "volumes:\n"
            "  spool:\n"
            "  state:\n"
        ),
        "base.yml": "services:\n  job:\n    image: job:1\n    volumes: [spool:/s]\n",
    }
    edit = plan_project(
        lambda p: files[p].encode() if p in files else None,
        list(files),
        {"docker-compose.yml": ["relay"]},
        keep_volumes=False,
    )
    after = edit.edits[0].after.decode()
    assert after.endswith("volumes:\n  spool:\n")  # `state` went, `spool` stays for worker
