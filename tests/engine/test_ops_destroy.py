"""destroy: exactly the environment's resources humectl created, configs first; never another
environment's, never an unmanaged one; a protected or still-used one refuses the whole destroy.
Also prune, which shares the rule of what belongs to an environment."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from humectl.core.errors import PlanError
from humectl.core.provenance import describe, is_protected, made_by_humectl, owner_prefix, recorded_prefix, strip_marker
from humectl.decide.gates import refuse_blocked
from humectl.model.desired import DesiredResource, ManifestSet
from humectl.model.plan import Plan
from humectl.ops.destroy import NOT_CREATED, plan_destroy

from .helpers import Account, config, emulator_account, manifests, prompt, tool


def env(prefix: str, *resources: DesiredResource, declared: tuple[str, ...] = ()) -> ManifestSet:
    """The manifests loaded for the environment of ``prefix`` (names carry it, as the loader makes them)."""

    def prefixed(res: DesiredResource) -> DesiredResource:
        spec = dict(res.spec)
        if isinstance(spec.get("prompt"), dict):
            spec["prompt"] = {**spec["prompt"], "name": prefix + spec["prompt"]["name"]}
        if isinstance(spec.get("tools"), list):
            spec["tools"] = [{**t, "name": prefix + t["name"]} for t in spec["tools"]]
        return replace(
            res, name=prefix + res.name, spec=spec, previous_names=tuple(prefix + n for n in res.previous_names)
        )

    desired = manifests(*(prefixed(r) for r in resources))
    desired.name_prefix = prefix
    desired.declared_prefixes = declared
    return desired


def agents() -> tuple[DesiredResource, ...]:
    return (tool("t"), prompt("p", "You help."), config("c", "p", ["t"]))


def destroy_plan(account: Account, desired: ManifestSet) -> Plan:
    plan, _ = account.run(plan_destroy(account.client, desired, run_id="destroy1"))
    return plan


def names(account: Account) -> set[str]:
    return {r.address for r in account.live().resources.values()}


def test_destroy_deletes_exactly_this_environment_configs_first() -> None:
    with emulator_account() as account:
        account.converge(env("pr-1-", *agents()))
        account.converge(env("pr-2-", *agents()))
        account.converge(env("", *agents()))
        plan = destroy_plan(account, env("pr-1-", *agents()))
        assert plan.destroy and plan.name_prefix == "pr-1-"
        assert [c.address for c in plan.changes] == ["config/pr-1-c", "prompt/pr-1-p", "tool/pr-1-t"]
        assert all(c.action == "delete" and c.blocked_by is None for c in plan.changes)
        report = account.apply(plan)
        assert report.done == ["config/pr-1-c", "prompt/pr-1-p", "tool/pr-1-t"]
        assert not any(a.split("/")[1].startswith("pr-1-") for a in names(account))
        assert {"config/pr-2-c", "config/c", "prompt/p", "tool/pr-2-t"} <= names(account)
        # Nothing is left to destroy, and the other environments still plan no changes.
        assert not destroy_plan(account, env("pr-1-", *agents())).changes
        assert not account.plan(env("pr-2-", *agents())).has_changes
        assert not account.plan(env("", *agents())).has_changes


def test_the_account_scope_never_destroys_an_environment_with_a_prefix() -> None:
    """The account's resources (no prefix) and a dev- environment's: destroying the account scope
    leaves dev- alone, even its resources made by a humectl that did not record prefixes yet."""
    with emulator_account() as account:
        account.converge(env("dev-", *agents()))
        # As an older humectl wrote it: the marker records no prefix; humectl.yaml declares dev-.
        old = {"name": "dev-old", "text": "x", "version_description": "applied by humectl [humectl 0ld]"}
        account.raw("POST", "/v0/evi/prompts", body=old)
        account.converge(env("", *agents(), declared=("dev-",)))
        plan = destroy_plan(account, env("", *agents(), declared=("dev-",)))
        assert [c.address for c in plan.changes] == ["config/c", "prompt/p", "tool/t"]
        account.apply(plan)
        assert names(account) == {"config/dev-c", "prompt/dev-p", "tool/dev-t", "prompt/dev-old"}
        # dev- destroys its own, the old-marker prompt included (its name carries the declared prefix).
        dev = destroy_plan(account, env("dev-", *agents(), declared=("dev-",)))
        assert [c.address for c in dev.changes] == ["config/dev-c", "prompt/dev-old", "prompt/dev-p", "tool/dev-t"]


def test_unmanaged_and_other_environments_resources_are_kept_and_named() -> None:
    with emulator_account() as account:
        # Made by hand under a name the manifests define: humectl did not create it.
        account.raw("POST", "/v0/evi/tools", body={"name": "pr-1-t", "parameters": '{"type":"object"}'})
        account.converge(env("pr-1-", *agents()))
        plan = destroy_plan(account, env("pr-1-", *agents()))
        assert [c.address for c in plan.changes] == ["config/pr-1-c", "prompt/pr-1-p"]
        assert plan.kept == {"tool/pr-1-t": NOT_CREATED}
        account.apply(plan)
        assert names(account) == {"tool/pr-1-t"}


def test_what_humectl_created_there_before_is_destroyed_too() -> None:
    """A prompt renamed in a later push (no --prune): the old one is this environment's, so it goes."""
    with emulator_account() as account:
        account.converge(env("pr-3-", tool("t"), prompt("old", "x"), config("c", "old")))
        account.converge(env("pr-3-", tool("t"), prompt("new", "x"), config("c", "new")))
        account.converge(env("pr-4-", prompt("old", "x")))
        plan = destroy_plan(account, env("pr-3-", tool("t"), prompt("new", "x"), config("c", "new")))
        reasons = {c.address: c.reasons[0] for c in plan.changes}
        assert reasons == {
            "config/pr-3-c": "in the manifests",
            "prompt/pr-3-new": "in the manifests",
            "prompt/pr-3-old": "created by humectl in this environment; no longer in the manifests",
            "tool/pr-3-t": "in the manifests",
        }
        account.apply(plan)
        assert names(account) == {"prompt/pr-4-old"}


