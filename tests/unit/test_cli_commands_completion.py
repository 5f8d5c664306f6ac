"""``humectl completion SHELL``: click's own completion script for bash, zsh and fish (the same as
``_HUMECTL_COMPLETE=<shell>_source``), as text or a JSON document; what the script then completes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from humectl.cli.app import cli
from tests.conftest import REPO_ROOT


def complete(words: str, cword: int) -> list[str]:
    """What bash would offer: click's ``bash_complete`` answers one ``type,value`` line per candidate."""
    env = {**os.environ, "_HUMECTL_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    script = "import sys; from humectl.cli.app import main; sys.argv = ['humectl']; main()"
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    return [line.split(",", 1)[1] for line in proc.stdout.splitlines()]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_script_for_each_shell(shell: str) -> None:
    result = CliRunner().invoke(cli, ["completion", shell])
    assert result.exit_code == 0, result.output
    assert "_HUMECTL_COMPLETE" in result.output and f"{shell}_complete" in result.output
    via_env = subprocess.run(
        [sys.executable, "-c", "import sys; from humectl.cli.app import main; sys.argv = ['humectl']; main()"],
        capture_output=True,
        text=True,
        env={**os.environ, "_HUMECTL_COMPLETE": f"{shell}_source"},
    )
    assert via_env.returncode == 0 and via_env.stdout.strip() == result.output.strip()


def test_bash_completes_commands_and_options() -> None:
    assert complete("humectl pl", 1) == ["plan"]
    assert {"--out", "--output"} <= set(complete("humectl plan --out", 2))
    assert {"text", "json", "markdown"} <= set(complete("humectl plan -o ''", 3))
    assert "--emulator" in complete("humectl plan --emu", 2)


def test_completion_rejects_an_unknown_shell() -> None:
    result = CliRunner().invoke(cli, ["completion", "powershell"])
    assert result.exit_code == 1


def test_readme_documents_completion_for_the_three_shells() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    for line in (
        'eval "$(_HUMECTL_COMPLETE=bash_source humectl)"',
        'eval "$(_HUMECTL_COMPLETE=zsh_source humectl)"',
        "_HUMECTL_COMPLETE=fish_source humectl > ~/.config/fish/completions/humectl.fish",
    ):
        assert line in readme


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_json_output_wraps_the_same_script(shell: str) -> None:
    text = CliRunner().invoke(cli, ["completion", shell])
    document = CliRunner().invoke(cli, ["completion", shell, "-o", "json"])
    assert document.exit_code == 0, document.output
    assert json.loads(document.stdout) == {
        "format_version": 1,
        "shell": shell,
        "script": text.stdout[:-1],
    }  # echo adds one newline


def test_an_unknown_shell_is_a_usage_error_naming_the_choices() -> None:
    result = CliRunner().invoke(cli, ["completion", "powershell", "-o", "json"])
    assert result.exit_code == 1
    error = json.loads(result.stdout)
    assert error["error"]["type"] == "usage" and "'bash', 'zsh', 'fish'" in error["error"]["message"]
    assert CliRunner().invoke(cli, ["completion"]).exit_code == 1  # SHELL is required
