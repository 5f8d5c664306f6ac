"""humectl.cli.reporting: what plan and apply show around their work: the plan in the chosen format,
its policy violations (beside a text plan, else on stderr; annotations under GitHub Actions), the
apply's report, its document, the job summary, and the flags a suggested command must repeat."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from humectl.cli.flags import ApiFlags
from humectl.cli.reporting import (
    api_hint,
    github_apply_summary,
    print_apply_document,
    print_report,
    render_plan,
)
from humectl.core.errors import ApplyReport
from humectl.core.settings import Settings
from humectl.model.plan import Plan
from humectl.render.json import render_json
from humectl.render.markdown import render_apply_document, render_markdown
from humectl.render.text import render_text
from tests.support import apply, make_plan
from tests.unit.cli_helpers import KEY, applied, document, project, run


@pytest.fixture()
def planned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Plan, Settings]:
    monkeypatch.setenv("NO_COLOR", "1")
    evi, db = project(tmp_path)
    settings = Settings(api_key=KEY, emulator_db=db.partition("=")[2])
    return make_plan(evi, settings).plan, settings


def test_render_plan_in_each_format(planned: tuple[Plan, Settings]) -> None:
    plan, _ = planned
    assert render_plan(plan, "json") == render_json(plan)
    assert render_plan(plan, "markdown") == render_markdown(plan)
    assert render_plan(plan, "text") == render_text(plan, colour=False)
    assert "Plan: 3 to create" in render_plan(plan, "text")


def flags(**given: object) -> ApiFlags:
    return ApiFlags(
        **{"base_url": None, "emulator_db": None, "parallelism": None, "timeout": None, "ca_bundle": None, **given}
    )  # type: ignore[arg-type]


def test_the_hint_repeats_the_flags_that_reach_the_same_account() -> None:
    assert api_hint(flags(emulator_db="db.sqlite3")) == " --emulator=db.sqlite3"
    assert api_hint(flags(base_url="http://127.0.0.1:8765")) == " --base-url http://127.0.0.1:8765"
    assert (
        api_hint(flags(base_url="http://h", emulator_db="db.sqlite3")) == " --emulator=db.sqlite3"
    )  # the emulator wins
    assert api_hint(flags(parallelism=4, timeout=2.0)) == ""
    # a server behind a company's CA is reached again only with the bundle that trusted it
    assert (
        api_hint(flags(base_url="https://evi.corp", ca_bundle="ca.pem"))
        == " --base-url https://evi.corp --ca-bundle ca.pem"
    )
    assert api_hint(flags(emulator_db="evil\x1b[2J.db")) == " --emulator=evil\\x1b[2J.db"  # terminal-safe


def test_a_saved_plan_suggests_the_apply_that_reaches_the_same_account(tmp_path: Path) -> None:
    evi, db = project(tmp_path)
    out = tmp_path / "plan.json"
    result = run("plan", str(evi), db, "--out", str(out))
    assert f"apply exactly it with: humectl apply {out} {db}" in result.stdout


def test_the_apply_report_goes_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    report = ApplyReport(done=["tool/t"], failed=[("config/c", "HTTP 400: bad voice")], not_started=["config/d"])
    print_report(report)
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("\n") and "done (1): tool/t" in err and "HTTP 400: bad voice" in err


def test_the_apply_document_for_json_and_markdown_only(
    planned: tuple[Plan, Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    plan, settings = planned
    report, _ = apply(plan, settings)
    print_apply_document(plan, report, applied=True, output="text", verb="apply")
    assert capsys.readouterr() == ("", "")  # text: the report lines were printed as it ran
    print_apply_document(plan, report, applied=True, output="json", verb="apply")
    data = json.loads(capsys.readouterr().out)
    assert data["applied"] is True and data["report"]["done"] == report.done
    assert sorted(r["address"] for r in data["resources"]) == ["config/desk", "prompt/greeter", "tool/lookup"]
    assert all(r["id"] for r in data["resources"])
    print_apply_document(plan, report, applied=False, output="json", verb="destroy")
    assert "resources" not in json.loads(capsys.readouterr().out)  # destroy's document has none
    print_apply_document(plan, report, applied=True, output="markdown", verb="apply")
    markdown = capsys.readouterr().out
    assert markdown.startswith("### humectl apply")
    assert markdown == render_apply_document(plan, report, verb="apply", resources=data["resources"])
    print_apply_document(plan, report, applied=True, output="markdown", verb="destroy")
    destroyed = capsys.readouterr().out
    assert destroyed == render_apply_document(plan, report, verb="destroy", resources=[])  # no table of what is left
    assert destroyed != render_apply_document(plan, report, verb="destroy", resources=data["resources"])


def test_the_job_summary_only_under_github(
    planned: tuple[Plan, Settings], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan, _ = planned
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_ACTIONS", "")
    report = ApplyReport(done=[c.address for c in plan.changes])
    github_apply_summary(None, plan, report, failed=False, verb="apply")  # not under GitHub Actions
    github_apply_summary(False, plan, report, failed=False, verb="apply")
    assert not summary.exists()
    github_apply_summary(True, plan, report, failed=False, verb="apply")
    assert summary.read_text(encoding="utf-8").startswith("### humectl apply\n\n**Apply complete.**")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    github_apply_summary(None, plan, ApplyReport(failed=[("tool/lookup", "boom")]), failed=True, verb="destroy")
    assert "### humectl destroy" in summary.read_text(encoding="utf-8")


def voice_change(tmp_path: Path) -> tuple[Path, str]:
    """Applied, then the config's voice changed in the manifests: a high-risk change."""
    evi, db = applied(tmp_path)
    configs = evi / "configs.yaml"
    configs.write_text(configs.read_text(encoding="utf-8").replace("name: ITO", "name: KORA"), encoding="utf-8")
    return evi, db


def test_violations_follow_a_text_plan_on_stdout(tmp_path: Path) -> None:
    evi, db = voice_change(tmp_path)
    result = run("plan", str(evi), db, "--fail-on", "high")
    assert result.exit_code == 1
    plan_end = result.stdout.index("Plan: 0 to create, 1 to version")
    violations = result.stdout.index("Policy violations (1)")
    assert plan_end < violations and "config/desk" in result.stdout[violations:]


def test_with_a_document_on_stdout_violations_go_to_stderr(tmp_path: Path) -> None:
    evi, db = voice_change(tmp_path)
    result = run("plan", str(evi), db, "--fail-on", "high", "-o", "json")
    assert result.exit_code == 1
    assert "Policy violations (1)" not in result.stdout and "Policy violations (1)" in result.stderr
    assert document(result)["error"]["type"] == "policy"


def test_under_github_each_violation_is_an_annotation_at_its_line(tmp_path: Path) -> None:
    evi, db = voice_change(tmp_path)
    result = run("plan", str(evi), db, "--fail-on", "high", "--github", env={"GITHUB_STEP_SUMMARY": ""})
    annotations = [line for line in result.output.splitlines() if line.startswith("::error file=")]
    assert annotations and any(f"file={evi / 'configs.yaml'},line=" in line for line in annotations)
    quiet = run("plan", str(evi), db, "--fail-on", "high", "--no-github")
    assert "::error file=" not in quiet.output
