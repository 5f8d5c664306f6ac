"""make_plan loads the manifests in a thread while the listing is in flight; nothing else changes.

The listing starts before the manifests are read, the plan is the one a load-then-list gives, and a
manifest error is still the error reported (exit 1, the same message), whatever the API does.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path

import httpx
import pytest

from humectl.core.errors import AuthError, ManifestError
from humectl.core.settings import Settings
from humectl.emulator.app import EmulatorConfig
from humectl.emulator.transport import in_process_transport
from humectl.load import manifests as manifest
from humectl.ops import plan as planning
from humectl.ops.plan import plan_live
from tests import support as engine
from tests.conftest import EXAMPLES_DIR

EXAMPLE = EXAMPLES_DIR / "support-desk"
SETTINGS = Settings(base_url="http://127.0.0.1:9", api_key="test-key")


def _emulator() -> httpx.AsyncBaseTransport:
    return in_process_transport(EmulatorConfig(db=":memory:"))


def _broken(tmp_path: Path) -> Path:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "m.yaml").write_text("configs:\n  - name: c\n    evi_version: 9\n", encoding="utf-8")
    return bad


def test_the_listing_starts_before_the_manifests_are_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[str] = []
    requested = threading.Event()
    real_load = manifest.load_manifests

    def load_once_the_listing_asked(*args: object, **kwargs: object) -> manifest.ManifestSet:
        # The load cannot finish before the listing's first request: a plan that lists only after
        # loading never gets here (the wait is a guard against that hang, not a time limit).
        assert requested.wait(timeout=60), "no request while the manifests were being loaded"
        loaded = real_load(*args, **kwargs)  # type: ignore[arg-type]
        events.append("loaded")
        return loaded

    emulator = _emulator()

    class Recording(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            events.append("request")
            requested.set()
            return await emulator.handle_async_request(request)

    monkeypatch.setattr(planning, "load_manifests", load_once_the_listing_asked)
    result = engine.make_plan(EXAMPLE, SETTINGS, transport=Recording())
    assert events[0] == "request" and "loaded" in events  # the network round trips overlap reading the files
    assert [c.action for c in result.plan.changes] == ["create"] * len(result.desired.resources)

    monkeypatch.setattr(planning, "load_manifests", real_load)  # the same plan when nothing overlaps
    desired = real_load(EXAMPLE)

    async def sequential() -> list[tuple[str, str]]:
        async with engine.open_client(SETTINGS, _emulator()) as client:
            plan, _ = await plan_live(client, desired, run_id="r")
        return [(c.address, c.action) for c in plan.changes]

    assert [(c.address, c.action) for c in result.plan.changes] == asyncio.run(sequential())


def test_a_manifest_error_wins_over_an_api_error(tmp_path: Path) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"message": "Invalid API key"})

    bad = _broken(tmp_path)
    with pytest.raises(ManifestError) as raised:
        engine.make_plan(bad, SETTINGS, transport=httpx.MockTransport(refuse))
    with pytest.raises(ManifestError) as loaded:
        manifest.load_manifests(bad)
    assert raised.value.message == loaded.value.message
    with pytest.raises(AuthError):  # the API error itself, once the manifests are fine
        engine.make_plan(EXAMPLE, SETTINGS, transport=httpx.MockTransport(refuse))


def test_a_failed_load_stops_the_listing_at_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    sent: list[str] = []
    cancelled: list[str] = []

    async def hang(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path)
        try:
            await asyncio.Event().wait()  # an answer that never comes: only a cancel ends it
        except asyncio.CancelledError:
            cancelled.append(request.url.path)
            raise
        raise AssertionError("unreachable")

    with caplog.at_level(logging.DEBUG, logger="asyncio"), pytest.raises(ManifestError):
        engine.make_plan(_broken(tmp_path), SETTINGS, transport=httpx.MockTransport(hang))
    # whatever the listing had sent by the time the load failed was cancelled, not waited for (a wait
    # would never end) nor left behind
    assert sorted(cancelled) == sorted(sent)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # no task left failing behind


@pytest.mark.parametrize("prune", [False, True])
def test_a_listing_cancelled_before_it_starts_leaves_no_coroutine_unawaited(prune: bool) -> None:
    """The manifests fail just after the listing task took its first step (with --prune it has only
    scheduled its two reads): cancelling it must leave no coroutine that was made and never awaited
    (Python's "coroutine 'fetch_live_state' was never awaited", seen under the CLI fuzz test)."""
    import gc
    import warnings

    async def failing_load() -> manifest.ManifestSet:
        await asyncio.sleep(0)  # the listing task runs up to its first await meanwhile
        raise ManifestError([], "broken")

    async def scenario() -> None:
        async with engine.open_client(SETTINGS, transport=_emulator()) as client:
            with pytest.raises(ManifestError):
                await plan_live(client, failing_load(), run_id="r", prune=prune)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        asyncio.run(scenario())
        gc.collect()
    assert [str(w.message) for w in caught if "never awaited" in str(w.message)] == []
