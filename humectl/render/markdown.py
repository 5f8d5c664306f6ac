"""A Plan as Markdown for pull-request comments and job summaries.

A summary table, then one collapsible section per change with its field diff and prompt text diff.
GitHub refuses comments over 65,536 characters, so details are cut to fit ``limit`` and a note
says how many changes were left out and where to see them.

User text never reaches the Markdown raw: names and values go into code spans, reasons and
messages into escaped text, the ``<summary>`` line is HTML-escaped and the text diff is fenced
longer than any backtick run in it (:mod:`humectl.core.escape`). Whatever the names and texts
hold, the table keeps its rows, every ``<details>`` closes and no HTML comment opens.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from humectl.core.errors import ApplyReport
from humectl.core.escape import md_code, md_fence, md_html, md_text, shorten
from humectl.core.kinds import KINDS, REPORT_ORDER, KindName, referenced_kinds
from humectl.core.sensitive import MASK, is_masked_change
from humectl.decide import risk
from humectl.decide.retention import versions_text
from humectl.model.plan import Change, Plan
from humectl.model.review import risk_counts
from humectl.render import visible
from humectl.render.readback import render_readback_markdown
from humectl.render.report import IN_FLIGHT_NOTE, report_heading, took_effect
from humectl.render.style import (
    EMOJI,
    SYMBOLS,
    kept_title,
    no_changes_line,
    operation_labels,
    plan_summary_line,
    risk_line,
    summary_line,
)

GITHUB_COMMENT_LIMIT = 65_536
# Headroom under the limit for what the sticky-comment action adds (its marker line).
DEFAULT_LIMIT = 65_000
_MAX_CELL = 100
_MAX_TEXT_DIFF = 12_000


def _cell(value: Any, note: str | None = None) -> str:
    """A value in a code span; a string's edge whitespace and what ``note`` is about marked (render.visible)."""
    if isinstance(value, str):
        text = visible.value(value, note)
    else:
        text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return md_code(shorten(text, _MAX_CELL), table=True) if text else "∅"


def _note(note: str | None) -> str:
    return f" {md_text(visible.label(note))}" if note else ""


def _version_text(change: Change) -> str:
    deleted = f"; deletes {versions_text(change.versions)}" if change.versions else ""
    if change.action == "create":
        return "v0"
    if change.action == "version":
        return f"v{change.live_version} → v{change.predicted_version}{deleted}"
    if change.versions:
        return f"deletes {versions_text(change.versions)}"
    return f"v{change.live_version}" if change.live_version is not None else ""


RISK_CELLS = {"high": "❗ **high**", "medium": "⚠️ medium", "low": "low"}


def _risk_cell(change: Change) -> str:
    words = "; ".join(r.message for r in risk.deciding(change)) if change.risk != "low" else ""
    return RISK_CELLS[change.risk] + (f": {md_text(shorten(words, _MAX_CELL))}" if words else "")


def _row(change: Change) -> str:
    renamed = f"renamed from {change.rename_from}" if change.rename_from else None
    reasons = [r for r in change.reasons if r != renamed]  # said once, with the old name in code
    reason = md_text("; ".join(reasons)) if change.action != "create" else "new"
    if renamed:
        reason = f"renamed from {md_code(change.rename_from or '', table=True, strict=True)}" + (
            f"; {reason}" if reasons else ""
        )
    if change.blocked_by:
        reason = f"**refused:** {md_text(change.blocked_by)}"
    return (
        f"| {EMOJI[change.action]} `{SYMBOLS[change.action]}` | {md_code(change.address, table=True, strict=True)} | "
        f"{operation_labels(change.operations)} | {_version_text(change)} | {_risk_cell(change)} | {reason} |"
    )


