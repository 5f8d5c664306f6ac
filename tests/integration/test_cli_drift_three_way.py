"""Three-way drift through the CLI (issue 27 item 5): each field manifest ahead, live ahead or a conflict,
in text and JSON (``side``), against what humectl last applied; a conflict resolved both ways
(``--resolve keep-live`` writes the live values into the manifests, keeping ``${var}`` expressions and
``text_file`` layout; ``--resolve keep-manifest`` applies the manifests to the drifted resources)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from humectl.cli.app import cli
from humectl.emulator.app import EmulatorConfig
from tests.conftest import EXAMPLES_DIR
from tests.engine.helpers import emulator_account

KEY = "sk-test-0123456789abcdef"
BODY_FIELDS = (
    "evi_version",
    "voice",
    "language_model",
    "ellm_model",
    "event_messages",
    "timeouts",
    "nudges",
    "turn_detection",
    "interruption",
    "webhooks",
    "builtin_tools",
)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"HUME_API_KEY": KEY, "NO_COLOR": "1"})


def dashboard_edit(db: Path, config: str, **changes: Any) -> None:
    """A new version of a config made outside humectl (as the dashboard makes one): the head's content
    with ``changes`` (a callable value gets the head's value and returns the new one)."""
    with emulator_account(EmulatorConfig(db=str(db))) as account:
        head = account.live(complete=True).get("config", config)
        assert head is not None
        data = head.data
        body: dict[str, Any] = {k: data[k] for k in BODY_FIELDS if k in data}
        body["prompt"] = {"id": data["prompt"]["id"], "version": data["prompt"]["version"]}
        body["tools"] = [{"id": t["id"], "version": t["version"]} for t in data.get("tools") or []]
        for key, value in changes.items():
            body[key] = value(body.get(key)) if callable(value) else value
        body["version_description"] = "tweaked in the dashboard"
        account.raw("POST", f"/v0/evi/configs/{head.id}", body=body)


def dashboard_prompt_edit(db: Path, prompt: str, text: str) -> None:
    """A new version of a prompt made by hand: only its text differs from the head's."""
    with emulator_account(EmulatorConfig(db=str(db))) as account:
        head = account.live(complete=True).get("prompt", prompt)
        assert head is not None
        body = {"text": text, "prompt_expansion": head.data.get("prompt_expansion"), "version_description": "by hand"}
        account.raw("POST", f"/v0/evi/prompts/{head.id}", body=body)


@pytest.fixture()
def conflict(tmp_path: Path) -> tuple[Path, Path]:
    """support-desk applied; then the dashboard changed the voice (live ahead) and the temperature, which
    the manifests changed too (a conflict), and the manifests changed the nudges (manifest ahead)."""
    evi, db = tmp_path / "evi", tmp_path / "account.sqlite3"
    shutil.copytree(EXAMPLES_DIR / "support-desk", evi)
    assert run("apply", str(evi), f"--emulator={db}", "--auto-approve").exit_code == 0
    dashboard_edit(
        db,
        "support-desk",
        voice={"provider": "HUME_AI", "name": "KORA"},
        language_model=lambda lm: dict(lm, temperature=0.9),
    )
    configs = evi / "configs.yaml"
    text = configs.read_text().replace("      temperature: 0.6\n", "      temperature: 0.7\n")
    configs.write_text(
        text.replace("nudges: {enabled: true, interval_secs: 30}", "nudges: {enabled: true, interval_secs: 45}")
    )
    return evi, db


def live_config(db: Path, name: str) -> dict[str, Any]:
    with sqlite3.connect(db) as conn:
        (content,) = conn.execute(
            "SELECT v.content FROM versions v JOIN resources r ON r.id = v.resource_id WHERE r.name = ? "
            "ORDER BY v.version DESC LIMIT 1",
            (name,),
        ).fetchone()
    result: dict[str, Any] = json.loads(content)
    return result


def test_drift_puts_each_field_on_its_side(conflict: tuple[Path, Path]) -> None:
    evi, db = conflict
    text = run("drift", str(evi), f"--emulator={db}", "--detailed-exitcode")
    assert text.exit_code == 2, text.output
    assert "; humectl last applied version 0" in text.output
    assert (
        "language_model.temperature: conflict (both changed): the manifests say 0.7, live has 0.9; humectl last "
        "applied 0.6" in text.output
    )
    assert "voice.name: live ahead: live has Kora; the manifests say Ito, as humectl last applied" in text.output
    assert "nudges.interval_secs: manifest ahead: the manifests say 45; live has 30" in text.output
    document = json.loads(run("drift", str(evi), f"--emulator={db}", "-o", "json").stdout)
    (resource,) = document["resources"]
    assert resource["base_version"] == 0 and resource["live_version"] == 1
    sides = {f["path"]: (f["side"], f["base"], f["before"], f["after"]) for f in resource["fields"]}
    assert sides == {
        "language_model.temperature": ("conflict", 0.6, 0.9, 0.7),
        "nudges.interval_secs": ("manifest", 30, 30, 45),
        "voice.name": ("live", "Ito", "Kora", "Ito"),
    }


def test_a_conflict_resolved_keep_live(conflict: tuple[Path, Path]) -> None:
    evi, db = conflict
    configs = evi / "configs.yaml"
    before = configs.read_text()
    done = run("drift", str(evi), f"--emulator={db}", "--resolve", "keep-live", "-o", "json")
    assert done.exit_code == 0, done.output
    resolution = json.loads(done.stdout)["resolution"]
    assert resolution["written"] is True and resolution["files"] == [str(configs)]
    after = configs.read_text()
    # Only the lines of the fields live changed moved; comments and layout of the rest stay as written.
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]
    assert changed == [
        ("    voice: {provider: HUME_AI, name: ITO}", "    voice: {provider: HUME_AI, name: Kora}"),
        ("      temperature: 0.7", "      temperature: 0.9"),
    ]
    assert "prompt: support-agent                      # follows the newest version humectl manages" in after
    # What is left is what only the manifests changed: the nudges, applied as usual.
    plan = json.loads(run("plan", str(evi), f"--emulator={db}", "-o", "json").stdout)
    assert [(c["address"], [f["path"] for f in c["fields"]]) for c in plan["changes"]] == [
        ("config/support-desk", ["nudges.interval_secs"])
    ]
    assert run("apply", str(evi), f"--emulator={db}", "--auto-approve").exit_code == 0
    assert live_config(db, "support-desk")["language_model"]["temperature"] == 0.9
    assert run("drift", str(evi), f"--emulator={db}", "--detailed-exitcode").exit_code == 0


