"""``humectl apply`` and ``humectl destroy``: show a plan, have it approved, apply it under the lock.

Both hold the account lock (docs/locking.md) from before they read the account until they are done,
so the plan, or a saved plan's staleness check, is decided under the lock. A saved plan was the
review: it is applied without asking again, as Terraform applies a saved plan.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from humectl.cli.app import HumectlCommand
from humectl.cli.flags import AccountFlags, PlanFlags, account_flags, plan_flags
from humectl.cli.options import check_patterns, exclude_option, lock_options, output_option, strict_readback_option
from humectl.cli.output import colour, echo, in_github, record, say
from humectl.cli.reporting import (
    api_hint,
    check_readback,
    github_apply_summary,
    print_apply_document,
    print_readback,
    print_report,
    show_violations,
)
from humectl.cli.running import confirm, progress, run, show_warnings, write_lock
from humectl.core.errors import ApplyError, ApplyReport, UsageError
from humectl.core.escape import terminal
from humectl.core.provenance import new_run_id
from humectl.decide import policy
from humectl.decide.gates import refuse_blocked
from humectl.io.lock import LockKeeper, NoLock
from humectl.io.planfile import load_plan, restore_sensitive
from humectl.load.manifests import load_manifests
from humectl.model.plan import PLAN_SUFFIX, Plan
from humectl.ops.apply import ApplyOptions, refuse_stale
from humectl.ops.session import Session
from humectl.render.github import endgroup, group
from humectl.render.text import render_text


@click.command(cls=HumectlCommand)
@click.argument("source", default=".", type=click.Path(exists=True))
@click.option("--auto-approve", is_flag=True, help="Apply without asking for confirmation.")
@output_option(
    "text; json: the report of what was done, the resources' ids and versions, the plan (docs/json-output.md); "
    "markdown: the same for a PR comment.",
    ("text", "json", "markdown"),
)
@click.option(
    "--override-policy",
    is_flag=True,
    help="Apply a plan that violates the review policy (docs/review.md); recorded in the version "
    "descriptions it writes.",
)
@strict_readback_option
@lock_options
@plan_flags("Apply")
def apply(
    source: str,
    auto_approve: bool,
    output: str,
    override_policy: bool,
    strict_readback: bool,
    use_lock: bool,
    lock_timeout: float,
    flags: PlanFlags,
) -> int:
    """Apply the manifests in SOURCE (a directory), or exactly a plan saved with `plan --out`.

    Holds the account lock (docs/locking.md) from before it reads the account until it is done, so
    the plan, or a saved plan's staleness check, is decided under the lock. A saved plan is applied
    without asking: it was the review.

    \b
    Examples:
      humectl apply evi/ --emulator --auto-approve
      humectl apply plan.json                      # refused if the account moved since
      humectl apply evi/ --auto-approve --lock-timeout 2m
      humectl apply evi/ --prune --auto-approve -o json
      humectl apply plan.json --override-policy    # a plan that violates the policy, on purpose
      humectl apply evi/ --prune-versions          # and delete versions beyond retention.keep_versions
      humectl apply evi/ --auto-approve --strict-readback   # exit 1 if the server stored a write otherwise
    """
    saved = Path(source).is_file()
    if saved:
        if flags.shapes_the_plan:
            raise UsageError(
                "a saved plan is applied exactly as saved: "
                "drop --target/--exclude/--var/--env/--name-prefix/--prune/--prune-versions/--allow-empty/--fail-on"
            )
        the_plan = restore_sensitive(_load_saved_plan(source, api_hint(flags)), os.environ)  # read again, checked
        scope, run_id, directory = the_plan.name_prefix, the_plan.run_id, str(Path(source).parent)
        desired = None
    else:
        options = flags.plan_options(source, run_id=new_run_id())
        desired = load_manifests(source, options.load, cache=options.cache)  # read (and checked) before the lock
        scope, run_id, directory = desired.name_prefix, options.run_id or "", source
    command = "humectl apply" + (" --prune" if flags.prune or flags.prune_unmanaged else "")
    command += " --prune-versions" if flags.prune_versions else ""

    async def work(session: Session) -> int:
        async with write_lock(
            session,
            use_lock,
            lock_timeout,
            scope=scope,
            run_id=run_id,
            command=command,
            directory=directory,
            api_flags=api_hint(flags),
        ) as held:
            if desired is None:
                plan = the_plan
                await refuse_stale(session.client, plan)  # under the lock; a stale plan is refused before it is shown
            else:
                result = await session.plan(source, options, desired=desired)
                show_warnings(result.desired)
                plan = result.plan
                if not use_lock and result.lock_note:
                    echo(f"Warning (--no-lock): {terminal(result.lock_note)}", err=True)
            return await apply_shown(
                session,
                plan,
                held,
                auto_approve=auto_approve or saved,
                output=output,
                github=flags.github,
                override_policy=override_policy,
                directory=None if saved else source,
                parallelism=session.settings.parallelism,
                strict_readback=strict_readback,
            )

    return run(flags.settings() if saved else flags.settings_for(source), work)


@click.command(cls=HumectlCommand)
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--auto-approve", is_flag=True, help="Destroy without asking for confirmation.")
@output_option(
    "text; json: the report and the plan (docs/json-output.md); markdown: the same for a PR comment.",
    ("text", "json", "markdown"),
)
@click.option("--github/--no-github", "github", default=None, help="GitHub Actions output (default: auto-detect).")
@click.option(
    "--allow-empty",
    is_flag=True,
    help="Destroy even when the manifests hold no resource (everything humectl created in the scope).",
)
@exclude_option("Destroy")
@lock_options
@account_flags
def destroy(
    directory: str,
    auto_approve: bool,
    output: str,
    github: bool | None,
    allow_empty: bool,
    excludes: tuple[str, ...],
    use_lock: bool,
    lock_timeout: float,
    flags: AccountFlags,
) -> int:
    """Delete every resource humectl created in the environment of the manifests in DIRECTORY.

    The environment is the name prefix of --env or --name-prefix (none: the account). Deleted: the
    resources the manifests define that humectl created there, and what humectl created there
    before that they no longer define; configs first. Never a resource humectl did not create or
    one of another environment. A protected resource (protect: true), or a prompt or tool a config
    outside the destroy still uses, refuses the whole destroy: nothing is deleted, exit 1.
    Shows the plan first and holds the account lock (docs/locking.md), as apply does.

    \b
    Examples:
      humectl destroy evi/ --name-prefix pr-42- --auto-approve
      humectl destroy evi/ --env dev
      humectl destroy evi/ --env staging --auto-approve -o json | jq .report.done
      humectl destroy evi/ --env dev --exclude 'config/keep-*'   # and what those configs use
    """
    check_patterns(excludes, "--exclude")
    desired = load_manifests(directory, flags.load_options(directory), cache=flags.cache)  # before the lock
    run_id = new_run_id()

    async def work(session: Session) -> int:
        async with write_lock(
            session,
            use_lock,
            lock_timeout,
            scope=desired.name_prefix,
            run_id=run_id,
            command="humectl destroy",
            directory=directory,
            api_flags=api_hint(flags),
        ) as held:
            result = await session.destroy_plan(
                directory, desired, run_id=run_id, allow_empty=allow_empty, excludes=excludes
            )
            show_warnings(result.desired)
            return await apply_shown(
                session,
                result.plan,
                held,
                auto_approve=auto_approve,
                output=output,
                github=github,
                verb="destroy",
                parallelism=session.settings.parallelism,
            )

    return run(flags.settings_for(directory), work)


async def apply_shown(
    session: Session,
    plan: Plan,
    held: LockKeeper | NoLock,
    *,
    auto_approve: bool,
    output: str,
    github: bool | None,
    parallelism: int,
    verb: str = "apply",
    override_policy: bool = False,
    directory: str | None = None,
    strict_readback: bool = False,
) -> int:
    """Show ``plan``, ask (unless ``auto_approve``), apply it and report: ``apply`` and ``destroy``.

    A plan that violates the review policy is refused after it is shown, unless ``override_policy``:
    then every version description it writes says so (:func:`humectl.decide.policy.record_override`).
    Every write is read back: what the server stored otherwise than sent is a warning, and with
    ``strict_readback`` an error (exit 1) once the apply is complete."""
    record(applied=False, plan=plan.to_dict())
    github_mode = in_github(github)
    if github_mode:
        say(
            group(f"humectl {'destroy ' if verb == 'destroy' else ''}plan: {len(plan.changes)} change(s)"),
            commands=True,
        )
    if output == "text":
        echo(render_text(plan, colour=colour()), nl=False)
    elif output == "markdown":  # the plan goes into the document; people watching see it on stderr
        echo(render_text(plan, colour=False), nl=False, err=True)
    if github_mode:
        say(endgroup(), commands=True)
    refuse_blocked(plan)
    show_violations(plan, output, github, directory)
    policy.refuse(plan, override=override_policy)
    if plan.violations:
        echo(
            f"Warning: --override-policy: applying a plan with {len(plan.violations)} policy violation(s); "
            "the version descriptions say so.",
            err=True,
        )
        plan = policy.record_override(plan)
        record(applied=False, plan=plan.to_dict())
    if not plan.has_changes:
        print_apply_document(plan, ApplyReport(), applied=False, output=output, verb=verb)
        return 0
    question = "\nDestroy these resources? They cannot be brought back." if verb == "destroy" else None
    if not auto_approve and not await confirm(verb, question or "\nApply these changes?"):
        return 1
    say("")
    options = ApplyOptions(override_policy=override_policy, parallelism=parallelism)
    try:
        if github_mode:
            say(group(f"humectl {verb}: progress"), commands=True)
        try:
            report, _ = await session.apply(plan, options, on_event=progress, halt=held.lost)
        finally:
            if github_mode:
                say(endgroup(), commands=True)
    except ApplyError as exc:
        record(report=exc.report.to_dict())
        print_report(exc.report)
        print_readback(exc.report)
        if output == "markdown":
            print_apply_document(plan, exc.report, applied=False, output=output, verb=verb)
        github_apply_summary(github, plan, exc.report, failed=True, verb=verb)
        raise
    done = f"{len(report.done)} change(s) applied" if verb == "apply" else f"{len(report.done)} resource(s) deleted"
    say(f"\n{verb.capitalize()} complete: {done}.")
    print_readback(report)
    failing = check_readback(report, strict=strict_readback, verb=verb)  # the document says so, then it fails
    print_apply_document(plan, report, applied=True, output=output, verb=verb, error=failing)
    github_apply_summary(github, plan, report, failed=False, verb=verb)
    if failing is not None:
        raise failing
    return 0


def _load_saved_plan(source: str, api_flags: str) -> Plan:
    if Path(source).suffix in (".md", ".markdown"):
        sibling = Path(source).with_suffix(PLAN_SUFFIX)
        raise UsageError(
            f"{source} is the Markdown of a plan, for people; humectl applies the JSON plan saved beside it",
            hint=f"humectl apply {sibling}{api_flags}"
            if sibling.is_file()
            else f"save one with: humectl plan DIR --out plan.json{api_flags}",
        )
    return load_plan(source)
