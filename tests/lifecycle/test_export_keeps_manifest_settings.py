"""export over a directory of manifests (``--force``) keeps what only the manifests say: ``protect``,
``version_description``, ``previous_names``, ``ignore_warnings`` and where a prompt's text file lives;
the written files still plan empty, and the protection still refuses a delete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

PROMPTS = """\
prompts:
  - name: agent
    version_description: Reviewed by the support lead.
    previous_names: [assistant]
    protect: true
    text_file: texts/agent.txt
"""
CONFIGS = """\
configs:
  - name: desk
    ignore_warnings: [model-resource]
    evi_version: "3"
    prompt: agent
    language_model: {model_provider: ANTHROPIC, model_resource: claude-9-imaginary}
"""


def entry(path: Path, plural: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(e for e in yaml.safe_load(path.read_text())[plural] if e["name"] == name)
    return found


def test_export_over_manifests_keeps_their_manifest_only_settings(run_cli: Any, tmp_path: Path) -> None:
    evi = tmp_path / "evi"
    (evi / "texts").mkdir(parents=True)
    (evi / "prompts.yaml").write_text(PROMPTS)
    (evi / "configs.yaml").write_text(CONFIGS)
    (evi / "texts" / "agent.txt").write_text("You are Sam from support.\n")
    applied = run_cli("apply", str(evi), "--auto-approve")
    assert applied.exit_code == 0, applied.output

    exported = run_cli("export", "--dir", str(evi), "--force")
    assert exported.exit_code == 0, exported.output
    assert "Checked: `humectl plan` on these files shows no changes." in exported.output
    prompt = entry(evi / "prompts.yaml", "prompts", "agent")
    assert prompt == {
        "name": "agent",
        "version_description": "Reviewed by the support lead.",
        "previous_names": ["assistant"],
        "protect": True,
        "text_file": "texts/agent.txt",
    }
    assert (evi / "texts" / "agent.txt").read_text() == "You are Sam from support.\n"
    assert not (evi / "prompts").exists()  # no second copy of the text under the default layout
    config = entry(evi / "configs.yaml", "configs", "desk")
    assert config["ignore_warnings"] == ["model-resource"] and config["prompt"] == "agent"

    plan = run_cli("plan", str(evi), "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    # the protection survived: destroy refuses the prompt
    refused = run_cli("destroy", str(evi), "--auto-approve")
    assert refused.exit_code == 1 and "protected" in refused.output
