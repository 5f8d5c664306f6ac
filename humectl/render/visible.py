"""Markers that make invisible differences visible: in prompt text diffs and in changed field values.

A change that only touches whitespace, line endings, invisible code points or Unicode normalisation
(``diff.text_change_note``) would otherwise show as lines that look the same. The markers are
applied to the raw text, before the medium's escaper (:mod:`humectl.core.escape`), and are made of
printable characters from its marker vocabulary, so terminal and Markdown escaping keep them:

- always: ``␍`` for a carriage return, ``·`` for each trailing space and ``→`` for each trailing tab
  of a diff line (leading ones too in a value, where nothing else shows them);
- on a changed line whose counterpart differs from it invisibly, and on every changed line of a
  change with a note, also what makes that difference: for whitespace,
  every space (``·``) and tab (``→``), and other spaces (U+00A0, U+3000…) as escapes (``\\xa0``);
  for invisible characters, every one of them as an escape, joiners included (``\\u200d``); for
  Unicode normalisation, every non-ASCII character as an escape, so NFC ``\\xe9`` and NFD
  ``e\\u0301`` read differently.

Line structure is the data's (``diff.split_lines``: ``\\n`` only); U+2028 and the other code points
``str.splitlines`` breaks at stay inside their line, and the escaper shows them.
"""

from __future__ import annotations

from humectl.core.codepoints import unsafe_class
from humectl.core.escape import code_point
from humectl.core.text import text_change_note

CARRIAGE_RETURN = "\u240d"  # ␍
SPACE = "\u00b7"  # ·
TAB = "\u2192"  # →

_MARKS = {" ": SPACE, "\t": TAB, "\r": CARRIAGE_RETURN}


def _edges(text: str, *, leading: bool) -> str:
    """Trailing (and, with ``leading``, leading) spaces, tabs and carriage returns marked; every
    other carriage return too."""
    end = len(text.rstrip(" \t\r"))
    start = len(text) - len(text.lstrip(" \t\r")) if leading else 0
    start = min(start, end)
    head = "".join(_MARKS[ch] for ch in text[:start])
    tail = "".join(_MARKS[ch] for ch in text[end:])
    return head + text[start:end].replace("\r", CARRIAGE_RETURN) + tail


def _expose(text: str, note: str) -> str:
    """Every code point of ``text`` that the kind of change in ``note`` is about, made visible."""
    whitespace = "whitespace" in note
    invisible = "invisible" in note
    normalisation = "normalisation" in note
    out = []
    for ch in text:
        if whitespace and ch in _MARKS:
            out.append(_MARKS[ch])
        elif ch in "\n\t ":
            out.append(ch)
        elif (
            (whitespace and ch.isspace())
            or (normalisation and ord(ch) > 0x7E)
            or (invisible and unsafe_class(ch, strict=True) is not None)
        ):
            out.append(code_point(ch))
        else:
            out.append(ch)
    return "".join(out)


def label(note: str | None) -> str:
    """The note as the renderers show it beside a change: ``[whitespace only]`` (empty without one)."""
    return f"[{note}]" if note else ""


def value(text: str, note: str | None = None) -> str:
    """A changed field's value (one side) with its invisible parts marked."""
    return _edges(_expose(text, note) if note else text, leading=True)


def diff_lines(diff: str, note: str | None = None) -> list[str]:
    """The lines of a unified diff (``diff.text_diff``), split at ``\\n`` only, with markers.

    The two file headers, ``@@`` hunk headers and ``\\ No newline`` lines stay as they are; body
    lines keep their one-character prefix. Changed lines are paired in order within each block of
    removals followed by additions; a pair that differs invisibly (``text_change_note``) gets the
    markers of that kind, so a look-alike line is never shown twice the same, also inside a change
    that is visible as a whole. ``note``, the whole change's, applies to the lines left unpaired.
    """
    lines = diff.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    notes: dict[int, str | None] = {}
    removed: list[int] = []
    added: list[int] = []

    def pair() -> None:
        for i, j in zip(removed, added, strict=False):
            notes[i] = notes[j] = text_change_note(lines[i][1:], lines[j][1:])
        for k in removed[len(added) :] + added[len(removed) :]:
            notes[k] = note
        removed.clear()
        added.clear()

    for i, line in enumerate(lines):
        if line.startswith("\\"):
            continue  # "\ No newline at end of file" belongs to the line before it
        if i >= 2 and line.startswith("-") and not added:
            removed.append(i)
        elif i >= 2 and line.startswith("+"):
            added.append(i)
        else:
            pair()
    pair()
    out = []
    for i, line in enumerate(lines):
        header = i < 2 and line.startswith(("--- ", "+++ "))
        if header or not line or line.startswith(("@@", "\\")):
            out.append(line)
            continue
        prefix, body = line[0], line[1:]
        marks = notes.get(i)
        if marks:
            body = _expose(body, marks)
        out.append(prefix + _edges(body, leading=False))
    return out
