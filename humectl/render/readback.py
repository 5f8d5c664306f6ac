"""What an apply read back after its writes: each field the server stored otherwise than sent
(:class:`~humectl.core.errors.ReadBack`), as warning lines for a terminal and as a Markdown table."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from humectl.core.errors import READBACK_DEFAULTED, READBACK_DROPPED, READBACK_UNREAD, ReadBack
from humectl.core.escape import md_code, md_text, name, shorten, terminal

_MAX_VALUE = 80
_MAX_ROWS = 100


def readback_summary(findings: Sequence[ReadBack]) -> str:
    """One sentence: how many fields the server stored otherwise than sent."""
    unread = sum(1 for f in findings if f.what == READBACK_UNREAD)
    differ = len(findings) - unread
    parts = []
    if differ:
        parts.append(f"the server stored {differ} field(s) otherwise than humectl sent")
    if unread:
        parts.append(f"{unread} write(s) could not be read back")
    return "; ".join(parts)


def _value(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return shorten(text, _MAX_VALUE)


def _said(finding: ReadBack) -> str:
    """What the server did to the field, in words (values as JSON, shortened; not yet escaped)."""
    if finding.what == READBACK_UNREAD:
        return f"could not be read back: {finding.error}"
    if finding.what == READBACK_DEFAULTED:
        return f"left out, humectl assumes {_value(finding.expected)}; stored {_value(finding.stored)}"
    if finding.what == READBACK_DROPPED:
        return f"sent {_value(finding.sent)}; not stored"
    return f"sent {_value(finding.sent)}; stored {_value(finding.stored)}"


def render_readback_text(findings: Sequence[ReadBack]) -> str:
    """Warning lines for a terminal (names and values escaped); empty when nothing differs."""
    if not findings:
        return ""
    lines = [f"Warning: read back after the writes, {terminal(readback_summary(findings))}:"]
    for finding in findings:
        where = f"{name(finding.address)} ({finding.operation})"
        field = f" {terminal(finding.path)}:" if finding.path else ""
        lines.append(f"  {where}:{field} {terminal(_said(finding))} ({finding.what})")
    lines.append("  `humectl plan` shows what the next apply would change; --strict-readback makes this fail.")
    return "\n".join(lines) + "\n"


def render_readback_markdown(findings: Sequence[ReadBack]) -> list[str]:
    """A heading and a table of the findings (at most 100 rows), for the apply document and job summary;
    no lines when nothing differs."""
    if not findings:
        return []
    rows = [
        f"**⚠️ Read back: {md_text(readback_summary(findings))}.**",
        "",
        "| resource | write | field | what the server did |",
        "|---|---|---|---|",
    ]
    for finding in findings[:_MAX_ROWS]:
        field = md_code(finding.path, table=True) if finding.path else ""
        rows.append(
            f"| {md_code(finding.address, table=True, strict=True)} | {finding.operation} | {field} "
            f"| {md_text(_said(finding))} ({finding.what}) |"  # md_text escapes "|" too
        )
    if len(findings) > _MAX_ROWS:
        rows.append(f"| … and {len(findings) - _MAX_ROWS} more | | | |")
    return [*rows, ""]