def _details(change: Change) -> str:
    labels = operation_labels(change.operations)
    title = f"<code>{SYMBOLS[change.action]} {md_html(change.address, strict=True)}</code> — {labels}"
    if change.action == "version":
        title += f" {_version_text(change)}"
    if change.risk != "low":
        title += f" — {change.risk} risk"
    parts = [f"<details><summary>{title}</summary>", ""]
    if change.source:
        parts.append(f"Defined at {md_code(change.source)}.")
        parts.append("")
    if change.risk_reasons and change.risk != "low":
        parts.append(f"Risk **{change.risk}**:")
        parts += [f"- {r.level}: {md_text(shorten(r.message, 300))} ({md_code(r.rule)})" for r in change.risk_reasons]
        parts.append("")
    fields = [f for f in change.fields if not (f.path == "text" and change.text_diff)]
    if fields:
        parts.append("| field | live | desired |")
        parts.append("|---|---|---|")
        for f in fields:
            note = f.note
            before = "" if change.action == "create" else _cell(f.before, note) if f.before is not None else "∅"
            after = _cell(f.after, note) + _note(note) if f.after is not None else "`null`"  # null: cleared
            if is_masked_change(f.before, f.after):  # two different secrets at one place
                before, after = f"`{MASK}`", f"`{MASK}` changed"
            parts.append(f"| {md_code(f.path, table=True)} | {before} | {after} |")
        parts.append("")
    if change.text_diff:
        note = next((f.note for f in change.fields if f.path == "text"), None)
        diff = "\n".join(visible.diff_lines(change.text_diff, note))
        if len(diff) > _MAX_TEXT_DIFF:
            diff = diff[:_MAX_TEXT_DIFF] + "\n… (text diff truncated)"
        if note:
            parts.extend([f"Text: {md_text(visible.label(note))}", ""])
        parts.extend([md_fence(diff, "diff"), ""])
    parts.append("</details>")
    parts.append("")
    return "\n".join(parts)


def render_markdown(plan: Plan, *, limit: int = DEFAULT_LIMIT, title: str = "humectl plan") -> str:
    """Markdown that never exceeds ``limit`` characters."""
    head = [f"### {title}", ""]
    if plan.targets:
        head += [
            f"> Partial plan: only {', '.join(md_code(t, strict=True) for t in plan.targets)} and what they depend on.",
            "",
        ]
    if plan.excluded:
        head += [
            f"> Excluded: {', '.join(md_code(t, strict=True) for t in plan.excluded)} (`--exclude`); what depends "
            "on their changes is held back.",
            "",
        ]
    head += [f"**{plan_summary_line(plan)}**", ""]
    if plan.changes:
        head += [f"**{risk_line(risk_counts(c.risk for c in plan.changes))}**", ""]
    if plan.violations:
        head += _violation_lines(plan)
    if plan.kept:
        head += [f"{kept_title(plan)}:", ""]
        head += [f"- {md_code(address, strict=True)}: {md_text(why)}" for address, why in list(plan.kept.items())[:50]]
        if len(plan.kept) > 50:
            head.append(f"- … and {len(plan.kept) - 50} more")
        head.append("")
    if not plan.changes:
        head.append(md_text(no_changes_line(plan)))
        return "\n".join(head) + "\n"
    reserve = 400  # room for the truncation notes
    out = "\n".join(head) + "\n"
    table = ["| | resource | action | version | risk | why |", "|---|---|---|---|---|---|"]
    out += "\n".join(table) + "\n"
    rows_shown = 0
    changes = risk.ordered(plan.changes)  # high risk first: what a reviewer must look at
    for change in changes:
        row = _row(change) + "\n"
        if len(out) + len(row) > limit - reserve:
            break
        out += row
        rows_shown += 1
    if rows_shown < len(plan.changes):
        out += f"\n_… and {len(plan.changes) - rows_shown} more changes not listed (limit of a GitHub comment)._\n"
    out += "\n"
    details_shown = 0
    for change in changes[:rows_shown]:
        if change.action == "delete" and not change.fields and not change.source:
            details_shown += 1  # its table row says everything there is to say
            continue
        section = _details(change)
        if len(out) + len(section) > limit - reserve:
            break
        out += section
        details_shown += 1
    if details_shown < len(plan.changes):
        out += (
            f"\n_Details of {len(plan.changes) - details_shown} of {len(plan.changes)} changes were left out to "
            "stay under GitHub's comment size limit; see the full plan in the job log or the plan artifact._\n"
        )
    return out


_MAX_VIOLATIONS = 50


def _violation_lines(plan: Plan) -> list[str]:
    count = len(plan.violations)
    plural = "" if count == 1 else "s"
    lines = [f"**⛔ Policy: {count} violation{plural}** (not applied without `--override-policy`)", ""]
    for v in plan.violations[:_MAX_VIOLATIONS]:
        where = f" at {md_code(v.source)}" if v.source else ""
        message = md_text(shorten(v.message, 300))
        lines.append(f"- {md_code(v.address, strict=True)}: {message} ({md_code(v.rule)}){where}")
    if count > _MAX_VIOLATIONS:
        lines.append(f"- … and {count - _MAX_VIOLATIONS} more")
    return [*lines, ""]


