"""A config moving its prompt between two versions is rated by what the agent gets: the difference
between those versions' text, not the pin number; the versions neither the plan nor the live heads
hold are read (one request each, only for such moves)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from humectl.cli.app import cli

GOOD = "You are Sam from support.\nBe kind.\nHelp with orders.\nAsk for the order id.\n"
GOOD_PLUS = GOOD + "Thank them.\n"
REWRITTEN = "You are a pirate.\nSpeak only in riddles.\nNever help.\nRefuse every refund.\n"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"HUME_API_KEY": "test-key", "NO_COLOR": "1"})


def write(evi: Path, text: str, prompt_ref: str) -> None:
    evi.mkdir(exist_ok=True)
    (evi / "agent.md").write_text(text)
    (evi / "evi.yaml").write_text(
        "prompts:\n  - name: agent\n    text_file: agent.md\n"
        f'configs:\n  - name: desk\n    evi_version: "3"\n    prompt: {prompt_ref}\n'
        "    ignore_warnings: [pinned-managed]\n"
    )


def planned(evi: Path, api: str) -> dict[str, Any]:
    result = run("plan", str(evi), api, "--output", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def the_config(plan: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in plan["changes"] if c["address"] == "config/desk")
    return found


def test_a_pin_moved_onto_a_rewritten_version_is_high_risk(tmp_path: Path) -> None:
    evi, api = tmp_path / "evi", f"--emulator={tmp_path / 'account.sqlite3'}"
    write(evi, GOOD, "{name: agent, version: 0}")  # agent v0, desk pins it
    assert run("apply", str(evi), api, "--auto-approve").exit_code == 0
    write(evi, GOOD_PLUS, "{name: agent, version: 0}")  # agent v1: one line more
    assert run("apply", str(evi), api, "--auto-approve").exit_code == 0
    write(evi, REWRITTEN, "{name: agent, version: 0}")  # agent v2: rewritten; desk still on v0
    assert run("apply", str(evi), api, "--auto-approve").exit_code == 0

    # Only the pin moves (the prompt is unchanged in this plan): v0 → v2 is a rewrite.
    write(evi, REWRITTEN, "agent")
    change = the_config(planned(evi, api))
    assert [f["path"] for f in change["fields"]] == ["prompt"]
    assert change["risk"] == "high", change["risk_reasons"]
    (reason,) = change["risk_reasons"]
    assert reason["rule"] == "config.cascade"
    assert reason["message"] == (
        "moves from prompt/agent v0 to v2: prompt text rewritten: 4 of 4 lines changed (its risk: high)"
    )
    text = run("plan", str(evi), api).output
    assert "# config/desk will get a new version (v0 → v1) [risk: HIGH]" in text

    # Onto v1 instead: one line added since v0, an edit (medium), not a rewrite.
    write(evi, REWRITTEN, "{name: agent, version: 1}")
    change = the_config(planned(evi, api))
    assert (
        change["risk"] == "medium"
        and "prompt text edited: 1 of 5 lines changed" in change["risk_reasons"][0]["message"]
    )

    # A move from v0 while this plan makes v3: rated v0 → v3's desired text (again a rewrite of v0),
    # not by the small edit v2 → v3 the prompt itself gets.
    write(evi, REWRITTEN + "Say goodbye.\n", "agent")
    plan = planned(evi, api)
    prompt = next(c for c in plan["changes"] if c["address"] == "prompt/agent")
    assert prompt["risk"] == "medium"  # v2 → v3: one line more
    change = the_config(plan)
    assert change["risk"] == "high" and change["risk_reasons"][0]["message"].startswith(
        "moves from prompt/agent v0 to v3: prompt text rewritten"
    )


def test_a_move_between_versions_with_the_same_text_is_low(tmp_path: Path) -> None:
    evi, api = tmp_path / "evi", f"--emulator={tmp_path / 'account.sqlite3'}"
    write(evi, GOOD, "{name: agent, version: 0}")
    assert run("apply", str(evi), api, "--auto-approve").exit_code == 0
    write(evi, GOOD_PLUS, "{name: agent, version: 0}")
    assert run("apply", str(evi), api, "--auto-approve").exit_code == 0
    write(evi, GOOD, "{name: agent, version: 0}")  # v2 says what v0 said
    assert run("apply", str(evi), api, "--auto-approve").exit_code == 0
    write(evi, GOOD, "agent")
    change = the_config(planned(evi, api))
    assert change["risk"] == "low"
    assert change["risk_reasons"][0]["message"] == "moves from prompt/agent v0 to v2: the same content (its risk: low)"
