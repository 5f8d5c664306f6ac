"""``rollback --write`` in one environment writes the entry back with its ``${var}`` expressions, so the
manifests plan empty in every environment; a field whose expression would give another value than the
one rolled back to is refused, by name, before anything is rolled back or written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

PROJECT = """\
variables:
  temp: "0.5"
  company: Northwind
environments:
  dev: {name_prefix: dev-}
  prod: {name_prefix: ""}
"""
PROD_VARS = "temp: 0.9\ncompany: Northwind Outfitters\n"
MANIFEST = """\
prompts:
  - name: agent
    text: "You work for ${company}. LINE"
configs:
  - name: desk
    evi_version: "3"
    prompt: agent
    language_model:
      model_provider: ANTHROPIC
      model_resource: claude-3-7-sonnet-latest
      temperature: ${temp}
    nudges: {enabled: true, interval_secs: NUDGE}
"""


def write(evi: Path, line: str, nudge: int) -> None:
    (evi / "evi.yaml").write_text(MANIFEST.replace("LINE", line).replace("NUDGE", str(nudge)))


def plan_changes(run_cli: Any, evi: Path, *env: str) -> list[str]:
    result = run_cli("plan", str(evi), *env, "--output", "json")
    assert result.exit_code == 0, result.output
    return [c["address"] for c in json.loads(result.stdout)["changes"]]


def test_rollback_write_in_dev_keeps_the_expressions_prod_needs(run_cli: Any, tmp_path: Path) -> None:
    evi = tmp_path / "evi"
    evi.mkdir()
    (evi / "humectl.yaml").write_text(PROJECT)
    prod_vars = tmp_path / "prod.yaml"
    prod_vars.write_text(PROD_VARS)
    dev, prod = ("--env", "dev"), ("--env", "prod", "--var-file", str(prod_vars))
    write(evi, "Be kind.", 10)
    for env in (dev, prod):
        assert run_cli("apply", str(evi), *env, "--auto-approve").exit_code == 0
    # dev moves on (prod does not): a new prompt text and nudge interval
    write(evi, "Be brief.", 20)
    assert run_cli("apply", str(evi), *dev, "--auto-approve").exit_code == 0

    config = run_cli("rollback", "config/dev-desk", "--to-version", "0", *dev, "--write", str(evi), "--auto-approve")
    assert config.exit_code == 0, config.output
    prompt = run_cli("rollback", "prompt/dev-agent", "--to-version", "0", *dev, "--write", str(evi), "--auto-approve")
    assert prompt.exit_code == 0, prompt.output
    assert "kept the ${…} expressions of text" in prompt.output
    written = (evi / "evi.yaml").read_text()
    assert "temperature: ${temp}" in written and "0.5" not in written
    assert "text: You work for ${company}. Be kind.\n" in written and "Northwind" not in written
    assert "interval_secs: 10" in written
    assert plan_changes(run_cli, evi, *dev) == []
    assert plan_changes(run_cli, evi, *prod) == []  # dev's values never reached prod's manifests


def test_rollback_write_refuses_a_field_its_expression_cannot_give(run_cli: Any, tmp_path: Path) -> None:
    evi = tmp_path / "evi"
    evi.mkdir()
    (evi / "humectl.yaml").write_text(PROJECT)
    dev = ("--env", "dev")
    write(evi, "Be kind.", 10)
    assert run_cli("apply", str(evi), *dev, "--auto-approve").exit_code == 0  # dev-desk v0: temperature 0.5
    assert run_cli("apply", str(evi), *dev, "--var", "temp=0.7", "--auto-approve").exit_code == 0  # v1: 0.7
    before = (evi / "evi.yaml").read_text()

    refused = run_cli(
        "rollback",
        "config/dev-desk",
        "--to-version",
        "0",
        *dev,
        "--var",
        "temp=0.7",
        "--write",
        str(evi),
        "--auto-approve",
    )
    assert refused.exit_code == 1
    assert "language_model.temperature is written with ${temp}, which gives 0.7 here, not 0.5" in refused.output
    assert (evi / "evi.yaml").read_text() == before  # nothing written
    history = json.loads(run_cli("history", "config/dev-desk", "--output", "json").stdout)
    assert [v["version"] for v in history["versions"]] == [1, 0]  # nothing rolled back

    # Shown without --write: the same reason as a note, the literal value in the diff to make by hand.
    shown = run_cli(
        "rollback",
        "config/dev-desk",
        "--to-version",
        "0",
        *dev,
        "--var",
        "temp=0.7",
        "--manifests",
        str(evi),
        "--auto-approve",
    )
    assert shown.exit_code == 0, shown.output
    assert "note: config/dev-desk: cannot be written back with its ${…} expressions" in shown.output


def test_rollback_write_of_an_entry_with_a_version_description_plans_empty(run_cli: Any, tmp_path: Path) -> None:
    """Found by tests/engine/test_model_based_seams.py: the entry kept its version_description while the
    rollback version has the rollback's, so the next plan wanted to describe it again."""
    evi = tmp_path / "evi"
    evi.mkdir()
    (evi / "humectl.yaml").write_text(PROJECT)
    dev = ("--env", "dev")
    prompt = (
        'prompts:\n  - name: agent\n    text: "You work for ${company}. LINE"\n    version_description: Reviewed.\n'
    )
    (evi / "evi.yaml").write_text(prompt.replace("LINE", "Be kind."))
    assert run_cli("apply", str(evi), *dev, "--auto-approve").exit_code == 0
    (evi / "evi.yaml").write_text(prompt.replace("LINE", "Be brief."))
    assert run_cli("apply", str(evi), *dev, "--auto-approve").exit_code == 0

    done = run_cli("rollback", "prompt/dev-agent", "--to-version", "0", *dev, "--write", str(evi), "--auto-approve")
    assert done.exit_code == 0, done.output
    written = (evi / "evi.yaml").read_text()
    assert "version_description: rollback to v0\n" in written and "${company}. Be kind." in written
    assert plan_changes(run_cli, evi, *dev) == []
    again = run_cli("rollback", "prompt/dev-agent", "--to-version", "0", *dev, "--write", str(evi), "-m", "Back.")
    assert again.exit_code == 0 and (evi / "evi.yaml").read_text() == written  # nothing left to roll back


