"""What apply-like commands show around their work: the plan in the chosen format, its policy
violations, the apply's report and document, the GitHub job summary, and the flags a hint must
repeat so that the command it suggests reaches the same account."""

from __future__ import annotations

import os

from humectl.cli.flags import ApiFlags
from humectl.cli.output import colour, echo, echo_commands, in_github, record
from humectl.core.errors import ApplyReport, ReadbackError
from humectl.core.escape import terminal
from humectl.model.plan import Plan
from humectl.ops.apply import applied_resources
from humectl.render.github import append_step_summary, violation_annotation
from humectl.render.json import apply_document, dumps, render_json
from humectl.render.markdown import render_apply_document, render_apply_report, render_markdown
from humectl.render.readback import readback_summary, render_readback_text
from humectl.render.report import render_report_text
from humectl.render.text import render_text, render_violations


def render_plan(plan: Plan, output: str) -> str:
    if output == "json":
        return render_json(plan)
    if output == "markdown":
        return render_markdown(plan)
    return render_text(plan, colour=colour())


def api_hint(flags: ApiFlags) -> str:
    """The flags that point a suggested command at the same account: `` --emulator=DB``, or
    `` --base-url URL`` (and `` --ca-bundle FILE`` when the run trusted one)."""
    if flags.emulator_db is not None:
        return f" --emulator={terminal(flags.emulator_db)}"
    hint = f" --base-url {terminal(flags.base_url)}" if flags.base_url is not None else ""
    if flags.ca_bundle is not None:
        hint += f" --ca-bundle {terminal(flags.ca_bundle)}"
    return hint


def show_violations(plan: Plan, output: str, github: bool | None, directory: str | None) -> None:
    """After the plan: its policy violations (stdout beside a text plan, else stderr), and under GitHub
    Actions an annotation for each at the manifest line that caused it."""
    if not plan.violations:
        return
    echo(render_violations(plan.violations, colour=colour()), nl=False, err=output != "text")
    if in_github(github):
        for violation in plan.violations:
            echo_commands(violation_annotation(violation, directory), err=output == "json")


def print_report(report: ApplyReport, again: str | None = None) -> None:
    """The report on stderr; ``again``: how to finish instead of apply's words (a rollback's own command)."""
    text = render_report_text(report) if again is None else render_report_text(report, again)
    echo("\n" + text, err=True, nl=False)


def print_apply_document(
    plan: Plan, report: ApplyReport, *, applied: bool, output: str, verb: str, error: ReadbackError | None = None
) -> None:
    """apply's (and destroy's) document on stdout under ``--output json`` or ``markdown``. With an
    ``error`` to raise next (``--strict-readback``), the JSON document is the error document: what it
    would have said is recorded for it instead of printed."""
    if output not in ("json", "markdown"):
        return
    resources = applied_resources(plan, report) if verb == "apply" else []
    if output == "markdown":
        echo(render_apply_document(plan, report, verb=verb, resources=resources), nl=False)
        return
    document = apply_document(plan, report, applied=applied, resources=resources if verb == "apply" else None)
    if error is not None:
        record(**{k: v for k, v in document.items() if k not in ("format_version", "error")})
        return
    echo(dumps(document), nl=False)


def print_readback(report: ApplyReport) -> None:
    """The fields the server stored otherwise than sent, as warnings on stderr."""
    if report.readback:
        echo(render_readback_text(report.readback), err=True, nl=False)


def check_readback(report: ApplyReport, *, strict: bool, verb: str) -> ReadbackError | None:
    """The error ``--strict-readback`` ends a complete apply with when a write was stored otherwise."""
    if not strict or not report.readback:
        return None
    return ReadbackError(
        f"{verb} complete, but {readback_summary(report.readback)} (--strict-readback)",
        report,
        hint="the readback list says which fields; `humectl plan` shows what the next apply would change",
    )


def github_apply_summary(flag: bool | None, plan: Plan, report: ApplyReport, *, failed: bool, verb: str) -> None:
    if in_github(flag):
        append_step_summary(render_apply_report(plan, report, failed=failed, verb=verb), os.environ)
