"""The account lock (humectl/lock.py) in process: many contenders on one emulator, with and without
unique names, request timing shuffled; ties, dead holders, skewed clocks, renewal and loss.

The property that matters: at most one contender holds a scope's lock at any moment, and every
contender gets it in the end. Subprocess races over a socket are in tests/integration/test_lock_races.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from humectl.core.clock import Clock, SystemClock
from humectl.core.errors import LockHeldError, UsageError
from humectl.core.settings import Settings
from humectl.emulator import store as store_module
from humectl.emulator.app import EmulatorConfig, create_app
from humectl.io import lock
from humectl.io.client import EviClient, RetryPolicy
from humectl.io.lock import AccountLock, Lease, LockKeeper, lock_name, parse_duration
from humectl.model import lock as model_lock
from humectl.model.plan import CREATE, Change, Plan
from humectl.ops.apply import apply_plan
from tests.clocks import FakeClock, until

FAST = RetryPolicy(attempts=4, base_delay=0.001, max_delay=0.005)


class Jitter(httpx.AsyncBaseTransport):
    """The emulator in process, each request delayed a random few ms on the way in and out, so that
    contenders interleave differently on every run of a seed."""

    def __init__(self, app: Any, rng: random.Random, most: float = 0.004) -> None:
        self.inner = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        self.rng = rng
        self.most = most

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(self.rng.uniform(0, self.most))
        response = await self.inner.handle_async_request(request)
        await asyncio.sleep(self.rng.uniform(0, self.most))
        return response


def client_for(app: Any, rng: random.Random | None = None, clock: Clock | None = None) -> EviClient:
    """A client of ``app``; with ``rng``, requests jittered and the lock's own pauses drawn from it too."""
    transport = Jitter(app, rng) if rng is not None else httpx.ASGITransport(app=app, raise_app_exceptions=False)
    if clock is None:
        clock = SystemClock(seed=rng.randrange(2**32) if rng is not None else 0)
    settings = Settings(base_url="http://127.0.0.1", api_key="k")
    return EviClient(settings, transport=transport, retry=FAST, clock=clock)


def lease(i: int = 0, *, scope: str = "", seconds: float = 30.0) -> Lease:
    return lock.new_lease(run_id=f"run{i}", scope=scope, command="humectl apply", commit=None, lease_seconds=seconds)


def lock_rows(app: Any) -> list[Any]:
    rows, _ = app.state.store.list_versions("prompt", most_recent=True, limit=1000)
    return [r for r in rows if r.name.startswith(model_lock.LOCK_NAME)]


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lock, "POLL_S", (0.01, 0.05))
    monkeypatch.setattr(lock, "QUICK_RETRIES", 3)


def server_follows(monkeypatch: pytest.MonkeyPatch, clock: FakeClock) -> None:
    """The emulator's clock is ``clock``'s wall clock: the server's time passes when the test's does."""
    monkeypatch.setattr(store_module, "now_ms", lambda: int(clock.wall() * 1000))


@contextlib.contextmanager
def server_time(monkeypatch: pytest.MonkeyPatch, ms: int) -> Iterator[None]:
    """Every timestamp the emulator writes meanwhile is ``ms`` (its clock stands still there)."""
    monkeypatch.setattr(store_module, "now_ms", lambda: ms)
    try:
        yield
    finally:
        monkeypatch.undo()


# -- mutual exclusion ------------------------------------------------------------------------------


@pytest.mark.parametrize("duplicates", [False, True], ids=["unique-names", "duplicate-names"])
@pytest.mark.parametrize("seed", range(4))
def test_at_most_one_contender_holds_and_every_one_gets_it(duplicates: bool, seed: int) -> None:
    app = create_app(EmulatorConfig(allow_duplicate_names=duplicates))
    rng = random.Random(seed)
    holding: list[int] = []
    overlaps: list[list[int]] = []
    finished: list[int] = []

    async def contender(i: int) -> None:
        await asyncio.sleep(rng.uniform(0, 0.005))
        async with client_for(app, rng) as client:
            mine = AccountLock(client, lease(i), timeout_s=30)
            await mine.acquire()
            holding.append(i)
            if len(holding) > 1:
                overlaps.append(list(holding))
            await asyncio.sleep(rng.uniform(0, 0.01))  # the "apply"
            holding.remove(i)
            await mine.release()
            finished.append(i)

    async def race() -> None:
        await asyncio.gather(*(contender(i) for i in range(6)))

    asyncio.run(race())
    assert overlaps == []
    assert sorted(finished) == list(range(6))
    assert lock_rows(app) == []  # every candidate and every lock was deleted


