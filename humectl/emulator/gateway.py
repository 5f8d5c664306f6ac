"""The front door every API request passes: count it, check the key, then apply the configured faults.

Order, and why:

1. stats: every request is counted under ``"METHOD /route/template"``, including the ones refused below;
2. auth: a missing or wrong ``X-Hume-Api-Key`` is a 401 before anything else (a stranger's requests
   neither wait nor spend the account's rate limit);
3. latency, then the rate limit (429 + ``Retry-After`` and ``retry-after-ms``), then the random 5xx (503, nothing done);
4. the handler; for creates and new versions an "ambiguous write" may then swap the committed 2xx answer
   for a 502, as if the connection dropped on the way back. A client that disconnects while its request
   is read is logged in one line and counted as ``disconnected`` (never a traceback and a 500).

``/_emulator/`` admin paths skip all of this but the key: an emulator given a key (``EmulatorConfig.api_key``)
asks for it on every path, admin ones too (a locked-down emulator; docs/emulator.md, "Auth").
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import math
from typing import Any

from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from humectl.emulator.admin import ADMIN_PREFIX, Stats
from humectl.emulator.faults import FaultInjector, retry_after_header
from humectl.emulator.validation import UNAUTHORIZED, error_body, live_shape

log = logging.getLogger("humectl.emulator")

# Creates and create-version: the writes whose answer "ambiguous_write_rate" may lose.
WRITE_TEMPLATES = frozenset(
    {
        "POST /v0/evi/prompts",
        "POST /v0/evi/prompts/{id}",
        "POST /v0/evi/tools",
        "POST /v0/evi/tools/{id}",
        "POST /v0/evi/configs",
        "POST /v0/evi/configs/{id}",
        "POST /v0/tts/voices",
    }
)


class Gateway:
    """Pure ASGI middleware (no body buffering except when an answer is to be lost)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: list[BaseRoute],
        stats: Stats,
        faults: FaultInjector,
        api_key: str | None,
    ) -> None:
        self.app = app
        self.routes = routes
        self.stats = stats
        self.faults = faults
        self.api_key = api_key

    def route_key(self, scope: Scope) -> str:
        for route in self.routes:
            match, _ = route.matches(scope)
            if match is not Match.NONE:
                return f"{scope['method']} {getattr(route, 'path', '?')}"
        return f"{scope['method']} (unmatched)"

    def authorized(self, scope: Scope) -> bool:
        key = None
        for name, value in scope["headers"]:
            if name == b"x-hume-api-key":
                key = value.decode("latin-1")
                break
        if not key:
            return False
        # Constant-time comparison: the emulator may listen on a shared CI machine.
        return self.api_key is None or hmac.compare_digest(key.encode(), self.api_key.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith(ADMIN_PREFIX + "/"):
            # Not counted, delayed or failed; but with a key set, stats, reset, seed and faults want it
            # too (they read and replace the whole account).
            if self.api_key is not None and not self.authorized(scope):
                await JSONResponse(UNAUTHORIZED, status_code=401)(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        key = self.route_key(scope)

        async def refuse(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            self.stats.record(key, status, injected=status in (429, 503))
            body = live_shape(body, status, scope["path"])
            await JSONResponse(body, status_code=status, headers=headers)(scope, receive, send)

        if not self.authorized(scope):
            await refuse(401, UNAUTHORIZED)
            return
        if self.faults.latency_s > 0:
            await asyncio.sleep(self.faults.latency_s)
        wait = self.faults.throttle()
        if wait > 0:
            retry_after = retry_after_header(wait)
            await refuse(
                429,
                error_body(
                    "Too Many Requests",
                    f"Rate limit exceeded ({self.faults.settings.rate_limit:g} requests/s); "
                    f"retry after {retry_after} s.",
                    "rate_limited",
                ),
                # Retry-After is whole seconds (>= 1); retry-after-ms (which the SDK and humectl read
                # first) says when the next token really frees, so paced clients need not idle a second.
                {"Retry-After": retry_after, "retry-after-ms": str(max(1, math.ceil(wait * 1000)))},
            )
            return
        if self.faults.should_fail():
            await refuse(
                503,
                error_body(
                    "Service Unavailable", "Injected fault: the emulator failed this request.", "injected_fault"
                ),
            )
            return

        lose_answer = key in WRITE_TEMPLATES and self.faults.should_lose_answer()
        status_seen: list[int] = []
        held: list[Message] = []

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_seen.append(message["status"])
            if lose_answer:
                held.append(message)  # decide once the handler is done
            else:
                await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except ClientDisconnect:
            # The client left while its request was being read: nothing was done and nobody is there
            # to answer. One line, not a traceback; counted as a disconnect, not as a 500.
            log.warning("emulator: client disconnected before %s was answered", key)
            self.stats.record_disconnect(key)
            return
        status = status_seen[0] if status_seen else 500
        if lose_answer and 200 <= status < 300:
            # Committed, but the client never hears so: what a dropped connection behind a proxy looks like.
            self.stats.record(key, 502, ambiguous=True)
            lost = error_body(
                "Bad Gateway", "The upstream connection closed before a response was sent.", "bad_gateway"
            )
            await JSONResponse(live_shape(lost, 502, scope["path"]), status_code=502)(scope, receive, send)
            return
        for message in held:
            await send(message)
        self.stats.record(key, status)
