"""humectl.render.history: a History for a terminal and as JSON."""

from __future__ import annotations

import json

from humectl.ops.history import build_history
from humectl.render.history import render_history_json, render_history_text
from tests.unit.test_ops_history import _versions


def test_rendered_as_text_and_json() -> None:
    history = build_history("prompt", "greeter", "p1", _versions())
    text = render_history_text(history)
    assert text.startswith("prompt/greeter (id p1): 2 version(s), newest first")
    assert "[humectl r1]" in text and "changed: text" in text
    document = json.loads(render_history_json(history))
    assert document["address"] == "prompt/greeter" and len(document["versions"]) == 2
