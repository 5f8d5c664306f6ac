"""humectl.history: a resource's versions, newest first, with what changed; render/history.py draws it."""

from __future__ import annotations

import json

from humectl.history import build_history
from humectl.render.history import render_history_json, render_history_text


def _versions() -> list[dict[str, object]]:
    return [
        {"id": "p1", "name": "greeter", "version": 0, "text": "Hello", "created_on": 1, "modified_on": 1715265600693,
         "version_description": "first [humectl r1]"},
        {"id": "p1", "name": "greeter", "version": 1, "text": "Hello there", "modified_on": 1715265700693,
         "version_description": "edited in the dashboard"},
    ]  # fmt: skip


def test_newest_first_with_what_changed_and_who() -> None:
    history = build_history("prompt", "greeter", "p1", _versions())
    assert [v.version for v in history.versions] == [1, 0]
    newest, first = history.versions
    assert newest.changed == ["text"] and not newest.by_humectl
    assert first.changed == ["created"] and first.by_humectl and first.run_id == "r1"


def test_rendered_as_text_and_json() -> None:
    history = build_history("prompt", "greeter", "p1", _versions())
    text = render_history_text(history)
    assert text.startswith("prompt/greeter (id p1): 2 version(s), newest first")
    assert "[humectl r1]" in text and "changed: text" in text
    document = json.loads(render_history_json(history))
    assert document["address"] == "prompt/greeter" and len(document["versions"]) == 2
