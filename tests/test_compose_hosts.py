"""Kept compose services that still use a removed service's name as a host."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from consolidate.compose import hosts
from consolidate.compose.checks import compose_problems
from consolidate.compose.hosts import HostRef, host_references

GONE = {"oldcache"}


def write(root: Path, files: dict[str, str]) -> Path:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


def reader(root: Path) -> Callable[[str], bytes | None]:
    def read(path: str) -> bytes | None:
        return (root / path).read_bytes() if (root / path).is_file() else None

    return read


def refs(root: Path, compose: str, files: dict[str, str] | None = None) -> list[HostRef]:
    """host_references of `compose` written as docker-compose.yml, env files beside it."""
    write(root, {"docker-compose.yml": compose, **(files or {})})
    data = (root / "docker-compose.yml").read_bytes()
    return host_references("docker-compose.yml", data, GONE, reader(root))


def found(root: Path, compose: str, files: dict[str, str] | None = None) -> list[tuple[int, str]]:
    return [(r.line, r.key) for r in refs(root, compose, files)]


def test_environment_mapping_url(tmp_path: Path) -> None:
    compose = """\
services:
  api:
    image: api
    environment:
      LOG_LEVEL: info
      REDIS_URL: redis://oldcache:6379/0
"""
    assert refs(tmp_path, compose) == [
        HostRef(
            "docker-compose.yml",
            6,
            "api",
            "environment REDIS_URL",
            "oldcache",
            "redis://oldcache:6379/0",
        )
    ]


def test_environment_list_form_with_credentials_and_host_port(tmp_path: Path) -> None:
    compose = """\
services:
  api:
    environment:
      - REDIS_URL=redis://app:s3cret@oldcache:6379
      - MEMCACHE=oldcache:11211
      - PASSTHROUGH
      - CLUSTER=mongodb://db1:27017,oldcache:27017/app
      - SENTRY_DSN=https://key:pw@oldcache/1
"""
    assert found(tmp_path, compose) == [
        (4, "environment REDIS_URL"),
        (5, "environment MEMCACHE"),
        (7, "environment CLUSTER"),
        (8, "environment SENTRY_DSN"),
    ]


def test_whole_value_of_a_host_named_key(tmp_path: Path) -> None:
    compose = """\
services:
  api:
    environment:
      CACHE_HOST: oldcache
      cache_hostname: oldcache
      SMTP_SERVER: " oldcache "
      DB_ADDR: oldcache
      PEER_ADDRESS: oldcache
      CACHE_NAME: oldcache
      HOST_LIST: oldcache
"""
    assert found(tmp_path, compose) == [
        (4, "environment CACHE_HOST"),
        (5, "environment cache_hostname"),
        (6, "environment SMTP_SERVER"),
        (7, "environment DB_ADDR"),
        (8, "environment PEER_ADDRESS"),
    ]


def test_interpolation_default_is_the_host_used_when_unset(tmp_path: Path) -> None:
    compose = """\
services:
  api:
    environment:
      CACHE_HOST: ${CACHE_HOST:-oldcache}
      REDIS_URL: redis://${CACHE_HOST-oldcache}:6379
      OTHER_HOST: ${OTHER_HOST:?set it}
"""
    assert found(tmp_path, compose) == [(4, "environment CACHE_HOST"), (5, "environment REDIS_URL")]


def test_commands_entrypoints_and_healthchecks(tmp_path: Path) -> None:
    compose = """\
services:
  api:
    command: ["wait-for", "oldcache:6379", "--", "app"]
  worker:
    command: sh -c "until nc -z oldcache 6379; do sleep 1; done; exec app"
  poller:
    entrypoint: [app, --host=oldcache, --port, "1"]
    healthcheck:
      test: ["CMD", "redis-cli", "-h", "oldcache", "ping"]
  probe:
    healthcheck:
      test: nc -w 2 -z oldcache 6379 && curl -fsS http://oldcache:8080/health
  tunnel:
    command: ["app", "--hostname", "oldcache"]
  waiter:
    command: nc -w 2 oldcache 6379
"""
    assert [(r.line, r.service, r.key) for r in refs(tmp_path, compose)] == [
        (3, "api", "command"),
        (5, "worker", "command"),
        (7, "poller", "entrypoint"),
        (9, "poller", "healthcheck test"),
        (12, "probe", "healthcheck test"),
        (14, "tunnel", "command"),
        (16, "waiter", "command"),
    ]


def test_command_text_and_the_line_inside_a_block_scalar(tmp_path: Path) -> None:
    compose = """\
services:
  worker:
    command:
      - sh
      - -c
      - |
        echo waiting
        until nc -z oldcache 6379; do sleep 1; done
        exec app
