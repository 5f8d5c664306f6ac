"""Prune (managed only, referenced and protected refused, order) and drift detection."""

from __future__ import annotations

from typing import Any

from humectl.decide.drift import find_drift
from humectl.decide.gates import refuse_blocked
from humectl.emulator.app import EmulatorConfig
from humectl.model.desired import Retention
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


def test_prune_deletes_a_prompt_only_an_old_config_version_pins() -> None:
    # Issue 23 item 3: what only old config versions name is not in use (it was a dead end before).
    with emulator_account() as account:
        account.converge(manifests(prompt("old", "x"), prompt("new", "y"), config("c", "old")))
        account.converge(manifests(prompt("old", "x"), prompt("new", "y"), config("c", "new")))
        plan = prune_plan(account, manifests(prompt("new", "y"), config("c", "new")))
        (change,) = plan.changes
        assert change.address == "prompt/old" and change.blocked_by is None
        assert change.reasons[1] == "only old config versions name it: config/c v0 (Hume answers them without it)"
        refuse_blocked(plan)  # nothing refused
        assert account.apply(plan).done == ["prompt/old"]
        assert account.live().get("prompt", "old") is None


def test_what_a_newest_config_version_uses_is_kept_and_every_other_prune_proceeds() -> None:
    with emulator_account() as account:
        account.converge(manifests(prompt("p", "x"), prompt("gone", "g"), config("c", "p")))
        # A config made by hand uses prompt/p: its newest version keeps p in use.
        p_id = account.live().get("prompt", "p").id
        account.raw("POST", "/v0/evi/configs", body={"name": "by-hand", "evi_version": "3", "prompt": {"id": p_id}})
        plan = prune_plan(account, manifests())
        assert deletes(plan) == ["config/c", "prompt/gone"]  # before: the blocked prompt/p refused them all
        assert plan.kept == {"prompt/p": "not deleted: still used by config/by-hand v0 (the newest version)"}
        refuse_blocked(plan)
        assert account.apply(plan).done == ["config/c", "prompt/gone"]


def test_a_config_that_drops_a_tool_and_the_tool_pruned_in_one_apply() -> None:
    with emulator_account() as account:
        account.converge(manifests(tool("t"), tool("u"), config("c", None, ["t"])))
        plan = prune_plan(account, manifests(tool("u"), config("c", None, ["u"])))
        assert [(c.address, c.action) for c in plan.changes] == [("config/c", "version"), ("tool/t", "delete")]
        assert plan.kept == {}
        refuse_blocked(plan)  # before: "still referenced by config/c v0", the current head it replaces
        account.apply(plan)
        assert account.live().get("tool", "t") is None
        assert not prune_plan(account, manifests(tool("u"), config("c", None, ["u"]))).has_changes


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
        assert not plan.changes  # not deleted, and said so exactly
        assert plan.kept["prompt/p"].startswith("not deleted: protected")
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


def _strict_history(account: Account) -> None:
    """config/c v0 used tool/old; v1 uses tool/new: only an old version names tool/old."""
    account.converge(manifests(tool("old"), tool("new"), config("c", None, ["old"])))
    account.converge(manifests(tool("old"), tool("new"), config("c", None, ["new"])))


def test_a_server_that_refuses_deleting_what_an_old_version_names_meets_retention_first() -> None:
    # Hume's answer to deleting a tool an old config version references is undocumented; the emulator
    # can refuse it (refuse_referenced_deletes). Prune alone then fails, exactly reported; with
    # --prune-versions the old config version goes first and the same apply succeeds.
    strict = EmulatorConfig(refuse_referenced_deletes=True)
    with emulator_account(strict) as account:
        _strict_history(account)
        plan = prune_plan(account, manifests(tool("new"), config("c", None, ["new"])))
        assert deletes(plan) == ["tool/old"]
        report = account.apply(plan)
        assert report.done == [] and report.failed[0][0] == "tool/old"
        assert "is used by config c version 0" in report.failed[0][1]
    with emulator_account(strict) as account:
        _strict_history(account)
        desired = manifests(tool("new"), config("c", None, ["new"]))
        desired.retention = Retention(keep_versions=1)
        plan = prune_plan(account, desired, prune_versions=True)
        assert [(c.address, c.operations) for c in plan.changes] == [
            ("config/c", ("delete_version",)),
            ("tool/old", ("delete",)),
        ]
        assert account.apply(plan).done == ["config/c", "tool/old"]
        assert account.live().get("tool", "old") is None
