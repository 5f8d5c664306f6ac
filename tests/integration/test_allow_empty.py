"""An empty desired state is not a licence to delete: plan/apply of a directory without resources,
and a prune that deletes every resource humectl manages, are refused unless --allow-empty."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from humectl.cli.app import cli
from tests.conftest import EXAMPLES_DIR


def run(*args: str) -> Result:
    env = {"GITHUB_ACTIONS": "", "HUMECTL_ENV": "", "HUME_API_KEY": "", "NO_COLOR": "1"}
    return CliRunner().invoke(cli, list(args), env=env)


@pytest.fixture
def account(tmp_path: Path) -> tuple[Path, str]:
    """An emulator account holding support-desk (6 resources, made by humectl), and an empty directory."""
    shutil.copytree(EXAMPLES_DIR / "support-desk", tmp_path / "full")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "a.yaml").write_text("# nothing yet\n")
    db = f"--emulator={tmp_path / 'account.sqlite3'}"
    assert run("apply", str(tmp_path / "full"), db, "--auto-approve").exit_code == 0
    return tmp_path, db


@pytest.mark.parametrize("command", ["plan", "apply", "drift"])
def test_no_resources_is_refused_before_the_api(account: tuple[Path, str], command: str) -> None:
    root, db = account
    extra = ["--auto-approve", "--prune"] if command == "apply" else []
    result = run(command, str(root / "empty"), db, *extra)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"Error: no resources in {root / 'empty'}: its manifests hold no prompt, tool or config"
    )
    assert "--allow-empty" in result.output
    assert run("plan", str(root / "full"), db, "--detailed-exitcode").exit_code == 0  # nothing was deleted


def test_validate_warns(account: tuple[Path, str]) -> None:
    root, _ = account
    result = run("validate", str(root / "empty"))
    assert result.exit_code == 0
    assert "warning: no resources" in result.output and "--allow-empty" in result.output


def test_allow_empty_plans_and_prunes_everything_saying_so(account: tuple[Path, str]) -> None:
    root, db = account
    assert "No changes." in run("plan", str(root / "empty"), db, "--allow-empty").output
    planned = run("plan", str(root / "empty"), db, "--allow-empty", "--prune")
    assert planned.exit_code == 0, planned.output
    assert planned.output.splitlines()[-1] == (
        "Plan: 0 to create, 0 to version, 0 to rename, 6 to delete, 0 unchanged "
        "(deletes every resource humectl manages: allowed by --allow-empty)"
    )
    document = json.loads(run("plan", str(root / "empty"), db, "--allow-empty", "--prune", "-o", "json").output)
    assert document["deletes_all_managed"] is True and document["allow_empty"] is True
    applied = run("apply", str(root / "empty"), db, "--allow-empty", "--prune", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "Apply complete: 6 change(s) applied." in applied.output


def test_a_prune_of_everything_humectl_manages_is_refused(account: tuple[Path, str]) -> None:
    root, db = account
    other = root / "other"
    other.mkdir()
    (other / "a.yaml").write_text("prompts:\n  - {name: someone-else, text: hi}\n")
    planned = run("plan", str(other), db, "--prune", "--out", str(root / "plan.json"))
    assert planned.exit_code == 1
    lines = planned.output.splitlines()
    summary = next(line for line in lines if line.startswith("Plan: "))
    assert summary == (
        "Plan: 1 to create, 0 to version, 0 to rename, 6 to delete, 0 unchanged "
        "(deletes every resource humectl manages: refused without --allow-empty)"
    )
    assert "Error: the plan deletes every resource humectl manages (6) and keeps none: refused" in planned.output
    markdown = (root / "plan.md").read_text()
    assert f"**{summary}**" in markdown.splitlines(), markdown  # the same summary, bold, in the Markdown
    # The saved plan is refused too, and apply of the directory without the flag changes nothing.
    assert run("apply", str(root / "plan.json"), db, "--auto-approve").exit_code == 1
    assert run("apply", str(other), db, "--prune", "--auto-approve").exit_code == 1
    saved_with_flag = run("apply", str(root / "plan.json"), db, "--auto-approve", "--allow-empty")
    assert saved_with_flag.exit_code == 1 and "applied exactly as saved" in saved_with_flag.output
    assert run("plan", str(root / "full"), db, "--detailed-exitcode").exit_code == 0
    # With the flag it goes through.
    assert run("apply", str(other), db, "--prune", "--auto-approve", "--allow-empty").exit_code == 0


def test_a_prune_that_keeps_something_needs_no_flag(account: tuple[Path, str]) -> None:
    root, db = account
    extra = root / "extra"
    extra.mkdir()
    (extra / "a.yaml").write_text("prompts:\n  - {name: extra, text: hi}\n")
    assert run("apply", str(extra), db, "--auto-approve").exit_code == 0
    planned = run("plan", str(root / "full"), db, "--prune", "-o", "json")
    assert planned.exit_code == 0, planned.output
    document = json.loads(planned.output)
    assert document["deletes_all_managed"] is False and document["summary"]["delete"] == 1