def test_rollback_write_after_a_rollback_without_it_states_the_head_description(run_cli: Any, tmp_path: Path) -> None:
    evi = tmp_path / "evi"
    evi.mkdir()
    (evi / "humectl.yaml").write_text(PROJECT)
    dev = ("--env", "dev")
    prompt = "prompts:\n  - name: agent\n    text: LINE\n    version_description: Reviewed.\n"
    for line in ("Be kind.", "Be brief."):
        (evi / "evi.yaml").write_text(prompt.replace("LINE", line))
        assert run_cli("apply", str(evi), *dev, "--auto-approve").exit_code == 0
    args = ("rollback", "prompt/dev-agent", "--to-version", "0", *dev, "-m", "Kind again.", "--auto-approve")
    assert run_cli(*args).exit_code == 0  # live only: the manifests still say Be brief./Reviewed.
    written = run_cli(*args, "--write", str(evi))
    assert written.exit_code == 0, written.output
    assert "    text: Be kind.\n    version_description: Kind again.\n" in (evi / "evi.yaml").read_text()
    assert plan_changes(run_cli, evi, *dev) == []


@pytest.mark.parametrize("scope", ["account", "dev"])
def test_rollback_write_leaves_configs_that_state_their_description_planning_empty(
    run_cli: Any, tmp_path: Path, scope: str
) -> None:
    # A prompt rolled back cascades to its configs: a config whose entry states version_description
    # gets that description on its new version (as apply gives it), so the next plan does not describe it
    # again; a config that states none gets the rollback's. In an environment too (prefixed names), with
    # the description written with a variable.
    evi = tmp_path / "evi"
    evi.mkdir()
    env: tuple[str, ...] = ()
    prefix = ""
    if scope == "dev":
        (evi / "humectl.yaml").write_text(PROJECT)
        env, prefix = ("--env", "dev"), "dev-"
    (evi / "evi.yaml").write_text(
        "prompts:\n  - name: agent\n    text: Be kind.\n"
        "configs:\n"
        '  - {name: day, evi_version: "3", prompt: agent, version_description: "Daytime line${suffix}."}\n'
        '  - {name: night, evi_version: "3", prompt: agent}\n'.replace(
            "${suffix}", " for ${company}" if scope == "dev" else ""
        )
    )
    assert run_cli("apply", str(evi), *env, "--auto-approve").exit_code == 0
    (evi / "evi.yaml").write_text((evi / "evi.yaml").read_text().replace("Be kind.", "Be brief."))
    assert run_cli("apply", str(evi), *env, "--auto-approve").exit_code == 0
    result = run_cli(
        "rollback", f"prompt/{prefix}agent", "--to-version", "0", *env, "--write", str(evi), "--auto-approve"
    )
    assert result.exit_code == 0, result.output
    assert "text: Be kind." in (evi / "evi.yaml").read_text()
    assert plan_changes(run_cli, evi, *env) == []
    history = json.loads(run_cli("history", f"config/{prefix}day", "--output", "json").stdout)
    stated = "Daytime line for Northwind." if scope == "dev" else "Daytime line."
    assert history["versions"][0]["version_description"] == stated
    night = json.loads(run_cli("history", f"config/{prefix}night", "--output", "json").stdout)
    assert night["versions"][0]["version_description"] == "rollback to v0"