def test_keep_live_keeps_a_long_flow_mapping_on_its_line(tmp_path: Path) -> None:
    # A section the user wrote as one {…} line stays one line (the exporter would write a long one in
    # block style), so the diff a reviewer reads is the one value that moved.
    evi, db = tmp_path / "evi", tmp_path / "account.sqlite3"
    shutil.copytree(EXAMPLES_DIR / "support-desk", evi)
    configs = evi / "configs.yaml"
    block = (
        "    language_model:\n      model_provider: ANTHROPIC\n      model_resource: claude-3-7-sonnet-latest\n"
        "      temperature: 0.6\n"
    )
    # written with a variable, which the rewritten line keeps (its value did not change)
    flow = "    language_model: {model_provider: ANTHROPIC, model_resource: '${model}', temperature: 0.6}\n"
    assert block in configs.read_text()
    configs.write_text(configs.read_text().replace(block, flow, 1))
    (evi / "humectl.yaml").write_text("variables:\n  model: claude-3-7-sonnet-latest\n")
    assert run("apply", str(evi), f"--emulator={db}", "--auto-approve").exit_code == 0
    dashboard_edit(db, "support-desk", language_model=lambda lm: dict(lm, temperature=0.9))
    before = configs.read_text()
    done = run("drift", str(evi), f"--emulator={db}", "--resolve", "keep-live")
    assert done.exit_code == 0, done.output
    changed = [(a, b) for a, b in zip(before.splitlines(), configs.read_text().splitlines(), strict=True) if a != b]
    assert changed == [(flow.rstrip("\n"), flow.rstrip("\n").replace("0.6", "0.9"))]
    # The content is the live head's now; the entry's stated version_description replaces the dashboard's
    # words on it (no new version), which makes the head humectl's: drift is then quiet.
    plan = json.loads(run("plan", str(evi), f"--emulator={db}", "-o", "json").stdout)
    assert [(c["address"], c["operations"], [f["path"] for f in c["fields"]]) for c in plan["changes"]] == [
        ("config/support-desk", ["describe"], ["version_description"])
    ]
    assert run("apply", str(evi), f"--emulator={db}", "--auto-approve").exit_code == 0
    assert run("drift", str(evi), f"--emulator={db}", "--detailed-exitcode").exit_code == 0


