"""Chats and chat groups: Hume's read-only history endpoints.

The emulator runs no voice sessions, so the history is empty unless seeded through
``POST /_emulator/seed``. Chat groups are derived from the chats (grouped by ``chat_group_id``), so
they can never disagree with them. Every page carries ``pagination_direction`` as the spec requires.
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from humectl.emulator.responses import empty_ok, endpoint, json_response, store_of
from humectl.emulator.store import Store
from humectl.emulator.validation import (
    Obj,
    Page,
    Str,
    bad_request,
    not_found,
    parse_page,
    parse_query_bool,
    parse_uuid,
    validate_body,
)

# Audio reconstructions name the account's user; the emulator has one account.
EMULATOR_USER_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "https://humectl.invalid/emulator-user"))


def _envelope(page: Page, total: int, ascending: bool) -> dict[str, Any]:
    return {
        "page_number": page.number,
        "page_size": page.size,
        "total_pages": page.total_pages(total),
        "pagination_direction": "ASC" if ascending else "DESC",
    }


def _page_of(items: list[Any], page: Page, ascending: bool) -> list[Any]:
    ordered = items if ascending else list(reversed(items))
    return ordered[page.offset : page.offset + page.size]


def _chat_groups(store: Store) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for chat in store.list_chats():
        groups.setdefault(chat["chat_group_id"], []).append(chat)
    out = [_group_summary(gid, chats) for gid, chats in groups.items()]
    out.sort(key=lambda g: g["first_start_timestamp"])
    return out


def _group_summary(gid: str, chats: list[dict[str, Any]]) -> dict[str, Any]:
    latest = chats[-1]  # chats come sorted by start time
    summary: dict[str, Any] = {
        "id": gid,
        "first_start_timestamp": chats[0]["start_timestamp"],
        "most_recent_start_timestamp": latest["start_timestamp"],
        "active": any(c.get("status") == "ACTIVE" for c in chats),
        "most_recent_chat_id": latest["id"],
        "num_chats": len(chats),
    }
    if latest.get("config") is not None:
        summary["most_recent_config"] = latest["config"]
    return summary


def _audio(chat: dict[str, Any]) -> dict[str, Any]:
    # No recording exists; QUEUED is the honest state of a reconstruction nobody will ever run.
    return {
        "id": chat["id"],
        "user_id": EMULATOR_USER_ID,
        "status": "QUEUED",
        "filename": None,
        "modified_at": None,
        "signed_audio_url": None,
        "signed_url_expiration_timestamp_millis": None,
    }


def _chat_or_404(store: Store, request: Request) -> dict[str, Any]:
    chat_id = parse_uuid(request.path_params["id"])
    chat = store.get_chat(chat_id)
    if chat is None:
        raise not_found(f"Chat {chat_id} not found")
    return chat


def _group_or_404(store: Store, request: Request) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    gid = parse_uuid(request.path_params["id"])
    chats = store.list_chats(chat_group_id=gid)
    if not chats:
        raise not_found(f"Chat group {gid} not found")
    return _group_summary(gid, chats), chats


@endpoint
async def list_chats(request: Request) -> Response:
    store, query = store_of(request), request.query_params
    page, ascending = parse_page(query), parse_query_bool(query, "ascending_order", True)
    chats = store.list_chats()
    if "config_id" in query:
        chats = [c for c in chats if (c.get("config") or {}).get("id") == query["config_id"]]
    if "status" in query:
        chats = [c for c in chats if c.get("status") == query["status"]]
    return json_response({**_envelope(page, len(chats), ascending), "chats_page": _page_of(chats, page, ascending)})


@endpoint
async def list_chat_events(request: Request) -> Response:
    store = store_of(request)
    chat = _chat_or_404(store, request)
    page, ascending = parse_page(request.query_params), parse_query_bool(request.query_params, "ascending_order", True)
    events = store.list_chat_events([chat["id"]])
    fields = {k: chat.get(k) for k in ("id", "chat_group_id", "status", "start_timestamp", "end_timestamp", "metadata")}
    if chat.get("config") is not None:
        fields["config"] = chat["config"]
    return json_response(
        {**fields, **_envelope(page, len(events), ascending), "events_page": _page_of(events, page, ascending)}
    )


@endpoint
async def chat_audio(request: Request) -> Response:
    return json_response(_audio(_chat_or_404(store_of(request), request)))


@endpoint
async def list_chat_groups(request: Request) -> Response:
    store, query = store_of(request), request.query_params
    page, ascending = parse_page(query), parse_query_bool(query, "ascending_order", True)
    groups = _chat_groups(store)
    if "config_id" in query:
        # The spec: the filter matches the config of the group's most recent chat.
        groups = [g for g in groups if (g.get("most_recent_config") or {}).get("id") == query["config_id"]]
    return json_response(
        {**_envelope(page, len(groups), ascending), "chat_groups_page": _page_of(groups, page, ascending)}
    )


@endpoint
async def get_chat_group(request: Request) -> Response:
    store, query = store_of(request), request.query_params
    summary, chats = _group_or_404(store, request)
    page, ascending = parse_page(query), parse_query_bool(query, "ascending_order", True)
    if "status" in query:
        chats = [c for c in chats if c.get("status") == query["status"]]
    fields = {
        k: summary[k] for k in ("id", "first_start_timestamp", "most_recent_start_timestamp", "num_chats", "active")
    }
    return json_response(
        {**fields, **_envelope(page, len(chats), ascending), "chats_page": _page_of(chats, page, ascending)}
    )


@endpoint
async def list_chat_group_events(request: Request) -> Response:
    store, query = store_of(request), request.query_params
    summary, chats = _group_or_404(store, request)
    page, ascending = parse_page(query), parse_query_bool(query, "ascending_order", True)
    events = store.list_chat_events([c["id"] for c in chats])
    return json_response(
        {
            "id": summary["id"],
            **_envelope(page, len(events), ascending),
            "events_page": _page_of(events, page, ascending),
        }
    )


@endpoint
async def chat_group_audio(request: Request) -> Response:
    store, query = store_of(request), request.query_params
    summary, chats = _group_or_404(store, request)
    page, ascending = parse_page(query), parse_query_bool(query, "ascending_order", True)
    audio = [_audio(c) for c in chats]
    return json_response(
        {
            "id": summary["id"],
            "user_id": EMULATOR_USER_ID,
            "num_chats": summary["num_chats"],
            **_envelope(page, len(audio), ascending),
            "audio_reconstructions_page": _page_of(audio, page, ascending),
        }
    )


_CONTROL_MESSAGE = Obj({"type": Str()}, required=("type",))


@endpoint
async def send_control_message(request: Request) -> Response:
    """``POST /v0/evi/chat/{chat_id}/send``: only a (seeded) ACTIVE chat can take one; nothing happens."""
    store = store_of(request)
    chat_id = request.path_params["chat_id"]
    chat = store.get_chat(chat_id)
    if chat is None:
        raise not_found(f"Chat {chat_id} not found")
    validate_body(await request.body(), _CONTROL_MESSAGE)
    if chat.get("status") != "ACTIVE":
        raise bad_request(f"Chat {chat_id} is not active (status {chat.get('status')})", "chat_not_active")
    return empty_ok()


ROUTES = [
    Route("/v0/evi/chat/{chat_id}/send", send_control_message, methods=["POST"]),
    Route("/v0/evi/chats", list_chats, methods=["GET"]),
    Route("/v0/evi/chats/{id}", list_chat_events, methods=["GET"]),
    Route("/v0/evi/chats/{id}/audio", chat_audio, methods=["GET"]),
    Route("/v0/evi/chat_groups", list_chat_groups, methods=["GET"]),
    Route("/v0/evi/chat_groups/{id}", get_chat_group, methods=["GET"]),
    Route("/v0/evi/chat_groups/{id}/events", list_chat_group_events, methods=["GET"]),
    Route("/v0/evi/chat_groups/{id}/audio", chat_group_audio, methods=["GET"]),
]
