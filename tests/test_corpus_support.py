"""The compose-corpus tests skip without the corpus, unless CI is set: then they fail."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus_support import corpus_dir, missing_reason, require_corpus


def test_absent_corpus_skips_with_the_reason_outside_ci(tmp_path: Path) -> None:
    absent = tmp_path / "nowhere"
    with pytest.raises(pytest.skip.Exception, match=r"compose corpus not found at .*nowhere"):
        require_corpus(absent, ci=False)


def test_absent_corpus_fails_in_ci(tmp_path: Path) -> None:
    absent = tmp_path / "nowhere"
    with pytest.raises(pytest.fail.Exception, match=r"not found at .*nowhere.*CI must have it"):
        require_corpus(absent, ci=True)


def test_ci_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        require_corpus(tmp_path / "nowhere")
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception):
        require_corpus(tmp_path / "nowhere")


def test_a_folder_without_compose_files_is_not_a_corpus(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    assert missing_reason(tmp_path) == f"no .yml/.yaml files in the compose corpus at {tmp_path}"
    (tmp_path / "a.yml").write_text("services: {}\n", encoding="utf-8")
    assert missing_reason(tmp_path) is None
    require_corpus(tmp_path, ci=True)  # present: neither skips nor fails


def test_the_corpus_location_can_be_set(tmp_path: Path) -> None:
    assert corpus_dir({"CONSOLIDATE_CORPUS": str(tmp_path)}) == tmp_path
    assert corpus_dir({}).parts[-3:] == ("shared", "corpus", "compose")
