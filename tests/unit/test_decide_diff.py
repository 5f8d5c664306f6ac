"""humectl.decide.diff: field-level deltas, text diffs, and notes for changes nobody can see."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

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


def _apply(before: dict[str, Any], changes: list[Any]) -> dict[str, Any]:
    """``before`` with each FieldChange applied at its path (``after`` None: the key removed)."""
    import copy
    import re

    out = copy.deepcopy(before)
    for change in changes:
        parts: list[str | int] = [
            int(m.group(2)) if m.group(2) else m.group(1) for m in re.finditer(r"([^.\[\]]+)|\[(\d+)\]", change.path)
        ]
        node: Any = out
        for part in parts[:-1]:
            node = node.setdefault(part, {}) if isinstance(part, str) else node[part]
        if change.after is None and isinstance(parts[-1], str):
            node.pop(parts[-1], None)
        else:
            node[parts[-1]] = change.after
    return out


_SCALARS = st.sampled_from([True, False, 2, 3, "a", "b", "ITO"])
_KEYS = st.sampled_from(["voice", "name", "enabled", "duration_secs", "text", "x"])
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.dictionaries(_KEYS, inner, min_size=1, max_size=4),
    max_leaves=12,
)


@given(st.dictionaries(_KEYS, _VALUES, max_size=5), st.dictionaries(_KEYS, _VALUES, max_size=5))
def test_the_field_diff_says_exactly_what_changed(before: dict[str, Any], after: dict[str, Any]) -> None:
    """Applying the reported changes to ``before`` gives ``after``; every reported change changes
    something; paths are sorted and unique."""
    changes = diff_fields(before, after)
    assert _apply(before, changes) == after
    assert all(c.before != c.after for c in changes)
    paths = [c.path for c in changes]
    assert paths == sorted(set(paths))


def test_a_nested_list_is_diffed_item_by_item_when_its_length_stays() -> None:
    before = {"section": {"items": [{"url": "a"}, {"url": "b"}]}}
    after = {"section": {"items": [{"url": "a"}, {"url": "c"}]}}
    assert [(c.path, c.before, c.after) for c in diff_fields(before, after)] == [("section.items[1].url", "b", "c")]
    longer = {"section": {"items": [{"url": "a"}, {"url": "b"}, {"url": "c"}]}}
    [whole] = diff_fields(before, longer)
    assert whole.path == "section.items" and whole.after == longer["section"]["items"]


def test_json_text_fields_are_diffed_as_the_data_they_hold() -> None:
    before = {"parameters": '{"properties":{"id":{"type":"string"}},"required":["id"],"type":"object"}'}
    after = {"parameters": '{"properties":{"id":{"type":"integer"},"x":{"type":"boolean"}},"type":"object"}'}
    assert [(c.path, c.before, c.after) for c in diff_fields(before, after, json_fields=("parameters",))] == [
        ("parameters.properties.id.type", "string", "integer"),
        ("parameters.properties.x", None, {"type": "boolean"}),
        ("parameters.required", ["id"], None),
    ]
    # without json_fields (and when a side is not JSON) the strings are compared whole
    assert [c.path for c in diff_fields(before, after)] == ["parameters"]
    broken = {"parameters": "{not json"}
    assert [(c.path, c.before) for c in diff_fields(broken, after, json_fields=("parameters",))] == [
        ("parameters", "{not json")
    ]
