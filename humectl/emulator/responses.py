"""HTTP plumbing shared by every emulator endpoint: JSON and empty answers, and the error guard.

The guard is why a bad request never yields a traceback: a :class:`HumeHTTPError` becomes its
Hume-shaped JSON body, and anything unexpected becomes a JSON 500 (logged, never echoed).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from humectl.emulator.store import Store
from humectl.emulator.validation import HumeHTTPError, error_body, live_shape

log = logging.getLogger("humectl.emulator")

Handler = Callable[[Request], Awaitable[Response]]


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(data, status_code=status, headers=headers)


def empty_ok() -> Response:
    """PATCH-name and DELETE answer 200 with an empty body, as Hume does."""
    return Response(status_code=200)


def error_response(exc: HumeHTTPError, path: str) -> Response:
    return JSONResponse(live_shape(exc.body, exc.status, path), status_code=exc.status, headers=exc.headers or None)


def endpoint(func: Handler) -> Handler:
    """Wrap a handler so that every failure is answered in Hume's shape."""

    @functools.wraps(func)
    async def wrapper(request: Request) -> Response:
        try:
            return await func(request)
        except HumeHTTPError as exc:
            return error_response(exc, request.url.path)
        except ClientDisconnect:
            raise  # nobody to answer: the gateway logs it in one line and counts it (not a 500)
        except Exception:  # the one place that must catch everything: no 500 with a traceback body
            log.exception("emulator: unexpected error in %s %s", request.method, request.url.path)
            body = error_body("Internal Server Error", "The emulator hit an unexpected error.", "internal_error")
            return json_response(live_shape(body, 500, request.url.path), status=500)

    return wrapper


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store
