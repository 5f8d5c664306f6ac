"""``--exclude`` and globs for ``--target`` through the CLI (issue 27 item 3), and prune without a dead end
(issue 23 item 3), on examples/support-desk over the in-process emulator."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from humectl.cli.app import cli
from humectl.emulator.app import EmulatorConfig
from tests.conftest import EXAMPLES_DIR
from tests.engine.helpers import emulator_account

KEY = "sk-test-0123456789abcdef"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"HUME_API_KEY": KEY, "NO_COLOR": "1"})


@pytest.fixture()
def applied(tmp_path: Path) -> tuple[Path, str]:
    """examples/support-desk applied; then its agent prompt and the create_return tool edited."""
    evi = tmp_path / "evi"
    shutil.copytree(EXAMPLES_DIR / "support-desk", evi)
    emulator = f"--emulator={tmp_path / 'account.sqlite3'}"
    assert run("apply", str(evi), emulator, "--auto-approve").exit_code == 0
    agent = evi / "prompts" / "support-agent.md"
    agent.write_text(agent.read_text() + "\nAlways confirm the order id.\n")
    tools = evi / "tools.yaml"
    tools.write_text(tools.read_text().replace("Open a return for some", "Open a return for any"))
    return evi, emulator


def plan_json(*args: str) -> dict[str, object]:
    result = run("plan", *args, "-o", "json")
    assert result.exit_code == 0, result.output
    document: dict[str, object] = json.loads(result.stdout)
    return document


def test_exclude_holds_back_what_depends_on_the_excluded_change(applied: tuple[Path, str]) -> None:
    evi, emulator = applied
    everything = plan_json(str(evi), emulator)
    assert [c["address"] for c in everything["changes"]] == [  # type: ignore[union-attr,index]
        "tool/create_return",
        "prompt/support-agent",
        "config/support-desk",
    ]
    text = run("plan", str(evi), emulator, "--exclude", "prompt/support-agent")
    assert text.exit_code == 0, text.output
    assert "Excluded: prompt/support-agent (--exclude); what depends on their changes is held back." in text.output
    assert "  ~ tool/create_return" in text.output and "  ~ config/support-desk" not in text.output
    assert (
        "  config/support-desk: held back: its version depends on prompt/support-agent, whose change is excluded "
        "(--exclude)" in text.output
    )
    assert "  prompt/support-agent: excluded (--exclude): its version is not applied" in text.output

    done = run("apply", str(evi), emulator, "--exclude", "prompt/support-agent", "--auto-approve", "-o", "json")
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    assert document["report"]["done"] == ["tool/create_return"]
    assert document["plan"]["excluded"] == ["prompt/support-agent"]
    # Nothing was half-applied: what was held back is all that is left, and applies whole.
    rest = plan_json(str(evi), emulator)
    assert [c["address"] for c in rest["changes"]] == ["prompt/support-agent", "config/support-desk"]  # type: ignore[union-attr,index]


def test_a_dependent_of_an_excluded_resource_that_does_not_move_applies(applied: tuple[Path, str]) -> None:
    evi, emulator = applied
    plan = plan_json(str(evi), emulator, "--exclude", "tool/lookup_order")
    # lookup_order has no change: config/support-desk keeps pinning it as it is live, and applies.
    assert [c["address"] for c in plan["changes"]] == [  # type: ignore[union-attr,index]
        "tool/create_return",
        "prompt/support-agent",
        "config/support-desk",
    ]
    assert plan["kept"] == {}


def test_target_and_exclude_take_globs(applied: tuple[Path, str]) -> None:
    evi, emulator = applied
    targeted = plan_json(str(evi), emulator, "--target", "tool/create_*")
    assert [c["address"] for c in targeted["changes"]] == ["tool/create_return"]  # type: ignore[union-attr,index]
    assert targeted["targets"] == ["tool/create_*"] and targeted["partial"] is True
    excluded = plan_json(str(evi), emulator, "--exclude", "*/support-*")
    assert [c["address"] for c in excluded["changes"]] == ["tool/create_return"]  # type: ignore[union-attr,index]
    nothing = run("plan", str(evi), emulator, "--exclude", "prompt/no-such-*", "-o", "json")
    assert nothing.exit_code == 1
    assert json.loads(nothing.stdout)["error"]["message"] == (
        "--exclude prompt/no-such-*: no such resource in the manifests or the account"
    )
    bad = run("plan", str(evi), emulator, "--target", "voice/x")
    assert bad.exit_code == 1 and "unknown kind 'voice'" in bad.output


def test_a_saved_plan_takes_no_exclude(applied: tuple[Path, str], tmp_path: Path) -> None:
    evi, emulator = applied
    assert run("plan", str(evi), emulator, "--out", str(tmp_path / "p.json")).exit_code == 0
    refused = run("apply", str(tmp_path / "p.json"), emulator, "--exclude", "tool/*")
    assert refused.exit_code == 1 and "drop --target/--exclude" in refused.output


def test_destroy_exclude_keeps_the_excluded_config_and_what_it_uses(applied: tuple[Path, str]) -> None:
    evi, emulator = applied
    done = run("destroy", str(evi), emulator, "--exclude", "config/support-desk", "--auto-approve", "-o", "json")
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    assert document["report"]["done"] == ["config/support-desk-after-hours", "prompt/support-agent-after-hours"]
    assert document["plan"]["kept"] == {
        "config/support-desk": "excluded (--exclude): not deleted",
        "prompt/support-agent": "held back: config/support-desk v0 uses it, and --exclude keeps that config",
        "tool/create_return": "held back: config/support-desk v0 uses it, and --exclude keeps that config",
        "tool/lookup_order": "held back: config/support-desk v0 uses it, and --exclude keeps that config",
    }


def test_prune_has_no_dead_end(tmp_path: Path) -> None:
    """Issue 23 item 3, through the CLI: a prompt only old config versions name is pruned; one a newest
    config version uses is not, and says so, while every other prune of the run proceeds."""
    evi, db = tmp_path / "evi", tmp_path / "account.sqlite3"
    emulator = f"--emulator={db}"
    evi.mkdir()
    manifest = evi / "m.yaml"
    manifest.write_text(
        "prompts:\n  - {name: first, text: one}\n  - {name: second, text: two}\n  - {name: shared, text: s}\n"
        'configs:\n  - {name: desk, evi_version: "3", prompt: first}\n'
    )
    assert run("apply", str(evi), emulator, "--auto-approve").exit_code == 0
    with emulator_account(EmulatorConfig(db=str(db))) as account:
        shared = account.live().get("prompt", "shared")
        assert shared is not None  # a config made by hand uses it
        body = {"name": "by-hand", "evi_version": "3", "prompt": {"id": shared.id}}
        account.raw("POST", "/v0/evi/configs", body=body)
    manifest.write_text(
        'prompts:\n  - {name: second, text: two}\nconfigs:\n  - {name: desk, evi_version: "3", prompt: second}\n'
    )
    # One apply moves the config and prunes what only its old version names (before: refused forever).
    done = run("apply", str(evi), emulator, "--prune", "--auto-approve", "-o", "json")
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    assert document["report"]["done"] == ["config/desk", "prompt/first"]
    assert document["plan"]["kept"] == {
        "prompt/shared": "not deleted: still used by config/by-hand v0 (the newest version)"
    }
    with sqlite3.connect(db) as conn:
        names = sorted(r[0] for r in conn.execute("SELECT name FROM resources WHERE name NOT LIKE 'humectl-lock%'"))
    assert names == ["by-hand", "desk", "second", "shared"]
    again = run("plan", str(evi), emulator, "--prune", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "prompt/shared: not deleted: still used by config/by-hand v0 (the newest version)" in again.output
