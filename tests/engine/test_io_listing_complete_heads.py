"""Complete live heads: list pages leave ``prompt_expansion`` out, and nothing unmanaged may be lost.

A prompt made in the dashboard with ``prompt_expansion: {enabled: false}`` and managed by a manifest that
sets only ``text`` keeps that setting through every text edit; the reads this costs are exactly the
heads that get a new version (or whose manifest sets the field), never the unchanged ones.
"""

from __future__ import annotations

from typing import Any

import pytest

from humectl.core.errors import PlanError
from humectl.core.kinds import KINDS
from humectl.decide.planner import build_plan
from humectl.io.listing import complete_heads
from humectl.model.plan import Plan

from .helpers import Account, config, emulator_account, manifests, prompt, res

READ_ROUTE = "GET /v0/evi/prompts/{id}/version/{version}"


def version_reads(account: Account) -> int:
    stats = account.raw("GET", "/_emulator/stats")
    return int(stats["requests"].get(READ_ROUTE, 0))


def dashboard_prompt(account: Account, name: str, text: str, expansion: Any) -> dict[str, Any]:
    """A prompt as Hume's dashboard makes it: through the API, no humectl marker."""
    body: dict[str, Any] = {"name": name, "text": text}
    if expansion is not None:
        body["prompt_expansion"] = expansion
    made: dict[str, Any] = account.run(account.client.create(KINDS["prompt"], body))
    return made


def head(account: Account, name: str) -> dict[str, Any]:
    """The complete live head of prompt ``name`` (a version read, not the list item)."""
    listed = account.live().get("prompt", name)
    assert listed is not None
    full: dict[str, Any] = account.run(account.client.get_version(KINDS["prompt"], listed.id, listed.version))
    return full


def test_a_text_edit_keeps_the_dashboards_prompt_expansion() -> None:
    with emulator_account() as account:
        dashboard_prompt(account, "agent", "Hello.\n", {"enabled": False})
        assert not account.plan(manifests(prompt("agent", "Hello.\n"))).has_changes
        plan = account.plan(manifests(prompt("agent", "Hello there.\n")))
        (change,) = plan.changes
        assert change.action == "version"
        # The plan's content is what apply sends: complete, with the live value the manifest leaves out.
        assert change.content == {"text": "Hello there.\n", "prompt_expansion": {"enabled": False}}
        assert [f.path for f in change.fields] == ["text"]
        # A saved plan carries the same complete content.
        saved = Plan.from_dict(plan.to_dict())
        assert saved.changes[0].content == change.content
        account.apply(saved)
        live = head(account, "agent")
        assert (live["version"], live["text"], live["prompt_expansion"]) == (1, "Hello there.\n", {"enabled": False})
        assert not account.plan(manifests(prompt("agent", "Hello there.\n"))).has_changes


def test_a_renamed_and_edited_prompt_keeps_it_too() -> None:
    with emulator_account() as account:
        dashboard_prompt(account, "old", "Hi.\n", {"enabled": False})
        plan = account.plan(manifests(prompt("new", "Hi!\n", previous_names=("old",))))
        (change,) = plan.changes
        assert (change.action, change.rename_from) == ("version", "old")
        assert change.content["prompt_expansion"] == {"enabled": False}
        account.apply(plan)
        assert head(account, "new")["prompt_expansion"] == {"enabled": False}


def test_a_config_cascade_reads_nothing_more() -> None:
    """A config following an edited prompt gets a new version; config lists are complete already."""
    with emulator_account() as account:
        dashboard_prompt(account, "agent", "A.\n", {"enabled": False})
        account.converge(manifests(prompt("agent", "A.\n"), config("desk", "agent")))
        before = version_reads(account)
        plan = account.plan(manifests(prompt("agent", "B.\n"), config("desk", "agent")))
        assert [c.address for c in plan.changes] == ["prompt/agent", "config/desk"]
        assert version_reads(account) - before == 1  # the edited prompt's head, nothing else
        account.apply(plan)
        assert head(account, "agent")["prompt_expansion"] == {"enabled": False}


@pytest.mark.parametrize("count", [30])
def test_reads_per_plan_are_only_the_heads_that_need_them(count: int) -> None:
    """Every prompt has a non-default prompt_expansion: (a) text only, unchanged: no read; (b) one text
    edit: one read; (c) manifests that set prompt_expansion: every head read (to compare it)."""
    texts = {f"p{i:03d}": f"Prompt {i}.\n" for i in range(count)}
    with emulator_account() as account:
        for name, text in texts.items():
            dashboard_prompt(account, name, text, {"enabled": False})
        text_only = manifests(*(prompt(n, t) for n, t in texts.items()))
        with_expansion = manifests(*(prompt(n, t) for n, t in texts.items()))
        for r in with_expansion.resources:
            r.spec["prompt_expansion"] = {"enabled": False}
        edited = manifests(*(prompt(n, t + ("Edited.\n" if n == "p007" else "")) for n, t in texts.items()))

        def reads(desired: Any) -> tuple[int, Plan]:
            before = version_reads(account)
            plan = account.plan(desired)
            return version_reads(account) - before, plan

        none, plan = reads(text_only)
        assert (none, plan.has_changes) == (0, False)
        one, plan = reads(edited)
        assert one == 1 and [c.address for c in plan.changes] == ["prompt/p007"]
        every, plan = reads(with_expansion)
        assert (every, plan.has_changes) == (count, False)


def test_build_plan_refuses_to_version_from_list_items() -> None:
    """The offline planner has no client: a new version from an incomplete head is refused, not sent."""
    with emulator_account() as account:
        dashboard_prompt(account, "agent", "A.\n", {"enabled": False})
        listed = account.live()
        with pytest.raises(PlanError, match="prompt/agent"):
            build_plan(manifests(prompt("agent", "B.\n")), listed, run_id="r")
        account.run(complete_heads(account.client, listed.resources.values()))
        plan = build_plan(manifests(prompt("agent", "B.\n")), listed, run_id="r")
        assert plan.changes[0].content["prompt_expansion"] == {"enabled": False}


def test_complete_heads_marks_an_unset_detail_field_as_read() -> None:
    """A head read on its own that has no prompt_expansion is complete (None), not read again."""
    with emulator_account() as account:
        dashboard_prompt(account, "plain", "x", None)
        live = account.live()
        resource = live.get("prompt", "plain")
        assert resource is not None and not resource.complete
        assert account.run(complete_heads(account.client, live.resources.values())) == 1
        assert resource.complete and resource.data["prompt_expansion"] is None
        assert account.run(complete_heads(account.client, live.resources.values())) == 0


def test_manifest_setting_expansion_compares_it_and_keeps_text() -> None:
    with emulator_account() as account:
        dashboard_prompt(account, "agent", "A.\n", {"enabled": False})
        desired = res("prompt", "agent", {"text": "A.\n", "prompt_expansion": {"enabled": True}})
        (change,) = account.plan(manifests(desired)).changes
        assert [(f.path, f.before, f.after) for f in change.fields] == [("prompt_expansion.enabled", False, True)]
