"""humectl.render.drift: drift as text and JSON."""

from __future__ import annotations

import json

from humectl.render.drift import render_drift_json, render_drift_text
from tests.unit.test_decide_drift import a_prompt_edited_in_the_dashboard


def test_drift_rendered() -> None:
    drifted = a_prompt_edited_in_the_dashboard()
    assert [d.address for d in drifted] == ["prompt/p"]
    assert "prompt/p" in render_drift_text(drifted)
    assert json.loads(render_drift_json(drifted))
    assert render_drift_text([]) != ""
