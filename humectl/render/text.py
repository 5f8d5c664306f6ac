"""A Plan as text for terminals, Terraform-style: ``+`` create, ``~`` change, ``-`` delete.

Every user-controlled string (names, values, reasons, sources, text diff lines) passes
:mod:`humectl.core.escape` before it is painted, so colour codes are the only escape sequences.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import click

from humectl.core.escape import name, terminal
from humectl.core.sensitive import MASK, is_masked_change
from humectl.decide import risk
from humectl.decide.retention import RETENTION_REASON, versions_text
from humectl.model.plan import Change, Plan
from humectl.model.review import Violation, risk_counts
from humectl.render import visible
from humectl.render.style import (
    COLOURS,
    SYMBOLS,
    kept_title,
    no_changes_line,
    operation_verbs,
    plan_summary_line,
    risk_line,
)

_MAX_VALUE = 120


def format_value(value: Any, note: str | None = None) -> str:
    """One value on one terminal-safe line (newlines shown as ``\\n``), cut to a readable length.

    A string's leading and trailing whitespace is marked (``·``), and what ``note`` says the change is
    about (:mod:`humectl.render.visible`)."""
    if isinstance(value, str):
        text = terminal(visible.value(value, note))
    else:
        text = terminal(json.dumps(value, sort_keys=True, ensure_ascii=False))
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


def text_diff_lines(diff: str, note: str | None = None) -> list[str]:
    """The lines of a unified text diff, each terminal-safe; split at ``\\n`` only, so a U+2028 or a
    carriage return inside a line is shown in its line instead of breaking it. Whitespace and the
    like are marked (:mod:`humectl.render.visible`), the more so when ``note`` says that is all."""
    return [terminal(line, multiline=True) for line in visible.diff_lines(diff, note)]


def _note(note: str | None) -> str:
    return f"   {visible.label(note)}" if note else ""


def _headline(change: Change) -> str:
    """``# prompt/b will be renamed from a and get a new version (v3 → v4) [risk: low]``: every
    operation of the change, in the order apply runs them."""
    details = {"version": f"(v{change.live_version} → v{change.predicted_version})"}
    if change.versions:
        details["delete_version"] = f"({versions_text(change.versions)}: {len(change.versions)} old version(s))"
    if change.rename_from:
        details["rename"] = f"from {name(change.rename_from)}"
    return f"# {name(change.address)} {operation_verbs(change.operations, details)} {RISK_MARKERS[change.risk]}"


# The marker of each risk level on a change's headline, and its colour.
RISK_MARKERS = {"high": "[risk: HIGH]", "medium": "[risk: medium]", "low": "[risk: low]"}
RISK_COLOURS = {"high": "red", "medium": "yellow", "low": None}


def _risk_line(change: Change) -> str | None:
    """``risk high: voice ITO → KORA; …``: the reasons that decided the level (none for a plain create)."""
    reasons = risk.deciding(change)
    if change.risk == "low" and all(r.rule in ("create", "config.cascade") for r in reasons):
        return None
    return f"      risk {change.risk}: " + "; ".join(terminal(r.message) for r in reasons)


def render_change(change: Change, colour: bool) -> list[str]:
    def paint(text: str, fg: str | None = None, dim: bool = False) -> str:
        return click.style(text, fg=fg, dim=dim) if colour else text

    symbol = SYMBOLS[change.action]
    fg = COLOURS[change.action]
    lines = [
        paint(f"  {_headline(change)}", dim=True),
        paint(f"  {symbol} {name(change.address)}", fg=fg, dim=False),
    ]
    if change.source:
        lines[-1] += paint(f"   ({terminal(change.source)})", dim=True)
    if change.blocked_by:
        lines.append(paint(f"      ! refused: {terminal(change.blocked_by)}", fg="red"))
    risk_line = _risk_line(change)
    if risk_line:
        lines.append(paint(risk_line, fg=RISK_COLOURS[change.risk]))
    for reason in change.reasons:
        if reason.startswith(RETENTION_REASON):  # says what it is; not a "because"
            lines.append(f"      {terminal(reason)}")
        elif change.action != "create":
            lines.append(f"      because {terminal(reason)}")
    for field in change.fields:
        if field.path == "text" and change.text_diff:
            continue
        path = terminal(field.path)
        if is_masked_change(field.before, field.after):  # two different secrets at one place
            lines.append(paint(f"      ~ {path}: {MASK} changed", fg="yellow"))
            continue
        if change.action == "create":
            lines.append(paint(f"      + {path}: {format_value(field.after)}", fg="green"))
        elif field.after is None:  # cleared (an explicit null in the manifest)
            lines.append(paint(f"      - {path}: {format_value(field.before)} → null", fg="red"))
        elif field.before is None:
            lines.append(paint(f"      + {path}: {format_value(field.after)}", fg="green"))
        else:
            note = field.note
            before, after = format_value(field.before, note), format_value(field.after, note)
            lines.append(paint(f"      ~ {path}: {before} → {after}{_note(note)}", fg="yellow"))
    if change.text_diff:
        note = next((f.note for f in change.fields if f.path == "text"), None)
        lines.append(f"      text:{_note(note)}")
        for line in text_diff_lines(change.text_diff, note):
            tint = "green" if line.startswith("+") else "red" if line.startswith("-") else None
            if line.startswith(("+++", "---")):
                tint = None
            lines.append(paint(f"        {line}", fg=tint))
    return lines


def render_text(plan: Plan, *, colour: bool = False) -> str:
    lines: list[str] = []
    if plan.targets:
        lines.append(f"Partial plan: only {', '.join(name(t) for t in plan.targets)} and what they depend on.")
        lines.append("")
    if plan.excluded:
        lines.append(
            f"Excluded: {', '.join(name(t) for t in plan.excluded)} (--exclude); what depends on their changes "
            "is held back."
        )
        lines.append("")
    if not plan.changes:
        lines.append(terminal(no_changes_line(plan)))
    else:
        lines.append("humectl will perform these actions:")
        for change in plan.changes:
            lines.append("")
            lines.extend(render_change(change, colour))
    if plan.kept:
        lines += ["", f"{kept_title(plan)}:"]
        lines += [f"  {name(address)}: {terminal(why)}" for address, why in plan.kept.items()]
    lines.append("")
    if plan.changes:  # before the Plan line, which stays the last (as Terraform's)
        lines.append(risk_line(risk_counts(c.risk for c in plan.changes)))
    summary = plan_summary_line(plan)
    lines.append(click.style(summary, bold=True) if colour else summary)
    return "\n".join(lines) + "\n"


def render_violations(violations: Sequence[Violation], *, colour: bool = False) -> str:
    """What a plan does against the policy, after the plan: one line per violation, at its manifest line."""
    if not violations:
        return ""
    lines = ["", f"Policy violations ({len(violations)}): this plan is not applied without --override-policy"]
    for v in violations:
        where = f"   ({terminal(v.source)})" if v.source else ""
        lines.append(f"  ! {name(v.address)}: {terminal(v.message)} [{v.rule}]{where}")
    text = "\n".join(lines) + "\n"
    return click.style(text, fg="red") if colour else text
