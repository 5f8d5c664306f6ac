"""Field-level delta of one resource pair (deepdiff), and a unified line diff for prompt text.

Both are plain data; rendering (and the markers that make whitespace visible) is in ``render/``.
Two facts about text changes are decided here, so every renderer and the JSON agree:

- lines are split at ``\n`` only: a carriage return, U+2028/U+2029 or any other code point that
  ``str.splitlines`` would break at (``\x0b``, ``\x0c``, ``\x1c``-``\x1e``, ``\x85``) stays inside its line;
- :func:`text_change_note` says when a change touches nothing a reader can see: ``"whitespace
  only"``, ``"line endings only"``, ``"Unicode normalisation only"`` (NFC against NFD),
  ``"invisible characters only"``, or a combination (``"line endings and Unicode normalisation only"``).
"""

from __future__ import annotations

import difflib
import itertools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from humectl.codepoints import unsafe_class

_PATH_PART = re.compile(r"\[('(?:[^'\\]|\\.)*'|\d+)\]")


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


def split_lines(text: str) -> list[str]:
    """``text`` as lines that keep their ``\n``, split at ``\n`` only (not at ``\r`` or U+2028)."""
    lines = text.split("\n")
    out = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def unified_diff(before: str, after: str, old_label: str, new_label: str) -> str:
    """A unified diff of two texts (lines split at ``\n`` only), a missing final newline marked."""
    lines = difflib.unified_diff(split_lines(before), split_lines(after), fromfile=old_label, tofile=new_label)
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def text_diff(before: str, after: str, label: str) -> str:
    """A unified diff of two prompt texts, labelled ``label (live)`` and ``label (desired)``."""
    return unified_diff(before, after, f"{label} (live)", f"{label} (desired)")


def normalise_line_endings(text: str) -> str:
    """``\r\n`` and lone ``\r`` as ``\n`` (also how a ``text_file`` is read)."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _visible_only(text: str) -> str:
    if text.isascii():
        return text  # no ASCII character is invisible or a bidi control (and most prompts are ASCII)
    return "".join(ch for ch in text if unsafe_class(ch) not in ("invisible", "bidi control"))


def _no_whitespace(text: str) -> str:
    return "".join(text.split())  # split() cuts at exactly the characters str.isspace() names


# What a reader cannot see, mildest first: the first combination that makes both sides equal names
# the change. Line endings come before whitespace, since removing whitespace removes them too.
_INVISIBLE_KINDS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("line endings", normalise_line_endings),
    ("Unicode normalisation", _nfc),
    ("invisible characters", _visible_only),
    ("whitespace", _no_whitespace),
)


def text_change_note(before: str, after: str) -> str | None:
    """What kind of invisible change turns ``before`` into ``after``, or None for a visible one."""
    if before == after:
        return None
    everything = [f for _, f in _INVISIBLE_KINDS]
    if _apply(everything, before) != _apply(everything, after):
        return None  # the usual case: a change anyone can see (one pass over each side)
    for size in range(1, len(_INVISIBLE_KINDS) + 1):
        for combo in itertools.combinations(_INVISIBLE_KINDS, size):
            steps = [f for _, f in combo]
            if _apply(steps, before) == _apply(steps, after):
                return " and ".join(name for name, _ in combo) + " only"
    return None  # unreachable: all of them together made the sides equal


def _apply(steps: list[Callable[[str], str]], text: str) -> str:
    for step in steps:
        text = step(text)
    return text
