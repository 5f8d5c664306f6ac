"""A change that needs several operations (rename through ``previous_names``, then a new description),
through the real CLI against the emulator: shown whole in the plan, applied in order, and, when it
fails between its operations, reported exactly and finished by the next run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from humectl.cli.app import cli
from tests.integration.failing import served_failing

KEY = "sk-test-0123456789abcdef"

BEFORE = """\
prompts:
  - name: greeter
    version_description: First draft.
    text: Hello there.
configs:
  - name: front-desk
    evi_version: "3"
    prompt: greeter
"""

AFTER = """\
prompts:
  - name: receptionist
    previous_names: [greeter]
    version_description: Reviewed by the support lead.
    text: Hello there.
configs:
  - name: front-desk
    evi_version: "3"
    prompt: receptionist
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"HUME_API_KEY": KEY, "NO_COLOR": "1", "GITHUB_ACTIONS": ""})


def write(evi: Path, text: str) -> Path:
    evi.mkdir(exist_ok=True)
    (evi / "evi.yaml").write_text(text, encoding="utf-8")
    return evi


def history(api: str, address: str) -> dict[str, Any]:
    result = run("history", address, api, "--output", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_rename_and_describe_in_one_change(tmp_path: Path) -> None:
    api = f"--emulator={tmp_path / 'account.sqlite3'}"
    evi = write(tmp_path / "evi", BEFORE)
    assert run("apply", str(evi), api, "--auto-approve").exit_code == 0
    write(evi, AFTER)

    plan = run("plan", str(evi), api)
    assert plan.exit_code == 0, plan.output
    assert "# prompt/receptionist will be renamed from greeter and get a new version description" in plan.output
    assert "Plan: 0 to create, 0 to version, 1 to rename, 1 to update description, 1 unchanged" in plan.output
    as_json = json.loads(run("plan", str(evi), api, "--output", "json").stdout)
    assert [c["operations"] for c in as_json["changes"]] == [["rename", "describe"]]
    assert as_json["summary"]["rename"] == 1 and as_json["summary"]["describe"] == 1

    applied = run("apply", str(evi), api, "--auto-approve", "--output", "json")
    assert applied.exit_code == 0, applied.output
    report = json.loads(applied.stdout)["report"]
    assert report["operations"] == {"prompt/receptionist": ["rename", "describe"]}

    head = history(api, "prompt/receptionist")["versions"][0]
    assert head["version_description"] == "Reviewed by the support lead." and head["by_humectl"]
    assert run("history", "prompt/greeter", api).exit_code == 1  # the old name is gone
    again = run("plan", str(evi), api, "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_a_change_failing_after_its_rename_says_so_and_the_next_run_finishes_it(tmp_path: Path) -> None:
    evi = write(tmp_path / "evi", BEFORE)
    with served_failing() as server:
        api = f"--base-url={server.url}"
        assert run("apply", str(evi), api, "--auto-approve").exit_code == 0
        write(evi, AFTER)
        # The rename (PATCH /v0/evi/prompts/{id}) goes through; the description (PATCH of a version) fails.
        server.faults.fail("PATCH", r"/v0/evi/prompts/[^/]+/version/\d+", status=400)
        failed = run("apply", str(evi), api, "--auto-approve")
        assert failed.exit_code == 1
        assert server.faults.failed == 1
        assert (
            "failed: prompt/receptionist (its rename took effect, the rest did not): "
            "PATCH /v0/evi/prompts/" in failed.output
        ), failed.output
        as_json = run("apply", str(evi), api, "--auto-approve", "--output", "json")  # fails the same way
        document = json.loads(as_json.stdout)
        assert document["error"]["type"] == "apply" and document["report"]["failed"][0]["address"] == (
            "prompt/receptionist"
        )

        server.faults.stop()
        # What is left: the description only (the name took effect in the first run).
        left = run("plan", str(evi), api)
        assert "# prompt/receptionist will get a new version description" in left.output, left.output
        assert "1 to update description" in left.output and "0 to rename" in left.output
        rerun = run("apply", str(evi), api, "--auto-approve")
        assert rerun.exit_code == 0, rerun.output
        assert run("plan", str(evi), api, "--detailed-exitcode").exit_code == 0
        head = history(api, "prompt/receptionist")["versions"][0]
        assert head["version_description"] == "Reviewed by the support lead." and head["by_humectl"]
