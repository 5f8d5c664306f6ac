"""Which code points are unsafe to show raw or to put in a name, and what to call them.

One classification for the whole program: :mod:`humectl.core.escape` shows these code points as
visible escapes instead of emitting them, and :mod:`humectl.load.rules` refuses names that hold them.

:func:`unsafe_class` answers for one code point, with one of these classes (None when it is safe):

- ``"control"``: C0 controls, DEL and C1 controls (``\\x1b`` starts terminal escape sequences,
  ``\\x9b`` is a one-byte CSI, ``\\r`` rewrites a line, ``\\n`` starts a new one);
- ``"line separator"``: U+2028 and U+2029, which editors and browsers break lines at;
- ``"bidi control"``: the embeddings, overrides, isolates and marks that reorder text on screen
  (``support\\u202egnp.exe`` shows as ``supportexe.png``);
- ``"invisible"``: other format characters (zero-width spaces and joiners, the word joiner, the BOM,
  the soft hyphen, tag characters), the variation selectors 17-256, the combining grapheme joiner,
  and letters that render as nothing (the Hangul fillers, the blank Braille pattern);
- ``"surrogate"``: a lone UTF-16 surrogate (JSON can carry one; no terminal can print it);
- ``"unassigned"``: not a character in this Python's Unicode database;
- ``"private use"`` and ``"space"`` (a space other than U+0020): only in ``strict`` mode, for
  names, where a no-break space next to an ordinary one is a way to make two names look alike.

Outside strict mode a zero-width joiner or non-joiner between two non-ASCII characters is safe:
that is how emoji sequences and Persian or Indic words are written. Between ASCII characters
(``admin\\u200dx``), or in strict mode, it is ``"invisible"``. Tab and newline are controls here;
whether a renderer keeps them as layout is the renderer's decision.
"""

from __future__ import annotations

import unicodedata

BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
JOINERS = frozenset("\u200c\u200d")
# Letters and symbols by category that render as nothing (and are used to fake blank names).
_BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")


def unsafe_class(ch: str, *, strict: bool = False, before: str = "", after: str = "") -> str | None:
    """The class of ``ch`` if it must not be shown raw (or be part of a name), else None.

    ``before`` and ``after`` are the neighbouring characters (empty at the ends); they decide only
    whether a joiner is part of a legitimate sequence.
    """
    cp = ord(ch)
    if cp < 0x20 or 0x7F <= cp < 0xA0:
        return "control"
    if cp < 0x7F:
        return None  # printable ASCII: the fast path for nearly every character
    if ch in BIDI_CONTROLS:
        return "bidi control"
    if ch in JOINERS:
        joined = not strict and _joinable(before) and _joinable(after)
        return None if joined else "invisible"
    category = unicodedata.category(ch)
    if category in ("Zl", "Zp"):
        return "line separator"
    if category == "Cf" or ch in _BLANK_GLYPHS or 0xE0100 <= cp <= 0xE01EF:
        return "invisible"
    if category == "Cs":
        return "surrogate"
    if category == "Cn":
        return "unassigned"
    if strict and category == "Co":
        return "private use"
    if strict and category == "Zs":
        return "space"
    return None


def _joinable(ch: str) -> bool:
    return bool(ch) and ord(ch) >= 0x80 and unicodedata.category(ch)[0] in "LMS"


def describe(ch: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``: how messages name a code point."""
    name = unicodedata.name(ch, "") or _CONTROL_NAMES.get(ch, "")
    return f"U+{ord(ch):04X} {name}".rstrip()


def first_unsafe(text: str, *, strict: bool = False) -> tuple[int, str, str] | None:
    """(index, character, class) of the first unsafe code point of ``text``, or None."""
    for i, ch in enumerate(text):
        if " " <= ch < "\x7f":
            continue
        found = unsafe_class(
            ch, strict=strict, before=text[i - 1] if i else "", after=text[i + 1] if i + 1 < len(text) else ""
        )
        if found is not None:
            return i, ch, found
    return None


# unicodedata has no names for controls; these are the ones people meet.
_CONTROL_NAMES = {
    "\x00": "NULL",
    "\x07": "BELL",
    "\x08": "BACKSPACE",
    "\t": "CHARACTER TABULATION",
    "\n": "LINE FEED",
    "\x0b": "LINE TABULATION",
    "\x0c": "FORM FEED",
    "\r": "CARRIAGE RETURN",
    "\x1b": "ESCAPE",
    "\x7f": "DELETE",
    "\x85": "NEXT LINE",
    "\x9b": "CONTROL SEQUENCE INTRODUCER",
    "\x9d": "OPERATING SYSTEM COMMAND",
}
