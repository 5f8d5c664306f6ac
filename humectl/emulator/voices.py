"""Voices: the built-in HUME_AI voice library, the account's custom voices, and ``/v0/tts/voices``.

Library voices have deterministic ids (UUID5 of their name) so that ids written in tests, examples
or exported manifests stay valid across emulator runs. Custom voices live in the store; Hume creates
them from a TTS generation, which the emulator cannot check, so any non-empty ``generation_id`` works.
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

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

_LIBRARY_NAMESPACE = uuid.UUID("6f1c2a52-8a4e-4f0e-9d7b-2f0c7c1e5a10")

LIBRARY_VOICE_NAMES: tuple[str, ...] = (
    "ITO",
    "KORA",
    "DACHER",
    "AURA",
    "FINN",
    "WHIMSY",
    "STELLA",
    "SUNNY",
    "Ava Song",
    "Colton Rivers",
    "Imani Carter",
    "Vince Douglas",
)

_OCTAVE_MODELS = ["octave-1", "octave-2"]


def library_voice_id(name: str) -> str:
    return str(uuid.uuid5(_LIBRARY_NAMESPACE, f"hume-voice-library/{name}"))


def _library_voice(name: str) -> dict[str, Any]:
    return {
        "id": library_voice_id(name),
        "name": name,
        "provider": "HUME_AI",
        "compatible_octave_models": list(_OCTAVE_MODELS),
    }


LIBRARY: tuple[dict[str, Any], ...] = tuple(_library_voice(n) for n in LIBRARY_VOICE_NAMES)


def custom_voice_json(row: VoiceRow) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "provider": "CUSTOM_VOICE", "compatible_octave_models": ["octave-1"]}


def resolve_voice(store: Store, *, voice_id: str | None, name: str | None, provider: str | None) -> dict[str, Any]:
    """Find a voice a config refers to; 400 naming it when it does not exist.

    An omitted provider means CUSTOM_VOICE (Hume's rule), so library voices need HUME_AI explicitly.
    When both id and name are given they must name the same voice.
    """
    provider = provider or "CUSTOM_VOICE"
    found: dict[str, Any] | None = None
    if provider == "HUME_AI":
        for voice in LIBRARY:
            if (voice_id is None or voice["id"] == voice_id) and (name is None or voice["name"] == name):
                found = dict(voice, compatible_octave_models=list(_OCTAVE_MODELS))
                break
    else:
        row = store.find_voice(voice_id=voice_id) if voice_id is not None else store.find_voice(name=name)
        if row is not None and (name is None or row.name == name):
            found = custom_voice_json(row)
    if found is None:
        what = f"id {voice_id!r}" if voice_id is not None else f"name {name!r}"
        hint = " (library voices need provider HUME_AI)" if provider == "CUSTOM_VOICE" else ""
        raise bad_request(f"Voice with {what} not found for provider {provider}{hint}", "voice_not_found")
    return found


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
        voices = list(LIBRARY) if ascending else list(reversed(LIBRARY))
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
    return json_response({"id": row.id, "name": row.name, "provider": "CUSTOM_VOICE"})


@endpoint
async def delete_voice(request: Request) -> Response:
    """``DELETE /v0/tts/voices?name=...`` deletes a custom voice by name."""
    name = request.query_params.get("name")
    if name is None:
        raise unprocessable([detail(["query", "name"], "Field required", "missing")])
    if not store_of(request).delete_voice(name):
        raise not_found(f"Custom voice named {name!r} not found")
    return empty_ok()