"""
    (ref,) = refs(tmp_path, compose)
    assert (ref.line, ref.host) == (8, "oldcache")
    assert ref.text == "sh -c echo waiting until nc -z oldcache 6379; do sleep 1; done exec app"


@pytest.mark.parametrize(
    "value",
    [
        "redis://oldcache2:6379",
        "redis://my-oldcache:6379",
        "redis://oldcache.example.com:6379",
        "oldcache2:6379",
        "my-oldcache:6379",
        "oldcache.example.com:6379",
        "registry.local/oldcache:16",
        "oldcache:16.2",
        "oldcache:latest",
        "we moved off oldcache last year",
        "https://example.com/oldcache:8080",
    ],
)
def test_values_that_do_not_use_the_host(tmp_path: Path, value: str) -> None:
    compose = (
        f"services:\n  api:\n    environment:\n      NOTE: {value!r}\n      X_HOST: {value!r}\n"
    )
    assert refs(tmp_path, compose) == []


def test_words_that_are_not_host_positions(tmp_path: Path) -> None:
    compose = """\
services:
  api:
    command: echo oldcache is gone && nc -l 6379 && app --name oldcache
    healthcheck:
      test: ["CMD", "check", "oldcache", "6379"]
"""
    assert refs(tmp_path, compose) == []


def test_the_removed_service_itself_is_not_a_reference(tmp_path: Path) -> None:
    compose = """\
services:
  oldcache:
    command: redis-server --host oldcache
    environment:
      SELF_URL: redis://oldcache:6379
  api:
    environment:
      REDIS_URL: redis://oldcache:6379
"""
    assert [(r.line, r.service) for r in refs(tmp_path, compose)] == [(8, "api")]


def test_anchors_and_merge_keys(tmp_path: Path) -> None:
    compose = """\
x-env: &env
  REDIS_URL: redis://oldcache:6379
  CACHE_HOST: oldcache
x-wait: &wait ["wait-for", "oldcache:6379"]
services:
  api:
    environment:
      <<: *env
      CACHE_HOST: newcache
    command: *wait
"""
    assert found(tmp_path, compose) == [(2, "environment REDIS_URL"), (4, "command")]


def test_merged_service_fields(tmp_path: Path) -> None:
    compose = """\
x-base: &base
  environment:
    - REDIS_URL=redis://oldcache:6379
services:
  api:
    <<: *base
    image: api
  own:
    <<: *base
    environment: [REDIS_URL=redis://newcache:6379]
"""
    assert [(r.line, r.service) for r in refs(tmp_path, compose)] == [(3, "api")]


def test_env_files_in_every_form(tmp_path: Path) -> None:
    compose = """\
services:
  api:
    env_file: app.env
  worker:
    env_file: [missing.env, env/worker.env]
  poller:
    env_file:
      - path: env/poller.env
        required: false
"""
    files = {
        "app.env": "# cache\n\nexport REDIS_URL='redis://oldcache:6379/0'\nLOG=info\n",
        "env/worker.env": 'NOTE=oldcache is gone\nCACHE_HOST="oldcache" # moved\n',
        "env/poller.env": "UPSTREAM=http://oldcache:8080 # old\nSPARE_HOST=oldcache#x\n",
    }
    assert refs(tmp_path, compose, files) == [
        HostRef("app.env", 3, "api", "env_file REDIS_URL", "oldcache", "redis://oldcache:6379/0"),
        HostRef("env/worker.env", 2, "worker", "env_file CACHE_HOST", "oldcache", "oldcache"),
        HostRef(
            "env/poller.env", 1, "poller", "env_file UPSTREAM", "oldcache", "http://oldcache:8080"
        ),
    ]


def test_env_file_paths_are_relative_to_the_compose_folder(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "deploy/compose.yaml": "services:\n  api:\n    env_file: ../shared/app.env\n",
            "shared/app.env": "CACHE_ADDR=oldcache\n",
            "deploy/shared/app.env": "CACHE_ADDR=newcache\n",
        },
    )
    data = (tmp_path / "deploy/compose.yaml").read_bytes()
    hits = host_references("deploy/compose.yaml", data, GONE, reader(tmp_path))
    assert [(r.file, r.line, r.key) for r in hits] == [("shared/app.env", 1, "env_file CACHE_ADDR")]
    assert host_references("deploy/compose.yaml", data, GONE) == []  # without `read`, no env files


@pytest.mark.parametrize(
    "text",
    [
        "services: [",
        "services:\n  api:\n\tenvironment: x\n",
        "services: *nowhere\n",
        "- just\n- a list\n",
        "services:\n  api: [1, 2]\n  web: null\n",
        "[" * 5000,
        "\x00\x01",
    ],
)
def test_bad_or_odd_yaml_gives_nothing(tmp_path: Path, text: str) -> None:
    assert refs(tmp_path, text) == []
    assert host_references("x.yml", b"\xff\xfe services", GONE) == []


def test_merge_keys_that_multiply_do_not_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nine levels that each merge the level below nine times: 9**8 merges if each alias were
    followed every time; each mapping is read once instead (counted, not timed)."""
    lines = ["x-0: &a0 {REDIS_URL: 'redis://oldcache:6379'}"]
    lines += [f"x-{i}: &a{i} {{<<: [{', '.join([f'*a{i - 1}'] * 9)}]}}" for i in range(1, 9)]
    compose = "\n".join([*lines, "services:", "  api:", "    environment: *a8", ""])
    calls = []
    original = hosts.merge_into

    def counted(*args: Any) -> None:
        calls.append(1)
        original(*args)

    monkeypatch.setattr(hosts, "merge_into", counted)
    assert found(tmp_path, compose) == [(1, "environment REDIS_URL")]
    assert 9 <= len(calls) <= 200  # one call per alias written, not per path through them


REMOVED_CACHE = """\
services:
  api:
    image: api
    environment:
      REDIS_URL: redis://oldcache:6379/0
      LOG_LEVEL: info
  web:
    image: web
"""


def test_compose_problems_names_the_host_a_kept_service_still_uses(tmp_path: Path) -> None:
    write(tmp_path, {"docker-compose.yml": REMOVED_CACHE})
    ours, others = compose_problems(tmp_path, ["docker-compose.yml"], set(), {"oldcache"})
    assert ours == [
        "docker-compose.yml:5: service api environment REDIS_URL: redis://oldcache:6379/0 "
        "names oldcache, a removed service, as a host"
    ]
    assert others == []


def test_compose_problems_reports_env_file_lines_at_the_env_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "svc/compose.yaml": "services:\n  api:\n    image: api\n    env_file: api.env\n",
            "svc/api.env": "# api\nLOG=info\nCACHE_HOST=oldcache\n",
        },
    )
    ours, _ = compose_problems(tmp_path, ["svc/compose.yaml", "svc/api.env"], set(), GONE)
    assert ours == [
        "svc/api.env:3: service api env_file CACHE_HOST: oldcache names oldcache, a removed "
        "service, as a host"
    ]


