"""``humectl destroy`` through the CLI (in-process emulator): the plan first, confirmation, the lock,
exit codes as apply's, JSON and Markdown documents, a protected resource refusing the whole destroy."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from humectl.cli.app import cli
from tests.conftest import EXAMPLES_DIR
from tests.integration.test_cli_commands_unlock_lock import take_lock

KEY = "sk-test-0123456789abcdef"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env={"HUME_API_KEY": KEY, "NO_COLOR": "1", **(env or {})})


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES_DIR / "multi-env", tmp_path / "evi")
    return tmp_path


def db(project: Path) -> str:
    return f"--emulator={project / 'account.sqlite3'}"


def live_names(project: Path) -> list[str]:
    with sqlite3.connect(project / "account.sqlite3") as conn:
        return sorted(r[0] for r in conn.execute("SELECT name FROM resources WHERE name NOT LIKE 'humectl-lock%'"))


def test_destroy_shows_the_plan_asks_and_deletes_only_its_environment(project: Path) -> None:
    evi = str(project / "evi")
    for environment in ("dev", "staging", "prod"):
        assert run("apply", evi, db(project), "--env", environment, "--auto-approve").exit_code == 0
    everything = live_names(project)
    assert len(everything) == 9

    unconfirmed = run("destroy", evi, db(project), "--env", "dev")
    assert unconfirmed.exit_code == 1
    assert "- config/dev-concierge" in unconfirmed.stdout and "refusing to destroy without confirmation" in (
        unconfirmed.stderr
    )
    assert live_names(project) == everything

    done = run("destroy", evi, db(project), "--env", "dev", "--auto-approve", "-o", "json")
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    assert document["applied"] is True and document["error"] is None
    assert document["report"]["done"] == ["config/dev-concierge", "prompt/dev-concierge", "tool/dev-check_stock"]
    assert document["plan"]["destroy"] is True and document["plan"]["name_prefix"] == "dev-"
    assert "resources" not in document
    assert live_names(project) == [n for n in everything if not n.startswith("dev-")]

    again = run("destroy", evi, db(project), "--env", "dev", "--auto-approve")
    assert again.exit_code == 0
    assert "Nothing to destroy: no live resource humectl created for name prefix 'dev-' is left." in again.stdout
    # The other environments are exactly as they were.
    for environment in ("staging", "prod"):
        plan = run("plan", evi, db(project), "--env", environment, "--detailed-exitcode")
        assert plan.exit_code == 0, plan.output


def test_destroy_refuses_a_protected_resource_and_deletes_nothing(project: Path) -> None:
    evi = project / "evi"
    manifest = evi / "concierge.yaml"
    protected = manifest.read_text().replace("  - name: check_stock\n", "  - name: check_stock\n    protect: true\n")
    manifest.write_text(protected)
    assert run("apply", str(evi), db(project), "--env", "staging", "--auto-approve").exit_code == 0
    before = live_names(project)

    refused = run("destroy", str(evi), db(project), "--env", "staging", "--auto-approve")
    assert refused.exit_code == 1
    assert "! refused: protected" in refused.stdout  # the plan is shown, the refused change marked
    assert (
        "Error: destroy refused, nothing was deleted: tool/staging-check_stock: protected: its last humectl apply "
        "had protect: true" in refused.stderr
    )
    assert "set protect: false on protected resources and apply" in refused.stderr
    assert live_names(project) == before

    as_json = run("destroy", str(evi), db(project), "--env", "staging", "--auto-approve", "-o", "json")
    assert as_json.exit_code == 1
    error = json.loads(as_json.stdout)
    assert error["error"]["type"] == "plan" and error["applied"] is False
    assert [c["blocked_by"] is not None for c in error["plan"]["changes"]] == [False, False, True]
    assert live_names(project) == before

    # Unprotecting is a recorded step (protect: false, applied); then the destroy goes through.
    manifest.write_text(manifest.read_text().replace("    protect: true\n", ""))
    assert run("apply", str(evi), db(project), "--env", "staging", "--auto-approve").exit_code == 0
    assert run("destroy", str(evi), db(project), "--env", "staging", "--auto-approve").exit_code == 0
    assert live_names(project) == []


def test_destroy_holds_the_lock_of_its_environment(project: Path) -> None:
    evi = str(project / "evi")
    assert run("apply", evi, db(project), "--env", "dev", "--auto-approve").exit_code == 0
    take_lock(project, scope="dev-")
    refused = run("destroy", evi, db(project), "--env", "dev", "--auto-approve")
    assert refused.exit_code == 1 and "the lock of name prefix 'dev-' is held by run other" in refused.stderr
    assert len(live_names(project)) == 3
    # Another environment's scope cannot collide with dev's: staging is not held up. prod writes in the
    # account scope (no prefix), which can touch dev-… too: it waits for dev's lock like dev itself.
    assert run("destroy", evi, db(project), "--env", "staging", "--auto-approve").exit_code == 0
    held_up = run("destroy", evi, db(project), "--env", "prod", "--auto-approve")
    assert held_up.exit_code == 1 and "the lock of name prefix 'dev-' is held by run other" in held_up.stderr


def test_destroy_markdown_and_github_summary(project: Path, tmp_path: Path) -> None:
    evi = str(project / "evi")
    assert run("apply", evi, db(project), "--name-prefix", "pr-9-", "--auto-approve").exit_code == 0
    summary = tmp_path / "summary.md"
    result = run(
        "destroy",
        evi,
        db(project),
        "--name-prefix",
        "pr-9-",
        "--auto-approve",
        "-o",
        "markdown",
        env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("### humectl destroy\n\n**Destroy complete: 3 resource(s) deleted.**")
    assert "| ✅ | `config/pr-9-concierge` | delete | done |" in result.stdout
    assert "::group::humectl destroy: progress" in result.stderr  # people's lines stay off the document
    assert "### humectl destroy" in summary.read_text(encoding="utf-8")
    assert live_names(project) == []


def test_destroy_of_manifests_without_resources_is_refused_without_allow_empty(project: Path) -> None:
    evi = str(project / "evi")
    assert run("apply", evi, db(project), "--auto-approve", "--env", "prod").exit_code == 0
    empty = project / "empty"
    empty.mkdir()
    (empty / "nothing.yaml").write_text("prompts: []\n")
    refused = run("destroy", str(empty), db(project), "--auto-approve")
    assert refused.exit_code == 1 and "no resources in" in refused.stderr and "--allow-empty" in refused.stderr
    assert len(live_names(project)) == 3
    assert run("destroy", str(empty), db(project), "--auto-approve", "--allow-empty").exit_code == 0
    assert live_names(project) == []
