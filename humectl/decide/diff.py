"""Field-level delta of one resource pair (deepdiff), and a unified line diff for prompt text.

Both are plain data; rendering (and the markers that make whitespace visible) is in ``render/``.
How text splits into lines and which changes are invisible are text rules (:mod:`humectl.core.text`):
both are re-exported here for the steps that diff.
"""

from __future__ import annotations

import difflib
import re
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

_PATH_PART = re.compile(r"\[('(?:[^'\\]|\\.)*'|\d+)\]")


_ABSENT = None


def _dotted(deepdiff_path: str) -> str:
    parts = []
    for match in _PATH_PART.finditer(deepdiff_path):
        token = match.group(1)
        parts.append(token[1:-1] if token.startswith("'") else f"[{token}]")
    return ".".join(parts).replace(".[", "[")


def diff_fields(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """The changed fields between two canonical forms; cheap when they are equal.

    Top-level lists and scalars are reported whole (a tools list is one change); nested dicts are
    reported key by key so a reviewer sees ``timeouts.inactivity.duration_secs: 120 → 300``.
    """
    if before == after:
        return []
    changes: list[FieldChange] = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key, _ABSENT), after.get(key, _ABSENT)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            from deepdiff import DeepDiff  # imported only when something differs

            delta = DeepDiff(old, new, verbose_level=2)
            for section, entries in delta.items():
                for path, value in entries.items():
                    sub = _dotted(path)
                    full = f"{key}.{sub}" if not sub.startswith("[") else f"{key}{sub}"
                    if section == "dictionary_item_added":
                        changes.append(FieldChange(full, None, value))
                    elif section == "dictionary_item_removed":
                        changes.append(FieldChange(full, value, None))
                    elif isinstance(value, dict) and "old_value" in value:
                        changes.append(FieldChange(full, value["old_value"], value["new_value"]))
                    else:
                        changes.append(FieldChange(full, None, value))
        else:
            changes.append(FieldChange(key, old, new))
    return sorted(changes, key=lambda c: c.path)


def unified_diff(before: str, after: str, old_label: str, new_label: str) -> str:
    """A unified diff of two texts (lines split at ``\n`` only), a missing final newline marked."""
    lines = difflib.unified_diff(split_lines(before), split_lines(after), fromfile=old_label, tofile=new_label)
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def text_diff(before: str, after: str, label: str) -> str:
    """A unified diff of two prompt texts, labelled ``label (live)`` and ``label (desired)``."""
    return unified_diff(before, after, f"{label} (live)", f"{label} (desired)")


