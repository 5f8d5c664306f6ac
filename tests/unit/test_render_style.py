"""humectl.render.style: colour decided once (NO_COLOR, FORCE_COLOR), summary lines."""

from __future__ import annotations

import io

from humectl.model.plan import RENAME, VERSION, Change, Plan
from humectl.render.style import operation_labels, operation_verbs, plan_summary_line, summary_line, use_colour


def test_no_color_and_force_color() -> None:
    assert not use_colour(io.StringIO(), {"NO_COLOR": "1", "FORCE_COLOR": "1"})
    assert use_colour(io.StringIO(), {"FORCE_COLOR": "1"})
    assert not use_colour(io.StringIO(), {})  # not a terminal


def test_summary_line_counts_every_action() -> None:
    line = summary_line({"create": 1, "version": 2, "rename": 0, "describe": 0, "delete": 1, "unchanged": 3})
    assert "1" in line and "2" in line and "3" in line


def test_every_operation_of_a_change_is_named_and_counted() -> None:
    ops = (RENAME, VERSION)
    assert operation_labels(ops) == "rename + new version"
    assert operation_verbs(ops, {"rename": "from a", "version": "(v1 → v2)"}) == (
        "will be renamed from a and get a new version (v1 → v2)"
    )
    plan = Plan(changes=(Change(address="prompt/b", kind="prompt", name="b", operations=ops, rename_from="a"),))
    assert plan_summary_line(plan) == "Plan: 0 to create, 1 to version, 1 to rename, 0 unchanged"
