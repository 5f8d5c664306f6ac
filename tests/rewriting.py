"""A server that silently stores some fields otherwise than it was sent: an httpx transport wrapping
another (the in-process emulator) that rewrites the JSON body of each write before it gets there, so
the emulator stores, and answers, the rewritten body. What read-back (humectl.ops.readback) must catch."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from humectl.emulator.app import EmulatorConfig
from humectl.emulator.transport import in_process_transport

# (method, path, body) -> the body the server keeps (or, for answers, the body it answers)
Rewrite = Callable[[str, str, dict[str, Any]], dict[str, Any]]


def unchanged(method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    return body


class RewritingTransport(httpx.MockTransport):
    """A mock server whose every answer comes from ``inner``, after it rewrote the body of each write."""

    def __init__(self, inner: httpx.AsyncBaseTransport, rewrite: Rewrite, answer: Rewrite = unchanged) -> None:
        super().__init__(self._forward)
        self.inner = inner
        self.rewrite = rewrite
        self.answer = answer
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request, in order

    async def _forward(self, request: httpx.Request) -> httpx.Response:
        self.requests.append((request.method, request.url.path))
        content = await request.aread()
        if request.method in ("POST", "PATCH") and content:
            body = self.rewrite(request.method, request.url.path, json.loads(content))
            headers = [(k, v) for k, v in request.headers.raw if k.lower() != b"content-length"]
            request = httpx.Request(request.method, request.url, headers=headers, content=json.dumps(body).encode())
        response = await self.inner.handle_async_request(request)
        content = await response.aread()
        if request.method in ("POST", "PATCH") and content and response.is_success:
            answered = self.answer(request.method, request.url.path, json.loads(content))
            content = json.dumps(answered).encode()
        headers = [(k, v) for k, v in response.headers.raw if k.lower() != b"content-length"]
        return httpx.Response(response.status_code, headers=headers, content=content)

    async def aclose(self) -> None:
        await self.inner.aclose()


def rewriting_emulator(rewrite: Rewrite, db: str = ":memory:", answer: Rewrite = unchanged) -> RewritingTransport:
    """The in-process emulator (over ``db``) behind a server that rewrites what it is sent (and answers)."""
    return RewritingTransport(in_process_transport(EmulatorConfig(db=db)), rewrite, answer)


def rounds_drops_and_defaults(method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """A config write as a careless server keeps it: the temperature rounded to one decimal, the
    interruption settings dropped, and an inactivity timeout of 600 s filled in when none was sent."""
    if method != "POST" or not path.startswith("/v0/evi/configs"):
        return body
    body = dict(body)
    model = body.get("language_model")
    if isinstance(model, dict) and isinstance(model.get("temperature"), float):
        body["language_model"] = {**model, "temperature": round(model["temperature"], 1)}
    body.pop("interruption", None)
    if body.get("timeouts") is None:
        body["timeouts"] = {"inactivity": {"enabled": True, "duration_secs": 600}}
    return body
