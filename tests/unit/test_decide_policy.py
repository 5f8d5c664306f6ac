"""humectl.decide.policy: ``policy:`` in humectl.yaml (top level refined per environment, every mistake
located), its schema kept in step with the rules, and the violations of assessed plans."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from humectl.core.errors import ManifestError
from humectl.core.kinds import KINDS
from humectl.decide import risk
from humectl.decide.diff import diff_fields
from humectl.decide.policy import reviewed, violations
from humectl.load.manifests import load_manifests
from humectl.model.desired import LoadOptions
from humectl.model.plan import Change, Plan
from humectl.model.review import DENY, FAIL_ON, Policy, is_override_key, rule_ids
from tests.conftest import REPO_ROOT

MANIFEST = "prompts:\n  - name: agent\n    text: Hello.\n"


def project(tmp_path: Path, text: str) -> Path:
    (tmp_path / "humectl.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "agent.yaml").write_text(MANIFEST, encoding="utf-8")
    return tmp_path


def test_the_environment_refines_the_top_level_policy(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        """\
policy:
  fail_on: high
  risk: {config.voice: medium, prompt.text: low}
  deny: [config.webhooks]
environments:
  prod:
    policy:
      fail_on: medium
      risk: {prompt.text: high}
      deny: [config.evi_version, delete]
  dev: {}
""",
    )
    top = load_manifests(root).policy
    assert top == Policy({"config.voice": "medium", "prompt.text": "low"}, "high", ("config.webhooks",))
    prod = load_manifests(root, LoadOptions(environment="prod")).policy
    assert prod == Policy(
        {"config.voice": "medium", "prompt.text": "high"}, "medium", ("config.webhooks", "config.evi_version", "delete")
    )
    assert load_manifests(root, LoadOptions(environment="dev")).policy == top


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        # The shape is schemas/project.schema.json's to say (one source of truth); keys are checked in
        # Python, with a did-you-mean over the rule ids.
        ("policy:\n  fail_on: low\n", 2, "policy.fail_on: 'low' is not one of the allowed values"),
        ("policy:\n  risk:\n    config.voices: low\n", 3, "'config.voices' is neither a risk rule nor a field path"),
        (
            "policy:\n  risk:\n    config.voice: severe\n",
            3,
            "policy.risk.config.voice: 'severe' is not one of the allowed values",
        ),
        ("policy:\n  deny: [config.evi_versoin]\n", 2, "'config.evi_versoin' is neither a risk rule nor a field path"),
        ("policy:\n  denied: []\n", 2, "policy: unknown field 'denied'"),
        ("policy: [high]\n", 1, "policy: must be a mapping or null, not a list"),
        # Another environment's mistake is found without --env naming it.
        (
            "environments:\n  prod:\n    policy:\n      fail_on: hihg\n",
            4,
            "environment 'prod': policy.fail_on: 'hihg' is not one of the allowed values",
        ),
    ],
)
def test_policy_mistakes_are_located(tmp_path: Path, text: str, line: int, message: str) -> None:
    with pytest.raises(ManifestError) as caught:
        load_manifests(project(tmp_path, text))
    [problem] = caught.value.problems
    found = (Path(problem.file).name, problem.line, problem.message, problem.rule)
    assert found == ("humectl.yaml", line, message, "policy")


def test_the_schema_knows_every_rule_and_content_field() -> None:
    schema = json.loads((REPO_ROOT / "schemas" / "project.schema.json").read_text(encoding="utf-8"))
    key = schema["$defs"]["policyKey"]
    assert key["anyOf"][0]["enum"] == rule_ids()
    pattern = re.compile(key["anyOf"][1]["pattern"])
    for kind in KINDS.values():
        for name in kind.content_fields:
            assert pattern.match(f"{kind.name}.{name}") and pattern.match(f"{kind.name}.{name}.sub")
            assert is_override_key(f"{kind.name}.{name}")
    assert not pattern.match("config.voices") and not is_override_key("config.voices")
    good = {
        "policy": {"fail_on": "high", "risk": {"config.voice": "low", "delete": "medium"}, "deny": ["delete"]},
        "environments": {"prod": {"policy": {"deny": ["config.evi_version"]}}},
    }
    jsonschema.validate(good, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"policy": {"fail_on": "low"}}, schema)


def assessed(changes: list[Change], policy: Policy) -> Plan:
    return Plan(changes=tuple(risk.assess(changes, policy.risk)))


def config(before: dict[str, object], after: dict[str, object], action: str = "version") -> Change:
    return Change(
        address="config/desk",
        kind="config",
        name="desk",
        operations=(action,),
        fields=diff_fields(before, after),
        source="c.yaml:1",
    )


def test_deny_names_a_field_a_section_a_part_or_a_rule() -> None:
    ito, kora = {"provider": "HUME_AI", "name": "ITO"}, {"provider": "HUME_AI", "name": "KORA"}
    voice = config({"voice": ito}, {"voice": kora})
    for entry in ("config.voice", "config.voice.name"):
        [found] = violations(assessed([voice], Policy(deny=(entry,))), Policy(deny=(entry,)))
        assert (found.rule, found.message) == (DENY, f"{entry} must not change here: voice ITO → KORA")
    assert not violations(assessed([voice], Policy()), Policy(deny=("config.voice.provider", "prompt.text")))
    delete = Change(address="tool/t", kind="tool", name="t", operations=("delete",), reasons=["not in the manifests"])
    [found] = violations(assessed([delete], Policy()), Policy(deny=("delete",)))
    assert found.address == "tool/t"
    # A create sets the field but changes nothing live: only the rule id create denies it.
    create = config({}, {"evi_version": "3"}, action="create")
    assert not violations(assessed([create], Policy()), Policy(deny=("config.evi_version",)))
    assert violations(assessed([create], Policy()), Policy(deny=("create",)))


def test_fail_on_counts_changes_at_or_over_the_level() -> None:
    medium = config({"nudges": {"enabled": True}}, {"nudges": {"enabled": False}})
    high = config({"evi_version": "3"}, {"evi_version": "4"})
    plan = assessed([medium, high], Policy())
    assert [v.message for v in violations(plan, Policy(fail_on="high"))] == [
        "high risk (fail_on: high): evi_version 3 → 4"
    ]
    assert [v.rule for v in violations(plan, Policy(fail_on="medium"))] == [FAIL_ON, FAIL_ON]
    # policy.risk lowers the level below fail_on: no violation.
    lowered = Policy({"config.evi_version": "medium"}, "high")
    assert violations(assessed([medium, high], lowered), lowered) == []


def test_policy_and_violations_survive_a_saved_plan() -> None:
    plan = assessed([config({"evi_version": "3"}, {"evi_version": "4"})], Policy(fail_on="high"))
    plan = reviewed(plan, Policy({"config.voice": "low"}, "high", ("delete",)))
    again = Plan.from_dict(json.loads(json.dumps(plan.to_dict())))
    assert (again.policy, again.violations) == (plan.policy, plan.violations)
