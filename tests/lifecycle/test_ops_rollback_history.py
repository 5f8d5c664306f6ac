"""rollback and history through the CLI: plan first, confirmation, the manifest change, --write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from humectl.core.kinds import KINDS
from tests.engine.helpers import Account

PROMPT_V0 = "You are Sam from support.\nBe kind.\n"
PROMPT_V1 = "You are Sam from support.\nBe brief and kind.\n"

MANIFEST = """\
# yaml-language-server: $schema=manifest.schema.json
prompts:
  - name: agent
    text_file: prompts/agent.md

configs:
  # the support line
  - name: desk
    evi_version: "3"
    prompt: agent
    voice: {provider: HUME_AI, name: ITO}
    language_model: {model_provider: ANTHROPIC, model_resource: claude-3-7-sonnet-latest, temperature: TEMP}
    nudges: {enabled: true, interval_secs: NUDGE}

  - name: other
    evi_version: "3"
    prompt: agent
"""


def write_manifests(directory: Path, temperature: float, nudge: int, prompt_text: str) -> None:
    (directory / "prompts").mkdir(parents=True, exist_ok=True)
    (directory / "prompts" / "agent.md").write_bytes(prompt_text.encode())
    text = MANIFEST.replace("TEMP", str(temperature)).replace("NUDGE", str(nudge))
    (directory / "evi.yaml").write_text(text, encoding="utf-8")


def plan_json(run_cli: Any, directory: Path) -> dict[str, Any]:
    result = run_cli("plan", str(directory), "--output", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def setup_history(run_cli: Any, directory: Path) -> None:
    """desk v0 (0.5, 10 s, agent v0), v1 (0.9, 20 s), v2 (agent v1 cascade); other follows agent."""
    write_manifests(directory, 0.5, 10, PROMPT_V0)
    assert run_cli("apply", str(directory), "--auto-approve").exit_code == 0
    write_manifests(directory, 0.9, 20, PROMPT_V0)
    assert run_cli("apply", str(directory), "--auto-approve").exit_code == 0
    write_manifests(directory, 0.9, 20, PROMPT_V1)
    result = run_cli("apply", str(directory), "--auto-approve")
    assert result.exit_code == 0, result.output
    assert not plan_json(run_cli, directory)["changes"]


def test_config_rollback_then_plan_shows_exactly_the_manifest_change(run_cli: Any, tmp_path: Path) -> None:
    evi = tmp_path / "evi"
    setup_history(run_cli, evi)

    refused = run_cli("rollback", "config/desk", "--to-version", "0")  # CliRunner's stdin is not a tty
    assert refused.exit_code == 1 and "stdin is not a terminal" in refused.output
    assert not plan_json(run_cli, evi)["changes"]  # nothing happened

    done = run_cli("rollback", "config/desk", "--to-version", "0", "--auto-approve")
    assert done.exit_code == 0, done.output
    assert "# config/desk will get a new version (v2 → v3)" in done.output
    assert "because rollback to v0" in done.output
    assert "config/desk: version 3 created" in done.output
    # The manifest change to make, as a diff of the entry.
    assert "-      temperature: 0.9\n" in done.output and "+      temperature: 0.5\n" in done.output
    assert "-    prompt: agent\n+    prompt: {name: agent, version: 0}\n" in done.output

    # The manifests still say v2's content: plan wants exactly that back, and nothing else.
    plan = plan_json(run_cli, evi)
    assert [(c["address"], c["action"]) for c in plan["changes"]] == [("config/desk", "version")]
    fields = {f["path"]: (f["before"], f["after"]) for f in plan["changes"][0]["fields"]}
    assert fields == {
        "language_model.temperature": (0.5, 0.9),
        "nudges.interval_secs": (10, 20),
        "prompt": ("agent@0", "agent@1"),
    }

    # --write on the already rolled-back resource rewrites only that entry; then plan is empty.
    before = (evi / "evi.yaml").read_text(encoding="utf-8")
    wrote = run_cli("rollback", "config/desk", "--to-version", "0", "--auto-approve", "--write", str(evi))
    assert wrote.exit_code == 0, wrote.output
    assert "nothing to roll back" in wrote.output and "Wrote" in wrote.output
    after = (evi / "evi.yaml").read_text(encoding="utf-8")
    assert "  # the support line\n  - name: desk\n" in after  # comment before the entry kept
    assert after.split("  - name: other")[1] == before.split("  - name: other")[1]  # other entry untouched
    assert "prompt: {name: agent, version: 0}" in after and "temperature: 0.5" in after
    plan = plan_json(run_cli, evi)
    assert plan["changes"] == [], plan["changes"]


def test_prompt_rollback_with_write_rewrites_the_text_file_and_moves_its_configs(run_cli: Any, tmp_path: Path) -> None:
    evi = tmp_path / "evi"
    setup_history(run_cli, evi)
    shown = run_cli("rollback", "prompt/agent", "--to-version", "0", "--auto-approve", "--manifests", str(evi))
    assert shown.exit_code == 0, shown.output
    # Both configs used agent v1; they move onto the rollback version v2 in the same run.
    assert "config/desk: version 3 created" in shown.output and "config/other: version 2 created" in shown.output
    assert "-Be brief and kind.\n+Be kind.\n" in shown.output  # the text file change to make
    assert (evi / "prompts" / "agent.md").read_bytes() == PROMPT_V1.encode()  # --manifests never writes
    plan = plan_json(run_cli, evi)
    assert [c["address"] for c in plan["changes"]] == ["prompt/agent", "config/desk", "config/other"]

    wrote = run_cli("rollback", "prompt/agent", "--to-version", "0", "--auto-approve", "--write", str(evi))
    assert wrote.exit_code == 0, wrote.output
    assert (evi / "prompts" / "agent.md").read_bytes() == PROMPT_V0.encode()
    assert plan_json(run_cli, evi)["changes"] == []


def test_rollback_errors(run_cli: Any, tmp_path: Path) -> None:
    evi = tmp_path / "evi"
    write_manifests(evi, 0.5, 10, PROMPT_V0)
    assert run_cli("apply", str(evi), "--auto-approve").exit_code == 0
    missing = run_cli("rollback", "config/dsk", "--to-version", "0", "--auto-approve")
    assert missing.exit_code == 1 and "did you mean config/desk?" in missing.output
    too_new = run_cli("rollback", "config/desk", "--to-version", "7", "--auto-approve")
    assert too_new.exit_code == 1 and "has no version 7" in too_new.output
    same = run_cli("rollback", "config/desk", "--to-version", "0", "--auto-approve")
    assert same.exit_code == 0 and "nothing to roll back" in same.output
    bad = run_cli("rollback", "desk", "--to-version", "0")
    assert bad.exit_code == 1


def test_history_newest_first_with_authors_times_and_pins(account: Account, run_cli: Any, tmp_path: Path) -> None:
    evi = tmp_path / "evi"
    setup_history(run_cli, evi)
    desk = account.live().get("config", "desk")
    agent = account.live().get("prompt", "agent")
    assert desk is not None and agent is not None
    # A hand edit (as the dashboard would make it): no humectl marker.
    body = {
        "evi_version": "3",
        "version_description": "tweaked in the dashboard",
        "prompt": {"id": agent.id, "version": 0},
    }
    account.run(account.client.create_version(KINDS["config"], desk.id, body))

    result = run_cli("history", "config/desk", "--output", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["address"] == "config/desk" and data["id"] == desk.id
    versions = data["versions"]
    assert [v["version"] for v in versions] == [3, 2, 1, 0]
    assert [v["by_humectl"] for v in versions] == [False, True, True, True]
    assert versions[0]["version_description"] == "tweaked in the dashboard" and versions[0]["humectl_run"] is None
    assert versions[1]["humectl_run"] and "[humectl" not in (versions[1]["version_description"] or "")
    assert versions[0]["prompt"] == "agent@0" and versions[1]["prompt"] == "agent@1"
    assert versions[2]["changed"] == ["language_model", "nudges"] and versions[3]["changed"] == ["created"]
    assert all(v["modified_on"].endswith("Z") and v["modified_on"][:2] == "20" for v in versions)
    times = [v["modified_on_raw"] for v in versions]
    assert times == sorted(times, reverse=True)

    text = run_cli("history", "config/desk")
    assert text.exit_code == 0
    lines = text.output.splitlines()
    assert lines[0].startswith("config/desk (id ") and "4 version(s), newest first" in lines[0]
    assert lines[2].startswith("v3  20") and "[not humectl]  (head)" in lines[2]
    assert "    prompt: agent@0" in text.output and "    tools: none" in text.output
    assert run_cli("history", "prompt/nope").exit_code == 1


def _dashboard_prompt_versions(account: Account, *bodies: dict[str, Any]) -> str:
    """A prompt made and edited through the API (as the dashboard does): its id."""
    made = account.run(account.client.create(KINDS["prompt"], {"name": "quiet", **bodies[0]}))
    for body in bodies[1:]:
        account.run(account.client.create_version(KINDS["prompt"], made["id"], body))
    return str(made["id"])


def _two_versions_without_expansion(account: Account) -> str:
    """prompt/quiet v0 "A." and v1 "B.", both with prompt_expansion off (which list pages leave out)."""
    off = {"enabled": False}
    return _dashboard_prompt_versions(
        account, {"text": "A.\n", "prompt_expansion": off}, {"text": "B.\n", "prompt_expansion": off}
    )


def test_history_shows_prompt_expansion_changes(account: Account, run_cli: Any) -> None:
    """List pages leave prompt_expansion out: history reads each version, so its changes show."""
    _dashboard_prompt_versions(
        account,
        {"text": "A.\n", "prompt_expansion": {"enabled": False}},
        {"text": "A.\n", "prompt_expansion": {"enabled": True}},
        {"text": "B.\n", "prompt_expansion": {"enabled": True}},
    )
    result = run_cli("history", "prompt/quiet", "--output", "json")
    assert result.exit_code == 0, result.output
    versions = {v["version"]: v for v in json.loads(result.output)["versions"]}
    assert versions[1]["changed"] == ["prompt_expansion"]
    assert versions[1]["fields"] == [{"path": "prompt_expansion.enabled", "before": False, "after": True}]
    assert versions[2]["changed"] == ["text"] and versions[0]["changed"] == ["created"]
    text = run_cli("history", "prompt/quiet").output
    assert "    changed: prompt_expansion\n      prompt_expansion.enabled: false → true\n" in text


def test_rollback_to_the_head_is_a_no_op_that_says_so(account: Account, run_cli: Any) -> None:
    """The head read whole equals version N read whole: no spurious version (exit 0)."""
    prompt_id = _two_versions_without_expansion(account)
    result = run_cli("rollback", "prompt/quiet", "--to-version", "1", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "prompt/quiet v1 is its newest version already; nothing to roll back." in result.output
    assert "created" not in result.output
    assert len(account.run(account.client.list_versions(KINDS["prompt"], prompt_id))) == 2


def test_rollback_compares_complete_versions(account: Account, run_cli: Any) -> None:
    """Rolling back across text changes only: prompt_expansion (the same in both) is no change and is kept."""
    prompt_id = _two_versions_without_expansion(account)
    result = run_cli("rollback", "prompt/quiet", "--to-version", "0", "--auto-approve")
    assert result.exit_code == 0, result.output
    # Only the text differs: the plan shows no prompt_expansion change, nor does the manifest entry diff.
    assert "prompt_expansion." not in result.output and "prompt_expansion: {enabled: false}" not in "".join(
        line for line in result.output.splitlines(keepends=True) if line.startswith(("+", "-"))
    ), result.output
    made = account.run(account.client.get_version(KINDS["prompt"], prompt_id, 2))
    assert (made["text"], made["prompt_expansion"]) == ("A.\n", {"enabled": False})


def test_rollback_write_keeps_a_field_version_n_lacks_managed_as_null(run_cli: Any, tmp_path: Path) -> None:
    """v0 had no interruption, v1 has it: the rewritten entry says ``interruption: null`` (cleared, still
    managed). (Not nudges: Hume fills a default nudges into every config, so v0 has them too.)"""
    evi = tmp_path / "evi"
    evi.mkdir()
    entry = '# yaml-language-server: $schema=manifest.schema.json\nconfigs:\n  - name: bare\n    evi_version: "3"\n'
    (evi / "c.yaml").write_text(entry, encoding="utf-8")
    assert run_cli("apply", str(evi), "--auto-approve").exit_code == 0
    (evi / "c.yaml").write_text(entry + "    interruption: {min_interruption_ms: 300}\n", encoding="utf-8")
    assert run_cli("apply", str(evi), "--auto-approve").exit_code == 0
    done = run_cli("rollback", "config/bare", "--to-version", "0", "--auto-approve", "--write", str(evi))
    assert done.exit_code == 0, done.output
    assert '- interruption: {"min_interruption_ms": 300} → null' in done.output, done.output
    assert "interruption: null" in (evi / "c.yaml").read_text(encoding="utf-8")
    assert plan_json(run_cli, evi)["changes"] == []
