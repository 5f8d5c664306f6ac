"""``humectl rollback``: a new version of a resource with the content of an older one, then the change
the manifests need (shown, or written with ``--write``)."""

from __future__ import annotations

from dataclasses import replace

import click

from humectl.cli.app import HumectlCommand
from humectl.cli.flags import AccountFlags, account_flags
from humectl.cli.options import check_targets, lock_options, output_option, strict_readback_option
from humectl.cli.output import colour, echo, json_mode, record, say
from humectl.cli.reporting import api_hint, check_readback, print_readback, print_report
from humectl.cli.running import confirm, progress, run, write_lock
from humectl.core import sensitive
from humectl.core.errors import ApplyError, ApplyReport
from humectl.core.escape import name, terminal
from humectl.core.provenance import new_run_id
from humectl.load.manifests import load_manifests
from humectl.ops.apply import ApplyOptions
from humectl.ops.rollback import entry_diff, manifest_update, with_stated_descriptions, write_update
from humectl.ops.session import Session
from humectl.render.json import dumps, rollback_document
from humectl.render.text import render_text


@click.command(cls=HumectlCommand)
@click.argument("address", metavar="KIND/NAME")
@click.option("--to-version", "to_version", type=click.IntRange(min=0), required=True, help="The version to restore.")
@click.option("--auto-approve", is_flag=True, help="Roll back without asking for confirmation.")
@click.option(
    "--write",
    "write_dir",
    default=None,
    type=click.Path(file_okay=False, exists=True),
    metavar="DIR",
    help="Also rewrite the resource's manifest entry (and prompt text file) under DIR.",
)
@click.option(
    "--manifests",
    "manifest_dir",
    default=None,
    type=click.Path(file_okay=False, exists=True),
    metavar="DIR",
    help="Show the exact change to the manifests under DIR, without writing it.",
)
@click.option("--message", "-m", default=None, help="Version description (default: 'rollback to vN').")
@output_option("text, or json: the plan, the report and the manifest change (docs/json-output.md).")
@strict_readback_option
@lock_options
@account_flags
def rollback(
    address: str,
    to_version: int,
    auto_approve: bool,
    write_dir: str | None,
    manifest_dir: str | None,
    message: str | None,
    output: str,
    strict_readback: bool,
    use_lock: bool,
    lock_timeout: float,
    flags: AccountFlags,
) -> int:
    """Make a new version of KIND/NAME whose content equals version N (shown as a plan first).

    Holds the account lock of the scope (--name-prefix, or --env with --manifests/--write DIR; else
    the account) while it reads and writes.

    \b
    Examples:
      humectl rollback config/support-desk --to-version 3
      humectl rollback prompt/support-agent --to-version 0 --write evi/
    """
    check_targets((address,))
    manifests = write_dir or manifest_dir
    desired = load_manifests(manifests, flags.load_options(manifests)) if manifests else None
    scope = flags.name_prefix or ""
    if not scope and flags.environment and desired is not None:
        scope = desired.name_prefix
    run_id = new_run_id()
    command = f"humectl rollback {address} --to-version {to_version}"

    async def work(session: Session) -> int:
        async with write_lock(
            session,
            use_lock,
            lock_timeout,
            scope=scope,
            run_id=run_id,
            command=command,
            directory=manifests or ".",
            api_flags=api_hint(flags),
        ) as held:
            planned = await session.rollback_plan(
                address, to_version, run_id=run_id, message=message, api_flags=api_hint(flags)
            )
            if desired is not None:  # the cascade's configs described as their entries say, as apply would
                planned = with_stated_descriptions(planned, desired)
            planned = replace(planned, plan=planned.plan.masked(sensitive.current().by_name()))
            plan = planned.plan
            record(address=address, to_version=to_version, rolled_back=False, plan=plan.to_dict())
            if plan.has_changes and output != "json":
                echo(render_text(plan, colour=colour()), nl=False)
            for note in planned.notes:
                say(f"  note: {terminal(note)}")
            if manifests:
                update = manifest_update(
                    planned, manifests, flags.load_options(manifests), refuse_literals=bool(write_dir), desired=desired
                )
            else:
                update = entry_diff(planned)
            report: ApplyReport | None = None
            if planned.to_head:
                say(f"{name(address)} v{to_version} is its newest version already; nothing to roll back.")
            elif not plan.has_changes:
                # Already rolled back (e.g. without --write): the manifests may still need the change.
                say(f"{name(address)} already has the content of v{to_version}; nothing to roll back.")
            elif not auto_approve and not await confirm("roll back", "\nRoll back?"):
                return 1
            if plan.has_changes:
                say("")
                options = ApplyOptions(check_fresh=True, parallelism=session.settings.parallelism)
                try:
                    report, _ = await session.apply(plan, options, on_event=progress, halt=held.lost)
                except ApplyError as exc:
                    record(report=exc.report.to_dict())
                    again = f"{command}{api_hint(flags)}"
                    print_report(exc.report, f"Run `{terminal(again)}` again: it finishes what is left.")
                    exc.hint = f"run `{again}` again: it finishes what is left"
                    print_readback(exc.report)
                    raise
                say(f"\nRolled back {name(address)} to the content of v{to_version}.")
                print_readback(report)
            for note in update.notes:
                say(f"  note: {terminal(note)}")
            if write_dir:
                for path in write_update(update):
                    say(f"Wrote {terminal(str(path))}")
                say(terminal(update.diff, multiline=True), nl=False)
            elif update.diff:
                say(
                    "The manifests still describe the content rolled back. "
                    "Make this change (or re-run with --write DIR):"
                )
                say(terminal(update.diff, multiline=True), nl=False)
            failing = check_readback(report, strict=strict_readback, verb="rollback") if report else None
            if json_mode():
                document = rollback_document(address, to_version, planned, update, report, written=bool(write_dir))
                if failing is not None:  # the error document carries it
                    record(**{k: v for k, v in document.items() if k not in ("format_version", "error")})
                else:
                    echo(dumps(document), nl=False)
            if failing is not None:
                raise failing
            return 0

    return run(flags.settings_for(manifests) if manifests else flags.settings(), work)
