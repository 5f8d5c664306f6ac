"""The emulator's ASGI app: configuration, routing table, and wiring of store, stats and faults.

``create_app(EmulatorConfig(...))`` gives a Starlette app that answers Hume's EVI REST API (prompts,
tools, configs, chats, chat groups) and ``/v0/tts/voices``, plus the ``/_emulator/`` admin endpoints.
The store is opened here, not in a lifespan hook, because httpx's ASGI transport runs no lifespan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from humectl.emulator import admin, chats, voices
from humectl.emulator.admin import Stats
from humectl.emulator.faults import FaultInjector, FaultSettings
from humectl.emulator.gateway import Gateway
from humectl.emulator.resources import RESOURCE_KINDS, routes_for
from humectl.emulator.seeding import seed_account
from humectl.emulator.store import Store
from humectl.emulator.validation import error_body, live_shape


@dataclass
class EmulatorConfig:
    """How to run the emulator (``humectl emulator serve`` flags map onto these one to one)."""

    db: str = ":memory:"
    api_key: str | None = None  # None: any non-empty X-Hume-Api-Key is accepted
    latency_ms: float = 0
    rate_limit: float | None = None  # requests per second; None = unlimited
    fault_rate: float = 0.0
    ambiguous_write_rate: float = 0.0
    seed: int | None = None  # the fault dice (serve --fault-seed)
    allow_duplicate_names: bool = False  # Hume's rule is undocumented; reject (400) unless asked
    # Hume's rule is undocumented here too (docs say nothing, the spec only 200): True answers 400 to
    # deleting a prompt or tool, or a version of one, that a config version references. Off: Hume's
    # config answers leave out a reference deleted under them, as the emulator's do.
    refuse_referenced_deletes: bool = False
    # Keep and answer back the fields a request sends beyond Hume's spec, as live kept the fields it had
    # beyond its spec (docs/fidelity.md). No flag: off only for a fuzzer whose checks want the spec's shape.
    keep_unknown_fields: bool = True
    # A snapshot to load before serving (serve --seed FILE; humectl.emulator.seeding): SeedError if bad.
    seed_document: dict[str, Any] | None = None


def api_routes() -> list[BaseRoute]:
    routes: list[BaseRoute] = []
    for kind in RESOURCE_KINDS:
        routes.extend(routes_for(kind))
    routes.extend(chats.ROUTES)
    routes.append(Route("/v0/tts/voices", _voices_dispatch, methods=["GET", "POST", "DELETE"]))
    return routes


async def _voices_dispatch(request: Request) -> Response:
    if request.method == "POST":
        return await voices.create_voice(request)
    if request.method == "DELETE":
        return await voices.delete_voice(request)
    return await voices.list_voices(request)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Unknown paths and wrong methods, in Hume's ErrorResponse shape instead of Starlette's plain text."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        body = error_body(
            "Method Not Allowed", f"{request.method} is not allowed on {request.url.path}", "method_not_allowed"
        )
    elif exc.status_code == 404:
        body = error_body("Not Found", f"No such endpoint: {request.method} {request.url.path}", "not_found")
    else:
        body = error_body("Error", str(exc.detail), "http_error")
    return JSONResponse(
        live_shape(body, exc.status_code, request.url.path), status_code=exc.status_code, headers=exc.headers
    )


def create_app(config: EmulatorConfig) -> Starlette:
    """Build the app; the store (``config.db``: ``:memory:`` or a file) lives as long as the app."""
    faults = FaultInjector(
        FaultSettings(
            latency_ms=config.latency_ms,
            rate_limit=config.rate_limit,
            fault_rate=config.fault_rate,
            ambiguous_write_rate=config.ambiguous_write_rate,
        ),
        seed=config.seed,
    )
    stats = Stats()
    routes = api_routes()
    app = Starlette(
        routes=[*routes, *admin.ROUTES],
        middleware=[Middleware(Gateway, routes=routes, stats=stats, faults=faults, api_key=config.api_key)],
        exception_handlers={HTTPException: _http_error},
    )
    app.state.config = config
    app.state.store = Store(config.db, allow_duplicate_names=config.allow_duplicate_names)
    if config.seed_document is not None:
        try:
            seed_account(app.state.store, config.seed_document)
        except BaseException:
            app.state.store.close()
            raise
    app.state.stats = stats
    app.state.faults = faults
    return app
