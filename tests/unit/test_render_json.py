"""humectl.render.json: a Plan is exactly Plan.to_dict(); documents are stable JSON."""

from __future__ import annotations

import json

from humectl.plan import CREATE, Change, Plan
from humectl.render.json import FORMAT_VERSION, dumps, render_json


def test_a_plan_renders_as_its_dict() -> None:
    plan = Plan(changes=[Change(address="tool/t", kind="tool", name="t", action=CREATE)], run_id="r")
    assert json.loads(render_json(plan)) == json.loads(json.dumps(plan.to_dict()))


def test_documents_end_in_a_newline_and_carry_the_format_version() -> None:
    text = dumps({"format_version": FORMAT_VERSION, "x": "é"})
    assert text.endswith("\n") and json.loads(text)["x"] == "é"
