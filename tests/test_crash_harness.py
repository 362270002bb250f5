"""Kill the run with SIGKILL at every failpoint; both recoveries must be exact.

An uninterrupted run of a small but complete removal (files, a migrate move, compose, docs,
a script, validation, the commit, a backup branch and, with a daemon, an image tag) lists the
points it passes (`CONSOLIDATE_FAILPOINT_TRACE`). Then, for every point, on a fresh copy:

- resume: the killed run is run again and must end with the same tree and commit message as
  the uninterrupted run (author and dates fixed);
- rollback: must restore the repository byte for byte (HEAD, refs, index, every file by type,
  mode and hash, no `*.lock`) and the Docker tags; a second rollback does nothing.

The rollback itself is killed at each of its points too, and a second rollback must finish it.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import shutil
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from cli_server import CliPool, cli_pool
from docker_support import TEST_IMAGE, daemon_available, running_in_ci
from repo_support import RepoFactory, consolidate, git, repo_state

DATE = "2026-11-20"
REPRO = {
    "SOURCE_DATE_EPOCH": "1795176000",
    "GIT_AUTHOR_DATE": "2026-11-20T12:00:00+00:00",
    "GIT_COMMITTER_DATE": "2026-11-20T12:00:00+00:00",
}
IMAGE = "consolidate-crash/orchestrator"
WORKERS = 3  # recoveries at once, each with its own CLI server (they wait on fsync and git)


class HarnessSummary(UserWarning):
    """Carries the number of points into pytest's warnings summary."""


# A validate command that writes build output. It pauses half a second only where a kill is
# to land while it runs (failpoint validate:command:0:running, reached after 0.2 s) or when
# the points are traced; elsewhere the pause would only slow the harness down.
BUILD = (
    "import os, pathlib, time; out = pathlib.Path('build'); out.mkdir(exist_ok=True);"
    " (out / 'a.txt').write_text('a'); point = os.environ.get('CONSOLIDATE_FAILPOINT', '');"
    " time.sleep(0.5 if point.endswith(':running') or 'CONSOLIDATE_FAILPOINT_TRACE' in"
    " os.environ else 0); (out / 'b.txt').write_text('b')"
)


def files(image: str) -> dict[str, str]:
    return {
        "app/main.py": "import helpers\nprint(helpers.VALUE)\n",
        "app/helpers.py": "VALUE = 1\n",
        "orchestrator/main.py": "print('never ran')\n",
        "orchestrator/steps.py": "STEPS = []\n",
        "orchestrator/shared.py": "SHARED = 1\n",
        "docker-compose.yml": (
            "services:\n  app:\n    build: ./app\n    command: python main.py\n"
            "    depends_on: [orchestrator]\n\n"
            f"  # never worked\n  orchestrator:\n    image: {image}:latest\n"
            "    volumes: [state:/state]\n\nvolumes:\n  state:\n"
        ),
        "CHANGELOG.md": "# Changelog\n\n## [Unreleased]\n\n## [1.0.0] - 2026-01-01\n\n- First.\n",
        "ARCHITECTURE.md": "# Architecture\n\nThe app and an orchestrator.\n",
        "scripts/dev.sh": '#!/bin/bash\nSERVICES=(app orchestrator)\necho "${SERVICES[@]}"\n',
        ".gitignore": "__pycache__/\nbuild/\n",
        "playbooks/orchestrator.yaml": (
            "component: orchestrator\nsummary: Never ran.\n"
            "files: [orchestrator/main.py, orchestrator/steps.py]\n"
            "migrate:\n  - move: {from: orchestrator/shared.py, to: app/shared.py}\n"
            "compose:\n  docker-compose.yml: [orchestrator]\n"
            "scripts:\n  - file: scripts/dev.sh\n"
            f"validate:\n  - name: build\n    run: python -c {BUILD!r}\n"
        ),
    }


def same_image(text: str) -> str:
    """Each copy has its own image repository (so copies can run at once) and so its own base
    commit; compare without them."""
    text = re.sub(r"consolidate-crash-\d+/", "consolidate-crash-N/", text)
    return re.sub(r"`[0-9a-f]{12}`", "`<commit>`", text)


def final_tree(repo: Path) -> dict[str, str]:
    names = git(repo, "ls-tree", "-r", "--name-only", "HEAD").split("\n")
    out = {name: same_image(git(repo, "show", f"HEAD:{name}")) for name in names if name}
    report = "ORCHESTRATOR_REMOVAL_REPORT.md"
    if report in out:  # validation durations differ from run to run
        lines = out[report].splitlines()
        out[report] = "\n".join(line for line in lines if not ("|" in line and "passed" in line))
    return out


