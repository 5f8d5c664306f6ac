"""humectl.model.plan: the Plan as plain data (its saved form round-trips; it depends on no planner)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

import humectl.model.plan
from humectl.core.errors import PlanError
from humectl.model.fields import FieldChange
from humectl.model.plan import CREATE, DELETE, DESCRIBE, RENAME, VERSION, Change, Plan, ordered_operations


def _plan() -> Plan:
    return Plan(
        changes=(
            Change(
                address="prompt/a",
                kind="prompt",
                name="a",
                operations=(CREATE,),
                reasons=("new",),
                fields=(FieldChange("text", None, "hi"),),
                content={"text": "hi"},
                predicted_version=0,
            ),
            Change(
                address="config/c",
                kind="config",
                name="c",
                operations=(RENAME, VERSION),
                live_id="id-c",
                live_version=2,
                predicted_version=3,
                rename_from="old",
                depends_on=("prompt/a",),
                level=1,
            ),
            Change(
                address="tool/t",
                kind="tool",
                name="t",
                operations=(DELETE,),
                live_id="id-t",
                live_version=1,
                blocked_by="still referenced",
            ),
        ),
        unchanged=("tool/u",),
        run_id="r1",
        message="m",
        targets=("config/c",),
        partial=True,
        pruned=True,
        kept={"prompt/x": "why"},
        name_prefix="dev-",
    )


def test_a_saved_plan_reads_back_the_same() -> None:
    plan = _plan()
    saved = json.loads(json.dumps(plan.to_dict()))
    again = Plan.from_dict(saved)
    assert again.changes == plan.changes
    assert again.to_dict() == saved


def test_summary_counts_actions_and_renames_riding_on_another_action() -> None:
    summary = _plan().summary()
    assert summary[CREATE] == 1 and summary[VERSION] == 1 and summary[DELETE] == 1
    assert summary[RENAME] == 1 and summary["unchanged"] == 1
    assert [c.address for c in _plan().blocked] == ["tool/t"]


def test_an_unknown_format_version_is_refused() -> None:
    data = _plan().to_dict() | {"format_version": 99}
    with pytest.raises(PlanError, match="format_version 99"):
        Plan.from_dict(data)


def test_the_data_module_imports_no_planner() -> None:
    # The Plan is data: it must not depend on how plans are built, rendered or applied.
    tree = ast.parse(Path(humectl.model.plan.__file__).read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module} | {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    forbidden = {"humectl.decide", "humectl.io", "humectl.load", "humectl.ops", "humectl.cli", "humectl.render"}
    assert not imported & forbidden


def test_a_change_holds_its_operations_in_the_order_apply_runs_them() -> None:
    """A rename that comes with a new description is one change that says both (and a saved plan of a
    humectl whose changes had one action reads back with the rename it carried)."""
    change = Change(address="tool/t", kind="tool", name="t", operations=(RENAME, DESCRIBE), rename_from="old")
    assert change.action == DESCRIBE and change.does(RENAME) and change.does(DESCRIBE)
    data = change.to_dict()
    assert data["operations"] == ["rename", "describe"] and data["action"] == "describe"
    del data["operations"]
    assert Change.from_dict(data).operations == (RENAME, DESCRIBE)
    assert ordered_operations(["describe", "rename"]) == (RENAME, DESCRIBE)
    with pytest.raises(ValueError, match="at least one operation"):
        Change(address="tool/t", kind="tool", name="t", operations=())
    with pytest.raises(ValueError, match="unknown operation"):
        ordered_operations(["explode"])


def test_plans_and_changes_are_frozen() -> None:
    """What was reviewed is what is applied: nothing can change a plan once it is built."""
    plan = _plan()
    with pytest.raises(AttributeError):
        plan.changes = ()  # type: ignore[misc]
    with pytest.raises(AttributeError):
        plan.changes[0].content = {}  # type: ignore[misc]
