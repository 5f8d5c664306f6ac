"""plan / apply / drift through the real CLI (click's runner) against the emulator.

In process with ``--emulator=DB`` (the README's path), and over a loopback socket with
``--base-url`` so the official SDK can make "dashboard" edits in between.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from humectl.cli.app import cli
from tests.conftest import EXAMPLES_DIR

KEY = "sk-test-0123456789abcdef"


def run(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env={"HUME_API_KEY": KEY, "NO_COLOR": "1", **(env or {})}, input=input)


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A copy of examples/support-desk that tests may edit, and an emulator DB beside it."""
    shutil.copytree(EXAMPLES_DIR / "support-desk", tmp_path / "evi")
    return tmp_path


def db(project: Path) -> str:
    return f"--emulator={project / 'account.sqlite3'}"


def test_readme_flow_apply_then_plan_is_empty(project: Path) -> None:
    first = run("apply", str(project / "evi"), db(project), "--auto-approve")
    assert first.exit_code == 0, first.output
    assert "Plan: 6 to create, 0 to version, 0 to rename, 0 unchanged" in first.output
    assert "Apply complete: 6 change(s) applied." in first.output
    again = run("plan", str(project / "evi"), db(project), "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes." in again.output and "6 unchanged" in again.output


def test_detailed_exitcode_and_output_formats(project: Path) -> None:
    text = run("plan", str(project / "evi"), db(project), "--detailed-exitcode")
    assert text.exit_code == 2 and "+ config/support-desk" in text.output
    as_json = run("plan", str(project / "evi"), db(project), "--output", "json")
    assert as_json.exit_code == 0
    data = json.loads(as_json.stdout)
    assert data["format_version"] == 1 and data["summary"]["create"] == 6
    md = run("plan", str(project / "evi"), db(project), "--output", "markdown")
    assert md.exit_code == 0 and md.output.startswith("### humectl plan") and "<details>" in md.output


def test_prompt_edit_cascade_via_saved_plan_and_stale_refusal(project: Path) -> None:
    assert run("apply", str(project / "evi"), db(project), "--auto-approve").exit_code == 0
    prompt_file = project / "evi" / "prompts" / "support-agent.md"
    prompt_file.write_text(prompt_file.read_text() + "Always confirm the order id.\n")
    out = project / "plan.json"
    saved = run("plan", str(project / "evi"), db(project), "--out", str(out), "--detailed-exitcode")
    assert saved.exit_code == 2, saved.output
    assert "because prompt/support-agent v0 → v1" in saved.output
    assert (project / "plan.md").read_text().startswith("### humectl plan")
    plan_data = json.loads(out.read_text())
    assert [c["address"] for c in plan_data["changes"]] == ["prompt/support-agent", "config/support-desk"]

    # someone else changes a config the plan depends on: the saved plan is refused, naming it
    other = project / "other"
    shutil.copytree(project / "evi", other)
    cfg = other / "configs.yaml"
    cfg.write_text(cfg.read_text().replace("temperature: 0.6", "temperature: 0.5"))
    assert run("apply", str(other), db(project), "--auto-approve").exit_code == 0
    stale = run("apply", str(out), db(project), "--auto-approve")
    assert stale.exit_code == 1
    assert "stale" in stale.output and "config/support-desk moved from version 0 to 1" in stale.output

    fresh = run("plan", str(project / "evi"), db(project), "--out", str(out))
    assert fresh.exit_code == 0
    applied = run("apply", str(out), db(project), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert run("plan", str(project / "evi"), db(project), "--detailed-exitcode").exit_code == 0


def test_apply_refuses_without_auto_approve_when_not_interactive(project: Path) -> None:
    result = run("apply", str(project / "evi"), db(project))
    assert result.exit_code == 1
    assert "refusing to apply without confirmation" in result.output
    assert run("plan", str(project / "evi"), db(project), "--detailed-exitcode").exit_code == 2  # nothing applied


def test_interrupted_apply_reports_exactly_and_rerun_converges(project: Path) -> None:
    cfg = project / "evi" / "configs.yaml"
    good = cfg.read_text()
    cfg.write_text(good.replace("name: ITO", "name: NO_SUCH_VOICE"))
    result = run("apply", str(project / "evi"), db(project), "--auto-approve", "--parallelism", "1")
    assert result.exit_code == 1
    assert "failed: config/support-desk: POST /v0/evi/configs failed: HTTP 400" in result.output
    assert "NO_SUCH_VOICE" in result.output
    done = "done (4): tool/create_return, tool/lookup_order, prompt/support-agent, prompt/support-agent-after-hours"
    assert done in result.output
    assert "not started (1): config/support-desk-after-hours" in result.output
    cfg.write_text(good)
    rerun = run("apply", str(project / "evi"), db(project), "--auto-approve")
    assert rerun.exit_code == 0, rerun.output
    assert "0 to version" in rerun.output and "unchanged" in rerun.output
    assert run("plan", str(project / "evi"), db(project), "--detailed-exitcode").exit_code == 0


def test_usage_errors_exit_1(project: Path) -> None:
    bad_target = run("plan", str(project / "evi"), db(project), "--target", "nonsense")
    assert bad_target.exit_code == 1 and "kind/name" in bad_target.output
    plain_http = run("plan", str(project / "evi"), "--base-url", "http://example.com")
    assert plain_http.exit_code == 1 and "refusing to send the API key over plain http" in plain_http.output
    assert KEY not in plain_http.output


def test_prune_through_the_cli(project: Path) -> None:
    assert run("apply", str(project / "evi"), db(project), "--auto-approve").exit_code == 0
    cfg = project / "evi" / "configs.yaml"
    text = cfg.read_text()
    cfg.write_text(text[: text.index("  - name: support-desk-after-hours")])
    plan = run("plan", str(project / "evi"), db(project), "--prune", "--detailed-exitcode")
    assert plan.exit_code == 2, plan.output
    assert "- config/support-desk-after-hours" in plan.output and "1 to delete" in plan.output
    applied = run("apply", str(project / "evi"), db(project), "--prune", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "config/support-desk-after-hours: deleted" in applied.output
    after = run("plan", str(project / "evi"), db(project), "--prune", "--detailed-exitcode")
    assert after.exit_code == 0, after.output


def test_unparsable_base_url_is_a_usage_error(project: Path) -> None:
    result = run("plan", str(project / "evi"), "--base-url", "http://[broken")
    assert result.exit_code == 1 and "--base-url / HUME_BASE_URL is not a valid URL" in result.output
