"""In-process use: an httpx transport that sends requests straight into the emulator's ASGI app.

The engine's ``--emulator[=DB]`` builds ``httpx.AsyncClient(transport=in_process_transport(cfg),
base_url="http://emulator")``; with a file DB every write is committed when its response is built,
so the next run (another process) sees it.
"""

from __future__ import annotations

import httpx

from humectl.emulator.app import EmulatorConfig, create_app


def in_process_transport(config: EmulatorConfig) -> httpx.AsyncBaseTransport:
    """An ASGI transport over a fresh app (and store) for ``config``; use with ``httpx.AsyncClient``."""
    # raise_app_exceptions=False: a bug in the emulator reaches the client as a 500, like over a socket.
    return httpx.ASGITransport(app=create_app(config), raise_app_exceptions=False)
