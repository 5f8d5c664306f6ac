"""humectl.load.removed: the manifests' removed: section, with the environment's prefix; errors for an
address the manifests still define (by name or previous_names) or one listed twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from humectl.core.errors import ManifestError
from humectl.load.manifests import load_manifests
from humectl.model.desired import LoadOptions


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "m.yaml").write_text(text)
    return tmp_path


def test_entries_are_read_with_the_prefix(tmp_path: Path) -> None:
    root = write(
        tmp_path, "prompts:\n  - {name: a, text: x}\nremoved:\n  - address: prompt/old\n  - address: config/c\n"
    )
    loaded = load_manifests(root, LoadOptions(name_prefix="dev-"))
    assert [(r.address, r.source.file, r.source.line) for r in loaded.removed] == [
        ("prompt/dev-old", "m.yaml", 4),
        ("config/dev-c", "m.yaml", 5),
    ]


def test_a_file_holding_only_removed_entries_is_a_manifest(tmp_path: Path) -> None:
    write(tmp_path, "removed:\n  - address: tool/t\n")
    (tmp_path / "p.yaml").write_text("prompts:\n  - {name: a, text: x}\n")
    assert [r.address for r in load_manifests(tmp_path).removed] == ["tool/t"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "prompts:\n  - {name: a, text: x}\nremoved:\n  - address: prompt/a\n",
            "prompt/a is listed under removed: but the manifests still manage it: m.yaml:2 defines",
        ),
        (
            "prompts:\n  - {name: a, text: x, previous_names: [old]}\nremoved:\n  - address: prompt/old\n",
            "m.yaml:2 renames it to a (previous_names)",
        ),
        (
            "prompts:\n  - {name: a, text: x}\nremoved:\n  - address: tool/t\n  - address: tool/t\n",
            "tool/t is listed under removed: twice (first at m.yaml:4)",
        ),
        ("prompts:\n  - {name: a, text: x}\nremoved:\n  - address: voice/v\n", "does not match the pattern"),
    ],
)
def test_problems(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ManifestError) as caught:
        load_manifests(write(tmp_path, text))
    assert any(message in p.message for p in caught.value.problems), [p.message for p in caught.value.problems]
