"""humectl.load.project: humectl.yaml's retention: (top level, an environment's over it, checked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from humectl.core.errors import ManifestError
from humectl.load.manifests import load_manifests
from humectl.model.desired import LoadOptions


def project(tmp_path: Path, text: str) -> Path:
    (tmp_path / "m.yaml").write_text("prompts:\n  - {name: a, text: x}\n")
    (tmp_path / "humectl.yaml").write_text(text)
    return tmp_path


def test_retention_of_the_top_level_and_of_an_environment(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        "retention: {keep_versions: 10}\nenvironments:\n  dev: {name_prefix: dev-, retention: {keep_versions: 2}}\n"
        "  prod: {name_prefix: ''}\n",
    )
    assert load_manifests(root).retention.keep_versions == 10
    assert load_manifests(root, LoadOptions(environment="dev")).retention.keep_versions == 2
    assert load_manifests(root, LoadOptions(environment="prod")).retention.keep_versions == 10
    (tmp_path / "humectl.yaml").write_text("variables: {}\n")
    assert load_manifests(root).retention.keep_versions is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("retention: {keep_versions: 0}\n", "keep_versions must be a whole number of at least 1"),
        ("retention: {keep_versions: two}\n", "keep_versions must be a whole number of at least 1"),
        ("retention: {keep: 3}\n", "unknown field 'keep' in retention"),
        ("retention: 3\n", "retention must be a mapping (keep_versions)"),
        ("retention: {keep_versions: true}\n", "keep_versions must be a whole number of at least 1"),
    ],
)
def test_retention_problems(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ManifestError) as caught:
        load_manifests(project(tmp_path, text))
    assert any(message in p.message for p in caught.value.problems), [p.message for p in caught.value.problems]
