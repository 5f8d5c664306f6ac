"""humectl.load.positions: where each field of a manifest entry was written (JSON pointer in the spec
-> file:line:col), worked out once per document and only when read, with aliases (``/text`` answers
with where ``/text_file`` was written)."""

from __future__ import annotations

from pathlib import Path

import pytest

from humectl.load import positions as positions_module
from humectl.load.positions import DocumentPositions, EntryPositions
from humectl.load.yamldoc import Document, parse
from humectl.model.desired import Source

TEXT = """\
prompts:
  - name: greeter
    text_file: prompts/greeter.md
configs:
  - name: desk
    voice:
      name: ITO
other:
  - name: not-an-entry
"""


def document() -> Document:
    doc, problems = parse(TEXT, path=Path("evi/a.yaml"), rel="a.yaml", display="evi/a.yaml", variables=None)
    assert not problems
    return doc


def test_each_entry_maps_its_fields_to_their_place() -> None:
    positions = DocumentPositions(document())
    config = positions.of("/configs/0")
    assert config[""] == Source("a.yaml", 5, 5)  # the entry itself
    assert config["/voice/name"] == Source("a.yaml", 7, 13)
    assert "/name" in config and "/text_file" not in config
    assert positions.of("/other/0") == {}  # not a kind's list: no entry
    assert positions.of("/prompts/9") == {}


def test_worked_out_once_and_only_when_read(monkeypatch: pytest.MonkeyPatch) -> None:
    walks: list[str] = []
    walk = positions_module._positions_by_entry

    def counted(doc: Document) -> dict[str, dict[str, Source]]:
        walks.append(doc.rel)
        return walk(doc)

    monkeypatch.setattr(positions_module, "_positions_by_entry", counted)
    shared = DocumentPositions(document())
    entry = EntryPositions(shared, "/prompts/0")
    assert walks == []  # nothing read yet
    assert entry["/name"] == Source("a.yaml", 2, 11)
    assert len(entry) == 3 and sorted(entry) == ["", "/name", "/text_file"]
    assert EntryPositions(shared, "/configs/0")["/voice"] == Source("a.yaml", 7, 7)
    assert walks == ["a.yaml"]  # one pass for the whole document


def test_an_alias_answers_with_where_the_field_was_written() -> None:
    entry = EntryPositions(DocumentPositions(document()), "/prompts/0")
    assert "/text" not in entry
    entry.alias("/text", "/text_file")
    assert entry["/text"] == entry["/text_file"] == Source("a.yaml", 3, 16)
    assert entry.aliases == {"/text": "/text_file"}
    entry.aliases["/x"] = "/y"  # a copy: the entry's aliases are its own
    assert entry.aliases == {"/text": "/text_file"}
    entry.alias("/spec", "/missing")  # nothing written there: no position
    assert sorted(entry) == ["", "/name", "/text", "/text_file"]


def test_what_it_is_and_where() -> None:
    doc = document()
    entry = EntryPositions(DocumentPositions(doc), "/configs/0")
    assert entry.document is doc and entry.entry_pointer == "/configs/0"
    assert repr(entry) == "EntryPositions(a.yaml/configs/0)"
