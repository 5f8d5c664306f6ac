"""Policy gates through the CLI, on the review scenario (voice change, prompt rewrite, tool removed):
plan prints the plan then its violations and exits 1 (--detailed-exitcode too), annotates each at its
manifest line under GitHub Actions; apply refuses such a plan, live or saved, unless --override-policy,
which its version descriptions then record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.review_scenario import review_account, run

PROD = """\
environments:
  prod:
    policy:
      deny: [config.voice]
  sandbox: {}
"""


@pytest.fixture
def scenario(tmp_path: Path) -> tuple[Path, str]:
    root, db = review_account(tmp_path)
    (root / "humectl.yaml").write_text(PROD, encoding="utf-8")
    return root, db


def test_a_plan_that_violates_the_policy_shows_the_plan_then_the_violations_and_exits_1(
    scenario: tuple[Path, str],
) -> None:
    root, db = scenario
    for extra in ([], ["--detailed-exitcode"]):
        result = run("plan", str(root), db, "--env", "prod", *extra)
        assert result.exit_code == 1, result.output
        out = result.stdout
        assert out.index("Plan: 0 to create, 2 to version") < out.index("Policy violations (1)")
        assert "! config/support-desk: config.voice must not change here: voice Ito → Kora [policy.deny]" in out
        assert "(configs.yaml:8:38)" in out
        assert "Error: the plan violates the review policy (1 violation)" in result.stderr
    # Without --env, no plan at all (environments are scopes: none is guessed, and prod's gate is never
    # skipped by leaving it out); another environment without the gate plans it: exit 2.
    unnamed = run("plan", str(root), db, "--detailed-exitcode")
    assert unnamed.exit_code == 1
    assert "humectl.yaml declares environments (prod, sandbox): choose one with --env NAME" in unnamed.stderr
    assert run("plan", str(root), db, "--env", "sandbox", "--detailed-exitcode").exit_code == 2


def test_each_violation_is_an_annotation_at_its_manifest_line(scenario: tuple[Path, str]) -> None:
    root, db = scenario
    result = run(
        "plan",
        str(root),
        db,
        "--env",
        "prod",
        "--fail-on",
        "high",
        GITHUB_ACTIONS="true",
        GITHUB_STEP_SUMMARY=str(root.parent / "summary.md"),
    )
    assert result.exit_code == 1
    annotations = [line for line in result.output.splitlines() if line.startswith("::error file=")]
    configs, prompts = root / "configs.yaml", root / "prompts.yaml"
    assert annotations == [
        f"::error file={prompts},line=5,col=16,title=humectl%3A policy.fail_on::prompt/support-agent: high risk "
        "(fail_on: high): prompt text rewritten: 14 of 16 lines changed",
        f"::error file={configs},line=8,col=38,title=humectl%3A policy.deny::config/support-desk: config.voice must "
        "not change here: voice Ito → Kora",
        f"::error file={configs},line=14,col=12,title=humectl%3A policy.fail_on::config/support-desk: high risk "
        "(fail_on: high): tool create_return removed from the config",
        f"::error file={configs},line=7,col=13,title=humectl%3A policy.fail_on::config/support-desk: high risk "
        "(fail_on: high): follows prompt/support-agent v0 → v1 (its risk: high)",
        f"::error file={configs},line=8,col=38,title=humectl%3A policy.fail_on::config/support-desk: high risk "
        "(fail_on: high): voice Ito → Kora",
    ]
    # The lines are where the manifests say it: line 8 is the voice, 14 the tools, 7 the prompt.
    lines = configs.read_text(encoding="utf-8").splitlines()
    assert lines[7][37:].startswith("KORA") and lines[13][11:].startswith("[lookup_order]")
    assert lines[6][12:].startswith("support-agent")
    summary = (root.parent / "summary.md").read_text(encoding="utf-8")
    assert "**⛔ Policy: 5 violations**" in summary


def test_fail_on_from_the_command_line_and_json(scenario: tuple[Path, str]) -> None:
    root, db = scenario
    sandbox = ("--env", "sandbox")
    medium_only = run(
        "plan", str(root), db, *sandbox, "--target", "prompt/support-agent-after-hours", "--fail-on", "medium"
    )
    assert medium_only.exit_code == 0  # nothing changes there
    result = run("plan", str(root), db, *sandbox, "--fail-on", "high", "-o", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["error"]["type"] == "policy"
    plan = document["plan"]
    assert plan["policy"] == {"fail_on": "high", "risk": {}, "deny": []}
    assert plan["risk_summary"] == {"high": 2, "medium": 0, "low": 0}
    assert {v["rule"] for v in plan["violations"]} == {"policy.fail_on"}
    assert "Policy violations (4)" in result.stderr


def test_apply_refuses_a_violating_plan_unless_overridden_and_records_the_override(
    scenario: tuple[Path, str],
) -> None:
    root, db = scenario
    refused = run("apply", str(root), db, "--env", "prod", "--auto-approve")
    assert refused.exit_code == 1
    assert "Error: the plan violates the review policy" in refused.stderr and "--override-policy" in refused.stderr
    assert run("plan", str(root), db, "--env", "sandbox", "--detailed-exitcode").exit_code == 2  # nothing applied
    saved = root.parent / "plan.json"
    assert run("plan", str(root), db, "--env", "prod", "--out", str(saved)).exit_code == 1
    assert json.loads(saved.read_text(encoding="utf-8"))["violations"][0]["rule"] == "policy.deny"
    assert run("apply", str(saved), db, "--auto-approve").exit_code == 1
    assert run("plan", str(root), db, "--env", "sandbox", "--detailed-exitcode").exit_code == 2
    applied = run("apply", str(saved), db, "--auto-approve", "--override-policy", "-o", "json")
    assert applied.exit_code == 0, applied.output
    assert "Warning: --override-policy: applying a plan with 1 policy violation(s)" in applied.stderr
    document = json.loads(applied.stdout)
    descriptions = [c["version_description"] for c in document["plan"]["changes"]]
    assert descriptions and all(d.endswith(" policy-overridden=deny]") for d in descriptions)
    # Recorded in humectl's marker: the manifests' descriptions still match, nothing is left to do.
    assert run("plan", str(root), db, "--env", "prod", "--detailed-exitcode").exit_code == 0
    history = json.loads(run("history", "config/support-desk", db, "-o", "json").stdout)
    assert [v["policy_overridden"] for v in history["versions"]] == [["deny"], []]
    assert "policy overridden: deny" in run("history", "config/support-desk", db).stdout
