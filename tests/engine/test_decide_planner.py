"""The streaming PlanBuilder: any page split and arrival order gives the batch plan; detail reads."""

from __future__ import annotations

import itertools
import random
from typing import Any

from humectl.core.kinds import DEPENDENCY_ORDER
from humectl.decide.planner import PlanBuilder, build_plan

from .helpers import config, emulator_account, manifests, prompt, tool


def comparable(plan: Any) -> dict[str, Any]:
    data = plan.to_dict()
    data.pop("created_at")
    return data


def test_any_page_split_and_order_gives_the_batch_plan() -> None:
    base = manifests(
        *(tool(f"t{i}", f'{{"type":"object","title":"{i}"}}') for i in range(4)),
        *(prompt(f"p{i}", f"text {i}") for i in range(8)),
        *(config(f"c{i}", f"p{i % 8}", [f"t{i % 4}"]) for i in range(20)),
    )
    edited = manifests(
        *(tool(f"t{i}", f'{{"type":"object","title":"{i}{"!" if i == 1 else ""}"}}') for i in range(4)),
        *(
            prompt(
                f"new{i}" if i == 2 else f"p{i}",
                f"text {i}" + ("?" if i == 5 else ""),
                previous_names=("p2",) if i == 2 else (),
            )
            for i in range(8)
        ),
        *(config(f"c{i}", f"new{i % 8}" if i % 8 == 2 else f"p{i % 8}", [f"t{i % 4}"]) for i in range(20)),
        config("brand-new", {"name": "p0", "version": 0}),
    )
    with emulator_account() as account:
        account.converge(base)
        live = account.live(complete=True)
    expected = comparable(build_plan(edited, live, run_id="r"))
    assert expected["summary"]["version"] > 5 and expected["summary"]["rename"] == 1
    rng = random.Random(7)
    for _ in range(40):
        builder = PlanBuilder(edited, run_id="r")
        pages = []
        for kind in DEPENDENCY_ORDER:
            items = [r.data for r in live.of_kind(kind)]
            rng.shuffle(items)
            cuts = sorted(rng.sample(range(1, len(items)), k=min(3, len(items) - 1)))
            pages += [(kind, chunk) for chunk in _split(items, cuts)]
        rng.shuffle(pages)
        remaining = {k: sum(1 for kind, _ in pages if kind == k) for k in DEPENDENCY_ORDER}
        for kind, chunk in pages:
            builder.add_page(kind, chunk)
            remaining[kind] -= 1
            if remaining[kind] == 0:
                builder.complete(kind)
        assert comparable(builder.finish(live)) == expected


def _split(items: list[Any], cuts: list[int]) -> list[list[Any]]:
    bounds = [0, *cuts, len(items)]
    return [items[a:b] for a, b in itertools.pairwise(bounds)]


def test_an_exact_name_wins_over_another_entrys_previous_names() -> None:
    with emulator_account() as account:
        account.converge(manifests(prompt("a", "x"), prompt("b", "y")))
        # "b" claims "a" as its old name, but "a" is still in the manifests under its own name
        plan = account.plan(manifests(prompt("b", "y", previous_names=("a",)), prompt("a", "x")))
        assert not plan.has_changes


def test_prompt_expansion_is_read_per_version_because_lists_leave_it_out() -> None:
    desired = manifests(res_with_expansion("quiet", False), prompt("plain", "hi"))
    with emulator_account() as account:
        account.converge(desired)
        listed = account.live().get("prompt", "quiet")
        assert listed is not None and "prompt_expansion" not in listed.data  # as Hume's list schema says
        before = account.client.requests_sent
        assert not account.plan(desired).has_changes
        assert account.client.requests_sent - before == 4  # three list pages + one version read
        plan = account.plan(manifests(res_with_expansion("quiet", True), prompt("plain", "hi")))
        (change,) = plan.changes
        assert [(f.path, f.before, f.after) for f in change.fields] == [("prompt_expansion.enabled", False, True)]


def res_with_expansion(name: str, enabled: bool) -> Any:
    made = prompt(name, "hello")
    made.spec["prompt_expansion"] = {"enabled": enabled}
    return made
