"""humectl.ops.apply: the order a Plan runs in (levels forward, deletes in reverse)."""

from __future__ import annotations

from humectl.model.plan import CREATE, DELETE, DELETE_VERSION, VERSION, Change, Plan
from humectl.ops.apply import apply_order, apply_phases, phase_operations


def _change(address: str, action: str, level: int) -> Change:
    kind, _, name = address.partition("/")
    return Change(address=address, kind=kind, name=name, operations=(action,), level=level)


def test_referenced_first_deleted_last_in_reverse() -> None:
    plan = Plan(
        changes=[
            _change("config/c", VERSION, 1),
            _change("prompt/p", CREATE, 0),
            _change("tool/t", CREATE, 0),
            _change("tool/old", DELETE, 0),
            _change("config/gone", DELETE, 1),
        ]
    )
    levels = [[c.address for c in level] for level in apply_order(plan)]
    assert levels == [["prompt/p", "tool/t"], ["config/c"], ["config/gone"], ["tool/old"]]


def test_an_empty_plan_has_no_levels() -> None:
    assert apply_order(Plan()) == []


def test_a_change_that_writes_and_removes_runs_in_both_phases() -> None:
    grows = Change(address="prompt/p", kind="prompt", name="p", operations=(VERSION, DELETE_VERSION), level=0)
    trims = Change(address="config/c", kind="config", name="c", operations=(DELETE_VERSION,), level=1)
    phases = [(removing, [c.address for c in level]) for removing, level in apply_phases(Plan(changes=(grows, trims)))]
    # The new version first; then old versions, the config's before the prompt's it may reference.
    assert phases == [(False, ["prompt/p"]), (True, ["config/c"]), (True, ["prompt/p"])]
    assert phase_operations(grows, False) == (VERSION,) and phase_operations(grows, True) == (DELETE_VERSION,)
