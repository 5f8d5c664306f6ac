"""humectl.core.escape: one escaper per medium, checked against the real parsers of each medium.

Markdown is rendered with cmark-gfm (GitHub's own Markdown library) and the HTML parsed back; the
workflow-command guard is checked with the runner's rules (lines split at \\r and \\n, leading
whitespace trimmed, ``##[`` anywhere); JSON is decoded again.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from hypothesis import given, settings
from hypothesis import strategies as st

from humectl.core import escape
from humectl.core.codepoints import describe, first_unsafe, unsafe_class

HOSTILE = [
    "\x1b]0;title\x07",
    "\x1b[31mred\x1b[0m",
    "\x9b2J",
    "support\u202egnp.exe",
    "admin\u200b",
    "a\u2028b\u2029c",
    "nul\x00byte",
    "\ud800lone",
    "tag\U000e0041\U000e0042",
    "line\nbreak\r\nand\rcr",
    "**Plan: 0 to create** No changes.",
    "<!-- hidden",
    "</details><details>",
    "```\n~~~\n````",
    "a | b | c",
    "\n::stop-commands::tok",
    "::error::x",
    "##[error]old syntax",
    "@octocat please",
    "`a`` b```",
    "\\|",
    "# heading",
    "1. list",
    "> quote",
    "$\\huge x$",
    "see https://evil.example/x or www.evil.example",
]
TEXT = st.text(
    alphabet=st.characters(codec=None, exclude_categories=()) | st.sampled_from(list("`|*_<>!-:#@\\\n\r\t~$&[]()")),
    max_size=40,
) | st.sampled_from(HOSTILE)


def unsafe_left(text: str, *, multiline: bool = False, strict: bool = False) -> list[str]:
    """Unsafe code points still raw in ``text`` (newline and tab allowed in multi-line text)."""
    found = []
    for i, ch in enumerate(text):
        if multiline and ch in "\n\t":
            continue
        before, after = text[i - 1 : i], text[i + 1 : i + 2]
        if unsafe_class(ch, strict=strict, before=before, after=after):
            found.append(ch)
    return found


# --- terminal ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),
        ("\x1b[31mred", "\\x1b[31mred"),
        ("\x9b2J", "\\x9b2J"),
        ("support\u202egnp.exe", "support\\u202egnp.exe"),
        ("admin\u200b", "admin\\u200b"),
        ("a\u2028b", "a\\u2028b"),
        ("nul\x00", "nul\\x00"),
        ("\ud800", "\\ud800"),
        ("tag\U000e0041", "tag\\U000e0041"),
        ("two\nlines\tand\rcr", "two\\nlines\\tand\\rcr"),
        ("\x7f", "\\x7f"),
        ("café-agent 日本語 ✓ · → ␍ ⏎ ¶", "café-agent 日本語 ✓ · → ␍ ⏎ ¶"),
        ("👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧"),  # an emoji family keeps its joiners
        ("می\u200cخواهم", "می\u200cخواهم"),  # a Persian word keeps its non-joiner
        ("ad\u200dmin", "ad\\u200dmin"),  # between ASCII letters a joiner only hides
        ("a\u00a0b", "a\u00a0b"),
    ],
)
def test_terminal(raw: str, shown: str) -> None:
    assert escape.terminal(raw) == shown


def test_multiline_keeps_layout_but_not_carriage_returns() -> None:
    assert escape.terminal("a\n\tb\r\n\x1b[2K", multiline=True) == "a\n\tb\\r\n\\x1b[2K"


def test_strict_names_show_look_alikes() -> None:
    assert escape.name("a\u00a0b") == "a\\xa0b"
    assert escape.name("👨\u200d👩") == "👨\\u200d👩"
    assert escape.name("\ue000icon") == "\\ue000icon"
    assert escape.name("café-agent") == "café-agent"


def test_codepoint_descriptions() -> None:
    assert describe("\u202e") == "U+202E RIGHT-TO-LEFT OVERRIDE"
    assert describe("\x1b") == "U+001B ESCAPE"
    assert first_unsafe("ok\u200bno") == (2, "\u200b", "invisible")
    assert first_unsafe("café") is None
    assert first_unsafe("a b", strict=True) is None
    assert first_unsafe("a\u3000b", strict=True) == (1, "\u3000", "space")


@settings(max_examples=150, deadline=None)
@given(text=TEXT, multiline=st.booleans(), strict=st.booleans())
def test_terminal_leaves_nothing_unsafe_and_is_idempotent(text: str, multiline: bool, strict: bool) -> None:
    shown = escape.terminal(text, multiline=multiline, strict=strict)
    assert unsafe_left(shown, multiline=multiline, strict=strict) == []
    assert escape.terminal(shown, multiline=multiline, strict=strict) == shown
    shown.encode("utf-8")  # printable: no lone surrogate survives
    if not multiline:
        assert "\n" not in shown and "\r" not in shown


# --- Markdown (rendered by cmark-gfm, GitHub's Markdown library) ---------------------------------


def gfm(markdown: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


class Tags(HTMLParser):
    """Start/end tags, comments and text of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.starts: list[str] = []
        self.ends: list[str] = []
        self.comments: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.starts.append(tag)

    def handle_endtag(self, tag: str) -> None:
        self.ends.append(tag)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(fragment: str) -> Tags:
    tags = Tags()
    tags.feed(fragment)
    tags.close()
    return tags


