"""``humectl history``: every version of one live resource, newest first."""

from __future__ import annotations

import click

from humectl.cli.app import HumectlCommand
from humectl.cli.flags import ApiFlags, api_flags
from humectl.cli.options import output_option
from humectl.cli.output import echo
from humectl.cli.running import run
from humectl.core import sensitive
from humectl.render.history import render_history_json, render_history_text


@click.command(cls=HumectlCommand)
@click.argument("address", metavar="KIND/NAME")
@output_option("text, or json (docs/json-output.md).")
@api_flags
def history(address: str, output: str, flags: ApiFlags) -> int:
    """Every version of one live resource, newest first, with its description and time.

    \b
    Examples:
      humectl history config/support-desk
      humectl history prompt/support-agent -o json
    """
    found = run(flags.settings(), lambda session: session.history(address)).masked(sensitive.current())
    echo(render_history_json(found) if output == "json" else render_history_text(found), nl=False)
    return 0
