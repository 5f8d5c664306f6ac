"""plan and apply in a faked GitHub Actions environment against the emulator: summary, annotations,
plan.md/plan.json for the PR comment and artifact, and a 500-change plan that fits a comment."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner, Result

from humectl.cli.app import cli
from humectl.io.planfile import MARKDOWN_MARK
from humectl.model.fields import FieldChange
from humectl.model.plan import Change, Plan
from humectl.render.markdown import GITHUB_COMMENT_LIMIT, render_markdown
from tests.conftest import EXAMPLES_DIR


def gh_run(tmp_path: Path, *args: str) -> tuple[Result, Path]:
    summary = tmp_path / "step-summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary), "HUME_API_KEY": "k", "NO_COLOR": ""}
    return CliRunner().invoke(cli, list(args), env=env), summary


def test_plan_and_apply_in_github_actions(tmp_path: Path) -> None:
    evi = tmp_path / "evi"
    shutil.copytree(EXAMPLES_DIR / "support-desk", evi)
    db = f"--emulator={tmp_path / 'account.sqlite3'}"
    out = tmp_path / "plan.json"
    result, summary = gh_run(tmp_path, "plan", str(evi), db, "--detailed-exitcode", "--out", str(out))
    assert result.exit_code == 2, result.output
    assert "\x1b[" not in result.output  # no colour in CI logs
    step = summary.read_text()
    assert step.startswith("### humectl plan") and "Plan: 6 to create" in step
    written = render_markdown(Plan.from_dict(json.loads(out.read_text())))
    assert (tmp_path / "plan.md").read_text() == f"{written}\n{MARKDOWN_MARK}\n"  # marked as humectl's own
    assert json.loads(out.read_text())["summary"]["create"] == 6

    applied, summary = gh_run(tmp_path, "apply", str(out), db, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "::group::humectl apply: progress" in applied.output and "::endgroup::" in applied.output
    assert "### humectl apply" in summary.read_text() and "| ✅ | `config/support-desk` |" in summary.read_text()


def test_invalid_manifest_gives_annotations_at_file_and_line(tmp_path: Path) -> None:
    evi = tmp_path / "evi"
    shutil.copytree(EXAMPLES_DIR / "minimal", evi)
    manifest = evi / "manifests.yaml"
    manifest.write_text(manifest.read_text().replace('evi_version: "3"', 'evi_version: "2"'))
    result, _ = gh_run(tmp_path, "plan", str(evi), f"--emulator={tmp_path / 'a.sqlite3'}")
    assert result.exit_code == 1
    annotations = [line for line in result.output.splitlines() if line.startswith("::error ")]
    assert annotations, result.output
    assert "file=" in annotations[0] and "manifests.yaml" in annotations[0] and ",line=" in annotations[0]
    validate, _ = gh_run(tmp_path, "validate", str(evi))
    assert validate.exit_code == 1 and "::error file=" in validate.output


def test_api_errors_become_an_annotation(tmp_path: Path) -> None:
    evi = tmp_path / "evi"
    shutil.copytree(EXAMPLES_DIR / "minimal", evi)
    result, _ = gh_run(tmp_path, "plan", str(evi), "--base-url", "http://example.com")
    assert result.exit_code == 1
    assert "::error title=humectl::refusing to send the API key over plain http" in result.output


def test_markdown_of_500_changes_fits_a_github_comment() -> None:
    text = "\n".join(f"Line {i} of a long prompt that keeps going and going." for i in range(60))
    changes = [
        Change(
            address=f"prompt/agent-{i:03d}",
            kind="prompt",
            name=f"agent-{i:03d}",
            operations=("version",),
            reasons=["changed: text"],
            fields=[FieldChange("text", text, text + "\nMore.")],
            text_diff="--- a\n+++ b\n" + "".join(f"+{line}\n" for line in text.splitlines()),
            live_id="x",
            live_version=3,
            predicted_version=4,
            source=f"prompts.yaml:{i * 4 + 2}",
        )
        for i in range(500)
    ]
    markdown = render_markdown(Plan(changes=changes))
    assert len(markdown) < GITHUB_COMMENT_LIMIT
    assert "Plan: 0 to create, 500 to version" in markdown
    assert "were left out to stay under GitHub's comment size limit" in markdown
    assert markdown.count("<details>") >= 1