class Harness:
    def __init__(self, tmp: Path, docker: Any | None, pool: CliPool) -> None:
        self.tmp = tmp
        self.pool = pool
        self.docker = docker
        self.count = itertools.count(1)
        self.template = RepoFactory(tmp)(files(IMAGE), name="template")
        self.flags = [] if docker else ["--no-image-backup"]
        self.images: list[str] = []

    def copy(self, label: str) -> tuple[Path, str]:
        """A fresh copy of the template with an image repository of its own."""
        number = next(self.count)
        target = self.tmp / f"{label}-{number}"
        shutil.copytree(self.template, target, symlinks=True)
        image = f"consolidate-crash-{number}/orchestrator"
        compose = target / "docker-compose.yml"
        compose.write_text(compose.read_text().replace(IMAGE, image))
        git(target, "commit", "-qam", "its own image")
        if self.docker is not None:
            # A backup tag left by an interrupted earlier session would change the plan.
            with contextlib.suppress(Exception):
                self.docker.images.remove(f"{image}:backup-{DATE}", noprune=True)
            self.docker.images.get(TEST_IMAGE).tag(image, "latest")
            self.images.append(image)
        return target, image

    def run(self, repo: Path, point: str | None = None, trace: Path | None = None) -> Any:
        env = dict(REPRO)
        if point:
            env["CONSOLIDATE_FAILPOINT"] = point
        if trace:
            env["CONSOLIDATE_FAILPOINT_TRACE"] = str(trace)
        return consolidate(
            repo, "run", "orchestrator", "--yes", *self.flags, env=env, pool=self.pool
        )

    def rollback(self, repo: Path, point: str | None = None, trace: Path | None = None) -> Any:
        env = {"CONSOLIDATE_FAILPOINT": point} if point else {}
        if trace:
            env["CONSOLIDATE_FAILPOINT_TRACE"] = str(trace)
        return consolidate(repo, "rollback", "--yes", env=env, pool=self.pool)

    def tags(self, image: str) -> dict[str, str | None]:
        if self.docker is None:
            return {}
        out: dict[str, str | None] = {}
        for tag in (f"{image}:latest", f"{image}:backup-{DATE}"):
            try:
                out[tag] = self.docker.images.get(tag).id
            except Exception:
                out[tag] = None
        return out


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Any:
    client = None
    if daemon_available():
        import docker

        client = docker.from_env(timeout=30)
    elif running_in_ci():
        pytest.fail("CI is set but no Docker daemon answers: the harness needs the tags too")
    with cli_pool(WORKERS) as pool:
        harness = Harness(tmp_path_factory.mktemp("crash"), client, pool)
        yield harness
    for image in harness.images if client is not None else []:
        for tag in (f"{image}:latest", f"{image}:backup-{DATE}"):
            with contextlib.suppress(Exception):
                client.images.remove(tag, noprune=True)


def traced(act: Callable[[Path, Path], Any], repo: Path, label: str) -> list[str]:
    trace = repo.parent / f"{repo.name}.{label}.trace"
    result = act(repo, trace)
    assert result.returncode == 0, result.stderr
    return list(dict.fromkeys(trace.read_text().split()))


def check_resume(harness: Harness, point: str, reference: dict[str, str], message: str) -> None:
    repo, _image = harness.copy("resume")
    killed = harness.run(repo, point)
    assert killed.returncode == -9, (point, killed.stderr)
    resumed = harness.run(repo)
    assert resumed.returncode == 0, (point, resumed.stderr)
    assert final_tree(repo) == reference, point
    assert same_image(git(repo, "log", "-1", "--format=%B")) == message, point
    assert git(repo, "status", "--porcelain") == "", point


def check_rollback(harness: Harness, point: str) -> None:
    repo, image = harness.copy("rollback")
    before, tags = repo_state(repo), harness.tags(image)
    killed = harness.run(repo, point)
    assert killed.returncode == -9, (point, killed.stderr)
    undo = harness.rollback(repo)
    assert undo.returncode == 0, (point, undo.stderr)
    assert repo_state(repo) == before, point
    assert harness.tags(image) == tags, point
    again = harness.rollback(repo)
    assert again.returncode == 0 and "nothing to do" in again.stdout, point


def check_rollback_crash(harness: Harness, point: str) -> None:
    repo, image = harness.copy("undo")
    before, tags = repo_state(repo), harness.tags(image)
    assert harness.run(repo).returncode == 0
    killed = harness.rollback(repo, point)
    assert killed.returncode == -9, (point, killed.stderr)
    status = json.loads(consolidate(repo, "status", "--json", pool=harness.pool).stdout)
    assert status["status"] == "rolling-back", point
    assert harness.rollback(repo).returncode == 0, point
    assert repo_state(repo) == before, point
    assert harness.tags(image) == tags, point


@pytest.mark.docker  # the image tags, when a daemon answers
def test_every_failpoint_resumes_and_rolls_back(harness: Harness) -> None:
    reference, image = harness.copy("reference")
    tags = harness.tags(image)
    run_points = traced(lambda repo, trace: harness.run(repo, trace=trace), reference, "run")
    tree = final_tree(reference)
    message = same_image(git(reference, "log", "-1", "--format=%B"))
    undo_points = traced(
        lambda repo, trace: harness.rollback(repo, trace=trace), reference, "rollback"
    )
    assert harness.tags(image) == tags
    assert len(run_points) > 40 and any(p.endswith(":applied") for p in run_points)
    assert "action:commit:0:applied" in run_points and "validate:command:0:done" in run_points
    assert {"validate:command:0:running", "validate:compose-check"} <= set(run_points)
    if harness.docker is not None:
        assert any(p.startswith("action:backup:") for p in run_points)
    jobs: list[Callable[[], None]] = []
    jobs += [lambda p=p: check_resume(harness, p, tree, message) for p in run_points]
    jobs += [lambda p=p: check_rollback(harness, p) for p in run_points]
    jobs += [lambda p=p: check_rollback_crash(harness, p) for p in undo_points]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for future in [pool.submit(job) for job in jobs]:
            future.result()
    summary = (
        f"crash harness: {len(run_points)} run points x (resume, rollback) and "
        f"{len(undo_points)} rollback points, {len(jobs)} recoveries checked"
        + (" with Docker tags" if harness.docker is not None else " without Docker")
    )
    print(summary)
    warnings.warn(summary, HarnessSummary, stacklevel=1)
