"""``humectl drift``: what was changed live outside humectl since it last applied."""

from __future__ import annotations

import click

from humectl.cli.app import HumectlCommand
from humectl.cli.flags import AccountFlags, account_flags
from humectl.cli.options import output_option
from humectl.cli.output import echo
from humectl.cli.running import run, show_warnings
from humectl.decide.drift import NOT_DEPLOYED, deployed
from humectl.model.plan import CREATE
from humectl.ops.plan import PlanOptions
from humectl.render.drift import render_drift_json, render_drift_text


@click.command(cls=HumectlCommand)
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@output_option("text, or json (docs/json-output.md).")
@click.option(
    "--detailed-exitcode", is_flag=True, help="Exit 0 when nothing drifted, 2 when something did, 1 on error."
)
@account_flags
def drift(directory: str, output: str, detailed_exitcode: bool, flags: AccountFlags) -> int:
    """Report what was changed live outside humectl since it last applied.

    Exit 0 whether or not something drifted (1 on error); with --detailed-exitcode, 2 when something
    drifted, as plan has it.

    \b
    Examples:
      humectl drift evi/
      humectl drift evi/ --detailed-exitcode      # exit 2 when drifted (CI)
      humectl drift evi/ -o json | jq '.resources[].address'
    """
    options = PlanOptions(load=flags.load_options(directory), cache=flags.cache)
    drifted, result = run(flags.settings(), lambda session: session.drift(directory, options))
    show_warnings(result.desired)
    if any(c.does(CREATE) for c in result.plan.changes) and not deployed(
        result.live, result.desired.name_prefix, result.desired.declared_prefixes
    ):
        echo(f"Note: {NOT_DEPLOYED}", err=True)
    echo(render_drift_json(drifted) if output == "json" else render_drift_text(drifted), nl=False)
    return 2 if drifted and detailed_exitcode else 0
