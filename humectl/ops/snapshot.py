"""Snapshots: an account read through the EVI API into a seed document (``humectl emulator snapshot``).

What is read is what Hume's API answers, so a snapshot of any EVI-compatible server seeds the emulator
(``emulator serve --seed FILE``, ``POST /_emulator/seed``) and a snapshot of that emulator is the same
document again: every version of every tool, prompt and config (a kind's ``detail_fields``, which list
pages leave out, are read version by version), custom voices, the Voice Library voices that humectl's
catalog lacks or knows under another id, and chats with their events. The API key is never part of it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from humectl.catalog import voice_library
from humectl.core.escape import json_text
from humectl.core.kinds import DEPENDENCY_ORDER, KINDS
from humectl.io.client import EviClient

# The seed document's format, as `humectl emulator serve --seed` reads it (humectl.emulator.seeding.FORMAT:
# the emulator imports nothing of the engine, so each side names it; tests/unit/test_ops_snapshot.py
# checks they agree).
FORMAT = "humectl-emulator-snapshot/1"

_ALL_VERSIONS = {"restrict_to_most_recent": "false"}
_OLDEST_FIRST = {"ascending_order": "true"}


async def take_snapshot(client: EviClient) -> dict[str, Any]:
    """The whole account as a seed document (deterministic for a given account)."""
    document: dict[str, Any] = {"format": FORMAT}
    for name in DEPENDENCY_ORDER:
        kind = KINDS[name]
        versions = await client.list_all(kind.api_path, kind.page_key, _ALL_VERSIONS)
        if kind.detail_fields:  # list items leave these out: read each version whole
            versions = list(
                await asyncio.gather(
                    *(client.get(f"{kind.api_path}/{v['id']}/version/{v['version']}") for v in versions)
                )
            )
        document[kind.plural] = versions
    custom = await client.list_all("/v0/tts/voices", "voices_page", {"provider": "CUSTOM_VOICE"})
    library = await client.list_all("/v0/tts/voices", "voices_page", {"provider": "HUME_AI"})
    document["voices"] = [*custom, *(v for v in library if not _in_catalog(v))]
    chats = await client.list_all("/v0/evi/chats", "chats_page", _OLDEST_FIRST)
    events = await asyncio.gather(
        *(client.list_all(f"/v0/evi/chats/{c['id']}", "events_page", _OLDEST_FIRST) for c in chats)
    )
    document["chats"] = [{**chat, "events": chat_events} for chat, chat_events in zip(chats, events, strict=True)]
    return document


def _in_catalog(voice: dict[str, Any]) -> bool:
    """A library voice humectl's catalog already holds under this id and name (a seed need not say it)."""
    known = voice_library().by_id(str(voice.get("id")))
    return known is not None and known.name == voice.get("name")


def render_snapshot(document: dict[str, Any]) -> str:
    """The document as stable JSON text: sorted keys, so equal accounts give equal bytes."""
    # Readable UTF-8, but what a terminal would act on (controls, bidi, U+2028) as \u escapes, and "##["
    # (a workflow command to GitHub's runner, wherever it is in a log line) as "#\u0023[": printing a
    # snapshot of a hostile account is safe, and it still decodes to exactly the same document.
    return json_text(document, indent=2, sort_keys=True).replace("##[", "#\\u0023[") + "\n"


def snapshot_counts(document: dict[str, Any]) -> dict[str, int]:
    """Resources (not versions) per kind, voices and chats: the one-line summary."""
    kinds = tuple(KINDS[name].plural for name in DEPENDENCY_ORDER)
    counts = {kind: len({item.get("id") for item in document.get(kind, [])}) for kind in kinds}
    counts["versions"] = sum(len(document.get(kind, [])) for kind in kinds)
    counts["voices"] = len(document.get("voices", []))
    counts["chats"] = len(document.get("chats", []))
    return counts
