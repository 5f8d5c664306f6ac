"""Field-level delta of one resource pair, and a unified line diff for prompt text.

Both are plain data; rendering (and the markers that make whitespace visible) is in ``render/``.
How text splits into lines and which changes are invisible are text rules (:mod:`humectl.core.text`):
both are re-exported here for the steps that diff.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from typing import Any

from humectl.core.text import normalise_line_endings, split_lines, text_change_note
from humectl.model.fields import FieldChange

__all__ = [
    "FieldChange",
    "diff_fields",
    "normalise_line_endings",
    "split_lines",
    "text_change_note",
    "text_diff",
    "unified_diff",
]


def diff_fields(before: dict[str, Any], after: dict[str, Any], *, json_fields: Iterable[str] = ()) -> list[FieldChange]:
    """The changed fields between two canonical forms, sorted by path; cheap when they are equal.

    Top-level lists and scalars are reported whole (a tools list is one change); nested dicts are
    reported key by key so a reviewer sees ``timeouts.inactivity.duration_secs: 120 → 300``; a nested
    list of the same length item by item (``section.items[1].url``), of another length whole.

    ``json_fields`` hold JSON text (a tool's ``parameters``, canonical JSON): when both sides parse,
    they are compared as the data they hold (``parameters.properties.id.type: string → integer``)
    instead of as two long strings that differ somewhere.
    """
    if before == after:
        return []
    as_json = set(json_fields)
    changes: list[FieldChange] = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if key in as_json and (parsed := _both_json(old, new)) is not None:
            _nested(key, *parsed, changes)
        elif isinstance(old, dict) and isinstance(new, dict):
            _nested(key, old, new, changes)
        else:
            changes.append(FieldChange(key, old, new))
    return sorted(changes, key=lambda c: c.path)


def _both_json(old: Any, new: Any) -> tuple[Any, Any] | None:
    """Both JSON texts parsed, or None when either is not a string of JSON."""
    if not isinstance(old, str) or not isinstance(new, str):
        return None
    try:
        return json.loads(old), json.loads(new)
    except (ValueError, RecursionError):
        return None


def _nested(path: str, old: Any, new: Any, out: list[FieldChange]) -> None:
    """The changes inside two values that differ, at ``path`` and below."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            sub = f"{path}.{key}"
            if key not in new:
                out.append(FieldChange(sub, old[key], None))
            elif key not in old:
                out.append(FieldChange(sub, None, new[key]))
            elif old[key] != new[key]:
                _nested(sub, old[key], new[key], out)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            if a != b:
                _nested(f"{path}[{i}]", a, b, out)
    else:
        out.append(FieldChange(path, old, new))


def unified_diff(before: str, after: str, old_label: str, new_label: str) -> str:
    """A unified diff of two texts (lines split at ``\n`` only), a missing final newline marked."""
    lines = difflib.unified_diff(split_lines(before), split_lines(after), fromfile=old_label, tofile=new_label)
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def text_diff(before: str, after: str, label: str) -> str:
    """A unified diff of two prompt texts, labelled ``label (live)`` and ``label (desired)``."""
    return unified_diff(before, after, f"{label} (live)", f"{label} (desired)")
