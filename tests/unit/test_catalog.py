"""humectl/catalog: the Voice Library data keeps its promises (a source for every name and id, generated ids
marked and reproducible, lookups by id and name) and stays cheap to import."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import humectl.catalog
from humectl.catalog import voice_library

DATA = json.loads((Path(humectl.catalog.__file__).parent / "voices.json").read_text(encoding="utf-8"))


def test_every_voice_names_its_sources_and_generated_ids_are_marked() -> None:
    sources = DATA["sources"]
    namespace = uuid.UUID(DATA["generated_id_namespace"])
    assert all(s["what"] and s["where"] and s["kind"] in ("hume", "public-code") for s in sources.values())
    used: set[str] = set()
    for voice in DATA["voices"]:
        assert str(uuid.UUID(voice["id"])) == voice["id"], voice
        assert voice["named_in"] and set(voice["named_in"]) <= set(sources), voice
        used |= set(voice["named_in"])
        generated = str(uuid.uuid5(namespace, f"hume-voice-library/{voice['name']}"))
        if voice["id_from"] == "generated":
            assert voice["id"] == generated, voice
        else:
            assert voice["id_from"] and set(voice["id_from"]) <= set(sources), voice
            assert voice["id"] != generated
            used |= set(voice["id_from"])
    assert used == set(sources), "every source is cited by some voice"


def test_names_and_ids_are_unique_and_listed_in_name_order() -> None:
    names = [v["name"] for v in DATA["voices"]]
    assert len({n.casefold() for n in names}) == len(names)
    assert len({v["id"] for v in DATA["voices"]}) == len(names)
    assert names == sorted(names, key=str.casefold)


def test_the_library_holds_what_humes_material_names() -> None:
    library = voice_library()
    assert len(library) >= 100
    ava = library.by_name("Ava Song")
    assert ava is not None and ava.id == "5bb7de05-c8fe-426a-8fcc-ba4fc4ce9f9c" and not ava.id_generated
    actor = library.by_name("male english actor")
    assert actor is not None and actor.name == "Male English Actor"
    assert actor.id == "9e068547-5ba4-4c8e-8e03-69282a008f04"
    for evi_voice in ("ITO", "KORA", "DACHER", "AURA", "FINN", "WHIMSY", "STELLA", "SUNNY"):
        assert library.by_name(evi_voice) is not None, evi_voice
    ito = library.by_name("ITO")  # Hume's EVI material's spelling; the library (and a live answer) says Ito
    assert ito is not None and ito.name == "Ito" and library.by_id(ito.id.upper()) == ito
    kora = library.by_name("KORA")
    assert kora is not None and kora.name == "Kora"
    assert library.by_name("Nobody At All") is None and library.by_id(str(uuid.uuid4())) is None
    public = [v for v in library.voices if not v.id_generated]
    assert len(public) >= 100


def test_importing_the_catalog_reads_nothing_and_pulls_in_no_server() -> None:
    code = (
        "import sys, humectl.catalog as c; "
        "print(c.voice_library.cache_info().currsize, 'starlette' in sys.modules, 'humectl.emulator' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["0", "False", "False"]
