"""``humectl export``: adopt a live account into git as manifests."""

from __future__ import annotations

import click

from humectl.cli.app import HumectlCommand
from humectl.cli.flags import ApiFlags, api_flags
from humectl.cli.options import check_targets, output_option
from humectl.cli.output import echo, json_mode, say
from humectl.cli.running import run
from humectl.core import sensitive
from humectl.core.errors import UsageError
from humectl.core.escape import terminal
from humectl.core.kinds import DEPENDENCY_ORDER
from humectl.ops.export import ExportOptions
from humectl.render.json import dumps, export_document


@click.command(cls=HumectlCommand)
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option("--dir", "dir_option", default=None, type=click.Path(file_okay=False), hidden=True)
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="KIND/NAME",
    help="Export only this resource and what it references (repeatable).",
)
@click.option("--select", "selectors", multiple=True, metavar="KIND/NAME", hidden=True)
@click.option(
    "--schema",
    "schema_ref",
    default=None,
    metavar="URL|PATH",
    help="Point the $schema line here instead of writing manifest.schema.json beside the files.",
)
@output_option("text, or json: the files written and the round-trip check (docs/json-output.md).")
@api_flags
def export(
    directory: str | None,
    dir_option: str | None,
    force: bool,
    targets: tuple[str, ...],
    selectors: tuple[str, ...],
    schema_ref: str | None,
    output: str,
    flags: ApiFlags,
) -> int:
    """Write manifests for every live tool, prompt and config (their newest versions) into DIRECTORY
    (default: the current directory; created if missing).

    \b
    Examples:
      humectl export evi/
      humectl export evi/ --target config/support-desk
    """
    if directory is not None and dir_option is not None and directory != dir_option:
        raise UsageError("give the directory once: as DIRECTORY or as --dir, not both")
    directory = directory or dir_option or "."
    chosen = (*targets, *selectors)
    check_targets(chosen)
    options = ExportOptions(
        selectors=chosen,
        schema_ref=schema_ref,
        force=force,
        secrets=sensitive.current().by_name(),  # HUMECTL_SECRET_<NAME>: written as ${NAME}, never as values
    )
    outcome = run(flags.settings(), lambda session: session.export(directory, options))
    result, differences = outcome.result, outcome.differences
    counts = result.counts()
    say(
        f"Exported {', '.join(f'{counts[kind]} {kind}(s)' for kind in DEPENDENCY_ORDER)} "
        f"to {terminal(directory)} ({len(result.files)} file(s))."
    )
    for note in result.notes:
        say(f"  note: {terminal(note)}")
    if json_mode():
        echo(dumps(export_document(directory, result, differences, outcome.other_scopes)), nl=False)
    if outcome.other_scopes:  # written as they are, but no plan in the account scope will apply them
        echo(
            f"Warning: humectl manages {len(outcome.other_scopes)} of these resource(s) for an environment (another "
            "scope): `humectl plan` on these files refuses to take them over (exit 1). They belong to that "
            "environment's manifests: delete their entries here, or export the rest with --target.",
            err=True,
        )
        for address in outcome.other_scopes:
            echo(f"  {terminal(address)}", err=True)
    if differences:  # the files are written and valid; say plainly what the first plan will do
        echo("Warning: these manifests do not round-trip exactly; `humectl plan` on them shows:", err=True)
        for line in differences:
            echo(f"  {terminal(line)}", err=True)
        return 0
    outcome_text = "changes nothing else" if outcome.other_scopes else "shows no changes"
    say(f"Checked: `humectl plan` on these files {outcome_text}.")
    return 0
