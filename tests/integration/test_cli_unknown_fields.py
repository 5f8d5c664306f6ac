"""Fields humectl does not know, through the CLI against the emulator (``--emulator=DB``): an account
made elsewhere with fields Hume's spec lacks (``event_messages.on_resume_chat``, ``voice.type``, a
top-level ``ambient_sound``, a prompt's ``tone``) is exported with them, a new version carries them,
and a manifest may write one under its API name: validate warns, apply sends it as written.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from humectl.cli.app import cli
from humectl.emulator.app import EmulatorConfig, create_app
from tests.emulator.inprocess import InProcessClient

KEY = "sk-test-unknown-fields"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"HUME_API_KEY": KEY, "NO_COLOR": "1"})


@contextmanager
def account(db: Path) -> Iterator[InProcessClient]:
    """The emulator's account in ``db``, as Hume's dashboard or SDK would reach it."""
    with InProcessClient(create_app(EmulatorConfig(db=str(db))), api_key=KEY) as client:
        yield client


def head(db: Path, kind: str, name: str) -> dict[str, Any]:
    with account(db) as client:
        [item] = client.get(f"/v0/evi/{kind}s", params={"name": name}).json()[f"{kind}s_page"]
    return dict(item)


def made_elsewhere(db: Path) -> None:
    with account(db) as client:
        prompt = client.post("/v0/evi/prompts", json={"name": "agent", "text": "You help.", "tone": "warm"}).json()
        config = {
            "name": "desk",
            "evi_version": "3",
            "prompt": {"id": prompt["id"]},
            "voice": {"provider": "HUME_AI", "name": "ITO", "type": "OCTAVE"},
            "language_model": {"model_provider": "ANTHROPIC", "model_resource": "claude-3-7-sonnet-latest"},
            "event_messages": {"on_new_chat": {"enabled": True, "text": "Hi"}, "on_resume_chat": {"enabled": True}},
            "ambient_sound": {"preset": "office"},
        }
        assert client.post("/v0/evi/configs", json=config).status_code == 201


def test_export_shows_them_and_a_new_version_carries_them(tmp_path: Path) -> None:
    db, out = tmp_path / "account.sqlite3", tmp_path / "evi"
    made_elsewhere(db)
    exported = run("export", str(out), f"--emulator={db}")
    assert exported.exit_code == 0, exported.output
    assert "config/desk: voice.type, event_messages.on_resume_chat, ambient_sound: field(s) humectl does not" in (
        exported.output
    )
    configs = (out / "configs.yaml").read_text(encoding="utf-8")
    assert "voice: {provider: HUME_AI, name: Ito, type: OCTAVE}" in configs
    assert "on_resume_chat: {enabled: true}" in configs and "ambient_sound: {preset: office}" in configs
    assert "tone: warm" in (out / "prompts.yaml").read_text(encoding="utf-8")
    validated = run("validate", str(out))
    assert validated.exit_code == 0 and "warning" not in validated.output, validated.output  # export's opt-out

    (out / "configs.yaml").write_text(
        configs.replace(
            "      on_new_chat: {enabled: true, text: Hi}", "      on_new_chat: {enabled: true, text: Hello}"
        )
    )
    applied = run("apply", str(out), f"--emulator={db}", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "config/desk: version 1 created" in applied.output
    config = head(db, "config", "desk")
    assert config["version"] == 1 and config["event_messages"]["on_new_chat"]["text"] == "Hello"
    assert config["event_messages"]["on_resume_chat"] == {"enabled": True}
    assert config["voice"]["type"] == "OCTAVE" and config["ambient_sound"] == {"preset": "office"}
    planned = run("plan", str(out), f"--emulator={db}", "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output


def test_a_manifest_may_write_one_under_its_api_name(tmp_path: Path) -> None:
    db, evi = tmp_path / "account.sqlite3", tmp_path / "evi"
    evi.mkdir()
    (evi / "configs.yaml").write_text(
        "configs:\n"
        "  - name: desk\n"
        '    evi_version: "3"\n'
        "    turn_detection: {end_of_turn_silence_ms: 900, vad_mode: aggressive}\n"
        "    ambient_sound: {preset: street}\n",
        encoding="utf-8",
    )
    validated = run("validate", str(evi))
    assert validated.exit_code == 0, validated.output
    assert f"{evi / 'configs.yaml'}:4:51: warning: config 'desk': 'turn_detection.vad_mode' is not a field" in (
        validated.output
    )
    assert "'ambient_sound' is not a field humectl knows; it is sent to Hume as written" in validated.output
    assert validated.output.splitlines()[-1].endswith(", 2 warnings")
    applied = run("apply", str(evi), f"--emulator={db}", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    config = head(db, "config", "desk")
    assert config["turn_detection"]["vad_mode"] == "aggressive" and config["ambient_sound"] == {"preset": "street"}
    planned = run("plan", str(evi), f"--emulator={db}", "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
