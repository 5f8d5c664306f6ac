"""A synchronous in-process client for the emulator's tests (httpx over the ASGI app, one event loop)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

API_KEY = "emulator-test-key"


class InProcessClient:
    """A synchronous face on an ``httpx.AsyncClient`` over the app's ASGI transport (own event loop).

    Unlike Starlette's InProcessClient it needs no extra package and runs the app exactly as the engine's
    ``--emulator`` does: one event loop, httpx's ASGI transport.
    """

    def __init__(self, app: Any, *, api_key: str | None = API_KEY, close_store: bool = True) -> None:
        self.app = app
        self.close_store = close_store  # False when the app (and its store) outlives this client
        self._loop = asyncio.new_event_loop()
        headers = {"X-Hume-Api-Key": api_key} if api_key else {}
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=True),
            base_url="http://emulator",
            headers=headers,
        )

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self._loop.run_until_complete(self._client.request(method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)

    def gather(self, *requests: tuple[str, str, dict[str, Any]]) -> list[httpx.Response]:
        """Send requests concurrently on the one loop: ``(method, url, kwargs)`` each."""

        async def run() -> list[httpx.Response]:
            return list(await asyncio.gather(*(self._client.request(m, u, **kw) for m, u, kw in requests)))

        return self._loop.run_until_complete(run())

    def close(self) -> None:
        self._loop.run_until_complete(self._client.aclose())
        self._loop.close()
        if self.close_store:
            self.app.state.store.close()

    def __enter__(self) -> InProcessClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
