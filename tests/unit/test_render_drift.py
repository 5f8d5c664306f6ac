"""humectl.render.drift: drift as text and JSON."""

from __future__ import annotations

import json

from humectl.model.fields import FieldChange
from humectl.render.drift import render_drift_json, render_drift_text
from tests.unit.test_decide_drift import a_prompt_edited_in_the_dashboard


def test_drift_rendered() -> None:
    drifted = a_prompt_edited_in_the_dashboard()
    assert [d.address for d in drifted] == ["prompt/p"]
    assert "prompt/p" in render_drift_text(drifted)
    assert json.loads(render_drift_json(drifted))
    assert render_drift_text([]) != ""


def test_sides_are_words_in_text_and_values_in_json() -> None:
    (drifted,) = a_prompt_edited_in_the_dashboard()
    drifted.fields = [FieldChange("prompt_expansion.enabled", False, True)]
    drifted.base_version, drifted.sides, drifted.base = (
        2,
        {"prompt_expansion.enabled": "conflict"},
        {"prompt_expansion.enabled": None},
    )
    text = render_drift_text([drifted])
    assert "; humectl last applied version 2" in text
    assert (
        "prompt_expansion.enabled: conflict (both changed): the manifests say true, live has false; humectl last "
        "applied null" in text
    )
    (field,) = json.loads(render_drift_json([drifted]))["resources"][0]["fields"]
    assert field == {
        "path": "prompt_expansion.enabled",
        "before": False,
        "after": True,
        "side": "conflict",
        "base": None,
    }
