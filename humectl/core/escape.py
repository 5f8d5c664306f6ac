"""Escaping of user text for each medium humectl writes to: terminals, Markdown, GitHub's log, JSON.

Data stays raw everywhere (plans, problems, saved files, the API); it is escaped where it is
written out, by the one function of this module that knows that medium. Everything a user, a
teammate or whoever edits the live account controls (names, prompt text, descriptions, field
values, Hume's error messages, paths, flag values) goes through one of these on its way out.

Terminals (and GitHub's log viewer, which renders ANSI codes): :func:`terminal`
    Unsafe code points (:mod:`humectl.core.codepoints`: controls, so ESC/CSI/OSC sequences too, bidi
    controls, invisible and unassigned code points, lone surrogates) are shown as visible escapes,
    never emitted. ``strict=True`` (:func:`name`) is for identifiers: joiners, private-use code
    points and spaces other than U+0020 are escaped too, so two names never look alike.

Markdown (pull-request comments, job summaries; GitHub's renderer): :func:`md_code`,
:func:`md_text`, :func:`md_html`, :func:`md_fence`
    User text goes into a code span sized to its content (a backtick run longer than any inside),
    into escaped text, into HTML-escaped text inside an HTML element, or into a fenced block whose
    fence is longer than any backtick run inside. None of them can open an HTML comment or tag,
    end a table row or cell, start a heading, quote or list, close a ``<details>``, or mention
    someone (``@name`` pings people in a PR comment). Each applies :func:`terminal` first: the
    Markdown is also printed to terminals and logs, and bidi controls reorder text in browsers too.

GitHub workflow commands (the job log is parsed for them): :func:`workflow_data`,
:func:`workflow_property`, :func:`workflow_safe`
    The runner treats a log line as a command when, after leading whitespace, it starts with
    ``::name`` and holds a second ``::`` (``::stop-commands::TOKEN`` turns every later command
    off, ``::add-mask::`` hides text), or when it holds ``##[name]`` anywhere (the old syntax). It
    splits lines at ``\\n`` and at ``\\r``. Workflow commands humectl writes escape their data and
    properties as the runner unescapes them; every other line humectl prints passes
    :func:`workflow_safe`, which makes the first ``:`` of a leading ``::`` and the second ``#`` of
    every ``##[`` a ``\\u003a`` / ``\\u0023`` escape, so no user text can become a command.
    ``humectl.cli.app.echo`` applies it to all output, in and out of Actions (a container may not
    pass ``GITHUB_ACTIONS`` on, yet its output lands in the log).

JSON: :func:`json_text`
    ``json.dumps`` leaves DEL, C1 controls, bidi controls, U+2028 and lone surrogates raw with
    ``ensure_ascii=False``; they become ``\\uXXXX`` escapes, so the decoded document is unchanged.

The escape vocabulary (shared with the whitespace markers of prompt text diffs)
    An unsafe code point becomes ``\\xNN`` below U+0100, ``\\uNNNN`` or ``\\UNNNNNNNN`` above; tab,
    newline and carriage return, where they are escaped, become ``\\t``, ``\\n``, ``\\r``. Nothing
    else changes: every printable character passes unchanged, backslashes are not doubled, and
    the output is ASCII where it was escaped, so escaping twice is escaping once. Markers that
    make whitespace visible in a diff are printable characters, so they survive escaping, and may
    be added before or after it: ``·`` (U+00B7) for a trailing space, ``→`` (U+2192) for a tab,
    ``␍`` (U+240D) for a carriage return, ``⏎`` (U+23CE) or ``¶`` (U+00B6) for a line end, any
    other Control Picture (U+2400-U+2426), and notes in brackets such as ``[whitespace only]``.
    A marker must never be made of an unsafe code point, or it would be escaped itself.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

from humectl.core.codepoints import unsafe_class

# Candidates for escaping: everything but printable ASCII (the per-character test decides).
_CANDIDATE = re.compile(r"[^\x20-\x7e]")
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _visible(ch: str) -> str:
    cp = ord(ch)
    if cp < 0x100:
        return f"\\x{cp:02x}"
    if cp < 0x10000:
        return f"\\u{cp:04x}"
    return f"\\U{cp:08x}"


def code_point(ch: str) -> str:
    """``ch`` written in the escape vocabulary (``\\xNN``, ``\\uNNNN``, ``\\UNNNNNNNN``), whatever it is."""
    return _visible(ch)


def terminal(text: str, *, multiline: bool = False, strict: bool = False) -> str:
    """``text`` safe to print: every unsafe code point shown as a visible escape.

    ``multiline`` keeps newlines and tabs as layout (prompt text, diffs); otherwise they are
    escaped too (``\\n``, ``\\t``), so a value or a name always stays on its line.
    """
    return _escape_unsafe(text, _terminal_escape, keep="\n\t" if multiline else "", strict=strict)


def _terminal_escape(ch: str) -> str:
    return _SHORT.get(ch) or _visible(ch)


def _escape_unsafe(text: str, escape: Callable[[str], str], *, keep: str = "", strict: bool = False) -> str:
    """``text`` with every unsafe code point (:func:`unsafe_class`, in context) replaced by
    ``escape(ch)``; the characters in ``keep`` are layout and stay. One pass, and none at all for
    printable ASCII: every medium's escaper is this loop with its own escape."""
    if not _CANDIDATE.search(text):
        return text
    out: list[str] = []
    last = 0
    for match in _CANDIDATE.finditer(text):
        i = match.start()
        ch = text[i]
        if ch in keep:
            continue
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        if unsafe_class(ch, strict=strict, before=before, after=after) is None:
            continue
        out += [text[last:i], escape(ch)]
        last = i + 1
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


