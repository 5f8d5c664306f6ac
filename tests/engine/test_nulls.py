"""Null semantics: a field left out is not managed; an explicit ``null`` is managed and absent.

A null clears the live value (the plan shows ``"Hi" → null``), or, where Hume reports a default for a
field left out, resets it to that default; the re-plan afterwards is empty either way, also for
``ellm_model.allow_short_responses``, which a new version would otherwise inherit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from humectl.core.kinds import KINDS
from humectl.load.manifests import load_manifests
from humectl.render.markdown import render_markdown
from humectl.render.text import render_text

from .helpers import Account, config, emulator_account, manifests, prompt, res, tool

EVERYTHING: dict[str, Any] = {
    "voice": {"provider": "HUME_AI", "name": "ITO"},
    "language_model": {"model_provider": "ANTHROPIC", "model_resource": "claude-3-7-sonnet-latest", "temperature": 0.5},
    "ellm_model": {"allow_short_responses": True},
    "builtin_tools": [{"name": "hang_up", "fallback_content": "bye"}],
    "event_messages": {
        "on_new_chat": {"enabled": True, "text": "Hi"},
        "on_inactivity_timeout": {"enabled": True, "text": "Still there?"},
    },
    "timeouts": {"inactivity": {"enabled": True, "duration_secs": 300}, "max_duration": {"enabled": False}},
    "nudges": {"enabled": False, "interval_secs": 20},
    "turn_detection": {"end_of_turn_silence_ms": 800, "prefix_padding_ms": 100, "speech_detection_threshold": 0.5},
    "interruption": {"min_interruption_ms": 300},
    "webhooks": [{"url": "https://hooks.example.com/evi", "events": ["chat_started"]}],
}

NULLS: dict[str, Any] = {
    "prompt": None,
    "tools": None,
    "voice": None,
    "language_model": {"temperature": None},
    "ellm_model": {"allow_short_responses": None},
    "builtin_tools": None,
    "event_messages": {"on_new_chat": {"enabled": True, "text": None}, "on_inactivity_timeout": None},
    "timeouts": {"inactivity": {"enabled": True, "duration_secs": None}, "max_duration": None},
    "nudges": {"enabled": None, "interval_secs": None},
    "turn_detection": {"prefix_padding_ms": None},
    "interruption": None,
    "webhooks": None,
}


def full_head(account: Account, kind: str, name: str) -> dict[str, Any]:
    listed = account.live().get(kind, name)
    assert listed is not None
    data: dict[str, Any] = account.run(account.client.get_version(KINDS[kind], listed.id, listed.version))
    return data


def test_nulls_clear_live_values_and_the_replan_is_empty() -> None:
    with emulator_account() as account:
        account.converge(
            manifests(
                res("prompt", "p", {"text": "hi", "prompt_expansion": {"enabled": False}}),
                tool("t", description="d", fallback_content="f"),
                config("c", "p", ["t"], **EVERYTHING),
            )
        )
        desired = manifests(
            res("prompt", "p", {"text": "hi", "prompt_expansion": None}),
            tool("t", description=None, fallback_content=None),
            res("config", "c", {"evi_version": "3", **NULLS}),
        )
        plan = account.plan(desired)
        assert [(c.address, c.action) for c in plan.changes] == [
            ("tool/t", "version"),
            ("prompt/p", "version"),
            ("config/c", "version"),
        ]
        by = {c.address: c for c in plan.changes}
        assert by["tool/t"].content == {"parameters": '{"type":"object"}'}  # sent without them
        assert by["prompt/p"].content == {"text": "hi", "prompt_expansion": {"enabled": True}}  # Hume's default
        config_content = by["config/c"].content
        assert "voice" not in config_content and "prompt" not in config_content and "interruption" not in config_content
        # Reset to Hume's defaults: sent explicitly (allow_short_responses would otherwise be inherited).
        assert config_content["ellm_model"] == {"allow_short_responses": False}
        assert config_content["timeouts"] == {
            "inactivity": {"enabled": True, "duration_secs": 120},
            "max_duration": {"enabled": True, "duration_secs": 1800},
        }
        assert config_content["event_messages"]["on_new_chat"] == {"enabled": True}
        assert config_content["event_messages"]["on_inactivity_timeout"] == {"enabled": False}
        model = {"model_provider": "ANTHROPIC", "model_resource": "claude-3-7-sonnet-latest"}
        assert config_content["language_model"] == model
        assert config_content["turn_detection"] == {"end_of_turn_silence_ms": 800, "speech_detection_threshold": 0.5}
        assert (config_content["tools"], config_content["builtin_tools"], config_content["webhooks"]) == ([], [], [])

        report = account.apply(plan)
        assert not report.failed
        live = full_head(account, "config", "c")
        assert live["event_messages"]["on_new_chat"] == {"enabled": True, "text": None}
        assert live["ellm_model"] == {"allow_short_responses": False}
        assert "voice" not in live and "prompt" not in live and live["tools"] == []
        assert full_head(account, "tool", "t")["description"] is None
        assert not account.plan(desired).has_changes


def test_the_plan_shows_a_cleared_value_as_null() -> None:
    with emulator_account() as account:
        greeting = {"on_new_chat": {"enabled": True, "text": "Hi"}}
        account.converge(manifests(config("c", event_messages=greeting)))
        cleared = {"on_new_chat": {"enabled": True, "text": None}}
        plan = account.plan(manifests(config("c", event_messages=cleared)))
        (change,) = plan.changes
        assert [(f.path, f.before, f.after) for f in change.fields] == [("event_messages.on_new_chat.text", "Hi", None)]
        assert "      - event_messages.on_new_chat.text: Hi → null\n" in render_text(plan)
        assert "| `event_messages.on_new_chat.text` | `Hi` | `null` |" in render_markdown(plan)


def test_a_null_where_nothing_is_live_changes_nothing() -> None:
    """Clearing what is already absent, or already Hume's default, is no change (and no read-back diff)."""
    with emulator_account() as account:
        account.converge(manifests(prompt("p", "hi"), config("c", timeouts={"inactivity": {"enabled": True}})))
        desired = manifests(
            res("prompt", "p", {"text": "hi", "prompt_expansion": None}),
            config(
                "c",
                voice=None,
                language_model={"temperature": None},
                nudges={"interval_secs": None},
                ellm_model=None,
                timeouts=None,
                webhooks=None,
                interruption=None,
            ),
        )
        plan = account.plan(desired)
        assert not plan.has_changes, render_text(plan)


