"""humectl.render.drift: drift as text and JSON."""

from __future__ import annotations

import json

from humectl.drift import find_drift
from humectl.live import LiveResource, LiveState
from humectl.plan import VERSION, Change, Plan
from humectl.render.drift import render_drift_json, render_drift_text


def test_drift_rendered() -> None:
    head = LiveResource("prompt", "p", "id-p", 3, {"name": "p", "id": "id-p", "version": 3,
                                                    "version_description": "dashboard edit"})  # fmt: skip
    live = LiveState(resources={("prompt", "p"): head})
    plan = Plan(changes=[Change(address="prompt/p", kind="prompt", name="p", action=VERSION, live_id="id-p",
                                live_version=3, reasons=["changed: text"])])  # fmt: skip
    drifted = find_drift(plan, live)
    assert [d.address for d in drifted] == ["prompt/p"]
    assert "prompt/p" in render_drift_text(drifted)
    assert json.loads(render_drift_json(drifted))
    assert render_drift_text([]) != ""
