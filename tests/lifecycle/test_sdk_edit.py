"""A dashboard edit made with Hume's official SDK (over a served emulator) is exported correctly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from humectl.cli.app import cli
from humectl.emulator.app import EmulatorConfig
from humectl.emulator.serve import run_in_thread

hume = pytest.importorskip("hume")

MANIFEST = """\
prompts:
  - name: agent
    text: "Be kind.\\n"
tools:
  - name: lookup
    parameters: {type: object, properties: {id: {type: string}}}
configs:
  - name: desk
    evi_version: "3"
    prompt: agent
    tools: [lookup]
    language_model: {model_provider: ANTHROPIC, model_resource: claude-3-7-sonnet-latest, temperature: 0.5}
"""


def test_sdk_dashboard_edit_is_exported_and_round_trips(tmp_path: Path) -> None:
    from hume import HumeClient
    from hume.empathic_voice import (
        PostedConfigPromptSpec,
        PostedEventMessageSpecs,
        PostedEventMessageSpecsOnNewChat,
        PostedLanguageModel,
        PostedUserDefinedToolSpec,
    )

    evi = tmp_path / "evi"
    evi.mkdir()
    (evi / "evi.yaml").write_text(MANIFEST, encoding="utf-8")
    with run_in_thread(EmulatorConfig(db=str(tmp_path / "db.sqlite3"))) as url:

        def run(*args: str) -> Result:
            env = {"HUME_API_KEY": "test-key", "HUME_BASE_URL": url}
            return CliRunner().invoke(cli, list(args), env=env)

        assert run("apply", str(evi), "--auto-approve").exit_code == 0
        sdk = HumeClient(api_key="test-key", base_url=url).empathic_voice
        prompt = next(p for p in sdk.prompts.list_prompts(restrict_to_most_recent=True) if p and p.name == "agent")
        edited = sdk.prompts.create_prompt_version(id=prompt.id, text="Be kind.\nAnd quick.", version_description="x")
        assert edited is not None
        tool = next(t for t in sdk.tools.list_tools(restrict_to_most_recent=True) if t and t.name == "lookup")
        made = sdk.tools.create_tool(
            name="refund",
            parameters='{"type":"object","properties":{"amount":{"type":"number"}}}',
            description="Refund an order.",
        )
        assert made is not None
        config = next(c for c in sdk.configs.list_configs(restrict_to_most_recent=True) if c and c.name == "desk")
        sdk.configs.create_config_version(
            id=config.id,
            evi_version="3",
            prompt=PostedConfigPromptSpec(id=prompt.id, version=edited.version),
            tools=[PostedUserDefinedToolSpec(id=tool.id, version=0), PostedUserDefinedToolSpec(id=made.id, version=0)],
            language_model=PostedLanguageModel(
                model_provider="ANTHROPIC", model_resource="claude-3-7-sonnet-latest", temperature=0.8
            ),
            event_messages=PostedEventMessageSpecs(
                on_new_chat=PostedEventMessageSpecsOnNewChat(enabled=True, text="Hello!")
            ),
            version_description="edited in the dashboard",
        )

        # The old manifests now differ from live in exactly the edited fields.
        before = run("plan", str(evi), "--output", "json")
        changes = {c["address"]: c for c in json.loads(before.stdout)["changes"]}
        assert set(changes) == {"prompt/agent", "config/desk"}
        desk_fields = {f["path"] for f in changes["config/desk"]["fields"]}
        assert {"language_model.temperature", "prompt", "tools"} <= desk_fields

        out = tmp_path / "exported"
        exported = run("export", "--dir", str(out))
        assert exported.exit_code == 0, exported.output
        assert "Checked: `humectl plan` on these files shows no changes." in exported.output
        assert (out / "prompts" / "agent.md").read_bytes() == b"Be kind.\nAnd quick."
        configs = yaml.safe_load((out / "configs.yaml").read_text(encoding="utf-8"))["configs"]
        assert configs == [
            {
                "name": "desk",
                "evi_version": "3",
                "prompt": "agent",
                "language_model": {
                    "model_provider": "ANTHROPIC",
                    "model_resource": "claude-3-7-sonnet-latest",
                    "temperature": 0.8,
                },
                "tools": ["lookup", "refund"],
                "event_messages": {"on_new_chat": {"enabled": True, "text": "Hello!"}},
            }
        ]
        tools = yaml.safe_load((out / "tools.yaml").read_text(encoding="utf-8"))["tools"]
        assert tools[1] == {
            "name": "refund",
            "description": "Refund an order.",
            "parameters": {"type": "object", "properties": {"amount": {"type": "number"}}},
        }
        after = run("plan", str(out), "--detailed-exitcode")
        assert after.exit_code == 0, after.output
