"""humectl.render.style: colour decided once (NO_COLOR, FORCE_COLOR), summary lines."""

from __future__ import annotations

import io

from humectl.render.style import summary_line, use_colour


def test_no_color_and_force_color() -> None:
    assert not use_colour(io.StringIO(), {"NO_COLOR": "1", "FORCE_COLOR": "1"})
    assert use_colour(io.StringIO(), {"FORCE_COLOR": "1"})
    assert not use_colour(io.StringIO(), {})  # not a terminal


def test_summary_line_counts_every_action() -> None:
    line = summary_line({"create": 1, "version": 2, "rename": 0, "describe": 0, "delete": 1, "unchanged": 3})
    assert "1" in line and "2" in line and "3" in line
