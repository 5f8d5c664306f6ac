"""humectl.ops.apply: the order a Plan runs in (levels forward, deletes in reverse)."""

from __future__ import annotations

from humectl.model.plan import CREATE, DELETE, VERSION, Change, Plan
from humectl.ops.apply import apply_order


def _change(address: str, action: str, level: int) -> Change:
    kind, _, name = address.partition("/")
    return Change(address=address, kind=kind, name=name, operations=(action,), level=level)


def test_referenced_first_deleted_last_in_reverse() -> None:
    plan = Plan(changes=[
        _change("config/c", VERSION, 1), _change("prompt/p", CREATE, 0), _change("tool/t", CREATE, 0),
        _change("tool/old", DELETE, 0), _change("config/gone", DELETE, 1),
    ])  # fmt: skip
    levels = [[c.address for c in level] for level in apply_order(plan)]
    assert levels == [["prompt/p", "tool/t"], ["config/c"], ["config/gone"], ["tool/old"]]


def test_an_empty_plan_has_no_levels() -> None:
    assert apply_order(Plan()) == []
