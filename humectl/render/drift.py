"""Drift reports as text (fields that differ, when the live version was made) or JSON."""

from __future__ import annotations

import json

from humectl.drift import Drifted
from humectl.render.text import format_value


def render_drift_text(drifted: list[Drifted]) -> str:
    if not drifted:
        return "No drift: the live account is as humectl last applied it.\n"
    lines = [f"Drift: {len(drifted)} resource(s) differ from what humectl applied.", ""]
    for item in drifted:
        if item.state == "missing":
            lines.append(f"  ! {item.address}: missing from the account (deleted outside humectl, or never applied)")
            continue
        when = f" at {item.modified_at}" if item.modified_at else ""
        by = f" ({item.live_description!r})" if item.live_description else ""
        lines.append(f"  ~ {item.address}: live version {item.live_version} was made outside humectl{when}{by}")
        for f in item.fields:
            if f.path == "text" and item.text_diff:
                continue
            lines.append(f"      {f.path}: manifests say {format_value(f.after)}, live has {format_value(f.before)}")
        if item.text_diff:
            lines.extend(f"      {line}" for line in item.text_diff.splitlines())
    lines += ["", "Run `humectl apply` to put the manifests' values back, or update the manifests to keep them."]
    return "\n".join(lines) + "\n"


def render_drift_json(drifted: list[Drifted]) -> str:
    data = {"drifted": len(drifted) > 0, "resources": [d.to_dict() for d in drifted]}
    return json.dumps(data, indent=2, sort_keys=True) + "\n"
