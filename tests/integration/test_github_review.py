"""A pull request that breaks the review policy, in the faked Actions runner against a served
emulator: the example workflow with `sarif: true` calls the reusable plan workflow, whose real steps
run the real humectl. The plan job fails with an annotation at the violating manifest line, the
sticky comment still shows the plan (under a refusal heading), and code scanning gets both logs."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from humectl.cli.app import cli
from humectl.emulator.app import EmulatorConfig
from humectl.emulator.serve import run_in_thread
from tests.conftest import EXAMPLES_DIR
from tests.integration.actions import REPO_ROOT, Runner

KEY = "sk-review-workflow-test-9d2b4f"
REPOSITORY = "acme/voice-agents"


@pytest.fixture()
def served() -> Iterator[str]:
    with run_in_thread(EmulatorConfig(api_key=KEY)) as url:
        yield url


def test_a_policy_violation_fails_the_plan_and_reaches_the_comment_and_code_scanning(
    served: str, tmp_path: Path
) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(EXAMPLES_DIR / "support-desk", tree / "evi")
    applied = CliRunner().invoke(
        cli, ["apply", str(tree / "evi"), "--base-url", served, "--auto-approve"], env={"HUME_API_KEY": KEY}
    )
    assert applied.exit_code == 0, applied.output
    (tree / "evi" / "humectl.yaml").write_text("policy:\n  deny: [config.voice]\n", encoding="utf-8")
    configs = tree / "evi" / "configs.yaml"
    configs.write_text(configs.read_text().replace("name: ITO}", "name: KORA}", 1), encoding="utf-8")

    workflow = yaml.safe_load((EXAMPLES_DIR / "github" / "humectl-workflow.yml").read_text())
    plan_job = workflow["jobs"]["plan"]
    plan_job["with"].update({"base-url": served, "sarif": True})
    plan_job["permissions"]["security-events"] = "write"
    path = tmp_path / "humectl.yml"
    path.write_text(yaml.safe_dump(workflow), encoding="utf-8")
    runner = Runner(
        trees=lambda ref: tree,
        secrets={"HUME_API_KEY": KEY},
        repository=REPOSITORY,
        local_actions={"OWNER/humectl": REPO_ROOT},
    )
    head = {"sha": "c" * 40, "repo": {"full_name": REPOSITORY, "fork": False}}
    payload = {"action": "opened", "number": 5, "pull_request": {"number": 5, "head": head}}
    try:
        results = runner.run_workflow(path, "pull_request", payload)
        assert results == {"plan": "failure", "apply": "skipped"}, runner.log()  # the gate fails the plan
        annotation = (
            "::error file=evi/configs.yaml,line=8,col=38,title=humectl%3A policy.deny::config/support-desk: "
            "config.voice must not change here: voice Ito → Kora"
        )
        assert annotation in runner.annotations, runner.annotations
        [comment] = runner.comments.values()
        assert comment.startswith("### :x: humectl plan refused for `evi`")
        assert "**⛔ Policy: 1 violation**" in comment and "❗ **high**: voice Ito → Kora" in comment
        categories = sorted(log["runs"][0]["automationDetails"]["id"] for log in runner.code_scanning)
        assert categories == ["humectl/plan/", "humectl/validate/"]
        by_category = {log["runs"][0]["automationDetails"]["id"]: log for log in runner.code_scanning}
        plan_log = by_category["humectl/plan/"]
        rules = [r["ruleId"] for r in plan_log["runs"][0]["results"]]
        assert rules == ["policy.deny", "risk.config.voice"]
        uri = plan_log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri == "evi/configs.yaml"
        assert KEY not in runner.raw_output() and KEY not in str(runner.code_scanning)
    finally:
        runner.close()
