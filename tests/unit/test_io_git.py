"""humectl.io.git: the commit a run applies (``git <sha>: <subject>`` of HEAD), from a real git work
tree; anything else (no repository, no commit, no git at all) is None, never an error."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from humectl.io.git import git_commit, git_message


@pytest.fixture(autouse=True)
def _no_outer_repository(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))  # never find a repository above tmp_path


def git(directory: Path, *args: str) -> str:
    command = ["git", "-C", str(directory), "-c", "user.name=t", "-c", "user.email=t@example.com", *args]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()


def repository(tmp_path: Path) -> Path:
    work = tmp_path / "evi"
    work.mkdir()
    git(work, "init", "-q")
    (work / "prompts.yaml").write_text("prompts: []\n", encoding="utf-8")
    git(work, "add", ".")
    git(work, "commit", "-q", "-m", "Add the greeter: shorter")
    return work


def test_head_of_a_work_tree(tmp_path: Path) -> None:
    work = repository(tmp_path)
    sha = git(work, "rev-parse", "--short", "HEAD")
    assert git_message(work) == f"git {sha}: Add the greeter: shorter"
    assert git_commit(work) == sha
    (work / "prompts").mkdir()
    assert git_commit(work / "prompts") == sha  # a subdirectory of the work tree


def test_the_newest_commit_is_the_one(tmp_path: Path) -> None:
    work = repository(tmp_path)
    git(work, "commit", "-q", "--allow-empty", "-m", "second")
    assert git_message(work) == f"git {git(work, 'rev-parse', '--short', 'HEAD')}: second"


def test_no_repository_is_none(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    assert git_message(plain) is None and git_commit(plain) is None
    assert git_message(tmp_path / "missing") is None


def test_a_repository_without_commits_is_none(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    assert git_message(empty) is None and git_commit(empty) is None


def test_no_git_program_is_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = repository(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    assert git_message(work) is None and git_commit(work) is None
