"""The ``/_emulator/`` admin endpoints and the request counters they report.

Not part of Hume's API: tests and benchmarks use them to read request counts, set faults, empty the
store and seed chats. They are never delayed, throttled or failed by the faults. An emulator started
without a key lets anyone use them; one given a key (``serve`` with ``HUMECTL_EMULATOR_API_KEY`` or
``--api-key-file``) wants it in ``X-Hume-Api-Key`` here too, as on every API path (the gateway checks).

* ``GET  /_emulator/stats``  → ``{total, requests: {"GET /v0/evi/prompts": n, ...}, responses: {route:
  {status: n}}, by_status: {"200": n, "429": n, ...}, rate_limited, injected_faults, ambiguous_writes,
  client_disconnects}``; a request whose client left before it could be answered counts under its
  route as ``"disconnected"`` (no status was sent, so it is in no ``by_status``)
* ``POST /_emulator/reset``  → empties the store and the counters (fault settings are kept)
* ``GET|PUT /_emulator/faults`` → ``{latency_ms, rate_limit, fault_rate, ambiguous_write_rate, seed}``
* ``POST /_emulator/seed``   → loads a snapshot: prompts, tools, configs (every version, own ids and
  times), custom and library voices, chats with events (``humectl.emulator.seeding``); all or nothing
"""

from __future__ import annotations

import json
import threading
from collections import Counter, defaultdict
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from humectl.emulator.faults import FaultInjector
from humectl.emulator.responses import endpoint, json_response, store_of
from humectl.emulator.seeding import SeedError, seed_account
from humectl.emulator.validation import FAULTS_BODY, bad_request, validate_body

DISCONNECTED = "disconnected"  # the "status" of a request whose client left before the answer


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
            self._client_disconnects = 0

    def record(self, key: str, status: int, *, injected: bool = False, ambiguous: bool = False) -> None:
        with self._lock:
            self._requests[key] += 1
            self._responses[key][str(status)] += 1
            self._by_status[str(status)] += 1
            self._injected_faults += int(injected)
            self._ambiguous_writes += int(ambiguous)

    def record_disconnect(self, key: str) -> None:
        """A request whose client went away before it could be answered."""
        with self._lock:
            self._requests[key] += 1
            self._responses[key][DISCONNECTED] += 1
            self._client_disconnects += 1

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
                "client_disconnects": self._client_disconnects,
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


@endpoint
async def seed(request: Request) -> Response:
    """Load a snapshot (``humectl.emulator.seeding``): 201 with what was loaded, 400 naming the problem."""
    try:
        document = json.loads(await request.body() or b"null")
    except ValueError:
        raise bad_request("the seed is not JSON", "invalid_seed") from None
    try:
        report = seed_account(store_of(request), document)
    except SeedError as exc:
        raise bad_request(f"seed not loaded (nothing changed): {exc.message}", "invalid_seed") from None
    return json_response({"chats": report.chat_ids, "loaded": report.counts}, status=201)


ADMIN_PREFIX = "/_emulator"

ROUTES = [
    Route(f"{ADMIN_PREFIX}/stats", get_stats, methods=["GET"]),
    Route(f"{ADMIN_PREFIX}/reset", reset, methods=["POST"]),
    Route(f"{ADMIN_PREFIX}/faults", faults, methods=["GET", "PUT"]),
    Route(f"{ADMIN_PREFIX}/seed", seed, methods=["POST"]),
]
