"""Locks cover what can collide (issue 23 item 5), in process.

Two writes that can touch one resource exclude each other: a scope's writes touch only names starting
with its prefix, so the account scope (an apply without a prefix, a rollback of any address) excludes
every scope, ``dev-`` excludes ``dev-`` and ``dev-eu-``, and ``dev-`` never waits for ``staging-``.
And a dead lock is broken within the documented bound, lease + 1 s, whatever second the server's
``Date`` header rounds to (the clock is injected: no test waits for it).
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import json
import random
from typing import Any

import httpx
import pytest

from humectl.core.errors import LockHeldError
from humectl.core.settings import Settings
from humectl.emulator.app import EmulatorConfig, create_app
from humectl.io import lock
from humectl.io.client import EviClient, RetryPolicy
from humectl.io.lock import AccountLock
from humectl.model import lock as model_lock
from humectl.model.lock import conflicts
from tests.clocks import FakeClock
from tests.engine.test_io_lock import client_for, lease, lock_rows

FAST = RetryPolicy(attempts=3, base_delay=0.001, max_delay=0.002)


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lock, "POLL_S", (0.01, 0.05))
    monkeypatch.setattr(lock, "QUICK_RETRIES", 3)


@pytest.mark.parametrize(
    ("held", "wanted", "excluded"),
    [
        ("dev-", "", True),  # an account-scope rollback (or apply) while an environment applies
        ("", "dev-", True),  # an environment apply while an account-scope write runs
        ("dev-", "dev-eu-", True),  # overlapping prefixes (validate refuses them in one humectl.yaml)
        ("dev-eu-", "dev-", True),
        ("dev-", "dev-", True),
        ("dev-", "staging-", False),  # environments sharing an account never wait for each other
    ],
)
def test_a_write_waits_for_every_write_that_can_touch_its_resources(held: str, wanted: str, excluded: bool) -> None:
    app = create_app(EmulatorConfig())

    async def scenario() -> Any:
        async with client_for(app) as one, client_for(app) as two:
            holder = await AccountLock(one, lease(1, scope=held), timeout_s=0).acquire()
            try:
                return await AccountLock(two, lease(2, scope=wanted), timeout_s=0).acquire()
            except LockHeldError as exc:
                assert exc.record is not None and exc.record.id == holder.id
                where = "the account" if not held else f"name prefix '{held}'"
                assert exc.message.startswith(f"the lock of {where} is held by run run1 since ")
                return exc

    outcome = asyncio.run(scenario())
    assert isinstance(outcome, LockHeldError) == excluded


SCOPES = ["", "dev-", "dev-", "staging-", "", "dev-eu-", "staging-"]


@pytest.mark.parametrize("duplicates", [False, True], ids=["unique-names", "duplicate-names"])
@pytest.mark.parametrize("seed", range(4))
def test_racing_writes_of_mixed_scopes_never_overlap_where_they_collide(duplicates: bool, seed: int) -> None:
    """An environment apply, an account-scope rollback and others race, request timing shuffled: no two
    conflicting holders at any moment; every one gets the lock in the end; no lock prompt is left."""
    app = create_app(EmulatorConfig(allow_duplicate_names=duplicates))
    rng = random.Random(seed)
    holding: list[tuple[int, str]] = []
    clashes: list[list[tuple[int, str]]] = []
    finished: list[int] = []

    async def contender(i: int, scope: str) -> None:
        await asyncio.sleep(rng.uniform(0, 0.005))
        async with client_for(app, rng) as client:
            mine = AccountLock(client, lease(i, scope=scope), timeout_s=60)
            await mine.acquire()
            if any(conflicts(scope, other) for _, other in holding):
                clashes.append([*holding, (i, scope)])
            holding.append((i, scope))
            await asyncio.sleep(rng.uniform(0, 0.01))  # the write
            holding.remove((i, scope))
            await mine.release()
            finished.append(i)

    async def race() -> None:
        await asyncio.gather(*(contender(i, scope) for i, scope in enumerate(SCOPES)))

    asyncio.run(race())
    assert clashes == []
    assert sorted(finished) == list(range(len(SCOPES)))
    assert lock_rows(app) == []


# -- a dead lock's bound, with an injected clock --------------------------------------------------------


class Clock(FakeClock):
    """The test's time: this machine's clocks (the client's) and the server's, moved together by hand."""

    def __init__(self, server_ms: int) -> None:
        super().__init__()
        self.server_ms = server_ms

    def advance(self, seconds: float) -> None:
        super().advance(seconds)
        self.server_ms += round(seconds * 1000)


class UniqueNamesServer:
    """A server that refuses a second prompt of one name (so a contender judges the holder's lease from
    the ``Date`` header alone: it has no write of its own to read the server's time from) and stamps
    every answer with ``Date``, rounded down to the second as HTTP says."""

    def __init__(self, clock: Clock, dead: dict[str, Any]) -> None:
        self.clock = clock
        self.prompts = [dead]
        self.deleted: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        date = email.utils.formatdate(self.clock.server_ms // 1000, usegmt=True)
        headers = {"date": date}
        if request.method == "POST":
            body = json.loads(request.content)
            if any(p["name"] == body["name"] for p in self.prompts):
                return httpx.Response(400, json={"message": "name taken"}, headers=headers)
            made = {**body, "id": f"new{len(self.prompts)}", "version": 0}
            made |= {"created_on": self.clock.server_ms, "modified_on": self.clock.server_ms}
            self.prompts.append(made)
            return httpx.Response(201, json=made, headers=headers)
        if request.method == "DELETE":
            gone = request.url.path.rsplit("/", 1)[-1]
            self.deleted.append(gone)
            self.prompts = [p for p in self.prompts if p["id"] != gone]
            return httpx.Response(200, headers=headers)
        page = {"page_number": 0, "page_size": 100, "total_pages": 1, "prompts_page": self.prompts}
        return httpx.Response(200, json=page, headers=headers)


LEASE_S = 10


def broken(clock: Clock, ends_ms: int) -> bool:
    """Whether a contender breaks the dead lock whose lease ended at ``ends_ms`` (server time), now."""
    dead_lease = lock.new_lease(run_id="dead", scope="", command="humectl apply", commit=None, lease_seconds=LEASE_S)
    start = ends_ms - LEASE_S * 1000
    dead = {"id": "dead", "name": model_lock.LOCK_NAME, "version": 0, "text": dead_lease.text()}
    dead |= {"created_on": start, "modified_on": start, "version_description": "humectl lock [humectl x]"}
    server = UniqueNamesServer(clock, dead)

    async def attempt() -> None:
        settings = Settings(base_url="http://127.0.0.1", api_key="k")
        async with EviClient(settings, transport=httpx.MockTransport(server), retry=FAST, clock=clock) as client:
            with contextlib.suppress(LockHeldError):
                await AccountLock(client, lease(1), timeout_s=0).acquire()

    asyncio.run(attempt())
    return "dead" in server.deleted


@pytest.mark.parametrize("phase_ms", [0, 1, 250, 500, 999])
def test_a_dead_lock_never_outlives_its_lease_by_more_than_a_second(phase_ms: int) -> None:
    """The lease ended at ``ends`` (any millisecond of a second): one second later a contender breaks
    it, whichever second the server's Date header rounds to. Before, the rounding (down to the second)
    came on top of the second of grace: up to 2 s."""
    ends = 1_800_000_000_000 + phase_ms
    assert broken(Clock(server_ms=ends + model_lock.GRACE_MS), ends)


@pytest.mark.parametrize("phase_ms", [0, 1, 250, 500, 999])
@pytest.mark.parametrize("early_ms", [1, 400, 1000])
def test_a_live_lock_is_never_broken_before_its_lease_ends(phase_ms: int, early_ms: int) -> None:
    ends = 1_800_000_000_000 + phase_ms
    assert not broken(Clock(server_ms=ends - early_ms), ends)
