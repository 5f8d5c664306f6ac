"""``humectl history``'s output: a History for a terminal (every live string escaped) or as JSON."""

from __future__ import annotations

from humectl.core.escape import json_text, name, terminal
from humectl.model.history import History
from humectl.render.text import format_value


def render_history_text(history: History) -> str:
    """The history for a terminal: every live string (names, ids, descriptions) escaped."""

    address = name(history.address)
    lines = [f"{address} (id {terminal(history.id)}): {len(history.versions)} version(s), newest first", ""]
    for i, info in enumerate(history.versions):
        who = f"humectl {info.run_id}" if info.run_id else "humectl" if info.by_humectl else "not humectl"
        if info.policy_overridden:
            who += f", policy overridden: {', '.join(info.policy_overridden)}"
        head = "  (head)" if i == 0 else ""
        lines.append(f"v{info.version}  {terminal(info.modified_on or '?')}  [{terminal(who)}]{head}")
        if info.description:
            lines.append(f"    {terminal(info.description)}")
        lines.append(f"    changed: {', '.join(info.changed) or 'nothing (same content as the version before)'}")
        for change in info.fields:
            if change.path != "text" and change.path not in info.pins:
                lines.append(f"      {change.path}: {format_value(change.before)} → {format_value(change.after)}")
        for field_name, value in info.pins.items():
            shown = ", ".join(map(str, value)) if isinstance(value, list) else value
            lines.append(f"    {field_name}: {name(str(shown)) if shown else 'none'}")
    return "\n".join(lines) + "\n"


def render_history_json(history: History) -> str:

    return json_text(history.to_dict(), indent=2, sort_keys=True) + "\n"