def test_scopes_that_cannot_collide_do_not_wait_for_each_other() -> None:
    """Environments sharing an account (the account scope excludes them all: test_io_lock_scopes.py)."""
    app = create_app(EmulatorConfig())

    async def both() -> list[str]:
        async with client_for(app) as one, client_for(app) as two:
            dev = await AccountLock(one, lease(1, scope="dev-"), timeout_s=0).acquire()
            staging = await AccountLock(two, lease(2, scope="staging-"), timeout_s=0).acquire()
            return [dev.name, staging.name]

    assert asyncio.run(both()) == ["humectl-lock:dev-", "humectl-lock:staging-"]


# -- the refusal names the holder -------------------------------------------------------------------


def test_a_refused_contender_names_the_holder_and_the_lock_id() -> None:
    app = create_app(EmulatorConfig())

    async def refused() -> tuple[Any, LockHeldError]:
        async with client_for(app) as first, client_for(app) as second:
            held = await AccountLock(first, lease(1), timeout_s=0).acquire()
            with pytest.raises(LockHeldError) as err:
                await AccountLock(second, lease(2), timeout_s=0).acquire()
            return held, err.value

    held, error = asyncio.run(refused())
    assert "the lock of the account is held by run run1 since " in error.message
    assert "`humectl apply`" in error.message and f"(lock ID {held.id})" in error.message
    assert error.hint is not None and "--lock-timeout" in error.hint and f"force-unlock {held.id}" in error.hint
    assert error.record.id == held.id


# -- ties, dead holders, skewed clocks -----------------------------------------------------------


