"""The chain and route a kept or reviewed file shows: the shortest way up to what runs it."""

from __future__ import annotations

from consolidate.analysis.graph import Graph, Judge, Verdict
from consolidate.analysis.uses import Root, Use


def use(source: str, target: str, line: int, kind: str = "import") -> Use:
    return Use(source, (target,), line, kind, True, f"import {target}")


def verdicts(uses: list[Use], roots: list[Root], seeds: set[str]) -> dict[str, Verdict]:
    tests = {p for u in uses for p in (u.source, *u.targets) if p.startswith("tests/")}
    return Judge(Graph.build(uses, roots), seeds, non_production=tests).judge()


SERVE = Root("app/main.py", "compose", "compose.yml: service api command", service="api")
TEST = Root("tests/test_x.py", "test", "pytest", production=False)


def test_a_chain_ends_at_a_production_entry_point_when_there_is_one() -> None:
    # core.py is reached from the test by a shorter chain, and from production by a longer one.
    uses = [
        use("tests/test_x.py", "lib/core.py", 3),
        use("app/main.py", "app/service.py", 1),
        use("app/service.py", "lib/core.py", 7),
        use("lib/core.py", "lib/util.py", 2),
        use("comp/run.py", "lib/util.py", 4),
        use("comp/run.py", "lib/core.py", 5),
    ]
    found = verdicts(uses, [SERVE, TEST], {"comp/run.py"})
    util = found["lib/util.py"]
    assert (util.verdict, util.reason) == ("keep", "used by lib/core.py")
    assert util.chain == [
        "lib/util.py",
        "lib/core.py",
        "app/service.py",
        "app/main.py",
        "run by compose.yml: service api command",
    ]
    assert util.route == [
        "lib/util.py",
        "lib/core.py:2 (import)",
        "app/service.py:7 (import)",
        "app/main.py:1 (import)",
        "run by compose.yml: service api command",
    ]
    # The file on the way has its own chain: the same one, one step shorter.
    assert found["lib/core.py"].chain == util.chain[1:]
    assert found["lib/core.py"].route == ["lib/core.py", *util.route[2:]]


def test_what_only_a_test_reaches_has_the_chain_up_to_that_test() -> None:
    uses = [
        use("tests/test_x.py", "tests/helper.py", 5, "relative import"),
        use("tests/helper.py", "lib/deep.py", 9),
        use("comp/run.py", "lib/deep.py", 1),
        use("app/main.py", "app/service.py", 1),
    ]
    found = verdicts(uses, [SERVE, TEST], {"comp/run.py"})
    deep = found["lib/deep.py"]
    assert deep.verdict == "review"
    assert deep.reason == "used only by tests, examples or scripts: tests/helper.py"
    assert deep.chain == ["lib/deep.py", "tests/helper.py", "tests/test_x.py", "run by pytest"]
    assert deep.route == [
        "lib/deep.py",
        "tests/helper.py:9 (import)",
        "tests/test_x.py:5 (relative import)",
        "run by pytest",
    ]


def test_a_file_only_the_removal_reaches_has_no_chain() -> None:
    uses = [use("comp/run.py", "comp/inner.py", 1), use("app/main.py", "app/service.py", 1)]
    found = verdicts(uses, [SERVE, TEST], {"comp/run.py"})
    inner = found["comp/inner.py"]
    assert (inner.verdict, inner.reason, inner.chain, inner.route) == (
        "remove",
        "only the component uses it",
        [],
        [],
    )
