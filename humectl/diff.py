"""Field-level delta of one resource pair (deepdiff), and a unified line diff for prompt text."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

_PATH_PART = re.compile(r"\[('(?:[^'\\]|\\.)*'|\d+)\]")


@dataclass(frozen=True)
class FieldChange:
    """One changed field: a dotted path (``timeouts.inactivity.duration_secs``), before and after."""

    path: str
    before: Any
    after: Any

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "before": self.before, "after": self.after}


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


def text_diff(before: str, after: str, label: str) -> str:
    """A unified diff of two prompt texts, labelled ``label (live)`` and ``label (desired)``."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"{label} (live)",
        tofile=f"{label} (desired)",
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)
