"""``humectl drift``: what was changed live outside humectl since it last applied (three-way), and
``--resolve``: keep the live values (written into the manifests) or the manifests' (applied)."""

from __future__ import annotations

import click

from humectl.cli.app import HumectlCommand
from humectl.cli.commands.apply import apply_shown
from humectl.cli.flags import AccountFlags, account_flags
from humectl.cli.options import lock_options, output_option
from humectl.cli.output import echo, record, say
from humectl.cli.running import run, show_warnings, write_lock
from humectl.core.escape import terminal
from humectl.core.provenance import new_run_id
from humectl.decide.drift import NOT_DEPLOYED, deployed
from humectl.load.manifests import load_manifests
from humectl.model.plan import CREATE
from humectl.ops.drift import keep_live
from humectl.ops.plan import PlanOptions
from humectl.ops.session import Session
from humectl.render.drift import drift_document, render_drift_json, render_drift_text
from humectl.render.json import dumps

KEEP_LIVE, KEEP_MANIFEST = "keep-live", "keep-manifest"
RESOLVE_MESSAGE = "drift reverted to the manifests (drift --resolve keep-manifest)"


@click.command(cls=HumectlCommand)
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@output_option("text, or json (docs/json-output.md).")
@click.option(
    "--detailed-exitcode", is_flag=True, help="Exit 0 when nothing drifted, 2 when something did, 1 on error."
)
@click.option(
    "--resolve",
    type=click.Choice([KEEP_LIVE, KEEP_MANIFEST]),
    default=None,
    help="keep-live: write the live values of what changed live (live ahead, conflicts) into the manifests; "
    "keep-manifest: apply the manifests to the drifted resources (shows the plan, asks unless --auto-approve).",
)
@click.option("--auto-approve", is_flag=True, help="With --resolve keep-manifest: apply without asking.")
@lock_options
@account_flags
def drift(
    directory: str,
    output: str,
    detailed_exitcode: bool,
    resolve: str | None,
    auto_approve: bool,
    use_lock: bool,
    lock_timeout: float,
    flags: AccountFlags,
) -> int:
    """Report what was changed live outside humectl since it last applied, field by field: manifest
    ahead (not applied yet), live ahead (changed live), or a conflict (both changed).

    Exit 0 whether or not something drifted (1 on error); with --detailed-exitcode, 2 when something
    drifted, as plan has it (after --resolve: what was found before resolving).

    \b
    Examples:
      humectl drift evi/
      humectl drift evi/ --detailed-exitcode      # exit 2 when drifted (CI)
      humectl drift evi/ -o json | jq '.resources[].fields[] | {path, side}'
      humectl drift evi/ --resolve keep-live      # the dashboard's edits into the manifests
      humectl drift evi/ --resolve keep-manifest  # the manifests' values back live (asks first)
    """
    if auto_approve and resolve != KEEP_MANIFEST:
        raise click.UsageError("--auto-approve goes with --resolve keep-manifest")
    load = flags.load_options(directory)
    options = PlanOptions(load=load, cache=flags.cache)
    if resolve == KEEP_MANIFEST:
        return _keep_manifest(directory, output, detailed_exitcode, auto_approve, use_lock, lock_timeout, flags)
    drifted, result = run(flags.settings_for(directory), lambda session: session.drift(directory, options))
    show_warnings(result.desired)
    if any(c.does(CREATE) for c in result.plan.changes) and not deployed(
        result.live, result.desired.name_prefix, result.desired.declared_prefixes
    ):
        echo(f"Note: {NOT_DEPLOYED}", err=True)
    code = 2 if drifted and detailed_exitcode else 0
    if resolve is None:
        echo(render_drift_json(drifted) if output == "json" else render_drift_text(drifted), nl=False)
        return code
    if output != "json":
        echo(render_drift_text(drifted), nl=False)
    outcome = keep_live(drifted, result, directory, load)
    if output == "json":
        document = drift_document(drifted)
        document["resolution"] = {
            "resolve": KEEP_LIVE,
            "diff": outcome.diff,
            "files": [str(p) for p in outcome.written],
            "written": bool(outcome.written),
            "notes": outcome.notes,
        }
        echo(dumps(document), nl=False)
        return code
    for note in outcome.notes:
        say(f"Note: {terminal(note)}")
    if outcome.diff:
        say("\nThe manifests now keep the live values:\n")
        echo(outcome.diff, nl=False)
        say("\nWrote " + ", ".join(terminal(str(p)) for p in outcome.written) + ".")
    elif drifted:
        say("\nNothing was changed live that the manifests do not already say: no file written.")
    return code


def _keep_manifest(
    directory: str,
    output: str,
    detailed_exitcode: bool,
    auto_approve: bool,
    use_lock: bool,
    lock_timeout: float,
    flags: AccountFlags,
) -> int:
    """Plan the manifests for the drifted resources only (as ``apply --target``) and apply it, under the
    lock, asking first unless ``auto_approve`` (as ``apply``)."""
    load = flags.load_options(directory)
    desired = load_manifests(directory, load, cache=flags.cache)  # read and checked before the lock
    run_id = new_run_id()

    async def work(session: Session) -> int:
        async with write_lock(
            session,
            use_lock,
            lock_timeout,
            scope=desired.name_prefix,
            run_id=run_id,
            command="humectl drift --resolve keep-manifest",
            directory=directory,
        ) as held:
            drifted, result = await session.drift(directory, PlanOptions(load=load), desired=desired)
            show_warnings(result.desired)
            record(drift=drift_document(drifted))
            if output == "text":
                echo(render_drift_text(drifted), nl=False)
            else:
                echo(render_drift_text(drifted), nl=False, err=True)
            if not drifted:
                return 0
            say("")
            targets = tuple(d.address for d in drifted)
            options = PlanOptions(load=load, targets=targets, message=RESOLVE_MESSAGE, run_id=run_id)
            planned = await session.plan(directory, options, desired=desired)
            code = await apply_shown(
                session,
                planned.plan,
                held,
                auto_approve=auto_approve,
                output=output,
                github=None,
                directory=directory,
                parallelism=session.settings.parallelism,
            )
            return 2 if code == 0 and detailed_exitcode else code

    return run(flags.settings_for(directory), work)