def test_a_section_set_and_cleared_in_one_manifest_converges() -> None:
    """``nudges: {enabled: null}`` resets enabled to Hume's default (false) and keeps the live interval."""
    with emulator_account() as account:
        account.converge(manifests(config("c", nudges={"enabled": True, "interval_secs": 30})))
        desired = manifests(config("c", nudges={"enabled": None}))
        (change,) = account.plan(desired).changes
        assert change.content["nudges"] == {"enabled": False, "interval_secs": 30}
        assert account.converge(desired) and not account.plan(desired).has_changes


def test_nulls_load_and_validate(tmp_path: Path) -> None:
    """Every nullable field of the schema loads; the loader keeps each null for the engine to read."""
    (tmp_path / "m.yaml").write_text(
        """\
prompts:
  - {name: p, text: hi, prompt_expansion: null}
  - {name: q, text: hi, prompt_expansion: {enabled: null}}
tools:
  - {name: t, parameters: {type: object}, description: null, fallback_content: null}
configs:
  - name: c
    evi_version: "3"
    prompt: null
    voice: null
    tools: null
    builtin_tools: null
    webhooks: null
    language_model: {model_provider: ANTHROPIC, temperature: null}
    ellm_model: {allow_short_responses: null}
    event_messages: {on_new_chat: {enabled: true, text: null}, on_inactivity_timeout: null}
    timeouts: {inactivity: {enabled: true, duration_secs: null}, max_duration: null}
    nudges: {enabled: null, interval_secs: null}
    turn_detection: {end_of_turn_silence_ms: null}
    interruption: {min_interruption_ms: null}
  - {name: d, evi_version: "3", language_model: null, ellm_model: null, event_messages: null, timeouts: null,
     nudges: null, turn_detection: null, interruption: null}
""",
        encoding="utf-8",
    )
    loaded = load_manifests(tmp_path)
    c = loaded.get("config", "c")
    assert c is not None and c.spec["voice"] is None and c.spec["prompt"] is None and c.spec["tools"] is None
    assert c.spec["event_messages"]["on_new_chat"] == {"enabled": True, "text": None}
    p = loaded.get("prompt", "p")
    assert p is not None and p.spec == {"text": "hi", "prompt_expansion": None}
