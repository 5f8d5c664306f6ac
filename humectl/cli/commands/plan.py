"""``humectl plan``: what apply would change in the live account, for people, machines and PRs."""

from __future__ import annotations

import os

import click

from humectl.cli.app import HumectlCommand
from humectl.cli.flags import PlanFlags, plan_flags
from humectl.cli.options import OUTPUT_CHOICES, check_out_file, output_option
from humectl.cli.output import echo, in_github, record, say
from humectl.cli.reporting import api_hint, render_plan, show_violations
from humectl.cli.running import run, show_warnings
from humectl.core import stages
from humectl.core.escape import terminal
from humectl.decide import policy
from humectl.decide.gates import refuse_blocked
from humectl.io.planfile import check_plan_out, save_plan
from humectl.render import sarif
from humectl.render.github import append_step_summary
from humectl.render.markdown import render_markdown


@click.command(cls=HumectlCommand)
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@output_option(
    "text for terminals, json for machines (docs/plan-format.md), markdown for PR comments, sarif for GitHub "
    "code scanning (policy violations and high-risk changes; docs/review.md).",
    OUTPUT_CHOICES,
)
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False),
    callback=lambda c, p, v: check_out_file(v),
    metavar="FILE.json",
    help="Save the plan as JSON for `humectl apply FILE.json`, and its Markdown beside it as FILE.md.",
)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0 when no changes, 2 when changes, 1 on error.")
@plan_flags("Plan")
def plan(directory: str, output: str, out_file: str | None, detailed_exitcode: bool, flags: PlanFlags) -> int:
    """Show what apply would change in the live EVI account.

    \b
    Examples:
      humectl plan evi/ --emulator
      humectl plan evi/ --detailed-exitcode        # exit 2 when there are changes
      humectl plan evi/ --out plan.json            # also writes plan.md beside it
      humectl plan evi/ --target config/support-desk -o json
      humectl plan evi/ --env prod --fail-on high  # exit 1 when a change is high risk
    """
    options = flags.plan_options(directory)
    if out_file:
        check_plan_out(out_file)  # before the account is read: where the plan goes must take it
    result = run(flags.settings_for(directory), lambda session: session.plan(directory, options))
    show_warnings(result.desired)
    if result.lock_note:  # plan takes no lock, but says when an apply holds it (stderr: -o json stays clean)
        echo(f"Note: {terminal(result.lock_note)}", err=True)
    with stages.span("render"):
        if output == "sarif":
            fallback = sarif.fallback_file(directory, result.desired.files)
            rendered = sarif.render(sarif.plan_findings(result.plan, directory, fallback), "plan")
        else:
            rendered = render_plan(result.plan, output)
    if output != "json":
        echo(rendered, nl=False)
    if out_file:
        markdown = save_plan(result.plan, out_file, markdown=render_markdown(result.plan))
        shown = terminal(out_file)
        say(
            f"\nSaved the plan to {shown} (Markdown: {terminal(str(markdown))}); apply exactly it with: "
            f"humectl apply {shown}{api_hint(flags)}"
        )
    if in_github(flags.github):
        append_step_summary(render_markdown(result.plan), os.environ)
    show_violations(result.plan, output, flags.github, directory)
    record(plan=result.plan.to_dict())
    refuse_blocked(result.plan)
    policy.refuse(result.plan)
    if output == "json":
        echo(rendered, nl=False)
    if detailed_exitcode and result.plan.has_changes:
        return 2
    return 0
