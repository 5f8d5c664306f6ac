"""humectl.decide.diff: field-level deltas, text diffs, and notes for changes nobody can see."""

from __future__ import annotations

from humectl.core.text import normalise_line_endings, text_change_note
from humectl.decide.diff import diff_fields, unified_diff


def test_field_changes_by_dotted_path() -> None:
    changes = diff_fields({"a": {"b": 1}, "c": 1}, {"a": {"b": 2}, "d": 1})
    paths = {c.path: (c.before, c.after) for c in changes}
    assert paths["a.b"] == (1, 2)
    assert paths["c"] == (1, None) and paths["d"] == (None, 1)


def test_text_helpers() -> None:
    assert normalise_line_endings("a\r\nb\rc") == "a\nb\nc"
    diff = unified_diff("a\nb\n", "a\nc\n", "a/x", "b/x")
    assert "-b" in diff and "+c" in diff
    assert text_change_note("hello", "hello ") is not None  # reads the same
    assert text_change_note("hello", "goodbye") is None
