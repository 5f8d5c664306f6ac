"""humectl.decide.drift: what changed in the account outside humectl since its last apply."""

from __future__ import annotations

from humectl.decide.drift import Drifted, drifted_sides, find_drift, side_of, three_way, value_at
from humectl.model.fields import FieldChange
from humectl.model.live import LiveResource, LiveState
from humectl.model.plan import CREATE, VERSION, Change, Plan


def a_prompt_edited_in_the_dashboard() -> list[Drifted]:
    """The drift of one prompt whose head (v3) a person made: shared with test_render_drift."""
    head = LiveResource(
        "prompt", "p", "id-p", 3, {"name": "p", "id": "id-p", "version": 3, "version_description": "dashboard edit"}
    )
    live = LiveState(resources={("prompt", "p"): head})
    plan = Plan(
        changes=[
            Change(
                address="prompt/p",
                kind="prompt",
                name="p",
                operations=(VERSION,),
                live_id="id-p",
                live_version=3,
                reasons=["changed: text"],
            )
        ]
    )
    return find_drift(plan, live)


def test_a_changed_head_is_drift() -> None:
    assert [d.address for d in a_prompt_edited_in_the_dashboard()] == ["prompt/p"]


def test_missing_only_while_the_environment_is_deployed() -> None:
    create = Change(address="prompt/dev-q", kind="prompt", name="dev-q", operations=(CREATE,))
    plan = Plan(changes=(create,), name_prefix="dev-")
    ours = LiveResource("prompt", "dev-p", "id-p", 0, {"version_description": "x [humectl abc123 prefix=dev-]"})
    by_hand = LiveResource("prompt", "dev-r", "id-r", 0, {"version_description": "made by hand"})
    other_env = LiveResource("prompt", "p", "id-s", 0, {"version_description": "x [humectl abc123]"})
    deployed = LiveState(resources={("prompt", "dev-p"): ours, ("prompt", "p"): other_env})
    assert [(d.address, d.state) for d in find_drift(plan, deployed, ["dev-"])] == [("prompt/dev-q", "missing")]
    # destroyed (or never applied) here: only what humectl did not make, or another scope's, is live
    gone = LiveState(resources={("prompt", "dev-r"): by_hand, ("prompt", "p"): other_env})
    assert find_drift(plan, gone, ["dev-"]) == []


def test_value_at_and_side_of() -> None:
    content = {"timeouts": {"inactivity": {"enabled": True}}, "webhooks": [{"url": "a"}, {"url": "b"}]}
    assert value_at(content, "timeouts.inactivity.enabled") is True
    assert value_at(content, "webhooks[1].url") == "b"
    assert value_at(content, "webhooks[5].url") is None and value_at(content, "nudges.enabled") is None
    assert side_of(manifest=1, live=2, base=1) == "live"
    assert side_of(manifest=2, live=1, base=1) == "manifest"
    assert side_of(manifest=2, live=3, base=1) == "conflict"


def test_three_way_puts_each_field_on_its_side() -> None:
    (drifted,) = a_prompt_edited_in_the_dashboard()
    drifted.fields = [FieldChange("text", "live words", "manifest words")]
    wanted = {"text": "manifest words"}
    change = Change(address="prompt/p", kind="prompt", name="p", operations=(VERSION,), content=wanted)
    head = {"id": "id-p", "version": 3, "text": "live words"}
    base = {"id": "id-p", "version": 2, "text": "manifest words", "version_description": "x [humectl r1]"}
    live_ahead = three_way(drifted, change, head, base)
    assert live_ahead.base_version == 2 and live_ahead.sides == {"text": "live"}
    assert live_ahead.to_dict()["fields"][0]["side"] == "live"
    conflict = three_way(drifted, change, head, dict(base, text="old words"))
    assert conflict.sides == {"text": "conflict"} and conflict.base == {"text": "old words"}
    unknown = three_way(drifted, change, head, None)
    assert unknown.base_version is None and unknown.sides == {"text": None}
    assert drifted_sides(conflict, ("live", "conflict")) == ["text"]
    assert drifted_sides(unknown, ("live",)) == ["text"]  # never applied by humectl: live's to keep


def test_a_token_humectl_applied_before_a_rotation_never_shows_as_the_base() -> None:
    (drifted,) = a_prompt_edited_in_the_dashboard()
    drifted.fields = [FieldChange("text", "call https://x?t=(sensitive)", "call https://x?t=(sensitive)")]
    wanted = {"text": "call https://x?t=new-token-2222"}
    change = Change(address="prompt/p", kind="prompt", name="p", operations=(VERSION,), content=wanted)
    head = {"id": "id-p", "version": 3, "text": "call https://x?t=typed-by-hand-3333"}
    base = {"id": "id-p", "version": 2, "text": "call https://x?t=old-token-1111", "version_description": "[humectl r]"}
    resolved = three_way(drifted, change, head, base, {"hook": "new-token-2222"})
    assert resolved.sides == {"text": "conflict"}
    assert "old-token-1111" not in str(resolved.to_dict()) and resolved.base["text"] == "call https://x?t=(sensitive)"
