"""Text that diffs true: line structure kept whatever the text holds, invisible changes shown and named.

Property tests over texts made of the characters that fool a reader or a line splitter: carriage
returns, U+2028/U+2029 and the other code points ``str.splitlines`` breaks at, trailing and odd spaces,
tabs, zero-width characters, combining accents (NFC against NFD).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from humectl.core.codepoints import unsafe_class
from humectl.core.text import split_lines, text_change_note
from humectl.decide.diff import text_diff
from humectl.load.manifests import load_manifests
from humectl.model.fields import FieldChange
from humectl.model.plan import Change, Plan
from humectl.render import visible
from humectl.render.markdown import render_markdown
from humectl.render.text import render_text, text_diff_lines

# Every code point str.splitlines() breaks a line at, besides "\n".
BREAKERS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
TRICKY = BREAKERS + " \t\u00a0\u3000\u200b\u200d\ufeff\u2060\u0301é e"
texts = st.text(alphabet=st.sampled_from(list(TRICKY + "ab\n")), max_size=40)


def changed_pairs(lines: list[str]) -> list[tuple[str, str]]:
    """(removed, added) rendered body lines, paired in order within each block, as the renderer pairs them."""
    pairs: list[tuple[str, str]] = []
    removed: list[str] = []
    added: list[str] = []
    for line in [*lines[2:], " "]:
        if line.startswith("\\"):
            continue
        if line.startswith("-") and not added:
            removed.append(line[1:])
        elif line.startswith("+"):
            added.append(line[1:])
        else:
            pairs.extend(zip(removed, added, strict=False))
            removed, added = [], []
    return pairs


def looks(text: str) -> str:
    """What a reader sees: canonical composition, every space alike, nothing for what renders as nothing."""
    shown = unicodedata.normalize("NFC", text)
    hidden = ("invisible", "bidi control")
    shown = "".join(" " if ch.isspace() else ch for ch in shown if unsafe_class(ch) not in hidden)
    return " ".join(shown.split())


@settings(max_examples=300)
@given(texts, texts)
@example("One\u2028two\nthree\n", "One\u2028two\nthree!\n")
@example("a\r\nb\r\n", "a\nb\n")
def test_diff_lines_are_split_at_newline_only_and_rendered_on_their_lines(before: str, after: str) -> None:
    diff = text_diff(before, after, "prompt/p")
    data_lines = diff.split("\n")[:-1] if diff else []
    rendered = text_diff_lines(diff, text_change_note(before, after))
    assert len(rendered) == len(data_lines)
    for line in rendered:
        assert not any(ch in line for ch in BREAKERS + "\n"), repr(line)
    # The data lines give both texts back (the diff has every line: context is never cut here).
    if before != after and diff:
        assert "".join(split_lines(before)) == before and "".join(split_lines(after)) == after


@settings(max_examples=300)
@given(texts, st.sampled_from(["crlf", "cr", "nfd", "nbsp", "trailing", "tabs", "zwsp", "bom", "double"]))
@example("caf\u00e9\n", "nfd")
@example("Be  kind.\n", "double")
def test_an_invisible_change_is_named_and_never_shown_as_two_equal_lines(base: str, how: str) -> None:
    """Whatever invisible change a line gets, its - and + lines read differently once rendered."""
    text = base + "\nend of line\nwords here \n"
    changed = {
        "crlf": lambda t: t.replace("\n", "\r\n"),
        "cr": lambda t: t.replace("\n", "\r", 1),
        "nfd": lambda t: unicodedata.normalize("NFD", t.replace("e", "\u00e9")),
        "nbsp": lambda t: t.replace(" ", "\u00a0", 1),
        "trailing": lambda t: t.replace("\n", " \n", 1),
        "tabs": lambda t: t.replace("words", "\twords"),
        "zwsp": lambda t: t.replace("end", "e\u200bnd"),
        "bom": lambda t: "\ufeff" + t,
        "double": lambda t: t.replace(" ", "  ", 1),
    }[how](text)
    source = unicodedata.normalize("NFC", text.replace("e", "\u00e9")) if how == "nfd" else text
    if source == changed:
        return
    note = text_change_note(source, changed)
    assert note is not None and note.endswith(" only")
    lines = text_diff_lines(text_diff(source, changed, "p"), note)
    for old, new in changed_pairs(lines):
        assert looks(old) != looks(new), (note, old, new)


def test_notes_name_the_mildest_kind_of_change() -> None:
    assert text_change_note("a\r\nb", "a\nb") == "line endings only"
    assert text_change_note("caf\u00e9", "cafe\u0301") == "Unicode normalisation only"
    assert text_change_note("a b", "a  b ") == "whitespace only"
    assert text_change_note("a\u00a0b", "a b") == "whitespace only"
    assert text_change_note("ab", "a\u200bb") == "invisible characters only"
    assert text_change_note("caf\u00e9\r\n", "cafe\u0301\n") == "line endings and Unicode normalisation only"
    assert text_change_note("a", "b") is None and text_change_note("same", "same") is None
    assert FieldChange("description", "Hi", "Hi ").to_dict()["note"] == "whitespace only"
    assert "note" not in FieldChange("description", "Hi", "Ho").to_dict()


def test_markers_survive_the_terminal_and_markdown_escapers() -> None:
    """The markers are printable (render/escape.py's vocabulary): neither escaper touches them."""
    before, after = "one\r\ntwo  \n\tthree\n", "one\ntwo\n\tthree \n"
    change = Change(
        address="prompt/p",
        kind="prompt",
        name="p",
        operations=("version",),
        live_id="x",
        live_version=0,
        predicted_version=1,
        fields=[FieldChange("text", before, after), FieldChange("description", "Hi", "Hi\t")],
        text_diff=text_diff(before, after, "prompt/p"),
    )
    plan = Plan(changes=[change])
    text = render_text(plan)
    assert "      text:   [whitespace only]\n" in text
    assert "        -one␍\n" in text and "        -two··\n" in text and "        +→three·\n" in text
    assert "      ~ description: Hi → Hi→   [whitespace only]\n" in text
    markdown = render_markdown(plan)
    assert "Text: \\[whitespace only\\]" in markdown and "-one␍\n" in markdown and "+→three·\n" in markdown
    assert "| `description` | `Hi` | `Hi→` \\[whitespace only\\] |" in markdown
    for out in (text, markdown):
        assert "\r" not in out and "\t" not in out


def test_value_markers_show_leading_and_trailing_whitespace() -> None:
    assert visible.value("  padded \t") == "··padded·→"
    assert visible.value("a\rb") == "a␍b"
    assert visible.value("a\u00a0b", "whitespace only") == "a\\xa0b"
    assert visible.value("\u00e9", "Unicode normalisation only") == "\\xe9"
    assert visible.label(None) == "" and visible.label("whitespace only") == "[whitespace only]"


def test_text_file_line_endings_are_read_as_newlines(tmp_path: Path) -> None:
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "crlf.md").write_bytes(b"one\r\ntwo\r\n")
    (tmp_path / "prompts" / "cr.md").write_bytes(b"one\rtwo\r")
    (tmp_path / "prompts" / "mixed.md").write_bytes(b"one\r\ntwo\rthree\n")
    (tmp_path / "m.yaml").write_text(
        "prompts:\n"
        "  - {name: crlf, text_file: prompts/crlf.md}\n"
        "  - {name: cr, text_file: prompts/cr.md}\n"
        "  - {name: mixed, text_file: prompts/mixed.md}\n"
        '  - {name: inline, text: "keeps\\r\\nits own"}\n',
        encoding="utf-8",
    )
    loaded = load_manifests(tmp_path)
    texts = {r.name: r.spec["text"] for r in loaded.resources}
    assert texts == {
        "crlf": "one\ntwo\n",
        "cr": "one\ntwo\n",
        "mixed": "one\ntwo\nthree\n",
        "inline": "keeps\r\nits own",
    }


@settings(max_examples=300)
@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("\u200b\u200e\u202e\u00a0\u3000\x1c\x85 \t\n")))
def test_the_fast_invisible_steps_equal_the_character_by_character_ones(text: str) -> None:
    """_visible_only and _no_whitespace take C-speed paths (ASCII as is, str.split): same result as
    the per-character definitions they replace, for any text."""
    from humectl.core.text import _no_whitespace, _visible_only

    assert _visible_only(text) == "".join(c for c in text if unsafe_class(c) not in ("invisible", "bidi control"))
    assert _no_whitespace(text) == "".join(c for c in text if not c.isspace())
