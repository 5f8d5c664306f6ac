"""humectl.core.provenance: the marker humectl writes into version_description, and reading it back."""

from __future__ import annotations

from humectl.core import provenance


def test_the_marker_round_trips() -> None:
    text = provenance.describe("  fix greeting ", "ab12cd34", protect=True, prefix="dev-")
    assert text == "fix greeting [humectl ab12cd34 protect prefix=dev-]"
    assert provenance.made_by_humectl(text) and provenance.is_protected(text)
    assert provenance.run_id_of(text) == "ab12cd34"
    assert provenance.strip_marker(text) == "fix greeting"
    assert provenance.recorded_prefix(text) == "dev-"


def test_a_description_without_marker_is_not_humectls() -> None:
    assert not provenance.made_by_humectl("edited in the dashboard")
    assert provenance.run_id_of("edited in the dashboard") is None
    assert not provenance.is_protected(None)
    assert provenance.strip_marker(None) is None
    assert provenance.describe(None, "r1") == f"{provenance.DEFAULT_TEXT} [humectl r1]"
