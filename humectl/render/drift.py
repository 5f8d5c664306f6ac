"""Drift reports as text (fields that differ, when the live version was made) or JSON."""

from __future__ import annotations

import json

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
        lines.append(f"  ~ {address}: live version {item.live_version} was made outside humectl{when}{by}")
        for f in item.fields:
            if f.path == "text" and item.text_diff:
                continue
            path, note = terminal(f.path), f.note
            shown = f"manifests say {format_value(f.after, note)}, live has {format_value(f.before, note)}"
            if is_masked_change(f.before, f.after):  # two different secrets at one place
                shown = f"{MASK} changed"
            lines.append(f"      {path}: {shown}" + (f"   {visible.label(note)}" if note else ""))
        if item.text_diff:
            note = next((f.note for f in item.fields if f.path == "text"), None)
            if note:
                lines.append(f"      text: {visible.label(note)}")
            lines.extend(f"      {line}" for line in text_diff_lines(item.text_diff, note))
    lines += ["", "Run `humectl apply` to put the manifests' values back, or update the manifests to keep them."]
    return "\n".join(lines) + "\n"


def render_drift_json(drifted: list[Drifted]) -> str:
    data = {"format_version": 1, "drifted": len(drifted) > 0, "resources": [d.to_dict() for d in drifted]}
    return json.dumps(data, indent=2, sort_keys=True) + "\n"  # ASCII: every escape is JSON's own
