"""Version retention through the CLI (issue 27 item 1): ``retention: {keep_versions: N}`` in humectl.yaml
and ``--prune-versions`` on plan and apply, against the in-process emulator.

The account of the issue's done criterion: 50 versions of a prompt, a tool and a config (each config
version pins the prompt and tool versions of its time), brought to N by one apply; nothing a live
config uses is lost, heads never go, and a second plan is empty.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from humectl.cli.app import cli
from humectl.emulator.app import EmulatorConfig
from tests.engine.helpers import emulator_account

KEY = "sk-test-0123456789abcdef"
VERSIONS = 50
KEEP = 5
MARK = "[humectl seed0001]"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"HUME_API_KEY": KEY, "NO_COLOR": "1"})


def _text(i: int) -> str:
    return f"You help customers. (rev {i})"


def _tool_description(i: int) -> str:
    return f"Looks up an order (rev {i})"


def write_manifests(evi: Path, keep: int = KEEP, *, config_extra: str = "") -> None:
    evi.mkdir(exist_ok=True)
    (evi / "humectl.yaml").write_text(f"retention:\n  keep_versions: {keep}\n")
    (evi / "desk.yaml").write_text(
        "prompts:\n"
        "  - name: agent\n"
        f"    text: {json.dumps(_text(VERSIONS - 1))}\n"
        "tools:\n"
        "  - name: lookup\n"
        f"    description: {json.dumps(_tool_description(VERSIONS - 1))}\n"
        "    parameters: {type: object}\n"
        "configs:\n"
        "  - name: desk\n"
        '    evi_version: "3"\n'
        "    prompt: agent\n"
        "    tools: [lookup]\n" + config_extra
    )


def seed(db: Path, versions: int = VERSIONS) -> dict[str, str]:
    """``versions`` versions of prompt/agent, tool/lookup and config/desk (config v i pins prompt v i and
    tool v i), each described with humectl's marker as if applied by it; the ids by kind."""
    with emulator_account(EmulatorConfig(db=str(db))) as account:
        ids: dict[str, str] = {}
        for i in range(versions):
            note = f"rev {i} {MARK}"
            prompt = {"text": _text(i), "version_description": note}
            tool = {
                "description": _tool_description(i),
                "parameters": '{"type":"object"}',
                "version_description": note,
            }
            if i == 0:
                ids["prompt"] = account.raw("POST", "/v0/evi/prompts", body={"name": "agent", **prompt})["id"]
                ids["tool"] = account.raw("POST", "/v0/evi/tools", body={"name": "lookup", **tool})["id"]
            else:
                account.raw("POST", f"/v0/evi/prompts/{ids['prompt']}", body=prompt)
                account.raw("POST", f"/v0/evi/tools/{ids['tool']}", body=tool)
            config: dict[str, Any] = {
                "evi_version": "3",
                "prompt": {"id": ids["prompt"], "version": i},
                "tools": [{"id": ids["tool"], "version": i}],
                "version_description": note,
            }
            if i == 0:
                ids["config"] = account.raw("POST", "/v0/evi/configs", body={"name": "desk", **config})["id"]
            else:
                account.raw("POST", f"/v0/evi/configs/{ids['config']}", body=config)
    return ids


