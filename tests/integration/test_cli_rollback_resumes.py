"""A rollback cut off after the resource's new version, before the configs' cascade versions, is
finished by running it again (as apply converges): the configs still on the bad version move onto
the rollback version; once they have, the same command changes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from humectl.cli.app import cli
from tests.integration.failing import served_failing

KEY = "sk-test-0123456789abcdef"
MANIFESTS = """\
prompts:
  - name: agent
    text_file: agent.md
configs:
  - {name: desk, evi_version: "3", prompt: agent}
  - {name: night, evi_version: "3", prompt: agent}
"""
GOOD = "You are Sam from support.\nBe kind.\n"
BAD = "You are Sam from support.\nBe rude.\n"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"HUME_API_KEY": KEY, "NO_COLOR": "1", "GITHUB_ACTIONS": ""})


def pinned(api: str, config: str) -> str:
    result = run("history", f"config/{config}", api, "--output", "json")
    assert result.exit_code == 0, result.output
    head: dict[str, Any] = json.loads(result.stdout)["versions"][0]
    return str(head["prompt"])


def test_a_rollback_cut_off_before_its_cascade_is_finished_by_running_it_again(tmp_path: Path) -> None:
    evi = tmp_path / "evi"
    evi.mkdir()
    (evi / "evi.yaml").write_text(MANIFESTS)
    (evi / "agent.md").write_text(GOOD)
    with served_failing() as server:
        api = f"--base-url={server.url}"
        assert run("apply", str(evi), api, "--auto-approve").exit_code == 0
        (evi / "agent.md").write_text(BAD)
        assert run("apply", str(evi), api, "--auto-approve").exit_code == 0  # agent v1; desk, night on it
        assert pinned(api, "desk") == pinned(api, "night") == "agent@1"

        # The prompt's rollback version is made; every config version after it fails.
        server.faults.fail("POST", r"/v0/evi/configs/[^/]+")
        cut = run("rollback", "prompt/agent", "--to-version", "0", api, "--auto-approve")
        assert cut.exit_code == 1, cut.output
        assert "done (1): prompt/agent" in cut.output
        again_said = f"Run `humectl rollback prompt/agent --to-version 0 --base-url {server.url}` again: it finishes"
        assert again_said in cut.output, cut.output
        assert pinned(api, "desk") == pinned(api, "night") == "agent@1"  # still the bad version

        server.faults.stop()
        again = run("rollback", "prompt/agent", "--to-version", "0", api, "--auto-approve")
        assert again.exit_code == 0, again.output
        assert "prompt/agent already has the content of v0; the configs still on v1" in again.output
        assert "# config/desk will get a new version (v1 → v2)" in again.output
        assert "# prompt/agent will" not in again.output  # no second rollback version
        assert pinned(api, "desk") == pinned(api, "night") == "agent@2"

        done = run("rollback", "prompt/agent", "--to-version", "0", api, "--auto-approve")
        assert done.exit_code == 0 and "already has the content of v0; nothing to roll back" in done.output
        assert "will get a new version" not in done.output