def test_a_head_edited_in_the_dashboard_is_still_destroyed() -> None:
    with emulator_account() as account:
        account.converge(env("pr-5-", prompt("p", "x")))
        head = account.live().get("prompt", "pr-5-p")
        assert head is not None
        account.raw(
            "POST",
            f"/v0/evi/prompts/{head.id}",
            body={"text": "tried in the playground", "version_description": "by hand"},
        )
        plan = destroy_plan(account, env("pr-5-", prompt("p", "x")))
        assert [c.address for c in plan.changes] == ["prompt/pr-5-p"] and not plan.blocked


def test_a_protected_resource_refuses_the_whole_destroy() -> None:
    with emulator_account() as account:
        account.converge(env("pr-6-", tool("t"), prompt("p", "x", protect=True), config("c", "p", ["t"])))
        plan = destroy_plan(account, env("pr-6-", tool("t"), prompt("p", "x", protect=True), config("c", "p", ["t"])))
        (refused,) = plan.blocked
        assert refused.address == "prompt/pr-6-p" and "protected" in str(refused.blocked_by)
        with pytest.raises(PlanError, match=r"destroy refused, nothing was deleted: prompt/pr-6-p: protected"):
            refuse_blocked(plan)
        assert names(account) == {"tool/pr-6-t", "prompt/pr-6-p", "config/pr-6-c"}


def test_a_prompt_a_config_outside_the_destroy_uses_refuses_it() -> None:
    with emulator_account() as account:
        account.converge(env("pr-7-", prompt("p", "x")))
        p = account.live().get("prompt", "pr-7-p")
        assert p is not None
        account.raw(
            "POST",
            "/v0/evi/configs",
            body={"name": "by-hand", "evi_version": "3", "prompt": {"id": p.id, "version": 0}},
        )
        plan = destroy_plan(account, env("pr-7-", prompt("p", "x")))
        (change,) = plan.changes
        assert change.blocked_by == "still used by config/by-hand v0 (the newest version)"


def test_prune_of_the_account_scope_leaves_other_environments_alone() -> None:
    with emulator_account() as account:
        account.converge(env("staging-", *agents()))
        account.converge(env("", *agents(), declared=("staging-",)))
        plan = account.plan(env("", prompt("p", "You help."), declared=("staging-",)), prune=True)
        assert sorted(c.address for c in plan.changes if c.action == "delete") == ["config/c", "tool/t"]
        assert list(plan.kept_unmanaged) == []


def test_markers_record_the_prefix() -> None:
    text = describe("git 1a2b: x", "3fa9c1d2", prefix="pr-12-")
    assert text == "git 1a2b: x [humectl 3fa9c1d2 prefix=pr-12-]"
    assert describe("t", "r") == "t [humectl r]" and recorded_prefix("t [humectl r]") == ""
    assert recorded_prefix("by hand") is None and owner_prefix("by hand", "x") is None


@given(
    prefix=st.text(min_size=1, max_size=30).filter(lambda p: p.strip() == p and "\n" not in p),
    text=st.text(max_size=40).filter(lambda t: "[" not in t and t.strip()),
    protect=st.booleans(),
)
def test_any_prefix_round_trips_through_the_marker(prefix: str, text: str, protect: bool) -> None:
    description = describe(text, "run1", protect=protect, prefix=prefix)
    assert made_by_humectl(description) and is_protected(description) is protect
    assert recorded_prefix(description) == prefix
    assert owner_prefix(description, prefix + "x", ("other-",)) == prefix
    assert strip_marker(description) == text.strip()


def test_rollback_keeps_protection_and_environment_of_what_it_rolls_back() -> None:
    from humectl.ops.rollback import plan_rollback

    with emulator_account() as account:
        account.converge(env("dev-", prompt("p", "one", protect=True)))
        account.converge(env("dev-", prompt("p", "two", protect=True)))
        rolled = account.run(plan_rollback(account.client, "prompt/dev-p", 0, run_id="rb1"))
        (change,) = rolled.plan.changes
        assert change.version_description == "rollback to v0 [humectl rb1 protect prefix=dev-]"
