"""The ``/_emulator/`` admin endpoints and the request counters they report.

Not part of Hume's API: tests and benchmarks use them to read request counts, set faults, empty the
store and seed chats. They need no API key and are never delayed, throttled or failed by the faults.

* ``GET  /_emulator/stats``  → ``{total, requests: {"GET /v0/evi/prompts": n, ...}, responses: {route:
  {status: n}}, by_status: {"200": n, "429": n, ...}, rate_limited, injected_faults, ambiguous_writes}``
* ``POST /_emulator/reset``  → empties the store and the counters (fault settings are kept)
* ``GET|PUT /_emulator/faults`` → ``{latency_ms, rate_limit, fault_rate, ambiguous_write_rate, seed}``
* ``POST /_emulator/seed``   → ``{"chats": [{..., "events": [...]}]}`` adds chats (and so chat groups)
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter, defaultdict
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from humectl.emulator.faults import FaultInjector
from humectl.emulator.responses import endpoint, json_response, store_of
from humectl.emulator.store import now_ms
from humectl.emulator.validation import FAULTS_BODY, Arr, Obj, Str, bad_request, validate_body


class Stats:
    """Request counters keyed by ``"METHOD /route/template"``; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._requests: Counter[str] = Counter()
            self._responses: defaultdict[str, Counter[str]] = defaultdict(Counter)
            self._by_status: Counter[str] = Counter()
            self._injected_faults = 0
            self._ambiguous_writes = 0

    def record(self, key: str, status: int, *, injected: bool = False, ambiguous: bool = False) -> None:
        with self._lock:
            self._requests[key] += 1
            self._responses[key][str(status)] += 1
            self._by_status[str(status)] += 1
            self._injected_faults += int(injected)
            self._ambiguous_writes += int(ambiguous)

    def to_dict(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": sum(self._requests.values()),
                "requests": dict(sorted(self._requests.items())),
                "responses": {k: dict(sorted(v.items())) for k, v in sorted(self._responses.items())},
                "by_status": dict(sorted(self._by_status.items())),
                "rate_limited": self._by_status.get("429", 0),
                "injected_faults": self._injected_faults,
                "ambiguous_writes": self._ambiguous_writes,
            }


def _stats(request: Request) -> Stats:
    stats: Stats = request.app.state.stats
    return stats


def _faults(request: Request) -> FaultInjector:
    faults: FaultInjector = request.app.state.faults
    return faults


@endpoint
async def get_stats(request: Request) -> Response:
    return json_response(_stats(request).to_dict())


@endpoint
async def reset(request: Request) -> Response:
    store_of(request).reset()
    _stats(request).reset()
    _faults(request).reset()
    return json_response({"reset": True})


@endpoint
async def faults(request: Request) -> Response:
    injector = _faults(request)
    if request.method == "PUT":
        body = validate_body(await request.body(), FAULTS_BODY)
        changes = dict(body)
        for key in ("latency_ms", "fault_rate", "ambiguous_write_rate"):
            if key in changes and changes[key] is None:
                changes[key] = 0.0  # null means "off" for every setting
        injector.update(changes)
    return json_response(injector.to_dict())


_CHAT_STATUSES = ("ACTIVE", "USER_ENDED", "USER_TIMEOUT", "MAX_DURATION_TIMEOUT", "INACTIVITY_TIMEOUT", "ERROR")
_SEED_BODY = Obj(
    {"chats": Arr(Obj({"id": Str(), "chat_group_id": Str(), "events": Arr(Obj({}))}))}, required=("chats",)
)


@endpoint
async def seed(request: Request) -> Response:
    """Add chats with their events; missing fields get plausible values (ids, times, USER_ENDED)."""
    body = validate_body(await request.body(), _SEED_BODY)
    store = store_of(request)
    ids = []
    for given in body["chats"]:
        chat = dict(given)
        events = chat.pop("events", None) or []
        chat.setdefault("id", str(uuid.uuid4()))
        chat.setdefault("chat_group_id", str(uuid.uuid4()))
        chat.setdefault("status", "USER_ENDED")
        if chat["status"] not in _CHAT_STATUSES:
            raise bad_request(f"status must be one of {', '.join(_CHAT_STATUSES)}")
        start = chat.setdefault("start_timestamp", now_ms())
        if chat["status"] != "ACTIVE":
            chat.setdefault("end_timestamp", start + 60_000)
        chat.setdefault("metadata", None)
        if chat.get("config") is None:
            # The spec's ReturnChat.config is an object, not nullable: a chat without one omits the key.
            chat.pop("config", None)
        full_events = []
        for i, given_event in enumerate(events):
            event = dict(given_event)
            event.setdefault("id", str(uuid.uuid4()))
            event["chat_id"] = chat["id"]
            event.setdefault("timestamp", start + i)
            event.setdefault("role", "USER")
            event.setdefault("type", "USER_MESSAGE")
            event.setdefault("message_text", None)
            full_events.append(event)
        chat["event_count"] = len(full_events)
        store.add_chat(chat, full_events)
        ids.append(chat["id"])
    return json_response({"chats": ids}, status=201)


ADMIN_PREFIX = "/_emulator"

ROUTES = [
    Route(f"{ADMIN_PREFIX}/stats", get_stats, methods=["GET"]),
    Route(f"{ADMIN_PREFIX}/reset", reset, methods=["POST"]),
    Route(f"{ADMIN_PREFIX}/faults", faults, methods=["GET", "PUT"]),
    Route(f"{ADMIN_PREFIX}/seed", seed, methods=["POST"]),
]
