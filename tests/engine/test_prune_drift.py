"""Prune (managed only, referenced and protected refused, order) and drift detection."""

from __future__ import annotations

from typing import Any

import pytest

from humectl.core.errors import PlanError
from humectl.decide.drift import find_drift
from humectl.decide.gates import refuse_blocked
from humectl.model.plan import Plan

from .helpers import Account, config, emulator_account, manifests, prompt, tool


def prune_plan(account: Account, desired: Any, **kwargs: Any) -> Plan:
    return account.plan(desired, prune=True, **kwargs)


def deletes(plan: Plan) -> list[str]:
    return [c.address for c in plan.changes if c.action == "delete"]


def test_prune_removes_exactly_the_dropped_config_and_keeps_unmanaged() -> None:
    with emulator_account() as account:
        account.converge(manifests(prompt("p", "x"), config("keep", "p"), config("drop", "p")))
        # made by hand, outside humectl: kept unless --prune-unmanaged
        account.raw("POST", "/v0/evi/prompts", body={"name": "dashboard", "text": "by hand"})
        plan = prune_plan(account, manifests(prompt("p", "x"), config("keep", "p")))
        assert deletes(plan) == ["config/drop"]
        assert list(plan.kept_unmanaged) == ["prompt/dashboard"]
        assert plan.summary()["delete"] == 1
        account.apply(plan)
        live = account.live()
        assert live.get("config", "drop") is None
        assert live.get("config", "keep") is not None and live.get("prompt", "dashboard") is not None

        unmanaged = prune_plan(account, manifests(prompt("p", "x"), config("keep", "p")), prune_unmanaged=True)
        assert deletes(unmanaged) == ["prompt/dashboard"]


def test_prune_refuses_a_prompt_an_old_config_version_still_pins() -> None:
    with emulator_account() as account:
        account.converge(manifests(prompt("old", "x"), prompt("new", "y"), config("c", "old")))
        account.converge(manifests(prompt("old", "x"), prompt("new", "y"), config("c", "new")))
        plan = prune_plan(account, manifests(prompt("new", "y"), config("c", "new")))
        (change,) = plan.changes
        assert change.address == "prompt/old" and change.blocked_by == "still referenced by config/c v0"
        with pytest.raises(PlanError, match="still referenced by config/c v0"):
            refuse_blocked(plan)


def test_deleting_a_config_frees_its_prompt_and_runs_configs_first() -> None:
    with emulator_account() as account:
        account.converge(manifests(tool("t"), prompt("p", "x"), config("c", "p", ["t"])))
        plan = prune_plan(account, manifests())
        assert deletes(plan) == ["config/c", "prompt/p", "tool/t"]
        assert all(c.blocked_by is None for c in plan.changes)
        report = account.apply(plan)
        assert report.done == ["config/c", "prompt/p", "tool/t"]
        assert account.live().resources == {}


def test_protect_is_remembered_live_and_refuses_prune() -> None:
    with emulator_account() as account:
        account.converge(manifests(prompt("p", "x", protect=True)))
        plan = prune_plan(account, manifests())
        (change,) = plan.changes
        assert change.blocked_by and "protected" in change.blocked_by
        # Unprotecting is an explicit, recorded step: a description update, then prune works.
        unprotect = account.plan(manifests(prompt("p", "x")))
        assert [c.action for c in unprotect.changes] == ["describe"]
        account.apply(unprotect)
        assert deletes(prune_plan(account, manifests())) == ["prompt/p"]


def test_drift_reports_only_edits_made_outside_humectl() -> None:
    with emulator_account() as account:
        desired = manifests(
            prompt("p", "x"),
            prompt("q", "y"),
            config("c", "p", timeouts={"inactivity": {"enabled": True, "duration_secs": 120}}),
        )
        account.converge(desired)
        live = account.live()
        c = live.get("config", "c")
        assert c is not None
        body = {
            "evi_version": "3",
            "prompt": {"id": c.data["prompt"]["id"], "version": 0},
            "timeouts": {"inactivity": {"enabled": True, "duration_secs": 300}},
            "version_description": "tweaked in the dashboard",
        }
        account.raw("POST", f"/v0/evi/configs/{c.id}", body=body)
        # the manifests also move on for q: a pending change, not drift
        edited = manifests(
            prompt("p", "x"),
            prompt("q", "y2"),
            config("c", "p", timeouts={"inactivity": {"enabled": True, "duration_secs": 120}}),
        )
        plan = account.plan(edited)
        drifted = find_drift(plan, account.live())
        assert [d.address for d in drifted] == ["config/c"]
        (item,) = drifted
        assert item.state == "changed" and item.live_version == 1
        assert [(f.path, f.before, f.after) for f in item.fields] == [("timeouts.inactivity.duration_secs", 300, 120)]
        assert item.modified_at and item.modified_at.endswith("Z")
