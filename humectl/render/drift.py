"""Drift reports as text (fields that differ and on which side, when the live version was made) or JSON."""

from __future__ import annotations

import json
from typing import Any

from humectl.core.escape import name, terminal
from humectl.core.sensitive import MASK, is_masked_change
from humectl.decide.drift import Drifted
from humectl.render import visible
from humectl.render.text import format_value, text_diff_lines


def render_drift_text(drifted: list[Drifted]) -> str:
    if not drifted:
        return "No drift: the live account is as humectl last applied it.\n"
    lines = [f"Drift: {len(drifted)} resource(s) differ from what humectl applied.", ""]
    for item in drifted:
        address = name(item.address)
        if item.state == "missing":
            lines.append(f"  ! {address}: missing from the account (deleted outside humectl, or never applied)")
            continue
        when = f" at {terminal(item.modified_at)}" if item.modified_at else ""
        by = f" ({terminal(repr(item.live_description))})" if item.live_description else ""
        base = (
            f"; humectl last applied version {item.base_version}"
            if item.base_version is not None
            else "; humectl never applied it (no version carries its marker)"
        )
        lines.append(f"  ~ {address}: live version {item.live_version} was made outside humectl{when}{by}{base}")
        for f in item.fields:
            shown_text = f.path == "text" and item.text_diff
            path, note = terminal(f.path), f.note
            side = item.side(f.path)
            shown = _field_line(f.before, f.after, item.base.get(f.path), side, note)
            if is_masked_change(f.before, f.after):  # two different secrets at one place
                shown = f"{SIDE_WORDS[side] + ': ' if side else ''}{MASK} changed"
            if shown_text:  # the text diff below shows the values
                shown = f"{SIDE_WORDS[side]}: see the diff below" if side else ""
                if not shown:
                    continue
            lines.append(f"      {path}: {shown}" + (f"   {visible.label(note)}" if note else ""))
        if item.text_diff:
            note = next((f.note for f in item.fields if f.path == "text"), None)
            if note:
                lines.append(f"      text: {visible.label(note)}")
            lines.extend(f"      {line}" for line in text_diff_lines(item.text_diff, note))
    lines += [
        "",
        "Keep the live values: `humectl drift DIR --resolve keep-live` writes them into the manifests.",
        "Keep the manifests' values: `humectl drift DIR --resolve keep-manifest` (or `humectl apply`) puts them back.",
    ]
    return "\n".join(lines) + "\n"


SIDE_WORDS = {"live": "live ahead", "manifest": "manifest ahead", "conflict": "conflict (both changed)"}


def _field_line(live: Any, manifests: Any, base: Any, side: str | None, note: str | None) -> str:
    """One field of a drifted resource: what each side says, and which side moved (three-way)."""
    said, has = format_value(manifests, note), format_value(live, note)
    if side == "live":
        return f"live ahead: live has {has}; the manifests say {said}, as humectl last applied"
    if side == "manifest":
        return f"manifest ahead: the manifests say {said}; live has {has}, as humectl last applied (not applied yet)"
    if side == "conflict":
        return f"conflict (both changed): the manifests say {said}, live has {has}; humectl last applied " + (
            format_value(base, note)
        )
    return f"manifests say {said}, live has {has}"


def drift_document(drifted: list[Drifted]) -> dict[str, Any]:
    """drift's JSON document (docs/json-output.md): every field with its ``side`` and ``base`` value."""
    return {"format_version": 1, "drifted": len(drifted) > 0, "resources": [d.to_dict() for d in drifted]}


def render_drift_json(drifted: list[Drifted]) -> str:
    return json.dumps(drift_document(drifted), indent=2, sort_keys=True) + "\n"  # ASCII: every escape is JSON's own