@pytest.mark.parametrize(
    "answers",
    [
        "  newcache:\n    image: redis\n    hostname: oldcache\n",
        "  newcache:\n    image: redis\n    container_name: oldcache\n",
        "  newcache:\n    image: redis\n    networks:\n      back:\n        aliases: [oldcache]\n",
        "  oldcache:\n    image: redis\n",
        "  newcache:\n    image: redis\n  probe:\n    links: [newcache:oldcache]\n",
    ],
)
def test_a_host_another_service_still_answers_to_is_fine(tmp_path: Path, answers: str) -> None:
    write(tmp_path, {"docker-compose.yml": REMOVED_CACHE + answers})
    ours, others = compose_problems(tmp_path, ["docker-compose.yml"], set(), GONE)
    assert (ours, others) == ([], [])


def test_names_count_per_folder_override_files_included(tmp_path: Path) -> None:
    alias = "services:\n  newcache:\n    image: redis\n    hostname: oldcache\n"
    write(
        tmp_path,
        {
            "a/docker-compose.yml": REMOVED_CACHE,
            "a/docker-compose.override.yml": alias,
            "b/docker-compose.yml": REMOVED_CACHE,
            "c/docker-compose.yml": alias,
        },
    )
    paths = ["a/docker-compose.yml", "a/docker-compose.override.yml", "b/docker-compose.yml"]
    ours, _ = compose_problems(tmp_path, [*paths, "c/docker-compose.yml"], set(), GONE)
    assert [p.split(":")[0] for p in ours] == ["b/docker-compose.yml"]


def test_a_rewritten_value_is_no_problem(tmp_path: Path) -> None:
    write(tmp_path, {"docker-compose.yml": REMOVED_CACHE.replace("oldcache", "newcache")})
    assert compose_problems(tmp_path, ["docker-compose.yml"], set(), GONE) == ([], [])
    write(tmp_path, {"docker-compose.yml": REMOVED_CACHE})
    assert compose_problems(tmp_path, ["docker-compose.yml"], set(), set()) == ([], [])


def test_crlf_and_bom_keep_line_numbers(tmp_path: Path) -> None:
    compose = "\ufeffservices:\r\n  api:\r\n    env_file: app.env\r\n    environment:\r\n"
    compose += "      X_HOST: oldcache\r\n"
    (tmp_path / "app.env").write_bytes(b"\xef\xbb\xbfA=1\r\nB_URL=http://oldcache\r\n")
    (tmp_path / "c.yml").write_bytes(compose.encode())
    hits = host_references("c.yml", (tmp_path / "c.yml").read_bytes(), GONE, reader(tmp_path))
    assert [(r.file, r.line, r.text) for r in hits] == [
        ("c.yml", 5, "oldcache"),
        ("app.env", 2, "http://oldcache"),
    ]
