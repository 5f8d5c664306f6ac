"""humectl.decide.drift: what changed in the account outside humectl since its last apply."""

from __future__ import annotations

from humectl.decide.drift import Drifted, find_drift
from humectl.model.live import LiveResource, LiveState
from humectl.model.plan import VERSION, Change, Plan


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