def test_a_conflict_resolved_keep_manifest(conflict: tuple[Path, Path]) -> None:
    evi, db = conflict
    unasked = run("drift", str(evi), f"--emulator={db}", "--resolve", "keep-manifest")
    assert unasked.exit_code == 1 and "refusing to apply without confirmation" in unasked.output
    done = run("drift", str(evi), f"--emulator={db}", "--resolve", "keep-manifest", "--auto-approve")
    assert done.exit_code == 0, done.output
    assert "Partial plan: only config/support-desk and what they depend on." in done.output
    assert "config/support-desk: version 2 created" in done.output
    live = live_config(db, "support-desk")
    assert live["voice"]["name"] == "Ito" and live["language_model"]["temperature"] == 0.7
    assert live["nudges"]["interval_secs"] == 45
    assert run("drift", str(evi), f"--emulator={db}", "--detailed-exitcode").exit_code == 0
    assert run("plan", str(evi), f"--emulator={db}", "--detailed-exitcode").exit_code == 0


def test_keep_live_keeps_variables_and_text_files(tmp_path: Path) -> None:
    evi, db = tmp_path / "evi", tmp_path / "account.sqlite3"
    shutil.copytree(EXAMPLES_DIR / "support-desk", evi)
    (evi / "humectl.yaml").write_text("variables:\n  agent: Sam\n")
    configs = evi / "configs.yaml"
    configs.write_text(configs.read_text().replace("This is Sam, how", "This is ${agent}, how"))
    assert run("apply", str(evi), f"--emulator={db}", "--auto-approve").exit_code == 0
    dashboard_edit(db, "support-desk", voice={"provider": "HUME_AI", "name": "KORA"})
    dashboard_prompt_edit(db, "support-agent", "You are Sam, a support agent. Be brief.\n")
    prompts_yaml = (evi / "prompts.yaml").read_text()

    done = run("drift", str(evi), f"--emulator={db}", "--resolve", "keep-live")
    assert done.exit_code == 0, done.output
    assert "This is ${agent}, how can I help?" in configs.read_text()  # the expression stays
    assert "name: Kora}" in configs.read_text()
    assert (evi / "prompts" / "support-agent.md").read_text() == "You are Sam, a support agent. Be brief.\n"
    assert (evi / "prompts.yaml").read_text() == prompts_yaml  # text_file: only the file is rewritten
    # Left to apply: the manifests' own description on the hand-made prompt version, and the config
    # following that version (a prompt's new version cascades): no content the dashboard set is reverted.
    plan = json.loads(run("plan", str(evi), f"--emulator={db}", "-o", "json").stdout)
    assert [(c["address"], [f["path"] for f in c["fields"]]) for c in plan["changes"]] == [
        ("prompt/support-agent", ["version_description"]),
        ("config/support-desk", ["prompt"]),
    ]
    assert run("apply", str(evi), f"--emulator={db}", "--auto-approve").exit_code == 0
    assert run("drift", str(evi), f"--emulator={db}", "--detailed-exitcode").exit_code == 0

    # A field written with a variable that changed live cannot be kept as an expression: refused, named.
    dashboard_edit(
        db,
        "support-desk",
        event_messages=lambda em: dict(em, on_new_chat={"enabled": True, "text": "Hello from the dashboard"}),
    )
    before = configs.read_text()
    refused = run("drift", str(evi), f"--emulator={db}", "--resolve", "keep-live", "-o", "json")
    assert refused.exit_code == 1
    error = json.loads(refused.stdout)["error"]
    assert error["message"].startswith(
        "config/support-desk: event_messages.on_new_chat.text is written with ${…} variables in the manifests"
    )
    assert configs.read_text() == before  # nothing written


def test_without_a_humectl_version_fields_have_no_side(tmp_path: Path) -> None:
    evi, db = tmp_path / "evi", tmp_path / "account.sqlite3"
    evi.mkdir()
    (evi / "p.yaml").write_text("prompts:\n  - {name: agent, text: hello}\n")
    with emulator_account(EmulatorConfig(db=str(db))) as account:
        account.raw("POST", "/v0/evi/prompts", body={"name": "agent", "text": "made by hand"})
    document = json.loads(run("drift", str(evi), f"--emulator={db}", "-o", "json").stdout)
    (resource,) = document["resources"]
    assert resource["base_version"] is None and [f["side"] for f in resource["fields"]] == [None]
    text = run("drift", str(evi), f"--emulator={db}")
    assert "humectl never applied it (no version carries its marker)" in text.output
