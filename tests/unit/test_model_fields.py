"""humectl.model.fields: one changed field (dotted path, before, after), with a note when both sides
are text that reads the same."""

from __future__ import annotations

import dataclasses

import pytest

from humectl.model.fields import FieldChange


def test_a_visible_change_has_no_note() -> None:
    change = FieldChange("text", "Hello", "Goodbye")
    assert change.note is None
    assert change.to_dict() == {"path": "text", "before": "Hello", "after": "Goodbye"}  # no "note" key


@pytest.mark.parametrize(
    ("before", "after", "note"),
    [
        ("a b", "a  b", "whitespace only"),
        ("a\r\nb", "a\nb", "line endings only"),
    ],
)
def test_text_that_reads_the_same_says_how_it_differs(before: str, after: str, note: str) -> None:
    change = FieldChange("text", before, after)
    assert change.note == note
    assert change.to_dict() == {"path": "text", "before": before, "after": after, "note": note}


@pytest.mark.parametrize(("before", "after"), [(1, 2), (None, "x"), ("x", None), ({"a": 1}, {"a": 2}), (" ", 0)])
def test_only_text_on_both_sides_gets_a_note(before: object, after: object) -> None:
    change = FieldChange("timeouts.inactivity.duration_secs", before, after)
    assert change.note is None
    assert change.to_dict() == {"path": "timeouts.inactivity.duration_secs", "before": before, "after": after}


def test_it_is_frozen_plain_data() -> None:
    change = FieldChange("p", 1, 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        change.path = "q"  # type: ignore[misc]
    assert change == FieldChange("p", 1, 2) and hash(change) == hash(FieldChange("p", 1, 2))
