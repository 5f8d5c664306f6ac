"""Text rules every layer agrees on: how text splits into lines, and which changes of a text no
reader can see.

- lines are split at ``\n`` only: a carriage return, U+2028/U+2029 or any other code point that
  ``str.splitlines`` would break at (``\x0b``, ``\x0c``, ``\x1c``-``\x1e``, ``\x85``) stays inside its line;
- :func:`text_change_note` says when a change touches nothing a reader can see: ``"whitespace
  only"``, ``"line endings only"``, ``"Unicode normalisation only"`` (NFC against NFD),
  ``"invisible characters only"``, or a combination (``"line endings and Unicode normalisation only"``).
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Callable

from humectl.core.codepoints import unsafe_class


def split_lines(text: str) -> list[str]:
    """``text`` as lines that keep their ``\n``, split at ``\n`` only (not at ``\r`` or U+2028)."""
    lines = text.split("\n")
    out = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


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
