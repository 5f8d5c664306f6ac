"""A Plan as Markdown for pull-request comments and job summaries.

A summary table, then one collapsible section per change with its field diff and prompt text diff.
GitHub refuses comments over 65,536 characters, so details are cut to fit ``limit`` and a note
says how many changes were left out and where to see them.

User text never reaches the Markdown raw: names and values go into code spans, reasons and
messages into escaped text, the ``<summary>`` line is HTML-escaped and the text diff is fenced
longer than any backtick run in it (:mod:`humectl.render.escape`). Whatever the names and texts
hold, the table keeps its rows, every ``<details>`` closes and no HTML comment opens.
"""

from __future__ import annotations

import json
from typing import Any

from humectl.errors import ApplyReport
from humectl.plan import Change, Plan
from humectl.render import visible
from humectl.render.escape import md_code, md_fence, md_html, md_text, shorten
from humectl.render.report import IN_FLIGHT_NOTE, report_heading
from humectl.render.style import EMOJI, LABELS, SYMBOLS, plan_summary_line

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
    if change.action == "create":
        return "v0"
    if change.action == "version":
        return f"v{change.live_version} → v{change.predicted_version}"
    return f"v{change.live_version}" if change.live_version is not None else ""


def _row(change: Change) -> str:
    reason = md_text("; ".join(change.reasons)) if change.action != "create" else "new"
    if change.rename_from:
        reason = f"renamed from {md_code(change.rename_from, table=True, strict=True)}; " + reason
    if change.blocked_by:
        reason = f"**refused:** {md_text(change.blocked_by)}"
    return (
        f"| {EMOJI[change.action]} `{SYMBOLS[change.action]}` | {md_code(change.address, table=True, strict=True)} | "
        f"{LABELS[change.action]} | {_version_text(change)} | {reason} |"
    )


def _details(change: Change) -> str:
    title = f"<code>{SYMBOLS[change.action]} {md_html(change.address, strict=True)}</code> — {LABELS[change.action]}"
    if change.action == "version":
        title += f" {_version_text(change)}"
    parts = [f"<details><summary>{title}</summary>", ""]
    if change.source:
        parts.append(f"Defined at {md_code(change.source)}.")
        parts.append("")
    fields = [f for f in change.fields if not (f.path == "text" and change.text_diff)]
    if fields:
        parts.append("| field | live | desired |")
        parts.append("|---|---|---|")
        for f in fields:
            note = f.note
            before = "" if change.action == "create" else _cell(f.before, note) if f.before is not None else "∅"
            after = _cell(f.after, note) + _note(note) if f.after is not None else "`null`"  # null: cleared
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
    if plan.partial:
        head += [
            f"> Partial plan: only {', '.join(md_code(t, strict=True) for t in plan.targets)} and what they depend on.",
            "",
        ]
    head += [f"**{plan_summary_line(plan)}**", ""]
    if not plan.changes:
        head.append("No changes. The live EVI account matches the manifests.")
        return "\n".join(head) + "\n"
    reserve = 400  # room for the truncation notes
    out = "\n".join(head) + "\n"
    table = ["| | resource | action | version | why |", "|---|---|---|---|---|"]
    out += "\n".join(table) + "\n"
    rows_shown = 0
    for change in plan.changes:
        row = _row(change) + "\n"
        if len(out) + len(row) > limit - reserve:
            break
        out += row
        rows_shown += 1
    if rows_shown < len(plan.changes):
        out += f"\n_… and {len(plan.changes) - rows_shown} more changes not listed (limit of a GitHub comment)._\n"
    out += "\n"
    details_shown = 0
    for change in plan.changes[:rows_shown]:
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


def render_apply_report(plan: Plan, report: ApplyReport, *, failed: bool) -> str:
    """What an apply did, for the job summary: done, failed (with the API's message), in flight, not
    started."""
    by_address = {c.address: c for c in plan.changes}
    lines = ["### humectl apply", ""]
    heading = report_heading(report)
    lines.append(f"**{md_text(heading)}.**" if failed or report.stopped_by else "**Apply complete.**")
    lines += ["", "| | resource | action | result |", "|---|---|---|---|"]
    for address in report.done:
        change = by_address.get(address)
        action = LABELS[change.action] if change else ""
        lines.append(f"| ✅ | {md_code(address, table=True, strict=True)} | {action} | done |")
    for address, error in report.failed:
        change = by_address.get(address)
        action = LABELS[change.action] if change else ""
        lines.append(f"| ❌ | {md_code(address, table=True, strict=True)} | {action} | {md_text(error)} |")
    for address in report.in_flight:
        change = by_address.get(address)
        action = LABELS[change.action] if change else ""
        lines.append(f"| ❓ | {md_code(address, table=True, strict=True)} | {action} | in flight: {IN_FLIGHT_NOTE} |")
    for address in report.not_started:
        change = by_address.get(address)
        action = LABELS[change.action] if change else ""
        lines.append(f"| ⏸️ | {md_code(address, table=True, strict=True)} | {action} | not started |")
    return "\n".join(lines) + "\n"
