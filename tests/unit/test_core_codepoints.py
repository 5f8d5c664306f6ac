"""humectl.core.codepoints: which code points are unsafe to show raw or to put in a name."""

from __future__ import annotations

from humectl.core.codepoints import describe, first_unsafe, unsafe_class


def test_classes() -> None:
    assert unsafe_class("\x1b") == "control"
    assert unsafe_class("\u202e") == "bidi control"
    assert unsafe_class("\u2028") == "line separator"
    assert unsafe_class("\u200b") == "invisible"
    assert unsafe_class("a") is None and unsafe_class("é") is None
    assert unsafe_class("\u00a0") is None and unsafe_class("\u00a0", strict=True) == "space"


def test_a_joiner_inside_an_emoji_sequence_is_fine_unless_strict() -> None:
    assert unsafe_class("\u200d", before="👩", after="💻") is None
    assert unsafe_class("\u200d", strict=True, before="👩", after="💻") == "invisible"
    assert first_unsafe("ok 👩\u200d💻") is None


def test_first_unsafe_and_its_name() -> None:
    assert first_unsafe("abc\u202edef") == (3, "\u202e", "bidi control")
    assert describe("\u202e") == "U+202E RIGHT-TO-LEFT OVERRIDE"
