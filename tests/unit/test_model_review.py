"""humectl.model.review: what a review is made of, as data: risk levels and their order, the rules
(whole-change rules, then each kind's from the registry, then the any-field fallbacks), the keys a
policy may name, a team's policy and its violations, each round-tripping through a saved plan."""

from __future__ import annotations

import pytest

from humectl.core.kinds import KINDS
from humectl.model.review import (
    ANY_FIELD_RULES,
    HIGH,
    LEVELS,
    LOW,
    MEDIUM,
    RULES,
    RULES_BY_ID,
    WHOLE_RULES,
    Policy,
    RiskReason,
    Violation,
    at_least,
    field_root,
    is_override_key,
    rank,
    risk_counts,
    risk_level,
    rule_ids,
    worst,
)


def test_levels_are_ordered_mildest_first() -> None:
    assert LEVELS == ("low", "medium", "high")
    assert rank(LOW) < rank(MEDIUM) < rank(HIGH)
    assert worst([]) == "low" and worst(["medium", "low"]) == "medium" and worst(["low", "high", "medium"]) == "high"
    assert at_least("high", "medium") and at_least("medium", "medium") and not at_least("low", "medium")


@pytest.mark.parametrize("value", ["critical", "HIGH", "", None, 2])
def test_an_unknown_level_is_a_value_error(value: object) -> None:
    with pytest.raises(ValueError, match="unknown risk level"):
        risk_level(value)


def test_every_level_is_itself() -> None:
    assert [risk_level(level) for level in LEVELS] == list(LEVELS)


def test_the_rules_are_whole_change_then_each_kind_then_any_field() -> None:
    assert RULES[: len(WHOLE_RULES)] == WHOLE_RULES and RULES[-len(ANY_FIELD_RULES) :] == ANY_FIELD_RULES
    kind_rules = RULES[len(WHOLE_RULES) : -len(ANY_FIELD_RULES)]
    # every kind's declared rules, each tagged with its kind, kinds that reference others first
    assert kind_rules[0].id == "config.voice" and kind_rules[0].kind == "config"
    order = list(dict.fromkeys(r.kind for r in kind_rules))
    assert order == ["config", "prompt", "tool"]
    for kind in KINDS.values():
        declared = [(r.id, r.level, r.fields, r.predicate) for r in kind.risk_rules]
        assert [(r.id, r.level, r.fields, r.predicate) for r in kind_rules if r.kind == kind.name] == declared
    assert {r.kind for r in (*WHOLE_RULES, *ANY_FIELD_RULES)} == {None}


def test_rule_ids_are_unique_and_indexed() -> None:
    ids = rule_ids()
    assert len(ids) == len(set(ids)) == len(RULES_BY_ID)
    assert RULES_BY_ID["delete"].level == HIGH and RULES_BY_ID["content"].level == MEDIUM
    assert RULES_BY_ID["prompt.text"].kind == "prompt"


def test_override_keys_are_rule_ids_or_kind_field_paths() -> None:
    assert field_root("timeouts.inactivity.duration_secs") == "timeouts"
    assert field_root("tools[0].name") == "tools" and field_root("voice") == "voice"
    for key in ("delete", "config.voice", "config.voice.provider", "config.timeouts.inactivity", "tool.parameters"):
        assert is_override_key(key), key
    for key in ("config", "config.", "config.colour", "nokind.text", "prompt.tools", "nope"):
        assert not is_override_key(key), key


def test_risk_counts_are_worst_first() -> None:
    counts = risk_counts(["low", "high", "low"])
    assert counts == {"high": 1, "medium": 0, "low": 2} and list(counts) == ["high", "medium", "low"]
    assert risk_counts([]) == {"high": 0, "medium": 0, "low": 0}


def test_a_reason_round_trips() -> None:
    reason = RiskReason("config.voice", HIGH, "the voice changes", "voice.name", "configs.yaml:4:5")
    assert RiskReason.from_dict(reason.to_dict()) == reason
    bare = RiskReason("delete", HIGH, "deleted")
    assert bare.to_dict() == {"rule": "delete", "level": "high", "message": "deleted", "path": None, "source": None}
    assert RiskReason.from_dict(bare.to_dict()) == bare
    with pytest.raises(ValueError):
        RiskReason.from_dict({**bare.to_dict(), "level": "extreme"})


def test_an_environment_refines_the_top_level_policy() -> None:
    top = Policy({"config.voice": "medium", "prompt.text": "low"}, "high", ("config.webhooks", "delete"))
    env = Policy({"prompt.text": "high"}, None, ("delete", "config.voice"))
    assert top.refined_by(env) == Policy(
        {"config.voice": "medium", "prompt.text": "high"},  # the environment's keys win
        "high",  # no fail_on of its own: the top level's
        ("config.webhooks", "delete", "config.voice"),  # deny entries add up, once each
    )
    assert top.refined_by(Policy(fail_on="medium")).fail_on == "medium"


def test_fail_on_flag_and_emptiness() -> None:
    policy = Policy({"config.voice": "low"})
    assert policy.with_fail_on(None) is policy
    assert policy.with_fail_on("medium") == Policy({"config.voice": "low"}, "medium")
    assert Policy().empty and not Policy(deny=("delete",)).empty and not Policy(fail_on="high").empty
    assert not policy.empty


def test_a_policy_round_trips_sorted() -> None:
    policy = Policy({"prompt.text": "low", "config.voice": "medium"}, "high", ("delete",))
    document = policy.to_dict()
    assert document == {"fail_on": "high", "risk": {"config.voice": "medium", "prompt.text": "low"}, "deny": ["delete"]}
    assert list(document["risk"]) == ["config.voice", "prompt.text"]
    assert Policy.from_dict(document) == policy
    assert Policy.from_dict(None) == Policy() == Policy.from_dict({})


@pytest.mark.parametrize(
    "document", [{"fail_on": "low"}, {"fail_on": "extreme"}, {"risk": {"config.voice": "critical"}}]
)
def test_a_policy_with_unknown_levels_is_a_value_error(document: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Policy.from_dict(document)


def test_a_violation_round_trips() -> None:
    violation = Violation("config/desk", "policy.deny", "config.voice changes", "configs.yaml:3:1")
    assert Violation.from_dict(violation.to_dict()) == violation
    assert Violation.from_dict({**violation.to_dict(), "source": None}).source is None
