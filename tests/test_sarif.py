"""SARIF 2.1.0 logs of `lint()` and `find_orphans()` on real repositories, each parsed by the
SARIF object model of `sarif-pydantic` and compared with what it parsed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from repo_support import API_DOCKERFILE, MOUNT_OVER_BUILD, RepoFactory
from sarif_pydantic import Sarif

from consolidate import __version__
from consolidate.analysis.investigation import find_orphans
from consolidate.assess.lint import lint
from consolidate.gitio import Git
from consolidate.report.sarif import FINGERPRINT, SCHEMA, lint_sarif, orphans_sarif

# Far enough ahead that every file of a fresh repository is an old orphan for `lint`.
LATER = (dt.date.today() + dt.timedelta(days=90)).isoformat()
DOCKERFILE = API_DOCKERFILE
COMPOSE = (
    MOUNT_OVER_BUILD
    + """\
    depends_on:
      redis:
        condition: service_healthy
  redis:
    image: redis:7
"""
)
FILES = {
    "api/Dockerfile": DOCKERFILE,
    # A module named only in a string: an uncertain use.
    "api/app.py": 'import importlib\n\nNAME = "plugins.extra"\nimportlib.import_module(NAME)\n',
    "api/plugins/__init__.py": "",
    "api/plugins/extra.py": "EXTRA = 1\n",
    "api/legacy.py": "def unused() -> int:\n    return 1\n",
    "old tools/run job.py": "x = 1\n",
    "shared/y.py": "y = 2\n",
    "docker-compose.yml": COMPOSE,
}
# The files no entry point reaches, as URIs: a space is percent-encoded.
ORPHAN_URIS = [
    "api/legacy.py",
    "api/plugins/__init__.py",
    "old%20tools/run%20job.py",
    "shared/y.py",
]
# The same stack with five comment lines on top: every compose finding moves down by 5.
MOVED = {**FILES, "docker-compose.yml": "# note\n" * 5 + COMPOSE}


def lint_log(repo: Path) -> dict[str, Any]:
    return lint_sarif(lint(Git.open(repo), date=LATER), __version__)


def orphans_log(repo: Path) -> dict[str, Any]:
    return orphans_sarif(find_orphans(Git.open(repo), date=LATER), __version__)


def validated(log: dict[str, Any]) -> Sarif:
    """The log as the SARIF object model reads it: every key a field of the model (it keeps
    unknown keys as extras, so a misspelt `ruleID` would pass a plain parse), and dumped back
    it is the log itself."""
    model = Sarif.model_validate(log)
    assert unknown_keys(model) == []
    assert model.model_dump(mode="json", by_alias=True, exclude_unset=True) == log
    return model


def unknown_keys(node: Any, where: str = "$") -> list[str]:
    if isinstance(node, BaseModel):
        found = [f"{where}.{key}" for key in node.model_extra or {}]
        for name in type(node).model_fields:
            found += unknown_keys(getattr(node, name), f"{where}.{name}")
        return found
    if isinstance(node, list):
        return [k for i, item in enumerate(node) for k in unknown_keys(item, f"{where}[{i}]")]
    if isinstance(node, dict):
        return [k for key, item in node.items() for k in unknown_keys(item, f"{where}.{key}")]
    return []


def by_rule(log: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for result in log["runs"][0]["results"]:
        out.setdefault(result["ruleId"], []).append(result)
    return out


def location(result: dict[str, Any]) -> dict[str, Any]:
    physical: dict[str, Any] = result["locations"][0]["physicalLocation"]
    return physical


def test_lint_log_is_sarif_with_a_rule_per_check_and_lines(make_repo: RepoFactory) -> None:
    log = lint_log(make_repo(FILES))
    model = validated(log)
    assert model.version == "2.1.0" and model.schema_uri == SCHEMA
    driver = model.runs[0].tool.driver
    assert (driver.name, driver.version) == ("consolidate", __version__)
    rule_ids = [rule.id for rule in driver.rules or []]
    assert rule_ids == [
        "bind-mount-hides-build",
        "healthcheck-tests-a-dependency",
        "waits-for-missing-healthcheck",
        "missing-entry-file",
        "old-orphan",
    ]
    assert {
        r.default_configuration.level for r in driver.rules or [] if r.default_configuration
    } == {"warning"}
    results = by_rule(log)
    assert sorted(results) == [
        "bind-mount-hides-build",
        "old-orphan",
        "waits-for-missing-healthcheck",
    ]
    for result in log["runs"][0]["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] == "warning"

    [mount] = results["bind-mount-hides-build"]
    assert location(mount) == {
        "artifactLocation": {"uri": "docker-compose.yml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 4},  # the `volumes:` key of api
    }
    assert "service api: bind mount ./shared:/app" in mount["message"]["text"]
    # lint names no line for this check: the result points at the file, with no region.
    [waits] = results["waits-for-missing-healthcheck"]
    assert location(waits) == {
        "artifactLocation": {"uri": "docker-compose.yml", "uriBaseId": "%SRCROOT%"}
    }
    assert "service api waits for redis to be healthy" in waits["message"]["text"]
    # A path with a space is a URI reference: percent-encoded, relative, POSIX.
    uris = sorted(location(r)["artifactLocation"]["uri"] for r in results["old-orphan"])
    assert uris == ORPHAN_URIS
    assert "originalUriBaseIds" not in log["runs"][0]


def test_orphans_log_has_notes_for_orphans_and_uncertain_ones(make_repo: RepoFactory) -> None:
    log = orphans_log(make_repo(FILES))
    model = validated(log)
    rules = model.runs[0].tool.driver.rules or []
    assert [
        (r.id, r.default_configuration.level if r.default_configuration else None) for r in rules
    ] == [
        ("orphan", "note"),
        ("uncertain-orphan", "note"),
    ]
    results = by_rule(log)
    orphans = sorted(location(r)["artifactLocation"]["uri"] for r in results["orphan"])
    assert orphans == ORPHAN_URIS
    [maybe] = results["uncertain-orphan"]
    assert location(maybe) == {
        "artifactLocation": {"uri": "api/plugins/extra.py", "uriBaseId": "%SRCROOT%"}
    }
    assert maybe["ruleIndex"] == 1 and maybe["level"] == "note"
    assert maybe["message"]["text"].startswith(
        "Only uncertain uses reach this file (1 line, 10 bytes"
    )
    assert all("region" not in location(r) for r in results["orphan"])


def test_a_finding_that_moved_down_keeps_its_fingerprint(make_repo: RepoFactory) -> None:
    before = by_rule(lint_log(make_repo(FILES)))
    after = by_rule(lint_log(make_repo(MOVED)))
    [old], [new] = before["bind-mount-hides-build"], after["bind-mount-hides-build"]
    assert (location(old)["region"], location(new)["region"]) == (
        {"startLine": 4},
        {"startLine": 9},
    )
    assert old["partialFingerprints"] == new["partialFingerprints"]
    assert old["partialFingerprints"][FINGERPRINT].endswith(":1")
    everything_before = {json.dumps(r["partialFingerprints"]) for rs in before.values() for r in rs}
    everything_after = {json.dumps(r["partialFingerprints"]) for rs in after.values() for r in rs}
    assert everything_before == everything_after
    # And distinct findings have distinct fingerprints.
    assert len(everything_before) == sum(len(rs) for rs in before.values()) == 6


def test_two_services_named_alike_stay_two_alerts(make_repo: RepoFactory) -> None:
    compose = COMPOSE.replace(
        "  redis:\n    image",
        '  api2:\n    build: ./api\n    volumes: ["./shared:/app"]\n  redis:\n    image',
    )
    log = lint_log(make_repo({**FILES, "docker-compose.yml": compose}))
    validated(log)
    mounts = by_rule(log)["bind-mount-hides-build"]
    assert [location(m)["region"]["startLine"] for m in mounts] == [4, 10]
    prints = [m["partialFingerprints"][FINGERPRINT] for m in mounts]
    # `api` and `api2` differ in their names, so their hashes differ; the counter is for
    # findings whose words are the same once numbers are blanked.
    assert len(set(prints)) == 2


def test_the_same_findings_give_the_same_bytes(make_repo: RepoFactory) -> None:
    repo = make_repo(FILES)
    first = json.dumps(lint_log(repo), indent=2) + json.dumps(orphans_log(repo), indent=2)
    second = json.dumps(lint_log(repo), indent=2) + json.dumps(orphans_log(repo), indent=2)
    assert first == second
    assert "file://" not in first and str(repo) not in first


def test_a_check_the_table_does_not_know_gets_a_rule_named_after_it() -> None:
    found = {
        "findings": [
            {
                "check": "Port published twice!",
                "where": "ops/compose.yaml:12",
                "message": "port 80",
            },
            {
                "check": "Port published twice!",
                "where": "ops/compose.yaml:30",
                "message": "port 80",
            },
            {
                "check": "old orphan",
                "where": "a.py",
                "message": "a new check that slugs to a known id",
            },
        ]
    }
    log = lint_sarif(found, "9.9.9", root_uri="file:///srv/checkout")
    validated(log)
    run = log["runs"][0]
    ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert ids[5:] == ["old-orphan-check", "port-published-twice"]
    assert run["tool"]["driver"]["rules"][6]["shortDescription"] == {
        "text": "Port published twice!"
    }
    twice = by_rule(log)["port-published-twice"]
    assert [r["ruleIndex"] for r in twice] == [6, 6]
    assert [location(r)["region"]["startLine"] for r in twice] == [12, 30]
    # Same words on two lines: one hash, numbered by occurrence.
    first, second = (r["partialFingerprints"][FINGERPRINT] for r in twice)
    assert first.split(":")[0] == second.split(":")[0]
    assert (first[-2:], second[-2:]) == (":1", ":2")
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///srv/checkout/"}}


@pytest.mark.parametrize(
    ("where", "uri", "region"),
    [
        ("docker-compose.yml:7", "docker-compose.yml", {"startLine": 7}),
        ("deploy/compose.yaml", "deploy/compose.yaml", None),
        # A colon not followed by a line number stays in the path, encoded: `odd:name.py`
        # would read as a URI of scheme `odd`.
        ("odd:name.py", "odd%3Aname.py", None),
        ("x.yml:0", "x.yml%3A0", None),  # SARIF lines start at 1
    ],
)
def test_where_becomes_a_uri_and_a_line(
    where: str, uri: str, region: dict[str, int] | None
) -> None:
    found = {"findings": [{"check": "entry file missing", "where": where, "message": "m"}]}
    [result] = lint_sarif(found, "1")["runs"][0]["results"]
    assert location(result)["artifactLocation"]["uri"] == uri
    assert location(result).get("region") == region
