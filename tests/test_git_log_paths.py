"""The history of some files (`Git.log`, `Git.start_log(paths=...)`): read through a few
pathspecs, and the same facts for those files as the whole history gives."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from repo_support import RepoFactory, git

from consolidate.analysis.history import history
from consolidate.analysis.investigation import investigate
from consolidate.gitio import Git, LogEntry, LogRun, pathspecs


def touching(entries: list[LogEntry], paths: Collection[str]) -> list[tuple[str, tuple[str, ...]]]:
    """Each commit that touches one of `paths`, with those of them it touches."""
    out = []
    for entry in entries:
        mine = tuple(p for p in entry.paths if p in paths)
        if mine:
            out.append((entry.commit, mine))
    return out


def test_few_paths_are_their_own_pathspecs_and_many_become_their_folders() -> None:
    assert pathspecs(["b/x.py", "a.py", "b/x.py"]) == ["a.py", "b/x.py"]
    many = [f"backend/pkg{i}/mod{j}.py" for i in range(100) for j in range(10)]
    assert pathspecs([*many, "backend/app.py"], most=64) == ["backend"]
    assert pathspecs([*many, "frontend/src/a.ts"], most=64) == ["backend", "frontend"]
    some = [f"backend/pkg{i}/mod{j}.py" for i in range(30) for j in range(10)]
    assert pathspecs([*some, "backend/app.py"], most=64) == [
        "backend/app.py",
        *sorted(f"backend/pkg{i}" for i in range(30)),
    ]
    assert pathspecs([f"top{i}.py" for i in range(65)], most=64) is None  # only everything
    assert pathspecs([]) == []


paths = st.lists(
    st.lists(st.sampled_from(["a", "b", "c.py", "d", "e.ts"]), min_size=1, max_size=4).map(
        "/".join
    ),
    max_size=40,
)


@given(paths, st.integers(min_value=1, max_value=8))
def test_every_path_is_under_a_pathspec_and_there_are_never_too_many(
    chosen: list[str], most: int
) -> None:
    specs = pathspecs(chosen, most=most)
    if specs is None:  # more top-level entries than `most`
        assert len({p.split("/")[0] for p in chosen}) > most
        return
    assert len(specs) <= most
    for path in chosen:
        assert any(path == s or path.startswith(s + "/") for s in specs)


def merged_history(make_repo: RepoFactory) -> Path:
    """A side branch changes a/x.py; its merge keeps main's version (`-s ours`), so git's
    default simplification of `git log -- a/x.py` leaves the side branch's commit out."""
    repo = make_repo({"a/x.py": "x = 1\n", "b/y.py": "y = 1\n", "a/[x].py": "z = 1\n"})
    git(repo, "checkout", "-q", "-b", "side")
    (repo / "a" / "x.py").write_text("x = 2\n")
    git(repo, "commit", "-qam", "side", env={"GIT_AUTHOR_NAME": "Side Author"})
    git(repo, "checkout", "-q", "main")
    (repo / "b" / "y.py").write_text("y = 2\n")
    (repo / "a" / "[x].py").write_text("z = 2\n")  # a name that is a glob pattern
    git(repo, "commit", "-qam", "main")
    git(repo, "merge", "-q", "-s", "ours", "side", "-m", "merge")
    return repo


def test_a_files_history_holds_a_merged_branch_commit_that_kept_nothing(
    make_repo: RepoFactory,
) -> None:
    repo = merged_history(make_repo)
    side = git(repo, "rev-parse", "side").strip()
    simplified = git(repo, "log", "--format=%H", "--", "a/x.py").split()
    assert side not in simplified  # what git's default would have missed
    handle = Git.open(repo)
    for chosen in (["a/x.py"], ["a/[x].py"], ["a/x.py", "b/y.py"]):
        whole = touching(handle.log_all(), chosen)
        assert touching(handle.log(chosen), chosen) == whole
        assert touching(handle.start_log(paths=chosen).result(), chosen) == whole
    assert (side, ("a/x.py",)) in touching(handle.log(["a/x.py"]), ["a/x.py"])


def test_a_repository_that_follows_renames_still_gives_one_files_own_history(
    make_repo: RepoFactory,
) -> None:
    repo = make_repo({"old/z.py": "a\nb\nc\nd\ne\n"})
    git(repo, "mv", "old/z.py", "z.py")
    git(repo, "commit", "-qm", "move")
    git(repo, "config", "log.follow", "true")  # a user's setting: one path gets --follow
    handle = Git.open(repo)
    assert touching(handle.log(["z.py"]), {"z.py", "old/z.py"}) == touching(
        handle.log_all(), {"z.py"}
    )


def test_no_paths_run_no_git_log(make_repo: RepoFactory) -> None:
    handle = Git.open(make_repo({"a.py": "x = 1\n"}))
    run = handle.start_log(paths=[])
    assert (run.process, run.result(), handle.log([])) == (None, [], [])
    run.stop()  # nothing to stop


def test_an_investigation_reads_the_history_of_its_candidates_only(
    make_repo: RepoFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(
        {
            "orchestrator/main.py": "from orchestrator import util\n",
            "orchestrator/util.py": "X = 1\n",
            "web/app.py": "print('web')\n",
            "web/Dockerfile": 'CMD ["python", "web/app.py"]\n',
        }
    )
    for i in range(3):
        (repo / "web" / "app.py").write_text(f"print({i})\n")
        (repo / "orchestrator" / "util.py").write_text(f"X = {i}\n")
        git(repo, "commit", "-qam", f"change {i}", env={"GIT_AUTHOR_NAME": f"Dev {i}"})
    asked: list[list[str] | None] = []
    real = Git.start_log

    def start(
        self: Git, *, background: bool = False, paths: Collection[str] | None = None
    ) -> LogRun:
        asked.append(None if paths is None else sorted(paths))
        return real(self, background=background, paths=paths)

    monkeypatch.setattr(Git, "start_log", start)
    handle = Git.open(repo)
    found = investigate(handle, "orchestrator", date="2030-01-01", docker=None)
    rows = found["files"]
    assert asked == [["orchestrator/main.py", "orchestrator/util.py"]]
    assert pathspecs(asked[0] or []) == ["orchestrator/main.py", "orchestrator/util.py"]
    # The facts are those the whole history gives.
    again = [{"path": r["path"]} for r in rows]
    removal = [r["path"] for r in rows if r["verdict"] == "remove"]
    whole = history(
        handle, [r["path"] for r in rows], again, "2030-01-01", removal, handle.log_all()
    )
    assert found["history"] == whole and whole["commits"] == 4
    assert [{k: r[k] for k in again[0]} for r in rows] == again
    util = next(r for r in rows if r["path"] == "orchestrator/util.py")
    assert util["commits"] == 4 and {"Dev 0", "Dev 1", "Dev 2"} < set(util["authors"])
