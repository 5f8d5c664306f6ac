"""A server that trickles bytes (issue 23 item 11), through the CLI over a socket: before, an apply
whose listing trickled hung forever, renewing its lock all the while. ``--timeout`` now bounds each
request's whole time, so the run gives up, says why (exit 1), and releases its lock.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from humectl.cli.app import cli
from humectl.emulator.app import EmulatorConfig
from humectl.emulator.serve import run_in_thread
from humectl.model import lock as model_lock
from tests.conftest import EXAMPLES_DIR


class TrickleConfigs:
    """ASGI middleware in front of the emulator: the list of configs starts at once and then never
    ends, a byte every 100 ms (under any read timeout), until the client goes away."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.trickled = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        listing = scope["type"] == "http" and (scope["method"], scope["path"]) == ("GET", "/v0/evi/configs")
        if not listing:
            await self.app(scope, receive, send)
            return
        self.trickled += 1
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b'{"page_number": 0, ', "more_body": True})
        while True:
            try:
                message = await asyncio.wait_for(receive(), 0.1)
            except asyncio.TimeoutError:
                await send({"type": "http.response.body", "body": b" ", "more_body": True})
                continue
            if message["type"] == "http.disconnect":
                return


@pytest.mark.timeout(180)  # before: never returned
def test_an_apply_against_a_trickling_server_stops_and_releases_its_lock(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES_DIR / "support-desk", tmp_path / "evi")
    middleware: list[TrickleConfigs] = []

    def wrap(app: Any) -> Any:
        middleware.append(TrickleConfigs(app))
        return middleware[-1]

    with run_in_thread(EmulatorConfig(), wrap=wrap) as url:
        result = CliRunner().invoke(
            cli,
            ["apply", str(tmp_path / "evi"), "--auto-approve", "--base-url", url, "--timeout", "1"],
            env={"HUME_API_KEY": "sk-any-0123456789", "HUME_BASE_URL": "", "NO_COLOR": "1"},
        )
        store = middleware[0].app.state.store
        rows, _ = store.list_versions("prompt", most_recent=True, limit=1000)
        locks = [r.name for r in rows if r.name.startswith(model_lock.LOCK_NAME)]
    assert result.exit_code == 1, result.output
    assert "timed out: no whole answer from" in result.stderr and "within 1 s (--timeout)" in result.stderr
    assert middleware[0].trickled >= 2  # retried, as reads are
    assert locks == []  # released on the way out
