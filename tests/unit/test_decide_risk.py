"""humectl.decide.risk: every default rule on the changes it is about, the cascade, policy overrides, and the
properties that keep it honest (a change's risk is its worst reason; more changes never lower it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from humectl.decide import risk
from humectl.decide.diff import diff_fields
from humectl.io.planfile import load_plan
from humectl.model.plan import Change, Plan
from humectl.model.review import LEVELS, is_override_key, risk_counts, worst
from humectl.render.style import risk_line

CONFIG = {
    "evi_version": "3",
    "prompt": "agent@1",
    "voice": {"provider": "HUME_AI", "name": "ITO"},
    "language_model": {"model_provider": "ANTHROPIC", "model_resource": "claude-3-7-sonnet-latest", "temperature": 0.6},
    "ellm_model": {"allow_short_responses": False},
    "tools": ["lookup@1", "returns@1"],
    "builtin_tools": [{"name": "hang_up"}, {"name": "web_search"}],
    "event_messages": {"on_new_chat": {"enabled": False}},
    "timeouts": {"inactivity": {"enabled": True, "duration_secs": 120}},
    "nudges": {"enabled": True, "interval_secs": 30},
    "turn_detection": {"end_of_turn_silence_ms": 800},
    "interruption": {"min_interruption_ms": 800},
    "webhooks": [{"url": "https://hooks.example.com/a", "events": ["chat_started"]}],
}


def version(kind: str, before: dict[str, Any], after: dict[str, Any], name: str = "x") -> Change:
    return Change(
        address=f"{kind}/{name}", kind=kind, name=name, operations=("version",), fields=diff_fields(before, after)
    )


def assessed(*changes: Change, overrides: dict[str, str] | None = None) -> list[Change]:
    return risk.assess(changes, overrides)


def config_change(**edits: Any) -> Change:
    return version("config", CONFIG, {**CONFIG, **edits}, "desk")


@pytest.mark.parametrize(
    ("edits", "level", "rule", "words"),
    [
        ({"voice": {"provider": "HUME_AI", "name": "KORA"}}, "high", "config.voice", "voice ITO → KORA"),
        (
            {"language_model": {**CONFIG["language_model"], "model_resource": "claude-opus-4"}},
            "high",
            "config.language_model",
            "language_model.model_resource claude-3-7-sonnet-latest → claude-opus-4",
        ),
        (
            {"language_model": {**CONFIG["language_model"], "model_provider": "OPEN_AI"}},
            "high",
            "config.language_model",
            "language_model.model_provider ANTHROPIC → OPEN_AI",
        ),
        (
            {"language_model": {**CONFIG["language_model"], "temperature": 0.9}},
            "medium",
            "config.language_model.settings",
            "language_model.temperature 0.6 → 0.9",
        ),
        ({"evi_version": "4"}, "high", "config.evi_version", "evi_version 3 → 4"),
        ({"webhooks": []}, "high", "config.webhooks", "webhooks changed"),
        ({"tools": ["lookup@1"]}, "high", "config.tools.removed", "tool returns removed from the config"),
        (
            {"builtin_tools": [{"name": "hang_up"}]},
            "high",
            "config.builtin_tools.removed",
            "builtin tool web_search removed from the config",
        ),
        ({"prompt": "other@3"}, "high", "config.prompt.switched", "prompt agent → other"),
        (
            {"tools": ["lookup@1", "returns@1", "refund@0"]},
            "medium",
            "config.tools.added",
            "tool refund attached to the config",
        ),
        (
            {"builtin_tools": [{"name": "hang_up"}, {"name": "web_search", "fallback_content": "x"}]},
            "medium",
            "config.builtin_tools",
            "builtin_tools changed",
        ),
        (
            {"timeouts": {"inactivity": {"enabled": True, "duration_secs": 60}}},
            "medium",
            "config.timeouts",
            "timeouts.inactivity.duration_secs 120 → 60",
        ),
        ({"nudges": {"enabled": False, "interval_secs": 30}}, "medium", "config.nudges", "nudges.enabled true → false"),
        (
            {"turn_detection": {"end_of_turn_silence_ms": 500}},
            "medium",
            "config.turn_detection",
            "turn_detection.end_of_turn_silence_ms 800 → 500",
        ),
        (
            {"interruption": {"min_interruption_ms": 100}},
            "medium",
            "config.interruption",
            "interruption.min_interruption_ms 800 → 100",
        ),
        (
            {"event_messages": {"on_new_chat": {"enabled": True}}},
            "medium",
            "config.event_messages",
            "event_messages.on_new_chat.enabled false → true",
        ),
        (
            {"ellm_model": {"allow_short_responses": True}},
            "medium",
            "config.ellm_model",
            "ellm_model.allow_short_responses false → true",
        ),
        ({"some_new_field": {"a": 1}}, "medium", "content", 'some_new_field none → {"a": 1}'),
    ],
)
def test_each_config_rule(edits: dict[str, Any], level: str, rule: str, words: str) -> None:
    [change] = assessed(config_change(**edits))
    assert change.risk == level
    assert [(r.rule, r.level, r.message) for r in change.risk_reasons] == [(rule, level, words)]


def test_a_section_set_whole_is_judged_by_what_changes_inside_it() -> None:
    # language_model absent live, set in the manifest: the provider/model rule sees its members.
    before = {k: v for k, v in CONFIG.items() if k != "language_model"}
    [change] = assessed(version("config", before, CONFIG))
    assert change.risk == "high" and change.risk_reasons[0].rule == "config.language_model"


def lines(n: int, word: str = "line") -> str:
    return "".join(f"{word} {i}\n" for i in range(n))


@pytest.mark.parametrize(
    ("after", "level", "rule", "words"),
    [
        (
            lines(6) + "line x\n" + lines(3, "more"),
            "medium",
            "prompt.text",
            "prompt text edited: 4 of 10 lines changed",
        ),
        (lines(4) + lines(6, "new"), "high", "prompt.text.rewrite", "prompt text rewritten: 6 of 10 lines changed"),
        (lines(10).replace("\n", "\r\n"), "low", "invisible", "text: line endings only"),
    ],
)
def test_prompt_text_rules(after: str, level: str, rule: str, words: str) -> None:
    [change] = assessed(version("prompt", {"text": lines(10)}, {"text": after}))
    assert (change.risk, [(r.rule, r.message) for r in change.risk_reasons]) == (level, [(rule, words)])


def test_exactly_half_the_lines_is_an_edit_not_a_rewrite() -> None:
    assert risk.changed_share(lines(4), lines(2) + lines(2, "new")) == 0.5
    [change] = assessed(version("prompt", {"text": lines(4)}, {"text": lines(2) + lines(2, "new")}))
    assert change.risk == "medium"


@pytest.mark.parametrize(
    ("field", "level"), [("parameters", "medium"), ("description", "medium"), ("fallback_content", "medium")]
)
def test_tool_rules(field: str, level: str) -> None:
    [change] = assessed(version("tool", {field: "a"}, {field: "b"}))
    assert (change.risk, change.risk_reasons[0].rule) == (level, f"tool.{field}")


def test_whole_change_rules() -> None:
    create = Change(address="tool/t", kind="tool", name="t", operations=("create",), fields=diff_fields({}, {"a": 1}))
    delete = Change(address="tool/u", kind="tool", name="u", operations=("delete",), reasons=["not in the manifests"])
    rename = Change(address="tool/v", kind="tool", name="v", operations=("rename",), rename_from="old")
    describe = Change(
        address="tool/w", kind="tool", name="w", operations=("describe",), reasons=["protect: false → true"]
    )
    out = assessed(create, delete, rename, describe)
    assert [(c.risk, c.risk_reasons[0].rule) for c in out] == [
        ("low", "create"),
        ("high", "delete"),
        ("low", "rename"),
        ("low", "describe"),
    ]
    assert out[1].risk_reasons[0].message == "deleted: not in the manifests"


def test_a_cascade_takes_the_risk_of_what_it_follows() -> None:
    rewrite = version("prompt", {"text": lines(4)}, {"text": lines(4, "new")}, "agent")
    edit = version("tool", {"description": "a"}, {"description": "b"}, "lookup")
    follows = config_change(prompt="agent@2", tools=["lookup@2", "returns@1"])
    _, _, config = assessed(rewrite, edit, follows)
    assert config.risk == "high"
    assert [(r.rule, r.level, r.message) for r in config.risk_reasons] == [
        ("config.cascade", "high", "follows prompt/agent v1 → v2 (its risk: high)"),
        ("config.cascade", "medium", "follows tool/lookup v1 → v2 (its risk: medium)"),
    ]
    # What it follows is not in this plan (a --target, a version made elsewhere): the rule's own low.
    [alone] = assessed(config_change(prompt="agent@2"))
    assert (alone.risk, alone.risk_reasons[0].message) == ("low", "follows prompt/agent v1 → v2")


def test_policy_overrides_a_rule_or_a_field_path_the_longest_key_winning() -> None:
    change = config_change(voice={"provider": "HUME_AI", "name": "KORA"}, timeouts={"inactivity": {"enabled": False}})
    [out] = assessed(change, overrides={"config.voice": "medium", "config.timeouts": "high"})
    assert {r.rule: r.level for r in out.risk_reasons} == {"config.voice": "medium", "config.timeouts": "high"}
    deeper = {"config.timeouts": "high", "config.timeouts.inactivity.enabled": "low", "config.voice": "low"}
    [out] = assessed(
        config_change(
            voice={"provider": "HUME_AI", "name": "KORA"},
            timeouts={"inactivity": {"enabled": False, "duration_secs": 120}},
        ),
        overrides=deeper,
    )
    assert out.risk == "low"
    # A rule id names a predicate's firing too; a cascade named in the policy no longer follows.
    rewrite = version("prompt", {"text": lines(4)}, {"text": lines(4, "new")}, "agent")
    _, config = assessed(rewrite, config_change(prompt="agent@2"), overrides={"config.cascade": "low"})
    assert config.risk == "low"


def test_override_keys() -> None:
    assert is_override_key("config.voice") and is_override_key("delete")
    assert is_override_key("config.timeouts.inactivity.duration_secs")
    assert not is_override_key("config.voices") and not is_override_key("prompt.voice")
    assert not is_override_key("nonsense")


def test_summary_and_order() -> None:
    out = assessed(
        config_change(nudges={"enabled": False}),
        Change(address="tool/u", kind="tool", name="u", operations=("delete",)),
        Change(address="tool/t", kind="tool", name="t", operations=("create",)),
    )
    assert risk_counts(c.risk for c in out) == {"high": 1, "medium": 1, "low": 1}
    assert risk_line(risk_counts(c.risk for c in out)) == "Risk: 1 high, 1 medium, 1 low"
    assert [c.address for c in risk.ordered(out)] == ["tool/u", "config/desk", "tool/t"]


_EDITS = st.fixed_dictionaries(
    {},
    optional={
        "voice": st.just({"provider": "HUME_AI", "name": "KORA"}),
        "evi_version": st.just("4"),
        "tools": st.sampled_from([["lookup@1"], ["lookup@2", "returns@1"], ["lookup@1", "returns@1", "new@0"]]),
        "prompt": st.sampled_from(["agent@2", "other@1"]),
        "timeouts": st.just({"inactivity": {"enabled": False}}),
        "nudges": st.just({"enabled": False}),
        "builtin_tools": st.sampled_from(
            [[], [{"name": "hang_up"}], [{"name": "hang_up"}, {"name": "web_search"}, {"name": "x"}]]
        ),
        "unknown": st.integers(),
    },
)


@settings(max_examples=60, deadline=None)
@given(_EDITS, _EDITS)
def test_risk_is_the_worst_reason_and_more_edits_never_lower_it(first: dict[str, Any], more: dict[str, Any]) -> None:
    [one] = assessed(config_change(**first))
    [both] = assessed(config_change(**{**more, **first}))
    for change in (one, both):
        assert change.risk == worst(r.level for r in change.risk_reasons)
        assert bool(change.risk_reasons) == bool(change.fields)
    assert LEVELS.index(both.risk) >= LEVELS.index(one.risk)


def test_saved_plans_keep_risk_and_old_plans_are_assessed_on_load(tmp_path: Path) -> None:
    plan = Plan(changes=tuple(assessed(config_change(voice={"provider": "HUME_AI", "name": "KORA"}))))
    data = plan.to_dict()
    assert data["risk_summary"] == {"high": 1, "medium": 0, "low": 0}
    again = Plan.from_dict(data)
    assert again.changes[0].risk_reasons == plan.changes[0].risk_reasons
    for change in data["changes"]:  # as a humectl before risk saved it
        del change["risk"], change["risk_reasons"]
    (tmp_path / "old.json").write_text(json.dumps(data), encoding="utf-8")
    old = load_plan(tmp_path / "old.json")
    assert old.changes[0].risk == "high"


def test_docs_review_lists_every_default_rule_as_it_is() -> None:
    from tests.conftest import REPO_ROOT

    text = (REPO_ROOT / "docs" / "review.md").read_text(encoding="utf-8")
    rows = {
        line.split("|")[1].strip().strip("`"): line.split("|")[2].strip()
        for line in text.splitlines()
        if line.startswith("| `")
    }
    assert {r.id: r.level for r in risk.RULES}.items() <= rows.items()


def test_a_create_is_low_whatever_it_sets() -> None:
    create = Change(
        address="config/c",
        kind="config",
        name="c",
        operations=("create",),
        fields=diff_fields({}, {**CONFIG, "prompt": "agent@0"}),
    )
    [out] = assessed(create)
    assert (out.risk, [r.rule for r in out.risk_reasons]) == ("low", ["create"])