def test_equal_created_on_is_nobodys_win(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two candidates created in the same server millisecond: the one that sees the other steps back,
    even when its id sorts first (an id tie-break would let both hold when the other listed first)."""
    app = create_app(EmulatorConfig(allow_duplicate_names=True))
    moment = store_module.now_ms()
    with server_time(monkeypatch, moment):
        rival = app.state.store.create_resource(
            "prompt", model_lock.LOCK_NAME, {"text": lease(9).text()}, "humectl lock [humectl rival]"
        )

        async def second() -> None:
            async with client_for(app) as client:
                await AccountLock(client, lease(1), timeout_s=0).acquire()

        with pytest.raises(LockHeldError) as err:
            asyncio.run(second())
    assert err.value.record.id == rival.id
    assert [r.id for r in lock_rows(app)] == [rival.id]  # its own candidate is gone


@pytest.mark.parametrize("duplicates", [False, True], ids=["unique-names", "duplicate-names"])
def test_a_dead_holders_lock_is_broken_by_exactly_one_of_two_contenders(
    monkeypatch: pytest.MonkeyPatch, duplicates: bool
) -> None:
    app = create_app(EmulatorConfig(allow_duplicate_names=duplicates))
    with server_time(monkeypatch, store_module.now_ms() - 120_000):  # made two minutes ago, 30 s lease
        dead = app.state.store.create_resource(
            "prompt", model_lock.LOCK_NAME, {"text": lease(9).text()}, "humectl lock [humectl dead]"
        )
    outcomes: dict[int, Any] = {}

    async def contender(i: int) -> None:
        async with client_for(app, random.Random(i)) as client:
            mine = AccountLock(client, lease(i), timeout_s=0)
            try:
                outcomes[i] = await mine.acquire()
            except LockHeldError as exc:
                outcomes[i] = exc

    async def race() -> None:
        await asyncio.gather(contender(1), contender(2))

    asyncio.run(race())
    held = [o for o in outcomes.values() if not isinstance(o, LockHeldError)]
    refused = [o for o in outcomes.values() if isinstance(o, LockHeldError)]
    assert len(held) == 1 and len(refused) == 1
    assert refused[0].record.id == held[0].id  # the loser was refused by the new holder, not the dead one
    assert [r.id for r in lock_rows(app)] == [held[0].id]  # the dead lock is gone, the new one kept
    assert dead.id != held[0].id


def test_a_client_clock_an_hour_fast_does_not_break_a_live_lock() -> None:
    """Expiry is judged in server time (from our own write's created_on), not this machine's clock."""
    app = create_app(EmulatorConfig(allow_duplicate_names=True))
    fast = FakeClock(wall=time.time() + 3600)  # (started from the machine's time: the emulator keeps it)

    async def scenario() -> None:
        async with client_for(app) as first, client_for(app, clock=fast) as second:
            held = await AccountLock(first, lease(1, seconds=5), timeout_s=0).acquire()
            with pytest.raises(LockHeldError) as err:
                await AccountLock(second, lease(2), timeout_s=0).acquire()
            assert err.value.record.id == held.id

    asyncio.run(scenario())


def test_a_prompt_of_the_reserved_name_humectl_did_not_write_holds_until_removed() -> None:
    app = create_app(EmulatorConfig())
    foreign = app.state.store.create_resource("prompt", model_lock.LOCK_NAME, {"text": "hello"}, None)

    async def refused() -> LockHeldError:
        async with client_for(app) as client:
            with pytest.raises(LockHeldError) as err:
                await AccountLock(client, lease(1), timeout_s=0).acquire()
            return err.value

    error = asyncio.run(refused())
    assert f"a prompt 'humectl-lock' that humectl did not write (id {foreign.id})" in error.message


def test_waiting_for_the_lock_takes_it_when_the_holder_releases(monkeypatch: pytest.MonkeyPatch) -> None:
    """The waiter polls (on a clock of the test's: its pauses take no time) until the holder releases."""
    app = create_app(EmulatorConfig())
    clock = FakeClock()
    server_follows(monkeypatch, clock)
    events: list[str] = []

    async def scenario() -> None:
        told = asyncio.Event()

        def on_wait(record: model_lock.LockRecord, left: float, now: float) -> None:
            assert record.lease is not None
            events.append(record.lease.run_id)
            told.set()

        async with client_for(app, clock=clock) as first, client_for(app, clock=clock) as second:
            holder = AccountLock(first, lease(1), timeout_s=0)
            await holder.acquire()
            waiter = AccountLock(second, lease(2), timeout_s=10, on_wait=on_wait)
            waiting = asyncio.ensure_future(waiter.acquire())
            await told.wait()
            polls = len(clock.slept)
            await until(lambda: len(clock.slept) >= polls + 3, "the waiter to poll three more times")
            assert not waiting.done()  # still waiting: the lock is held
            await holder.release()
            record = await waiting
            assert record.lease is not None and record.lease.run_id == "run2"

    asyncio.run(scenario())
    assert events == ["run1"]  # told once whom it waits for


# -- the keeper thread: renewal, loss, release -------------------------------------------------


def file_account(tmp_path: Path) -> tuple[Settings, Any]:
    """Settings for an in-process emulator over a file, and an app of our own over the same file."""
    db = str(tmp_path / "account.sqlite3")
    return Settings(emulator_db=db, api_key="k"), create_app(EmulatorConfig(db=db))


def test_the_keeper_renews_a_short_lease_and_releases_on_exit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The keeper renews from a task beside the command's work, on the command's own client: once per
    third of the lease (the test moves the time, the server's with it, a third at a time)."""
    app = create_app(EmulatorConfig())
    clock = FakeClock(auto=False)
    server_follows(monkeypatch, clock)

    async def run() -> tuple[Any, int]:
        async with client_for(app, clock=clock) as client, client_for(app, clock=clock) as rival:
            keeper = LockKeeper(client, lease(1, seconds=1.5))
            async with keeper as held:
                await until(lambda: clock.sleeping == 1, "the keeper to wait for its first renewal")
                for _ in range(9):  # three leases: without renewal the lock would have expired
                    clock.advance(0.5)
                    assert await clock.next_sleep() == 0.5  # renewed, and waiting for the next one
                clock.auto = True  # a rival that wrongly waits (a broken lock) fails at once, never hangs
                with pytest.raises(LockHeldError):
                    await AccountLock(rival, lease(2), timeout_s=0).acquire()
                assert keeper.lost() is None
                versions = app.state.store.latest_version("prompt", held.id)
                assert versions is not None and versions.version == 9  # each renewal is a version
            assert lock_rows(app) == []
            taken = await AccountLock(rival, lease(2), timeout_s=0).acquire()
            return taken, client.requests_sent

    taken, requests = asyncio.run(run())
    assert requests >= 5  # create + list + renewals + delete
    assert taken.lease.run_id == "run2"


def test_the_keeper_says_the_lock_is_lost_when_it_is_deleted() -> None:
    app = create_app(EmulatorConfig())
    clock = FakeClock(auto=False)

    async def run() -> str | None:
        async with client_for(app, clock=clock) as client:
            keeper = LockKeeper(client, lease(1, seconds=1.5))
            async with keeper as held:
                app.state.store.delete_resource("prompt", held.id)  # force-unlock by someone else
                await until(lambda: clock.sleeping == 1, "the keeper to wait for its first renewal")
                assert keeper.lost() is None  # not known before the next renewal
                clock.advance(0.5)  # the next renewal (every lease/3) finds it gone
                await until(lambda: keeper.lost() is not None, "the keeper to notice")
                return keeper.lost()

    assert asyncio.run(run()) == "the account lock was deleted while this run held it (force-unlock?)"


class DownAfter(httpx.AsyncBaseTransport):
    """The emulator in process until ``answers`` requests were answered, then only 503s."""

    def __init__(self, app: Any, answers: int) -> None:
        self.inner = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        self.left = answers

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.left -= 1
        if self.left < 0:
            return httpx.Response(503, json={"message": "down"})
        return await self.inner.handle_async_request(request)


def test_the_keeper_says_the_lock_is_lost_when_renewals_fail_past_the_lease() -> None:
    app = create_app(EmulatorConfig())
    settings = Settings(base_url="http://127.0.0.1", api_key="k")

    clock = FakeClock(auto=False)

    async def run() -> list[str | None]:
        transport = DownAfter(app, answers=2)
        async with EviClient(settings, transport=transport, retry=FAST, clock=clock) as client:
            keeper = LockKeeper(client, lease(1, seconds=1.5))
            async with keeper:
                said = [keeper.lost()]  # create + list answered: held
                await until(lambda: clock.sleeping == 1, "the keeper to wait for its first renewal")
                for _ in range(3):  # a third of the lease each: the third failed renewal ends it
                    clock.advance(0.5)
                    await clock.next_sleep()  # that renewal failed (every retry); waiting for the next
                    said.append(keeper.lost())
                return said

    lost = "the account lock could not be renewed before its lease ended"
    assert asyncio.run(run()) == [None, None, None, lost]


def test_apply_starts_nothing_more_once_the_lock_is_lost() -> None:
    app = create_app(EmulatorConfig())
    changes = [
        Change(
            address=f"prompt/p{i}",
            kind="prompt",
            name=f"p{i}",
            operations=(CREATE,),
            content={"text": "t"},
            version_description="d [humectl run1]",
        )
        for i in range(4)
    ]
    calls = iter([None, "the account lock was deleted while this run held it (force-unlock?)"])

    async def run() -> Any:
        async with client_for(app) as client:
            return await apply_plan(
                Plan(changes=tuple(changes)), client, parallelism=1, halt=lambda: next(calls, "lost")
            )

    report, _ = asyncio.run(run())
    assert report.done == ["prompt/p0"] and report.not_started == ["prompt/p1", "prompt/p2", "prompt/p3"]
    assert report.stopped_by == "lock-lost" and report.failed == []
    assert report.reason is not None and "deleted" in report.reason


# -- durations and names -----------------------------------------------------------------------------


def test_durations_and_lock_names() -> None:
    assert [parse_duration(t) for t in ("0", "45", "30s", "2m", "1m30s", "500ms", "1h", " 2M ")] == [
        0,
        45,
        30,
        120,
        90,
        0.5,
        3600,
        120,
    ]
    for bad in ("", "soon", "5x", "-1s", "1s5"):
        with pytest.raises(ValueError):
            parse_duration(bad)
    assert lock_name("") == "humectl-lock" and lock_name("dev-") == "humectl-lock:dev-"
    assert lock.lease_from_env({}) == lock.DEFAULT_LEASE_S
    assert lock.lease_from_env({"HUMECTL_LOCK_LEASE": "3s"}) == 3
    with pytest.raises(UsageError):
        lock.lease_from_env({"HUMECTL_LOCK_LEASE": "0.1s"})


def test_a_lock_without_server_timestamps_never_looks_expired() -> None:
    record = model_lock.LockRecord.from_head({"id": "x", "name": "humectl-lock", "version": 0, "text": lease(1).text()})
    assert record.created_on == 0 and record.expires_ms is None
    assert not record.expired(time.time() * 1000)


# -- slow processes: the interleavings a loaded machine makes, made to happen every time ------------


LOCK_POST = ("POST", "/v0/evi/prompts")


def is_lock_create(request: httpx.Request) -> bool:
    return (request.method, request.url.path) == LOCK_POST and b'"humectl-lock' in request.content


class Interleave(httpx.AsyncBaseTransport):
    """The emulator in process, with ``before``/``after`` hooks run around every lock create: what
    other runs (or a stalled CPU) did between this process's requests."""

    def __init__(self, app: Any, before: Any = None, after: Any = None) -> None:
        self.inner = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        self.before, self.after = before, after

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if is_lock_create(request) and self.before is not None:
            await self.before(request)
        response = await self.inner.handle_async_request(request)
        if is_lock_create(request) and self.after is not None:
            await response.aread()
            await self.after(request, response)
        return response


def interleaved(app: Any, clock: Clock | None = None, **hooks: Any) -> EviClient:
    settings = Settings(base_url="http://127.0.0.1", api_key="k")
    return EviClient(settings, transport=Interleave(app, **hooks), retry=FAST, clock=clock or SystemClock(seed=0))


def test_a_holder_releasing_between_a_waiters_refused_create_and_its_read_never_fails_the_waiter() -> None:
    """Six times in a row another run holds the lock when the waiter's create arrives and releases it
    before the waiter reads who holds it. Each refusal is explained by a release, so the waiter keeps
    waiting (it was given the time) and takes the lock: it must not give up with the server's raw
    "already exists" refusal, nor "other runs are taking it" while its --lock-timeout lasts."""
    app = create_app(EmulatorConfig())
    store = app.state.store
    rounds = {"left": 6}
    holders: list[str] = []

    async def someone_holds(request: httpx.Request) -> None:
        if rounds["left"] > 0:
            holders.append(store.create_resource("prompt", model_lock.LOCK_NAME, {"text": lease(9).text()}, None).id)

    async def and_releases(request: httpx.Request, response: httpx.Response) -> None:
        if holders:
            rounds["left"] -= 1
            store.delete_resource("prompt", holders.pop())

    async def waiter() -> Any:
        async with interleaved(app, before=someone_holds, after=and_releases) as client:
            return await AccountLock(client, lease(1), timeout_s=30).acquire()

    held = asyncio.run(waiter())
    assert held.lease is not None and held.lease.run_id == "run1"
    assert rounds["left"] == 0 and [r.id for r in lock_rows(app)] == [held.id]


def test_a_lock_create_refused_for_another_reason_is_reported_as_the_servers_refusal() -> None:
    """A server that refuses the lock prompt itself (not because one exists): after the quick retries,
    its own message, not a made-up lock holder."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(400, json={"message": "text is too long"})
        return httpx.Response(200, json={"page_number": 0, "page_size": 100, "total_pages": 0, "prompts_page": []})

    async def attempt() -> None:
        settings = Settings(base_url="http://127.0.0.1", api_key="k")
        async with EviClient(settings, transport=httpx.MockTransport(handler), retry=FAST) as client:
            await AccountLock(client, lease(1), timeout_s=0).acquire()

    with pytest.raises(lock.ApiError) as err:
        asyncio.run(attempt())
    assert err.value.status == 400 and "text is too long" in str(err.value)
    assert not isinstance(err.value, LockHeldError)


@pytest.mark.parametrize("duplicates", [False, True], ids=["unique-names", "duplicate-names"])
def test_a_create_whose_answer_was_lost_never_blocks_its_own_run(duplicates: bool) -> None:
    """The first lock create times out before the server saw it; the client's settling read finds
    nothing and sends it again; only then does the first one land (a slow network). The run meets its
    own earlier candidate: it must remove it and hold, not report itself as the holder (or leave it to
    block everyone until its lease ends)."""
    app = create_app(EmulatorConfig(allow_duplicate_names=duplicates))
    late: list[httpx.Request] = []

    class LateFirstCreate(httpx.AsyncBaseTransport):
        inner = httpx.ASGITransport(app=app, raise_app_exceptions=False)

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if is_lock_create(request):
                if not late:
                    late.append(request)
                    raise httpx.ReadTimeout("no answer", request=request)
                if late[0] is not None:
                    first, late[0] = late[0], None  # type: ignore[call-overload]
                    await self.inner.handle_async_request(first)  # lands now, its answer long given up
            return await self.inner.handle_async_request(request)

    async def run() -> Any:
        settings = Settings(base_url="http://127.0.0.1", api_key="k")
        async with EviClient(settings, transport=LateFirstCreate(), retry=FAST) as client:
            return await AccountLock(client, lease(1), timeout_s=0).acquire()

    held = asyncio.run(run())
    assert held.lease is not None and held.lease.run_id == "run1"
    assert [r.id for r in lock_rows(app)] == [held.id]


def test_a_contender_stalled_before_its_create_never_breaks_a_live_lock() -> None:
    """The contender's process stalls 80 s (a starved CPU) after it noted the time and before its
    create leaves. The holder's lease (30 s) is fresh. An estimate of server time from the midpoint of
    send and answer runs 40 s ahead and would judge the lease over: two holders. Server time is only
    ever estimated from below, so the contender is refused."""
    app = create_app(EmulatorConfig(allow_duplicate_names=True))
    stalled = FakeClock()  # the contender's clocks: 80 s pass for it between its noting the time and the send

    async def stall(request: httpx.Request) -> None:
        stalled.advance(80)

    async def scenario() -> tuple[Any, LockHeldError]:
        async with client_for(app) as first, interleaved(app, stalled, before=stall) as second:
            held = await AccountLock(first, lease(1, seconds=30), timeout_s=0).acquire()
            with pytest.raises(LockHeldError) as err:
                await AccountLock(second, lease(2), timeout_s=0).acquire()
            return held, err.value

    held, error = asyncio.run(scenario())
    assert error.record.id == held.id
    assert [r.id for r in lock_rows(app)] == [held.id]  # the live lock was not broken


def test_a_create_cut_off_before_its_answer_leaves_no_lock_behind() -> None:
    """Ctrl-C (or an error) while the lock create is on the wire: the server made the prompt, the
    answer never came. Releasing finds that prompt by its token and deletes it, so it does not block
    every other run for a whole lease."""
    app = create_app(EmulatorConfig())
    landed = asyncio.Event()

    async def never_answer(request: httpx.Request, response: httpx.Response) -> None:
        landed.set()
        await asyncio.Event().wait()

    async def scenario() -> None:
        async with interleaved(app, after=never_answer) as client:
            mine = AccountLock(client, lease(1), timeout_s=0)
            taking = asyncio.ensure_future(mine.acquire())
            await landed.wait()
            assert len(lock_rows(app)) == 1
            taking.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await taking
            await mine.release()

    asyncio.run(scenario())
    assert lock_rows(app) == []


def test_a_keeper_that_waited_longer_than_its_lease_holds_for_a_whole_lease(monkeypatch: pytest.MonkeyPatch) -> None:
    """A run waits 2 minutes (--lock-timeout 10m) for a lock, with a 60 s lease of its own. Its lease
    starts when its winning create is sent, not when it began to wait: it must not count the lock lost
    the moment it gets it (and apply nothing), yet must count it lost once a lease passes unrenewed."""
    app = create_app(EmulatorConfig())
    clock = FakeClock(auto=False)
    server_follows(monkeypatch, clock)
    other = app.state.store.create_resource(
        "prompt", model_lock.LOCK_NAME, {"text": lease(9, seconds=600).text()}, None
    )

    async def run() -> None:
        waiting = asyncio.Event()
        async with client_for(app, clock=clock) as client:
            keeper = LockKeeper(client, lease(1, seconds=60), timeout_s=600, on_wait=lambda *_: waiting.set())

            async def the_other_run_finishes_two_minutes_later() -> None:
                await waiting.wait()
                await until(lambda: clock.sleeping == 1, "the waiter to pause between tries")
                app.state.store.delete_resource("prompt", other.id)
                clock.advance(120)  # (wakes the waiter: its next try takes the lock)

            releaser = asyncio.ensure_future(the_other_run_finishes_two_minutes_later())
            async with keeper as held:
                await releaser
                assert held.lease is not None and held.lease.run_id == "run1"
                assert keeper.lost() is None  # held for a lease from now on
                # The process stalls (nothing awaits, so the renewal due at 20 s never runs):
                clock.advance(59)
                assert keeper.lost() is None
                clock.advance(2)
                assert keeper.lost() == "the account lock could not be renewed before its lease ended"
        assert lock_rows(app) == []

    asyncio.run(run())
