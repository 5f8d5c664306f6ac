"""humectl.decide.gates: a plan with a refused change, or one that deletes everything humectl manages,
is not applied at all; a saved plan is stale when a live object it depends on moved."""

from __future__ import annotations

import pytest

from humectl.core.errors import PlanError
from humectl.decide.gates import refuse_blocked, stale_reasons
from humectl.model.live import LiveResource, LiveState
from humectl.model.plan import Change, Plan


def change(address: str, *ops: str, **fields: object) -> Change:
    kind, _, name = address.partition("/")
    return Change(address=address, kind=kind, name=name, operations=ops or ("version",), **fields)  # type: ignore[arg-type]


def live(*heads: tuple[str, str, int]) -> LiveState:
    state = LiveState()
    for address, resource_id, version in heads:
        kind, _, name = address.partition("/")
        state.resources[(kind, name)] = LiveResource(kind, name, resource_id, version, {})  # type: ignore[arg-type]
    return state


def test_a_plan_without_refusals_passes() -> None:
    refuse_blocked(Plan(changes=(change("tool/t", "delete"), change("prompt/p"))))
    refuse_blocked(Plan())


def test_a_refused_delete_stops_the_whole_plan_naming_each_one() -> None:
    plan = Plan(
        changes=(
            change("prompt/p"),
            change("tool/a", "delete", blocked_by="config/c v3 uses it"),
            change("tool/b", "delete", blocked_by="protect: true"),
        )
    )
    with pytest.raises(PlanError) as caught:
        refuse_blocked(plan)
    assert caught.value.message == (
        "the plan deletes what must not be deleted: tool/a: config/c v3 uses it; tool/b: protect: true"
    )
    assert caught.value.hint is not None and "plan again" in caught.value.hint


def test_a_refused_destroy_says_nothing_was_deleted() -> None:
    plan = Plan(changes=(change("tool/a", "delete", blocked_by="protect: true"),), destroy=True)
    with pytest.raises(PlanError, match=r"^destroy refused, nothing was deleted: tool/a: protect: true$") as caught:
        refuse_blocked(plan)
    assert caught.value.hint is not None and "protect: false" in caught.value.hint


def test_deleting_everything_managed_needs_allow_empty() -> None:
    changes = (change("tool/a", "delete"), change("prompt/b", "delete"), change("config/c", "version"))
    with pytest.raises(PlanError, match=r"deletes every resource humectl manages \(2\) and keeps none") as caught:
        refuse_blocked(Plan(changes=changes, deletes_all_managed=True))
    assert caught.value.hint is not None and "--allow-empty" in caught.value.hint
    refuse_blocked(Plan(changes=changes, deletes_all_managed=True, allow_empty=True))


def test_allow_empty_does_not_excuse_a_refused_delete() -> None:
    plan = Plan(
        changes=(change("tool/a", "delete", blocked_by="protect: true"),), deletes_all_managed=True, allow_empty=True
    )
    with pytest.raises(PlanError, match="must not be deleted"):
        refuse_blocked(plan)


def test_nothing_moved_is_not_stale() -> None:
    state = live(("prompt/p", "id-p", 2), ("tool/other", "id-o", 9))
    plan = Plan(changes=(change("prompt/p"),), live_fingerprint=state.fingerprint())
    assert stale_reasons(plan, state) == []
    # a live object the plan does not depend on moving does not make it stale
    moved = live(("prompt/p", "id-p", 2), ("tool/other", "id-o", 10))
    assert stale_reasons(plan, moved) == []


def test_each_way_a_watched_object_moves_is_named() -> None:
    before = live(("prompt/p", "id-p", 2), ("tool/t", "id-t", 0), ("prompt/old", "id-o", 1))
    plan = Plan(
        changes=(
            change("prompt/p"),
            change("config/c", "create", depends_on=("tool/t", "tool/new")),
            change("prompt/renamed", "rename", rename_from="old"),
        ),
        live_fingerprint=before.fingerprint(),
    )
    after = live(("prompt/p", "id-p", 3), ("tool/t", "id-t2", 0), ("tool/new", "id-n", 0))
    assert stale_reasons(plan, after) == [
        "prompt/old disappeared (was id id-o, version 1)",  # the rename's old name is watched
        "prompt/p moved from version 2 to 3",
        "tool/new appeared (id id-n, version 0)",
        "tool/t is a different resource now (id id-t → id-t2)",
    ]
