"""The expression that finds worker and child-process calls: written for speed (every
alternative starts with a literal character), it finds exactly what its plain form finds."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from consolidate.analysis.frameworks.node_workers import _CALL

# The plain form: each alternative with its look-behind first.
PLAIN = re.compile(
    r"""
    //[^\n]*|/\*[\s\S]*?\*/
  | "(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\[\s\S])*`
  | (?P<call>
        (?<![\w$.])new\s+(?:Shared)?Worker
      | \bserviceWorker\s*\.\s*register
      | (?<![\w$.])(?:(?:child_process|childProcess|cp)\s*\.\s*)?
        (?:fork|spawn|spawnSync|execFile|execFileSync|exec|execSync)
      | (?<![\w$.])import\s*\.\s*meta\s*\.\s*(?:glob(?:Eager)?|resolve)
      | (?<![\w$.])require\s*\.\s*resolve
      | (?<![\w$.])new\s+URL
    )\s*\(
    """,
    re.VERBOSE,
)
# Whole call heads, near misses and what may stand before them or around them: the
# expressions differ, if at all, where a head meets what precedes it.
PIECES = [
    "new Worker(", "new  SharedWorker (", "new URL(", "new\nURL(", "serviceWorker.register(",
    "serviceWorker . register(", "cp.fork(", "child_process . execFileSync(", "childProcess.exec(",
    "fork(", "spawn(", "spawnSync(", "execFile(", "execSync (", "exec(", "import.meta.glob(",
    "import . meta.globEager(", "import.meta.resolve(", "require.resolve(", "cork(", "xec(",
    "Worker(", "new", "cp", "$", ".", "x", "_", "1", " ", "\n", '"', "'", "`", "\\", "//",
    "/*", "*/", ";",
]  # fmt: skip


def calls(pattern: re.Pattern[str], text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m["call"]) for m in pattern.finditer(text) if m["call"]]


@settings(max_examples=1000)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_same_calls_as_the_plain_expression(text: str) -> None:
    assert calls(_CALL, text) == calls(PLAIN, text)


def test_what_counts_as_a_call() -> None:
    text = (
        "new Worker(a); x.new Worker(b); cork(c); re.exec(d); cp . spawnSync (e);\n"
        "$fork(f); navigator.serviceWorker.register(g); aserviceWorker.register(h);\n"
        "'fork(i)'; // exec(j)\n"
        "import.meta.globEager(k); require.resolve(l); new SharedWorker(m); execFile(n)"
    )
    assert [call for _, _, call in calls(_CALL, text)] == [
        "new Worker",
        "cp . spawnSync",
        "serviceWorker.register",
        "import.meta.globEager",
        "require.resolve",
        "new SharedWorker",
        "execFile",
    ]
