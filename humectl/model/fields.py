"""One changed field of a resource: its dotted path, the value before and after (plain data)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from humectl.core.text import text_change_note


@dataclass(frozen=True)
class FieldChange:
    """One changed field: a dotted path (``timeouts.inactivity.duration_secs``), before and after."""

    path: str
    before: Any
    after: Any

    @property
    def note(self) -> str | None:
        """``"whitespace only"`` and the like when both sides are text that reads the same."""
        if isinstance(self.before, str) and isinstance(self.after, str):
            return text_change_note(self.before, self.after)
        return None

    def to_dict(self) -> dict[str, Any]:
        out = {"path": self.path, "before": self.before, "after": self.after}
        note = self.note
        if note is not None:
            out["note"] = note
        return out
