"""``humectl completion``: click's own shell completion script, to save to a file."""

from __future__ import annotations

import json

import click
from click.shell_completion import get_completion_class

from humectl.cli.app import HumectlCommand, cli
from humectl.cli.options import output_option
from humectl.cli.output import echo

COMPLETION_SHELLS = ("bash", "zsh", "fish")


@click.command(cls=HumectlCommand)
@click.argument("shell", type=click.Choice(COMPLETION_SHELLS))
@output_option("text: the script; json: {shell, script}.")
def completion(shell: str, output: str) -> None:
    """Print the shell completion script for SHELL (click's own, the same as _HUMECTL_COMPLETE=SHELL_source).

    \b
    Examples:
      humectl completion bash > ~/.local/share/bash-completion/completions/humectl
      humectl completion zsh > "${fpath[1]}/_humectl"
      humectl completion fish > ~/.config/fish/completions/humectl.fish
    """
    completer = get_completion_class(shell)
    assert completer is not None  # every COMPLETION_SHELLS entry is one of click's
    script = completer(cli, {}, "humectl", "_HUMECTL_COMPLETE").source()
    if output == "json":
        echo(json.dumps({"format_version": 1, "shell": shell, "script": script}, indent=2))
    else:
        echo(script)