def versions_of(db: Path) -> dict[str, list[int]]:
    """name -> its version numbers, straight from the emulator's database."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT r.name, v.version FROM versions v JOIN resources r ON r.id = v.resource_id "
            "WHERE r.name NOT LIKE 'humectl-lock%' ORDER BY r.name, v.version"
        ).fetchall()
    out: dict[str, list[int]] = {}
    for name, version in rows:
        out.setdefault(name, []).append(version)
    return out


@pytest.fixture()
def account(tmp_path: Path) -> tuple[Path, Path]:
    db = tmp_path / "account.sqlite3"
    seed(db)
    write_manifests(tmp_path / "evi")
    return tmp_path / "evi", db


def test_fifty_versions_per_resource_brought_to_n_by_one_apply(account: tuple[Path, Path]) -> None:
    evi, db = account
    assert versions_of(db) == {name: list(range(VERSIONS)) for name in ("agent", "desk", "lookup")}
    emulator = f"--emulator={db}"
    assert run("plan", str(evi), emulator, "--detailed-exitcode").exit_code == 0  # nothing else to do

    plan = run("plan", str(evi), emulator, "--prune-versions", "-o", "json")
    assert plan.exit_code == 0, plan.output
    document = json.loads(plan.stdout)
    changes = {c["address"]: c for c in document["changes"]}
    assert list(changes) == ["config/desk", "prompt/agent", "tool/lookup"]  # configs' old versions first
    for change in changes.values():
        assert change["operations"] == ["delete_version"] and change["action"] == "delete_version"
        assert change["versions"] == list(range(VERSIONS - KEEP)) and change["risk"] == "low"
        assert change["reasons"][0].startswith(f"old versions: v0–v{VERSIONS - KEEP - 1} deleted, beyond the newest")
    assert document["summary"]["delete_version"] == 3

    started = time.perf_counter()
    applied = run("apply", str(evi), emulator, "--prune-versions", "--auto-approve", "-o", "json")
    elapsed = time.perf_counter() - started
    assert applied.exit_code == 0, applied.output
    report = json.loads(applied.stdout)["report"]
    assert report["done"] == ["config/desk", "prompt/agent", "tool/lookup"]
    assert report["deleted_versions"] == {a: list(range(VERSIONS - KEEP)) for a in changes}
    keep = list(range(VERSIONS - KEEP, VERSIONS))
    assert versions_of(db) == {"agent": keep, "desk": keep, "lookup": keep}
    again = run("plan", str(evi), emulator, "--prune-versions", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes." in again.output
    print(f"\n50 versions x 3 resources -> {KEEP}: one apply, {3 * (VERSIONS - KEEP)} deletes, {elapsed:.2f} s")


def test_what_a_live_config_pins_and_the_head_stay(tmp_path: Path) -> None:
    db = tmp_path / "account.sqlite3"
    ids = seed(db, versions=8)
    with emulator_account(EmulatorConfig(db=str(db))) as account:
        # A config made by hand pins prompt/agent v1: retention never deletes a version a live config uses.
        pinned = {"name": "by-hand", "evi_version": "3", "prompt": {"id": ids["prompt"], "version": 1}}
        account.raw("POST", "/v0/evi/configs", body=pinned)
    evi = tmp_path / "evi"
    write_manifests(evi, keep=2)
    (evi / "desk.yaml").write_text((evi / "desk.yaml").read_text().replace("(rev 49)", "(rev 7)"))
    plan = run("plan", str(evi), f"--emulator={db}", "--prune-versions")
    assert plan.exit_code == 0, plan.output
    assert "# prompt/agent will have old versions deleted (v0, v2–v5: 5 old version(s))" in plan.output
    assert "old versions kept besides: v1 (used by config/by-hand v0)" in plan.output
    assert run("apply", str(evi), f"--emulator={db}", "--prune-versions", "--auto-approve").exit_code == 0
    assert versions_of(db)["agent"] == [1, 6, 7]
    assert versions_of(db)["desk"] == [6, 7] and versions_of(db)["by-hand"] == [0]


def test_a_new_version_counts_and_old_config_versions_free_what_they_pinned(tmp_path: Path) -> None:
    db = tmp_path / "account.sqlite3"
    seed(db, versions=4)
    evi = tmp_path / "evi"
    write_manifests(evi, keep=2)
    desk = evi / "desk.yaml"
    desk.write_text(desk.read_text().replace("(rev 49)", "(rev 3)"))
    # The prompt gets a new version (v4): it counts as one of the two kept, so v3 stays (the head read)
    # and v0-v2 go, though config versions v0-v2 pinned them: those go first, in the same plan.
    text = desk.read_text().replace(json.dumps(_text(3)), json.dumps("You help customers, kindly."))
    desk.write_text(text)
    plan = run("plan", str(evi), f"--emulator={db}", "--prune-versions", "-o", "json")
    assert plan.exit_code == 0, plan.output
    changes = {c["address"]: c for c in json.loads(plan.stdout)["changes"]}
    assert changes["prompt/agent"]["operations"] == ["version", "delete_version"]
    assert changes["prompt/agent"]["versions"] == [0, 1, 2]
    assert changes["config/desk"]["operations"] == ["version", "delete_version"]
    assert changes["config/desk"]["versions"] == [0, 1, 2]
    applied = run("apply", str(evi), f"--emulator={db}", "--prune-versions", "--auto-approve", "-o", "json")
    assert applied.exit_code == 0, applied.output
    report = json.loads(applied.stdout)["report"]
    assert report["operations"]["prompt/agent"] == ["version", "delete_version"]
    assert versions_of(db)["agent"] == [3, 4] and versions_of(db)["desk"] == [3, 4]
    assert run("plan", str(evi), f"--emulator={db}", "--prune-versions", "--detailed-exitcode").exit_code == 0


def test_protected_resources_keep_every_version_and_markdown_shows_the_deletes(account: tuple[Path, Path]) -> None:
    evi, db = account
    desk = evi / "desk.yaml"
    desk.write_text(desk.read_text().replace("  - name: lookup\n", "  - name: lookup\n    protect: true\n"))
    plan = run("plan", str(evi), f"--emulator={db}", "--prune-versions", "-o", "markdown")
    assert plan.exit_code == 0, plan.output
    assert "| 🟠 `~` | `prompt/agent` | delete old versions | deletes v0–v44 | low |" in plan.output
    assert "`tool/lookup`: protected: --prune-versions deletes none of its versions" in plan.output


def test_prune_versions_without_retention_is_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "account.sqlite3"
    seed(db, versions=2)
    write_manifests(tmp_path / "evi")
    (tmp_path / "evi" / "humectl.yaml").write_text("variables: {}\n")
    result = run("plan", str(tmp_path / "evi"), f"--emulator={db}", "--prune-versions", "-o", "json")
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error["message"] == "--prune-versions needs to know how many versions to keep"
    assert "retention: {keep_versions: N}" in error["hint"]


def test_an_interrupted_retention_resumes(account: tuple[Path, Path]) -> None:
    evi, db = account
    saved = evi.parent / "plan.json"
    assert run("plan", str(evi), f"--emulator={db}", "--prune-versions", "--out", str(saved)).exit_code == 0
    # Another run got half-way (it deleted some of the versions): the saved plan still applies, exactly.
    with emulator_account(EmulatorConfig(db=str(db))) as account:
        head = account.live().get("prompt", "agent")
        assert head is not None
        for version in range(20):
            account.raw("DELETE", f"/v0/evi/prompts/{head.id}/version/{version}", expect=None)
    applied = run("apply", str(saved), f"--emulator={db}", "-o", "json")
    assert applied.exit_code == 0, applied.output
    keep = list(range(VERSIONS - KEEP, VERSIONS))
    assert versions_of(db) == {"agent": keep, "desk": keep, "lookup": keep}


def test_the_old_drift_base_goes_when_the_plan_makes_a_new_one(tmp_path: Path) -> None:
    # v0 humectl's, v1 edited by hand (the head), v2 the apply puts the manifests' text back: v2 is now
    # what drift compares to, so v0 may go and the resource ends with keep_versions (2) versions.
    evi, db = tmp_path / "evi", tmp_path / "account.sqlite3"
    evi.mkdir()
    (evi / "humectl.yaml").write_text("retention:\n  keep_versions: 2\n")
    (evi / "evi.yaml").write_text("prompts:\n  - {name: agent, text: Be kind.}\n")
    assert run("apply", str(evi), f"--emulator={db}", "--auto-approve").exit_code == 0
    with emulator_account(EmulatorConfig(db=str(db))) as account:
        head = account.live().get("prompt", "agent")
        assert head is not None
        account.raw("POST", f"/v0/evi/prompts/{head.id}", body={"text": "By hand.", "version_description": "x"})
    done = run("apply", str(evi), f"--emulator={db}", "--prune-versions", "--auto-approve", "-o", "json")
    assert done.exit_code == 0, done.output
    history = json.loads(run("history", "prompt/agent", f"--emulator={db}", "-o", "json").stdout)
    assert [v["version"] for v in history["versions"]] == [2, 1]
    assert run("plan", str(evi), f"--emulator={db}", "--prune-versions", "--detailed-exitcode").exit_code == 0
