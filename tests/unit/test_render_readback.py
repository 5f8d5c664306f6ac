"""humectl.render.readback: read-back findings as terminal warnings and as a Markdown table, user text
escaped in both."""

from __future__ import annotations

from humectl.core.errors import ReadBack
from humectl.render.readback import readback_summary, render_readback_markdown, render_readback_text

FINDINGS = [
    ReadBack("config/desk", "version", "language_model.temperature", 0.75, 0.8, "changed"),
    ReadBack("prompt/a|b", "create", "text", "line\nnext\x1b[31m", None, "dropped"),
    ReadBack("config/desk", "version", "timeouts.inactivity.duration_secs", None, 600, "defaulted", 120),
    ReadBack("tool/t", "rename", "", None, None, "unread", error="GET … failed: HTTP 404: gone"),
]


def test_text_says_what_the_server_did_to_each_field() -> None:
    assert render_readback_text([]) == ""
    text = render_readback_text(FINDINGS)
    assert text.splitlines() == [
        "Warning: read back after the writes, the server stored 3 field(s) otherwise than humectl sent; "
        "1 write(s) could not be read back:",
        "  config/desk (version): language_model.temperature: sent 0.75; stored 0.8 (changed)",
        '  prompt/a|b (create): text: sent "line\\nnext\\u001b[31m"; not stored (dropped)',
        "  config/desk (version): timeouts.inactivity.duration_secs: left out, humectl assumes 120; stored 600 "
        "(defaulted)",
        "  tool/t (rename): could not be read back: GET … failed: HTTP 404: gone (unread)",
        "  `humectl plan` shows what the next apply would change; --strict-readback makes this fail.",
    ]
    assert "\x1b" not in text


def test_markdown_is_a_table_that_keeps_its_rows() -> None:
    assert render_readback_markdown([]) == []
    lines = render_readback_markdown(FINDINGS)
    assert lines[0].startswith("**⚠️ Read back: the server stored 3 field(s) otherwise than humectl sent;")
    rows = [line for line in lines if line.startswith("| `")]
    assert len(rows) == 4 and all(row.count(" | ") == 3 for row in rows)  # the "|" in a name is escaped
    assert rows[1].startswith("| `prompt/a\\|b` | create | `text` |")


def test_summary_counts() -> None:
    assert readback_summary(FINDINGS[:1]) == "the server stored 1 field(s) otherwise than humectl sent"
    assert readback_summary(FINDINGS[3:]) == "1 write(s) could not be read back"
