"""humectl.drift: what changed in the account outside humectl since its last apply."""

from __future__ import annotations

from humectl.drift import find_drift
from humectl.live import LiveResource, LiveState
from humectl.plan import VERSION, Change, Plan


def test_a_changed_head_is_drift() -> None:
    head = LiveResource("prompt", "p", "id-p", 3, {"name": "p", "id": "id-p", "version": 3,
                                                    "version_description": "dashboard edit"})  # fmt: skip
    live = LiveState(resources={("prompt", "p"): head})
    plan = Plan(changes=[Change(address="prompt/p", kind="prompt", name="p", action=VERSION, live_id="id-p",
                                live_version=3, reasons=["changed: text"])])  # fmt: skip
    drifted = find_drift(plan, live)
    assert [d.address for d in drifted] == ["prompt/p"]