def name(text: str) -> str:
    """A name or address for display: :func:`terminal` in strict mode (look-alikes shown escaped)."""
    return terminal(text, strict=True)


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis (escape first, then shorten)."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


# --- Markdown ------------------------------------------------------------------------------------

_BACKTICKS = re.compile(r"`+")
# Inline Markdown syntax a backslash makes literal (CommonMark: any ASCII punctuation may be
# backslash-escaped): escapes, code, emphasis, links and images, HTML, entities, table cells,
# strikethrough, math. "_" only where it can open or close emphasis (not inside snake_case).
_MD_SPECIAL = re.compile(r"([\\`*\[\]<>&|~$]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
# At the start of a line: headings, quotes, list items, setext underlines.
_MD_LINE_START = re.compile(r"^(?:([#>+=-])|(\d+)([.)]))")
# What GitHub turns into links by itself: "scheme://" and "www." (escaping their punctuation stops it).
_MD_AUTOLINK = re.compile(r"(?<=[A-Za-z0-9])(:)(?=//)|(?<![A-Za-z0-9])([Ww][Ww][Ww])(\.)")


def _longest_run(text: str) -> int:
    return max((len(m.group(0)) for m in _BACKTICKS.finditer(text)), default=0)


def md_code(text: str, *, table: bool = False, strict: bool = False) -> str:
    """``text`` as one inline code span, on one line: `` `text` ``, or ``` `` a`b `` ``, sized to it.

    In a table cell (``table=True``) a ``|`` is written ``\\|``: GitHub splits cells at every
    unescaped pipe, even inside code spans, and shows ``\\|`` there as ``|``.
    """
    body = terminal(text, strict=strict)
    if table:
        body = body.replace("|", "\\|")
    if not body:
        return "` `"
    fence = "`" * (_longest_run(body) + 1)
    # A span that starts or ends with a backtick (or with a space on both sides) needs padding,
    # which CommonMark strips again.
    if body.strip(" ") and (body[0] in "` " or body[-1] in "` "):
        body = f" {body} "
    return f"{fence}{body}{fence}"


def md_text(text: str) -> str:
    """``text`` as literal Markdown text on one line: no emphasis, link (autolinks too), HTML, heading or
    mention."""
    body = _MD_SPECIAL.sub(r"\\\1", terminal(text))
    body = _MD_LINE_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", body)
    body = _MD_AUTOLINK.sub(lambda m: "\\:" if m[1] else f"{m[2]}\\.", body)
    # "@name" notifies people wherever a comment is posted; a code span around the "@" does not.
    return body.replace("@", "`@`")


def md_html(text: str, *, strict: bool = False) -> str:
    """``text`` inside an HTML element (``<summary>``): HTML-escaped, on one line."""
    return html.escape(terminal(text, strict=strict), quote=True)


def md_fence(body: str, info: str = "") -> str:
    """``body`` as a fenced code block whose fence is longer than any backtick run inside it."""
    text = terminal(body.rstrip("\n"), multiline=True)
    fence = "`" * max(3, _longest_run(text) + 1)
    return f"{fence}{info}\n{text}\n{fence}"


# --- GitHub workflow commands --------------------------------------------------------------------


def workflow_data(value: str) -> str:
    """Escape the message part of a workflow command (after the second ``::``), as the runner unescapes it."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_property(value: str) -> str:
    """Escape one property value of a workflow command (``file=…``, ``title=…``)."""
    return workflow_data(value).replace(":", "%3A").replace(",", "%2C")


_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")
_OLD_COMMAND = re.compile(r"##\[")


def workflow_safe(text: str) -> str:
    """``text`` (any number of lines) such that no line of it is a workflow command."""
    if "::" not in text and "##[" not in text:
        return text
    parts = _LINE_BREAK.split(text)
    for i in range(0, len(parts), 2):  # the even items are lines, the odd ones their breaks
        line = _OLD_COMMAND.sub("#\\\\u0023[", parts[i])
        stripped = line.lstrip()
        if stripped.startswith("::"):
            at = len(line) - len(stripped)
            line = line[:at] + "\\u003a" + line[at + 1 :]
        parts[i] = line
    return "".join(parts)


# --- JSON ----------------------------------------------------------------------------------------


def _json_escape(ch: str) -> str:
    cp = ord(ch)
    if cp < 0x10000:
        return f"\\u{cp:04x}"
    cp -= 0x10000
    return f"\\u{0xD800 + (cp >> 10):04x}\\u{0xDC00 + (cp & 0x3FF):04x}"


def json_text(data: Any, **dumps: Any) -> str:
    """``json.dumps(data, ensure_ascii=False, **dumps)`` with every unsafe code point escaped."""
    # A raw newline is the layout of indented JSON (one inside a string is already written \n).
    return _escape_unsafe(json.dumps(data, ensure_ascii=False, **dumps), _json_escape, keep="\n")
