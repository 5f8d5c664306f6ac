"""The emulator on loopback behind :class:`FailRequests`: chosen requests answered with an error before
they reach it (nothing is written), so a test can stop a command between two of its writes and see
what it reports, and that running it again converges."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from humectl.emulator.app import EmulatorConfig
from humectl.emulator.serve import run_in_thread


class FailRequests:
    """ASGI middleware: a request whose method is ``method`` and whose path matches ``path`` (a regular
    expression, matched whole) is answered ``status`` with Hume's error body, ``times`` times (None:
    always); every other request goes through. ``failed`` counts the answers it made up."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.method: str | None = None
        self.path: re.Pattern[str] | None = None
        self.status = 400
        self.times: int | None = None
        self.failed = 0

    def fail(self, method: str, path: str, *, status: int = 400, times: int | None = None) -> None:
        self.method, self.path, self.status, self.times, self.failed = method, re.compile(path), status, times, 0

    def stop(self) -> None:
        self.method = self.path = None

    def _matches(self, scope: Any) -> bool:
        if scope["type"] != "http" or self.path is None or scope["method"] != self.method:
            return False
        if self.times is not None and self.failed >= self.times:
            return False
        return self.path.fullmatch(scope["path"]) is not None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if not self._matches(scope):
            await self.app(scope, receive, send)
            return
        self.failed += 1
        body = json.dumps({"status_code": self.status, "message": "injected by the test"}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


@dataclass
class Failing:
    url: str
    faults: FailRequests


@contextmanager
def served_failing(**config: Any) -> Iterator[Failing]:
    """The emulator on loopback behind FailRequests (failing nothing until told to)."""
    made: list[FailRequests] = []

    def wrap(app: Any) -> Any:
        made.append(FailRequests(app))
        return made[-1]

    with run_in_thread(EmulatorConfig(**config), wrap=wrap) as url:
        yield Failing(url, made[0])
