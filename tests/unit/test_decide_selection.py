"""humectl.decide.selection: what --target keeps and --exclude holds back (plain data, no account)."""

from __future__ import annotations

import pytest

from humectl.core.errors import PlanError
from humectl.decide.selection import excluded_addresses, hold_back, targeted
from humectl.model.plan import CREATE, DESCRIBE, VERSION, Change, Operation


def change(address: str, *ops: Operation, depends_on: tuple[str, ...] = ()) -> Change:
    kind, _, name = address.partition("/")
    return Change(address=address, kind=kind, name=name, operations=ops, depends_on=depends_on)


def test_what_depends_on_an_excluded_move_is_held_back_transitively() -> None:
    changes = [
        change("tool/t", VERSION),
        change("prompt/p", CREATE),
        change("config/a", VERSION, depends_on=("prompt/p", "tool/t")),
        change("config/b", VERSION, depends_on=("tool/t",)),
    ]
    kept, why = hold_back(changes, {"prompt/p"})
    assert [c.address for c in kept] == ["tool/t", "config/b"]
    assert why == {
        "prompt/p": "excluded (--exclude): its create is not applied",
        "config/a": "held back: its version depends on prompt/p, whose change is excluded (--exclude)",
    }


def test_a_change_that_sends_no_reference_is_not_held_back() -> None:
    changes = [change("prompt/p", VERSION), change("config/a", DESCRIBE, depends_on=("prompt/p",))]
    kept, why = hold_back(changes, {"prompt/p"})
    assert [c.address for c in kept] == ["config/a"] and list(why) == ["prompt/p"]


def test_an_excluded_resource_without_a_move_holds_nothing_back() -> None:
    changes = [change("prompt/p", DESCRIBE), change("config/a", VERSION, depends_on=("prompt/p",))]
    kept, _ = hold_back(changes, {"prompt/p"})
    assert [c.address for c in kept] == ["config/a"]


def test_patterns_that_select_nothing_are_errors() -> None:
    assert targeted(["config/*"], ["config/a", "prompt/p"], "") == {"config/a"}
    with pytest.raises(PlanError, match="--target tool/x: no such resource in the manifests"):
        targeted(["tool/x"], ["config/a"], "")
    assert excluded_addresses(["config/a"], ["config/dev-a"], "dev-") == {"config/dev-a"}
    with pytest.raises(PlanError, match="--exclude tool/x: no such resource in the manifests or the account"):
        excluded_addresses(["tool/x"], ["config/a"], "")
