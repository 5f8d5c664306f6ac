"""Plan and apply against the in-process emulator: actions, cascade, pinning, convergence."""

from __future__ import annotations

import json

import pytest

from humectl.core.errors import LiveStateError, PlanError
from humectl.core.provenance import made_by_humectl, strip_marker
from humectl.model.live import build_live_state

from .helpers import config, emulator_account, manifests, prompt, res, tool


def actions(plan):  # type: ignore[no-untyped-def]
    return {c.address: c.action for c in plan.changes}


def test_create_from_empty_then_no_changes() -> None:
    desired = manifests(
        tool("lookup", '{"type":"object","properties":{"id":{"type":"string"}}}', description="Look up"),
        prompt("agent", "You are helpful."),
        config("desk", "agent", ["lookup"], voice={"provider": "HUME_AI", "name": "ITO"}),
    )
    with emulator_account() as account:
        plan = account.plan(desired)
        assert actions(plan) == {"tool/lookup": "create", "prompt/agent": "create", "config/desk": "create"}
        assert [c.address for c in plan.changes] == ["tool/lookup", "prompt/agent", "config/desk"]
        assert plan.summary()["create"] == 3
        report = account.apply(plan)
        assert report.failed == [] and len(report.done) == 3
        again = account.plan(desired)
        assert not again.has_changes
        assert sorted(again.unchanged) == ["config/desk", "prompt/agent", "tool/lookup"]
        live = account.live().get("config", "desk")
        assert live is not None
        assert live.data["prompt"]["name"] == "agent" and live.data["prompt"]["version"] == 0
        assert made_by_humectl(live.data["version_description"])


def test_prompt_edit_cascades_to_following_configs_only() -> None:
    base = [tool("lookup"), prompt("agent", "v0 text"), prompt("other", "x")]
    configs = [
        config("a", "agent", ["lookup"]),
        config("b", "agent"),
        config("pinned", {"name": "agent", "version": 0}),
        config("c", "other"),
    ]
    with emulator_account() as account:
        account.converge(manifests(*base, *configs))
        edited = manifests(tool("lookup"), prompt("agent", "v1 text\nsecond line"), prompt("other", "x"), *configs)
        plan = account.plan(edited)
        assert actions(plan) == {"prompt/agent": "version", "config/a": "version", "config/b": "version"}
        by = {c.address: c for c in plan.changes}
        assert list(by["config/a"].reasons) == ["prompt/agent v0 → v1"]
        assert by["prompt/agent"].predicted_version == 1
        assert "+v1 text" in (by["prompt/agent"].text_diff or "")
        account.apply(plan)
        live = account.live()
        for name in ("a", "b"):
            got = live.get("config", name)
            assert got is not None and got.version == 1 and got.data["prompt"]["version"] == 1
        pinned = live.get("config", "pinned")
        assert pinned is not None and pinned.version == 0 and pinned.data["prompt"]["version"] == 0
        assert not account.plan(edited).has_changes


def test_tool_parameter_key_order_is_not_a_change() -> None:
    with emulator_account() as account:
        account.converge(manifests(tool("t", '{"type": "object", "properties": {"a": {"type": "string"}}}')))
        reordered = manifests(tool("t", '{"properties":{"a":{"type":"string"}},"type":"object"}'))
        assert not account.plan(reordered).has_changes


def test_description_only_change_patches_without_new_version() -> None:
    with emulator_account() as account:
        account.converge(manifests(prompt("p", "hi", version_description="first")))
        plan = account.plan(manifests(prompt("p", "hi", version_description="better words")))
        assert actions(plan) == {"prompt/p": "describe"}
        account.apply(plan)
        live = account.live().get("prompt", "p")
        assert live is not None and live.version == 0
        assert strip_marker(live.data["version_description"]) == "better words"
        assert not account.plan(manifests(prompt("p", "hi", version_description="better words"))).has_changes


def test_rename_via_previous_names_keeps_id_and_configs() -> None:
    with emulator_account() as account:
        account.converge(manifests(prompt("old", "hi"), config("c", "old")))
        before = account.live().get("prompt", "old")
        renamed = manifests(prompt("new", "hi", previous_names=("old",)), config("c", "new"))
        plan = account.plan(renamed)
        assert actions(plan) == {"prompt/new": "rename"}
        assert plan.summary()["rename"] == 1
        account.apply(plan)
        after = account.live().get("prompt", "new")
        assert before is not None and after is not None and after.id == before.id and after.version == 0
        assert not account.plan(renamed).has_changes


def test_rename_and_edit_in_one_plan() -> None:
    with emulator_account() as account:
        account.converge(manifests(prompt("old", "hi"), config("c", "old")))
        plan = account.plan(manifests(prompt("new", "hello", previous_names=("old",)), config("c", "new")))
        assert actions(plan) == {"prompt/new": "version", "config/c": "version"}
        assert plan.summary()["rename"] == 1
        account.apply(plan)
        assert not account.plan(manifests(prompt("new", "hello"), config("c", "new"))).has_changes