@settings(max_examples=150, deadline=None)
@given(text=TEXT)
def test_code_span_holds_exactly_the_text(text: str) -> None:
    rendered = gfm(f"x {escape.md_code(text)} y")
    tags = parse(rendered)
    assert tags.starts == ["p", "code"], rendered
    code = re.search(r"<code>(.*)</code>", rendered, re.S)
    assert code is not None and html.unescape(code.group(1)) == (escape.terminal(text) or " ")


@settings(max_examples=150, deadline=None)
@given(cells=st.lists(TEXT, min_size=1, max_size=3))
def test_table_cells_keep_the_table(cells: list[str]) -> None:
    head = "| " + " | ".join(f"h{i}" for i in range(len(cells))) + " |"
    rule = "|" + "---|" * len(cells)
    row = "| " + " | ".join(escape.md_code(c, table=True) for c in cells) + " |"
    rendered = gfm(f"{head}\n{rule}\n{row}\n\nafter\n")
    tags = parse(rendered)
    assert tags.starts.count("tr") == 2 and tags.starts.count("td") == len(cells), rendered
    assert not tags.comments
    codes = [html.unescape(c) for c in re.findall(r"<code>(.*?)</code>", rendered, re.S)]
    assert codes == [escape.terminal(c) or " " for c in cells]
    assert rendered.rstrip().endswith("<p>after</p>")


@settings(max_examples=150, deadline=None)
@given(text=TEXT)
def test_text_is_literal(text: str) -> None:
    for before, after in (("x ", " y"), ("", " y"), ("x ", "")):
        rendered = gfm(f"{before}{escape.md_text(text)}{after}\n\nafter\n")
        tags = parse(rendered)
        assert set(tags.starts) <= {"p", "code"}, rendered  # no <a> either: no autolink
        assert tags.starts.count("p") == 2 and not tags.comments, rendered
        shown = "".join(tags.text).removesuffix("after\n")
        assert shown.strip() == f"{before}{escape.terminal(text)}{after}".strip(), rendered


@settings(max_examples=100, deadline=None)
@given(text=TEXT, title=TEXT)
def test_details_and_fences_stay_closed(text: str, title: str) -> None:
    markdown = (
        f"<details><summary><code>{escape.md_html(title)}</code></summary>\n\n"
        f"{escape.md_fence(text, 'diff')}\n\n</details>\n\nafter\n"
    )
    rendered = gfm(markdown)
    tags = parse(rendered)
    assert tags.starts.count("details") == tags.ends.count("details") == 1, rendered
    assert tags.starts.count("pre") == 1 and not tags.comments, rendered
    assert rendered.rstrip().endswith("<p>after</p>"), rendered
    block = re.search(r"<pre[^>]*><code[^>]*>(.*?)</code></pre>", rendered, re.S)
    assert block is not None
    body = escape.terminal(text.rstrip("\n"), multiline=True)
    assert html.unescape(block.group(1)) == body + "\n"


# --- GitHub workflow commands (the runner's parsing rules) ---------------------------------------


def runner_sees_command(line: str) -> bool:
    """ActionCommand.TryParseV2 / TryParse, as far as whether a line is a command at all."""
    stripped = line.lstrip()
    return (stripped.startswith("::") and "::" in stripped[2:]) or "##[" in line


@settings(max_examples=150, deadline=None)
@given(text=TEXT)
def test_no_line_becomes_a_workflow_command(text: str) -> None:
    safe = escape.workflow_safe(text)
    for line in re.split(r"\r\n|\r|\n", safe):
        assert not runner_sees_command(line), line
        assert not line.lstrip().startswith("::")


def test_workflow_safe_examples() -> None:
    assert escape.workflow_safe("x\n::stop-commands::tok\n  ::error::y") == (
        "x\n\\u003a:stop-commands::tok\n  \\u003a:error::y"
    )
    assert escape.workflow_safe("a ##[error]b ###[c") == "a #\\u0023[error]b ##\\u0023[c"
    assert escape.workflow_safe("a\r::x::y") == "a\r\\u003a:x::y"
    assert escape.workflow_safe("plain: text :: here") == "plain: text :: here"


# --- JSON ----------------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    data=st.recursive(
        TEXT | st.integers() | st.none(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
        max_leaves=8,
    )
)
def test_json_text_decodes_to_the_same_data(data: object) -> None:
    text = escape.json_text(data, indent=2, sort_keys=True)
    assert json.loads(text) == data
    assert unsafe_left(text, multiline=True) == []
