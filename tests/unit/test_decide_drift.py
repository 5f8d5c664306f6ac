"""humectl.decide.drift: what changed in the account outside humectl since its last apply."""

from __future__ import annotations

from humectl.decide.drift import Drifted, find_drift
from humectl.model.live import LiveResource, LiveState
from humectl.model.plan import CREATE, VERSION, Change, Plan


def a_prompt_edited_in_the_dashboard() -> list[Drifted]:
    """The drift of one prompt whose head (v3) a person made: shared with test_render_drift."""
    head = LiveResource("prompt", "p", "id-p", 3, {"name": "p", "id": "id-p", "version": 3,
                                                    "version_description": "dashboard edit"})  # fmt: skip
    live = LiveState(resources={("prompt", "p"): head})
    plan = Plan(changes=[Change(address="prompt/p", kind="prompt", name="p", operations=(VERSION,), live_id="id-p",
                                live_version=3, reasons=["changed: text"])])  # fmt: skip
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