def test_unmanaged_fields_are_preserved_in_new_versions() -> None:
    with emulator_account() as account:
        account.converge(
            manifests(
                prompt("p", "hi"),
                config(
                    "c",
                    "p",
                    nudges={"enabled": True, "interval_secs": 45},
                    timeouts={
                        "inactivity": {"enabled": True, "duration_secs": 300},
                        "max_duration": {"enabled": True, "duration_secs": 900},
                    },
                ),
            )
        )
        # The manifest stops managing nudges and max_duration, and changes inactivity only.
        desired = manifests(
            prompt("p", "hi"), config("c", "p", timeouts={"inactivity": {"enabled": True, "duration_secs": 600}})
        )
        plan = account.plan(desired)
        (change,) = plan.changes
        assert [f.path for f in change.fields] == ["timeouts.inactivity.duration_secs"]
        account.apply(plan)
        live = account.live().get("config", "c")
        assert live is not None
        assert live.data["nudges"]["interval_secs"] == 45
        assert live.data["timeouts"]["max_duration"]["duration_secs"] == 900
        assert live.data["timeouts"]["inactivity"]["duration_secs"] == 600
        assert not account.plan(desired).has_changes


def test_unknown_reference_is_a_plan_error_with_suggestion() -> None:
    with emulator_account() as account:
        with pytest.raises(PlanError) as err:
            account.plan(manifests(prompt("support", "hi"), config("c", "suport")))
        assert "prompt/suport" in err.value.message and "prompt/support" in (err.value.hint or "")


def test_pinned_version_that_does_not_exist_is_refused() -> None:
    with emulator_account() as account:
        account.converge(manifests(prompt("p", "hi")))
        with pytest.raises(PlanError, match="newest live version is 0"):
            account.plan(manifests(prompt("p", "hi"), config("c", {"name": "p", "version": 3})))


def test_config_may_follow_an_unmanaged_live_prompt() -> None:
    with emulator_account() as account:
        account.converge(manifests(prompt("dashboard-made", "made by hand")))
        plan = account.plan(manifests(config("c", "dashboard-made")))
        assert actions(plan) == {"config/c": "create"}
        account.apply(plan)
        assert not account.plan(manifests(config("c", "dashboard-made"))).has_changes


def test_duplicate_live_names_name_both_ids() -> None:
    heads = {
        "prompt": [
            {"id": "id-one", "name": "dup", "version": 0},
            {"id": "id-two", "name": "dup", "version": 3},
        ]
    }
    with pytest.raises(LiveStateError) as err:
        build_live_state(heads)
    assert "id-one" in err.value.message and "id-two" in err.value.message


def test_targeting_limits_to_target_and_dependencies() -> None:
    desired = manifests(tool("t"), prompt("p", "x"), prompt("q", "y"), config("c", "p", ["t"]), config("d", "q"))
    with emulator_account() as account:
        plan = account.plan(desired, targets=["config/c"])
        assert plan.partial and sorted(actions(plan)) == ["config/c", "prompt/p", "tool/t"]


def test_plan_round_trips_through_json() -> None:
    from humectl.model.plan import Plan

    with emulator_account() as account:
        plan = account.plan(manifests(prompt("p", "x"), config("c", "p")))
        data = json.loads(json.dumps(plan.to_dict()))
        assert data["format_version"] == 1
        again = Plan.from_dict(data)
        assert again.to_dict() == plan.to_dict()
        account.apply(again)
        assert not account.plan(manifests(prompt("p", "x"), config("c", "p"))).has_changes


def test_every_config_section_converges() -> None:
    full = config(
        "full",
        "p",
        ["t"],
        voice={"provider": "HUME_AI", "name": "KORA"},
        language_model={
            "model_provider": "ANTHROPIC",
            "model_resource": "claude-3-7-sonnet-latest",
            "temperature": 0.6,
        },
        ellm_model={"allow_short_responses": True},
        builtin_tools=[{"name": "web_search"}, {"name": "hang_up", "fallback_content": "Bye"}],
        event_messages={"on_new_chat": {"enabled": True, "text": "Hi!"}, "on_inactivity_timeout": {"enabled": False}},
        timeouts={
            "inactivity": {"enabled": True, "duration_secs": 120},
            "max_duration": {"enabled": True, "duration_secs": 1800},
        },
        nudges={"enabled": True, "interval_secs": 30},
        turn_detection={"end_of_turn_silence_ms": 800, "prefix_padding_ms": 300, "speech_detection_threshold": 0.5},
        interruption={"min_interruption_ms": 800},
        webhooks=[{"url": "https://hooks.example.com/evi", "events": ["chat_ended", "chat_started"]}],
    )
    desired = manifests(tool("t", description="d", fallback_content="f"), prompt("p", "x"), full)
    with emulator_account() as account:
        account.converge(desired)
        plan = account.plan(desired)
        assert not plan.has_changes, [c.to_dict() for c in plan.changes]


def test_resource_helper_sanity() -> None:
    assert res("prompt", "x", {"text": "t"}).address == "prompt/x"


def test_a_live_config_following_latest_keeps_following() -> None:
    from humectl.core.kinds import KINDS

    with emulator_account() as account:
        made = account.run(account.client.create(KINDS["prompt"], {"name": "p", "text": "hi"}))
        body = {"name": "c", "evi_version": "3", "prompt": {"id": made["id"]}}
        account.run(account.client.create(KINDS["config"], body))
        assert not account.plan(manifests(prompt("p", "hi"), config("c", "p"))).has_changes
        # a new prompt version needs no config version: the config already follows the newest
        plan = account.plan(manifests(prompt("p", "hello"), config("c", "p")))
        assert actions(plan) == {"prompt/p": "version"}
        account.apply(plan)
        # another change to the config keeps the reference unpinned
        changed = manifests(prompt("p", "hello"), config("c", "p", nudges={"enabled": True, "interval_secs": 20}))
        account.apply(account.plan(changed))
        live = account.live().get("config", "c")
        assert live is not None and live.data["prompt"]["version_type"] == "LATEST"
        assert not account.plan(changed).has_changes
