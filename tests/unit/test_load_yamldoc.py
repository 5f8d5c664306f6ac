"""humectl.load.yamldoc: one YAML file read safely, with the line and column of every node."""

from __future__ import annotations

from pathlib import Path

from humectl.load.yamldoc import parse


def _parse(text: str, variables: dict[str, str] | None = None) -> tuple[object, list[object]]:
    doc, problems = parse(text, path=Path("evi.yaml"), rel="evi.yaml", display="evi.yaml", variables=variables)
    return doc, problems


def test_positions_by_json_pointer() -> None:
    doc, problems = _parse("prompts:\n  - name: a\n    text: hi\n")
    assert not problems
    assert doc.data == {"prompts": [{"name": "a", "text": "hi"}]}  # type: ignore[attr-defined]
    assert doc.position("/prompts/0/text") == (3, 11)  # the value's position  # type: ignore[attr-defined]


def test_variables_are_substituted_and_escapes_kept() -> None:
    doc, problems = _parse("prompts:\n  - name: ${who}\n    text: $${literal}\n", {"who": "bob"})
    assert not problems
    assert doc.data["prompts"][0] == {"name": "bob", "text": "${literal}"}  # type: ignore[attr-defined]


def test_duplicate_keys_are_problems_not_silently_merged() -> None:
    _, problems = _parse("prompts:\n  - name: a\n    name: b\n")
    assert problems
