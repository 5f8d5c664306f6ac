"""In-process use: an httpx transport that sends requests straight into the emulator's ASGI app.

A Session's ``--emulator[=DB]`` builds one :class:`InProcessTransport` for the whole command, so
every request of the command sees one account. With a file DB every write is committed when its
response is built, so the next run (another process) sees it; closing the transport closes the
store, which checkpoints SQLite's write-ahead log into the database file (copy the file alone
afterwards and the account is in it).
"""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from humectl.emulator.app import EmulatorConfig, create_app


class InProcessTransport(httpx.ASGITransport):
    """An ASGI transport over one emulator app; closing it closes the app's store."""

    def __init__(self, app: Starlette) -> None:
        # raise_app_exceptions=False: a bug in the emulator reaches the client as a 500, like over a socket.
        super().__init__(app=app, raise_app_exceptions=False)
        self.emulator = app

    async def aclose(self) -> None:
        self.emulator.state.store.close()
        await super().aclose()


def in_process_transport(config: EmulatorConfig) -> InProcessTransport:
    """An ASGI transport over a fresh app (and store) for ``config``; use with ``httpx.AsyncClient``."""
    return InProcessTransport(create_app(config))
