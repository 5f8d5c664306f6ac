"""Unmanaging without deleting through the CLI (issue 27 item 2): a manifest's ``removed:`` entries.

Plan says "will no longer be managed", apply clears humectl's marker and leaves the resource live;
afterwards prune (even --prune-unmanaged while the entry is listed), destroy and drift leave it alone.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from humectl.cli.app import cli
from humectl.emulator.app import EmulatorConfig
from tests.engine.helpers import emulator_account

KEY = "sk-test-0123456789abcdef"

MANIFEST = """\
prompts:
  - name: agent
    text: You help customers.
  - name: old-agent
    text: You helped customers, once.
    version_description: The first agent.
tools:
  - name: lookup
    parameters: {type: object}
configs:
  - name: desk
    evi_version: "3"
    prompt: agent
    tools: [lookup]
  - name: old-desk
    evi_version: "3"
    prompt: old-agent
"""
REMOVED = """\
removed:
  - address: config/old-desk
  - address: prompt/old-agent
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"HUME_API_KEY": KEY, "NO_COLOR": "1"})


def heads(db: Path) -> dict[str, str | None]:
    """name -> the description of its newest version, straight from the emulator's database."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT r.name, v.version_description FROM versions v JOIN resources r ON r.id = v.resource_id "
            "WHERE v.version = (SELECT MAX(version) FROM versions w WHERE w.resource_id = v.resource_id) "
            "AND r.name NOT LIKE 'humectl-lock%' ORDER BY r.name"
        ).fetchall()
    return dict(rows)


@pytest.fixture()
def applied(tmp_path: Path) -> tuple[Path, Path]:
    """The manifests applied, then old-desk and old-agent moved from the manifests to removed:."""
    evi, db = tmp_path / "evi", tmp_path / "account.sqlite3"
    evi.mkdir()
    (evi / "desk.yaml").write_text(MANIFEST)
    assert run("apply", str(evi), f"--emulator={db}", "--auto-approve").exit_code == 0
    kept, _, _ = MANIFEST.partition("  - name: old-desk")
    kept = kept.replace("  - name: old-agent\n    text: You helped customers, once.\n", "")
    kept = kept.replace("    version_description: The first agent.\n", "")
    (evi / "desk.yaml").write_text(kept)
    (evi / "removed.yaml").write_text(REMOVED)
    return evi, db


def test_a_removed_resource_is_unmanaged_left_live_and_untouched_by_prune_drift_and_destroy(
    applied: tuple[Path, Path],
) -> None:
    evi, db = applied
    emulator = f"--emulator={db}"
    plan = run("plan", str(evi), emulator, "--prune-unmanaged", "--detailed-exitcode")
    assert plan.exit_code == 2, plan.output
    assert "# config/old-desk will no longer be managed by humectl, and will not be deleted [risk: low]" in plan.output
    assert "  . prompt/old-agent   (removed.yaml:3)" in plan.output
    assert "Plan: 0 to create, 0 to version, 0 to rename, 2 to stop managing, 3 unchanged" in plan.output
    assert "to delete" not in plan.output  # not even --prune-unmanaged deletes them

    done = run("apply", str(evi), emulator, "--prune-unmanaged", "--auto-approve", "-o", "json")
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)["report"]
    assert report["done"] == ["prompt/old-agent", "config/old-desk"]  # by kind level, as every write
    assert report["operations"] == {"config/old-desk": ["unmanage"], "prompt/old-agent": ["unmanage"]}
    live = heads(db)
    assert live["old-desk"] == "applied by humectl" and live["old-agent"] == "The first agent."  # marker gone
    assert "[humectl " in str(live["desk"])

    # Afterwards: prune leaves them (and says why), a hand edit of them is no drift, destroy keeps them.
    again = run("plan", str(evi), emulator, "--prune-unmanaged", "--detailed-exitcode", "-o", "json")
    assert again.exit_code == 0, again.output
    kept = json.loads(again.stdout)["kept"]
    assert kept == {
        "config/old-desk": "listed under removed: humectl no longer manages it (left live)",
        "prompt/old-agent": "listed under removed: humectl no longer manages it (left live)",
    }
    with emulator_account(EmulatorConfig(db=str(db))) as account:
        old_desk = account.live().get("config", "old-desk")
        assert old_desk is not None
        account.raw("POST", f"/v0/evi/configs/{old_desk.id}", body={"evi_version": "3", "version_description": "x"})
    drift = run("drift", str(evi), emulator, "--detailed-exitcode")
    assert drift.exit_code == 0 and "No drift" in drift.output
    destroyed = run("destroy", str(evi), emulator, "--auto-approve", "-o", "json")
    assert destroyed.exit_code == 0, destroyed.output
    assert json.loads(destroyed.stdout)["report"]["done"] == ["config/desk", "prompt/agent", "tool/lookup"]
    assert sorted(heads(db)) == ["old-agent", "old-desk"]  # still live after apply and destroy


def test_removing_what_the_manifests_still_define_is_a_manifest_error(applied: tuple[Path, Path]) -> None:
    evi, db = applied
    (evi / "removed.yaml").write_text(REMOVED + "  - address: config/desk\n")
    result = run("plan", str(evi), f"--emulator={db}", "-o", "json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert [p["rule"] for p in problems] == ["removed"]
    assert problems[0]["message"].startswith("config/desk is listed under removed: but the manifests still manage it")


def test_removed_in_an_environment_names_its_prefixed_resource(tmp_path: Path) -> None:
    evi, db = tmp_path / "evi", tmp_path / "account.sqlite3"
    evi.mkdir()
    (evi / "humectl.yaml").write_text("environments:\n  dev: {name_prefix: dev-}\n")
    (evi / "desk.yaml").write_text(MANIFEST)
    assert run("apply", str(evi), f"--emulator={db}", "--env", "dev", "--auto-approve").exit_code == 0
    (evi / "desk.yaml").write_text(MANIFEST.split("  - name: old-desk")[0])
    (evi / "removed.yaml").write_text("removed:\n  - address: config/old-desk\n")
    plan = run("plan", str(evi), f"--emulator={db}", "--env", "dev", "-o", "json")
    assert plan.exit_code == 0, plan.output
    assert [(c["address"], c["action"]) for c in json.loads(plan.stdout)["changes"]] == [
        ("config/dev-old-desk", "unmanage")
    ]
