"""What Hume publishes that humectl knows offline: the Voice Library (voices with provider ``HUME_AI``)
and the supplemental language models per ``model_provider``.

Both are package data beside this module (``voices.json``, ``models.json``), every entry with its public
source; voice ids no source gives are generated (a UUID5 of the name) and marked so. Each file is read on
first use and kept, so importing this module costs nothing: ``humectl validate`` and the emulator both
use it, and only the first lookup pays for reading the file (docs/emulator.md, "The voice library";
docs/manifests.md for the warnings).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

_HERE = Path(__file__).parent


@dataclass(frozen=True)
class LibraryVoice:
    """One voice of Hume's Voice Library: its name, its id, and whether a public source gave that id."""

    name: str
    id: str
    id_generated: bool


class VoiceLibrary:
    """The library in listing order, looked up by id or by name.

    Names match exactly first, then case-insensitively, as Hume matched them: Hume's own examples name
    library voices in any case (``"ava song"`` in HumeAI/hume-api-examples tts-typescript-lipsync), and
    Hume's EVI material spells ``ITO`` where the library spells ``Ito`` (a live config asked for ``ITO``
    answered ``Ito``). ``name`` is the library's spelling.
    """

    def __init__(self, voices: tuple[LibraryVoice, ...]) -> None:
        self.voices = voices
        self._by_id = {v.id: v for v in voices}
        self._by_name = {v.name: v for v in voices}
        self._by_folded = {v.name.casefold(): v for v in voices}

    def __len__(self) -> int:
        return len(self.voices)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.voices)

    def by_id(self, voice_id: str) -> LibraryVoice | None:
        return self._by_id.get(voice_id.lower())

    def by_name(self, name: str) -> LibraryVoice | None:
        return self._by_name.get(name) or self._by_folded.get(name.casefold())


@functools.cache
def voice_library() -> VoiceLibrary:
    """The Voice Library from ``voices.json`` (read once per process)."""
    data = json.loads((_HERE / "voices.json").read_text(encoding="utf-8"))
    return VoiceLibrary(
        tuple(
            LibraryVoice(name=v["name"], id=v["id"], id_generated=v["id_from"] == "generated") for v in data["voices"]
        )
    )


@dataclass(frozen=True)
class ModelCatalog:
    """The supplemental LLMs Hume lists (``models.json``): model ids per ``model_provider``."""

    by_provider: dict[str, tuple[str, ...]]

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(m for models in self.by_provider.values() for m in models)

    def providers_of(self, model: str) -> tuple[str, ...]:
        """The providers Hume lists ``model`` under (usually one; none for an unknown model)."""
        return tuple(p for p, models in self.by_provider.items() if model in models)


@functools.cache
def model_catalog() -> ModelCatalog:
    """The model list from ``models.json`` (read once per process)."""
    data = json.loads((_HERE / "models.json").read_text(encoding="utf-8"))
    by_provider: dict[str, list[str]] = {}
    for entry in data["models"]:
        by_provider.setdefault(entry["provider"], []).append(entry["model"])
    return ModelCatalog({p: tuple(m) for p, m in by_provider.items()})
