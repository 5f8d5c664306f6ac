"""humectl.render.visible: markers that make invisible differences visible."""

from __future__ import annotations

from humectl.render import visible


def test_trailing_whitespace_is_shown() -> None:
    shown = visible.value("hello ", "trailing whitespace")
    assert shown != "hello " and "hello" in shown


def test_without_a_note_text_is_as_is() -> None:
    assert visible.value("hello") == "hello"
    assert visible.label(None) == ""
