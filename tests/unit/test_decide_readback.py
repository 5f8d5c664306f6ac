"""humectl.decide.readback: what a server stored against what was meant, compared as the planner compares
(what it legitimately rewrites is no difference; what it changed, dropped or defaulted otherwise is)."""

from __future__ import annotations

from typing import Any

from humectl.core.provenance import describe
from humectl.decide.readback import content_differences, description_difference, name_difference


def stored_config(**fields: Any) -> dict[str, Any]:
    """A config as a server answers it: server fields, the defaults it fills in, then ``fields``."""
    return {
        "id": "c1",
        "version": 0,
        "name": "desk",
        "created_on": 1,
        "modified_on": 1,
        "evi_version": "3",
        "ellm_model": {"allow_short_responses": False},
        "tools": [],
        "builtin_tools": [],
        "event_messages": {k: {"enabled": False, "text": None} for k in ("on_new_chat", "on_inactivity_timeout")},
        "timeouts": {
            "inactivity": {"enabled": True, "duration_secs": 120},
            "max_duration": {"enabled": True, "duration_secs": 1800},
        },
        "nudges": {"enabled": False, "interval_secs": None},
        "webhooks": [],
        **fields,
    }


def found(meant: dict[str, Any], stored: dict[str, Any], kind: str = "config") -> list[tuple[Any, ...]]:
    return [
        (r.path, r.sent, r.stored, r.what, r.expected) for r in content_differences("a", "create", kind, meant, stored)
    ]


def test_what_the_server_legitimately_rewrites_is_no_difference() -> None:
    meant = {
        "evi_version": "3",
        "voice": {"provider": "HUME_AI", "name": "Nebula guide"},  # a library voice the catalog lacks
        "prompt": "agent@2",
        "tools": ["a@1", "b@latest"],
    }
    stored = stored_config(
        voice={"id": "v", "provider": "HUME_AI", "name": "Nebula Guide", "compatible_octave_models": ["1"]},
        prompt={"id": "p", "name": "agent", "version": 2, "version_type": "FIXED", "text": "x"},
        tools=[
            {"id": "b", "name": "b", "version": 7, "version_type": "LATEST"},
            {"id": "a", "name": "a", "version": 1, "version_type": "FIXED", "tool_type": "FUNCTION"},
        ],
        ambient_sound={"preset": "office"},  # the server's own field, never sent: not humectl's to judge
    )
    assert found(meant, stored) == []
    tool = {"parameters": '{"type":"object"}'}
    assert found(tool, {"id": "t", "tool_type": "FUNCTION", "parameters": '{ "type": "object" }'}, "tool") == []


def test_changed_dropped_and_defaulted_otherwise() -> None:
    meant = {
        "evi_version": "3",
        "prompt": "agent@2",
        "language_model": {"model_provider": "ANTHROPIC", "temperature": 0.75},
        "event_messages": {"on_resume_chat": {"enabled": True}},
        "timeouts": {"max_duration": {"enabled": True, "duration_secs": 900}},
    }
    stored = stored_config(
        prompt={"id": "p", "name": "agent", "version": 2, "version_type": "LATEST"},
        language_model={"model_provider": "ANTHROPIC", "temperature": 0.8},
        timeouts={
            "inactivity": {"enabled": True, "duration_secs": 600},
            "max_duration": {"enabled": True, "duration_secs": 900},
        },
        nudges={"enabled": True},
    )
    assert found(meant, stored) == [
        ("prompt", "agent@2", "agent@latest", "changed", None),
        ("language_model.temperature", 0.75, 0.8, "changed", None),
        ("event_messages.on_resume_chat", {"enabled": True}, None, "dropped", None),
        ("timeouts.inactivity.duration_secs", None, 600, "defaulted", 120),
        ("nudges.enabled", None, True, "defaulted", False),
    ]


def test_a_default_left_unanswered_is_no_difference() -> None:
    stored = {"id": "p", "version": 0, "name": "p", "text": "hi"}  # no prompt_expansion in the answer
    assert found({"text": "hi"}, stored, "prompt") == []
    assert found({"text": "hi"}, {**stored, "prompt_expansion": {"enabled": False}}, "prompt") == [
        ("prompt_expansion.enabled", None, False, "defaulted", True)
    ]


def test_names_compare_exactly_and_descriptions_as_the_planner_reads_them() -> None:
    assert name_difference("a", "rename", "desk", {"name": "desk"}) == []
    [renamed] = name_difference("a", "rename", "desk", {"name": "Desk"})
    assert (renamed.sent, renamed.stored, renamed.what) == ("desk", "Desk", "changed")
    sent = describe("ship it", "run1", protect=True, prefix="dev-")
    assert description_difference("a", "version", sent, {"version_description": sent.replace(" [", "  [")}) == []
    for stored in (None, "ship it", describe("ship it", "run1", prefix="dev-"), describe("ship", "run1", protect=True)):
        [difference] = description_difference("a", "version", sent, {"version_description": stored})
        assert difference.what == ("dropped" if stored is None else "changed"), stored
