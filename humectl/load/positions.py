"""Where each field of a manifest entry was written: JSON pointers in a resource's spec mapped to
file:line:col, worked out lazily per document (a valid load rarely needs them)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from humectl.core.kinds import KINDS
from humectl.load.yamldoc import Document
from humectl.model.desired import Source

_PLURALS = frozenset(kind.plural for kind in KINDS.values())


def _positions_by_entry(doc: Document) -> dict[str, dict[str, Source]]:
    """The positions of every entry of ``doc``, keyed by entry pointer, in one pass over the marks."""
    out: dict[str, dict[str, Source]] = {}
    for pointer, (line, col) in doc.marks.items():
        parts = pointer.split("/", 3)  # "", plural, index, rest
        if len(parts) < 3 or parts[1] not in _PLURALS:
            continue
        entry_pointer = f"/{parts[1]}/{parts[2]}"
        rest = "/" + parts[3] if len(parts) == 4 else ""
        out.setdefault(entry_pointer, {})[rest] = Source(doc.rel, line, col)
    return out


class DocumentPositions:
    """:func:`_positions_by_entry` of one document, worked out when a resource's positions are first read."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self._by_entry: dict[str, dict[str, Source]] | None = None

    def of(self, entry_pointer: str) -> dict[str, Source]:
        if self._by_entry is None:
            self._by_entry = _positions_by_entry(self.doc)
        return self._by_entry.get(entry_pointer, {})


class EntryPositions(Mapping[str, Source]):
    """``DesiredResource.positions``: JSON pointer within the spec -> Source, read lazily.

    A valid load never needs the position of every field, so these are only worked out (for the
    whole document at once) when something reads them. ``alias`` makes a spec field answer with the
    position of the manifest field it came from (``/text`` with that of ``/text_file``).
    """

    def __init__(self, document: DocumentPositions, entry_pointer: str) -> None:
        self._document = document
        self._pointer = entry_pointer
        self._aliases: dict[str, str] = {}
        self._found: dict[str, Source] | None = None

    @property
    def document(self) -> Document:
        return self._document.doc

    @property
    def entry_pointer(self) -> str:
        return self._pointer

    @property
    def aliases(self) -> dict[str, str]:
        """Spec field pointer -> the pointer of the manifest field it was written as."""
        return dict(self._aliases)

    def alias(self, field: str, written_at: str) -> None:
        self._aliases[field] = written_at
        self._found = None

    def _all(self) -> dict[str, Source]:
        if self._found is None:
            found = dict(self._document.of(self._pointer))
            for field, written_at in self._aliases.items():
                if written_at in found:
                    found[field] = found[written_at]
            self._found = found
        return self._found

    def __getitem__(self, pointer: str) -> Source:
        return self._all()[pointer]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __repr__(self) -> str:
        return f"EntryPositions({self._document.doc.rel}{self._pointer})"
