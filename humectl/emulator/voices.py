"""Voices: Hume's Voice Library (``provider: HUME_AI``), the account's custom voices, and ``/v0/tts/voices``.

The library is :func:`humectl.catalog.voice_library` (package data with a public source for every name
and id; docs/emulator.md, "The voice library"). Custom voices live in the store; Hume creates them from a
TTS generation, which the emulator cannot check, so any non-empty ``generation_id`` works.
"""

from __future__ import annotations

import difflib
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from humectl.catalog import LibraryVoice, VoiceLibrary, voice_library
from humectl.emulator.responses import empty_ok, endpoint, json_response, store_of
from humectl.emulator.store import DuplicateNameError, Store, VoiceRow
from humectl.emulator.validation import (
    VOICE_CREATE_BODY,
    VOICE_PROVIDERS,
    bad_request,
    detail,
    not_found,
    parse_page,
    parse_query_bool,
    unprocessable,
    validate_body,
)

# A live listing answered ["1", "2"] for library voices (github.com/chandradot99/naaviq-voice-providers,
# naaviq/sync/humeai.py maps those numbers to octave-1/octave-2 in smoke-outputs/humeai.txt).
_OCTAVE_MODELS = ("1", "2")


def library_of(store: Store) -> VoiceLibrary:
    """The built-in library with the account's seeded library voices: a seeded voice adds one the
    catalog lacks, or replaces the catalog's voice of that name or id (the replayed account knows best)."""
    extras = store.list_library_voices()
    builtin = voice_library()
    if not extras:
        return builtin
    seeded_ids = {vid for vid, _ in extras}
    by_name = {v.name.casefold(): v for v in builtin.voices if v.id not in seeded_ids}
    for vid, name in extras:
        by_name[name.casefold()] = LibraryVoice(name=name, id=vid, id_generated=False)
    return VoiceLibrary(tuple(sorted(by_name.values(), key=lambda v: v.name.casefold())))


def library_voice_json(voice: LibraryVoice) -> dict[str, Any]:
    return {
        "id": voice.id,
        "name": voice.name,
        "provider": "HUME_AI",
        "compatible_octave_models": list(_OCTAVE_MODELS),
    }


def custom_voice_json(row: VoiceRow) -> dict[str, Any]:
    # Hume's examples list custom voices as {id, name, provider} only (Fern definition, tts/voices.yml).
    return {"id": row.id, "name": row.name, "provider": "CUSTOM_VOICE"}


def _not_found(what: str, provider: str, hint: str = "") -> Exception:
    return bad_request(f"Voice with {what} not found for provider {provider}{hint}", "voice_not_found")


def resolve_voice(store: Store, *, voice_id: str | None, name: str | None, provider: str | None) -> dict[str, Any]:
    """Find a voice a config refers to; 400 naming it when it does not exist.

    An omitted provider means CUSTOM_VOICE (Hume's rule), so library voices need HUME_AI explicitly.
    When both id and name are given they must name the same voice. Library names match in any case.
    """
    provider = provider or "CUSTOM_VOICE"
    what = f"id {voice_id!r}" if voice_id is not None else f"name {name!r}"
    library = library_of(store)
    if provider == "HUME_AI":
        voice = library.by_id(voice_id) if voice_id is not None else library.by_name(name or "")
        if voice is not None and (name is None or name.casefold() == voice.name.casefold()):
            return library_voice_json(voice)
        hint = ""
        if voice_id is None and name:
            close = difflib.get_close_matches(name, library.names, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
        raise _not_found(what, provider, hint)
    row = store.find_voice(voice_id=voice_id) if voice_id is not None else store.find_voice(name=name)
    if row is not None and (name is None or row.name == name):
        return custom_voice_json(row)
    in_library = library.by_id(voice_id) if voice_id is not None else library.by_name(name or "")
    hint = " (it is a Voice Library voice: add provider HUME_AI)" if in_library is not None else ""
    raise _not_found(what, provider, hint)


def _provider_param(request: Request) -> str:
    provider = request.query_params.get("provider")
    if provider is None:
        raise unprocessable([detail(["query", "provider"], "Field required", "missing")])
    if provider not in VOICE_PROVIDERS:
        raise unprocessable([detail(["query", "provider"], "Input should be 'HUME_AI' or 'CUSTOM_VOICE'", "enum")])
    return provider


@endpoint
async def list_voices(request: Request) -> Response:
    """``GET /v0/tts/voices?provider=...``: paged; ``filter_tag`` is accepted and ignored (no tags here)."""
    provider = _provider_param(request)
    page = parse_page(request.query_params)
    ascending = parse_query_bool(request.query_params, "ascending_order", True)
    if provider == "HUME_AI":
        library = library_of(store_of(request)).voices
        voices = [library_voice_json(v) for v in (library if ascending else reversed(library))]
    else:
        voices = [custom_voice_json(r) for r in store_of(request).list_voices(ascending=ascending)]
    return json_response(
        {
            "page_number": page.number,
            "page_size": page.size,
            "total_pages": page.total_pages(len(voices)),
            "voices_page": voices[page.offset : page.offset + page.size],
        }
    )


@endpoint
async def create_voice(request: Request) -> Response:
    """``POST /v0/tts/voices {generation_id, name}`` → 200 ReturnVoice (the spec says 200, not 201)."""
    body = validate_body(await request.body(), VOICE_CREATE_BODY)
    name, generation_id = body["name"], body["generation_id"]
    # The voices endpoint declares only 422 errors, so its semantic errors use that shape too.
    if not name.strip():
        raise unprocessable([detail(["body", "name"], "Voice name must not be empty", "value_error")])
    if not generation_id.strip():
        raise unprocessable([detail(["body", "generation_id"], "generation_id must not be empty", "value_error")])
    try:
        row = store_of(request).create_voice(name, generation_id)
    except DuplicateNameError:
        raise unprocessable(
            [detail(["body", "name"], f"A custom voice named {name!r} already exists", "value_error")]
        ) from None
    return json_response(custom_voice_json(row))


@endpoint
async def delete_voice(request: Request) -> Response:
    """``DELETE /v0/tts/voices?name=...`` deletes a custom voice by name."""
    name = request.query_params.get("name")
    if name is None:
        raise unprocessable([detail(["query", "name"], "Field required", "missing")])
    if not store_of(request).delete_voice(name):
        raise not_found(f"Custom voice named {name!r} not found")
    return empty_ok()