def _report_rows(plan: Plan, report: ApplyReport) -> list[str]:
    """The report's table: every change done, failed (with the API's message), in flight, not started."""
    by_address = {c.address: c for c in plan.changes}

    def row(mark: str, address: str, result: str) -> str:
        change = by_address.get(address)
        action = operation_labels(change.operations) if change else ""
        return f"| {mark} | {md_code(address, table=True, strict=True)} | {action} | {result} |"

    def partly(address: str) -> str:
        took = took_effect(report, address)
        return f"{md_text(took)}; " if took else ""

    rows = ["| | resource | action | result |", "|---|---|---|---|"]
    rows += [row("✅", address, "done") for address in report.done]
    rows += [row("❌", address, partly(address) + md_text(error)) for address, error in report.failed]
    rows += [row("❓", address, f"{partly(address)}in flight: {IN_FLIGHT_NOTE}") for address in report.in_flight]
    rows += [row("⏸️", address, "not started") for address in report.not_started]
    return rows


def render_apply_report(plan: Plan, report: ApplyReport, *, failed: bool, verb: str = "apply") -> str:
    """What an apply did, for the job summary: done, failed (with the API's message), in flight, not
    started."""
    lines = [f"### humectl {verb}", ""]
    heading = report_heading(report)
    lines.append(f"**{md_text(heading)}.**" if failed or report.stopped_by else f"**{verb.capitalize()} complete.**")
    lines += ["", *render_readback_markdown(report.readback), *_report_rows(plan, report)]
    return "\n".join(lines) + "\n"


_MAX_RESOURCE_ROWS = 200


def _resource_table(resources: Sequence[Mapping[str, Any]], kind: KindName) -> list[str]:
    rows = [f"| {kind} | id | version |", "|---|---|---|"]
    of_kind = [r for r in resources if r["kind"] == kind]
    for item in of_kind[:_MAX_RESOURCE_ROWS]:
        version = "" if item.get("version") is None else f"v{item['version']}"
        rows.append(
            f"| {md_code(item['name'], table=True, strict=True)} | {md_code(str(item.get('id') or ''), table=True)} "
            f"| {version} |"
        )
    if len(of_kind) > _MAX_RESOURCE_ROWS:
        rows.append(f"| … and {len(of_kind) - _MAX_RESOURCE_ROWS} more | | |")
    return rows


def render_apply_document(
    plan: Plan,
    report: ApplyReport,
    *,
    verb: str = "apply",
    resources: Sequence[Mapping[str, Any]] = (),
    limit: int = DEFAULT_LIMIT,
) -> str:
    """``apply``/``destroy --output markdown``: the outcome, the configs with their ids and versions
    (what a reviewer needs to open them in Hume's playground), what was done, then the plan, folded.
    Never more than ``limit`` characters (a pull-request comment)."""
    if report.stopped_by or report.failed:
        outcome = f"**{md_text(report_heading(report))}.**"
    elif not plan.changes:
        outcome = md_text(no_changes_line(plan))
    else:
        what = "resource(s) deleted" if verb == "destroy" else "change(s) applied"
        outcome = f"**{verb.capitalize()} complete: {len(report.done)} {what}.**"
    parts = [f"### humectl {verb}", "", outcome, "", *render_readback_markdown(report.readback)]
    if resources:
        inner = referenced_kinds()
        for kind in (k for k in REPORT_ORDER if k not in inner):
            parts += [*_resource_table(resources, kind), ""]
        others = [r for r in resources if r["kind"] in inner]
        if others:
            title = " and ".join(KINDS[k].plural for k in inner).capitalize()
            parts += [f"<details><summary>{title} ({len(others)})</summary>", ""]
            for kind in inner:
                if any(r["kind"] == kind for r in others):
                    parts += [*_resource_table(others, kind), ""]
            parts += ["</details>", ""]
    if report.done or report.failed or report.in_flight or report.not_started:
        parts += [*_report_rows(plan, report), ""]
    head = "\n".join(parts) + "\n"
    if not plan.changes and not plan.kept:
        return head
    room = max(limit - len(head) - 200, 1_000)
    folded = render_markdown(plan, limit=room, title="The plan")
    summary = md_html(summary_line(plan.summary()))
    return head + f"<details><summary>The plan: {summary}</summary>\n\n{folded}\n</details>\n"
