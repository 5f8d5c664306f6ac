"""humectl.ops.history: a resource's versions, newest first, with what changed."""

from __future__ import annotations

from humectl.ops.history import build_history


def _versions() -> list[dict[str, object]]:
    return [
        {
            "id": "p1",
            "name": "greeter",
            "version": 0,
            "text": "Hello",
            "created_on": 1,
            "modified_on": 1715265600693,
            "version_description": "first [humectl r1]",
        },
        {
            "id": "p1",
            "name": "greeter",
            "version": 1,
            "text": "Hello there",
            "modified_on": 1715265700693,
            "version_description": "edited in the dashboard",
        },
    ]


def test_newest_first_with_what_changed_and_who() -> None:
    history = build_history("prompt", "greeter", "p1", _versions())
    assert [v.version for v in history.versions] == [1, 0]
    newest, first = history.versions
    assert newest.changed == ["text"] and not newest.by_humectl
    assert first.changed == ["created"] and first.by_humectl and first.run_id == "r1"
