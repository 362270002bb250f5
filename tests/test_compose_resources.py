"""Top-level volumes, networks, configs and secrets that only the removed services used."""

from __future__ import annotations

from consolidate.compose.edit import ComposeEdit, RemovedSpan, remove_services
from consolidate.compose.resources import doomed, service_usage, usage_of, volume_source

STACK = """\
services:
  app:
    image: app
    volumes:
      - shared:/shared
      - ./conf:/etc/app
    networks: [front]
  orchestrator:
    image: orch
    volumes:
      - orchestrator-state:/var/lib/orchestrator
      - type: volume
        source: orch-cache
        target: /cache
      - shared:/shared:ro
    networks:
      - front
      - orch-net
    configs: [orch-config]
    secrets:
      - source: orch-token
    build:
      context: .
      secrets: [build-key]

volumes:
  shared:
  # State of the orchestrator: safe to drop once it is gone.
  orchestrator-state:
    driver: local
  orch-cache:

networks:
  front:
  orch-net:

# Only the orchestrator reads these.
configs:
  orch-config:
    file: ./orch.toml

secrets:
  orch-token:
    file: ./token.txt
  build-key:
    file: ./key.txt
"""


def cut(text: str, *services: str, **options: object) -> ComposeEdit:
    return remove_services(text.encode(), services, path="compose.yml", **options)  # type: ignore[arg-type]


def test_resources_only_the_removed_service_used_go() -> None:
    edit = cut(STACK, "orchestrator")
    assert (
        edit.after.decode()
        == """\
services:
  app:
    image: app
    volumes:
      - shared:/shared
      - ./conf:/etc/app
    networks: [front]

volumes:
  shared:

networks:
  front:
"""
    )
    assert edit.resources_removed == (
        "volume orchestrator-state",
        "volume orch-cache",
        "network orch-net",
        "config orch-config",
        "secret orch-token",
        "secret build-key",
    )
    assert "# State of the orchestrator: safe to drop once it is gone." in edit.removed_comments
    assert "# Only the orchestrator reads these." in edit.removed_comments
    assert RemovedSpan(38, 40, "top-level configs (nothing left in it)") in edit.removed


def test_keep_volumes_keeps_the_data_and_says_so() -> None:
    edit = cut(STACK, "orchestrator", keep_volumes=True)
    assert "  orchestrator-state:\n    driver: local\n  orch-cache:\n" in edit.after.decode()
    assert not [r for r in edit.resources_removed if r.startswith("volume")]
    assert edit.resources_kept == (
        "volume orch-cache kept: the playbook sets keep_volumes",
        "volume orchestrator-state kept: the playbook sets keep_volumes",
    )
    assert "network orch-net" in edit.resources_removed


def test_a_volume_named_through_a_variable_keeps_every_volume() -> None:
    text = STACK.replace("      - ./conf:/etc/app\n", "      - ${APP_DATA}:/data\n")
    edit = cut(text, "orchestrator")
    assert "orchestrator-state:" in edit.after.decode()
    assert edit.resources_kept[0] == (
        "volume orch-cache kept: service app names a volume as '${APP_DATA}:/data'"
    )
    assert "network orch-net" in edit.resources_removed


def test_a_resource_used_through_a_merge_key_stays() -> None:
    text = """\
x-common: &common
  volumes: [cache:/cache]
services:
  app:
    <<: *common
    image: app
  worker:
    <<: *common
    volumes: [own:/own]
  orchestrator:
    image: orch
    volumes: [cache:/cache, orch:/orch]
volumes:
  cache:
  own:
  orch:
"""
    edit = cut(text, "orchestrator")
    assert edit.resources_removed == ("volume orch",)
    assert edit.after.decode().endswith("volumes:\n  cache:\n  own:\n")
    # app's merged volumes are its own; worker's local key replaces the merged one
    edit = cut(text, "app", "orchestrator")
    assert edit.resources_removed == ("volume cache", "volume orch")


def test_the_default_network_and_unused_resources_are_left_alone() -> None:
    text = """\
services:
  a:
    image: a
  b:
    image: b
    networks: [default, b-net]
networks:
  default:
    name: shared
  b-net:
  never-used:
"""
    edit = cut(text, "b")
    assert edit.after.decode() == (
        "services:\n  a:\n    image: a\nnetworks:\n  default:\n    name: shared\n  never-used:\n"
    )
    assert edit.resources_removed == ("network b-net",)


def test_explicit_resources_from_the_whole_project() -> None:
    edit = cut(STACK, "orchestrator", resources={"volumes": ["orch-cache"]})
    assert edit.resources_removed == ("volume orch-cache",)


def test_references_to_services_removed_from_another_file() -> None:
    text = "services:\n  app:\n    image: app\n    depends_on: [db, orchestrator]\n  db:\n    image: d\n"
    edit = cut(text, also=["orchestrator"])
    assert edit.services_removed == ()
    assert edit.after.decode() == text.replace("[db, orchestrator]", "[db]")


def test_reading_compose_volume_syntax() -> None:
    assert volume_source("pgdata:/var/lib/postgresql/data") == "pgdata"
    assert volume_source("pgdata:/data:ro") == "pgdata"
    assert volume_source("./backend:/app") is None
    assert volume_source("~/x:/x") is None
    assert volume_source("/data") is None
    assert volume_source("C:\\data:/data") is None
    assert volume_source("${AIRFLOW_PROJ_DIR:-.}/dags:/opt/airflow/dags") is None
    assert volume_source("${DATA}:/data") == "${DATA}:/data"
    assert volume_source({"type": "volume", "source": "v", "target": "/v"}) == "v"
    assert volume_source({"type": "bind", "source": "./v", "target": "/v"}) is None
    usage = service_usage("s", {"extends": {"file": "base.yml", "service": "x"}})
    assert usage.unsure["volumes"] == "service s extends a service in base.yml"


def test_usage_follows_extends_into_the_other_file_when_it_can_read_it() -> None:
    doc = {
        "services": {
            "relay": {"volumes": ["spool:/s", "cache:/c"]},
            "worker": {"extends": {"file": "base.yml", "service": "runner"}},
        }
    }
    base = b"services:\n  runner:\n    volumes: [cache:/c]\n    networks: [back]\n"
    files = {"ops/base.yml": base}
    removed, staying = usage_of(doc, ["relay"], path="ops/compose.yml", read=files.get)
    assert staying.unsure == {}
    assert staying.names["volumes"] == {"cache"}
    assert staying.names["networks"] == {"back", "default"}  # default: worker names none
    assert doomed(removed, staying, keep_volumes=False).names["volumes"] == {"spool"}
    _, blind = usage_of(doc, ["relay"], path="ops/compose.yml", read={}.get)
    assert blind.unsure["volumes"] == (
        "service worker extends a service in base.yml, which cannot be read "
        "(ops/base.yml is not a file of this repository)"
    )
