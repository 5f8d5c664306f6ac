"""core/clock.py: the real clock (seeded draws repeat, monotonic never goes back) and the test's fake
(tests/clocks.py) that the lock tests drive by hand."""

from __future__ import annotations

import asyncio

import pytest

from humectl.core.clock import SYSTEM_CLOCK, Clock, SystemClock
from tests.clocks import FakeClock, until


def draws(clock: Clock, n: int = 20) -> list[float]:
    return [clock.uniform(0.01, 0.05) for _ in range(n)]


def test_a_seeded_clock_draws_the_same_pauses_every_time() -> None:
    assert draws(SystemClock(seed=7)) == draws(SystemClock(seed=7))
    assert draws(SystemClock(seed=7)) != draws(SystemClock(seed=8))
    assert all(0.01 <= d <= 0.05 for d in draws(SystemClock(seed=7)))


def test_the_system_clock_is_monotonic_and_sleeps() -> None:
    readings = [SYSTEM_CLOCK.monotonic() for _ in range(1000)]
    assert readings == sorted(readings)

    async def nap() -> tuple[float, float]:
        before = SYSTEM_CLOCK.monotonic()
        await SYSTEM_CLOCK.sleep(0)
        return before, SYSTEM_CLOCK.monotonic()

    before, after = asyncio.run(nap())
    assert after >= before
    assert SYSTEM_CLOCK.wall() > 1_600_000_000  # seconds since the epoch, not a monotonic reading


def test_the_fake_clock_moves_only_when_told_or_when_a_sleep_passes() -> None:
    clock = FakeClock(seed=3)
    start, wall = clock.monotonic(), clock.wall()
    assert clock.monotonic() == start  # reading it moves nothing
    clock.advance(2.5)
    assert (clock.monotonic(), clock.wall()) == (start + 2.5, wall + 2.5)
    asyncio.run(clock.sleep(1.0))  # auto: the pause passes at once, on both clocks
    assert (clock.monotonic(), clock.wall()) == (start + 3.5, wall + 3.5)
    assert clock.slept == [1.0]
    assert draws(clock) == draws(FakeClock(seed=3))  # sleeping draws nothing: the same stream


def test_a_hand_driven_sleep_ends_only_once_the_test_moves_past_it() -> None:
    clock = FakeClock(auto=False)
    woke: list[float] = []

    async def sleeper() -> None:
        await clock.sleep(1.0)
        woke.append(clock.monotonic())

    async def scenario() -> None:
        task = asyncio.ensure_future(sleeper())
        await until(lambda: clock.sleeping == 1, "the sleeper to park")
        clock.advance(0.5)
        for _ in range(10):
            await asyncio.sleep(0)
        assert woke == [] and clock.sleeping == 1
        clock.advance(0.5)
        await task
        assert woke == [clock.monotonic()] and clock.sleeping == 0

    asyncio.run(scenario())


def test_next_sleep_waits_for_the_next_pause_and_until_gives_up_loudly() -> None:
    clock = FakeClock()

    async def scenario() -> float:
        watching = asyncio.ensure_future(clock.next_sleep())
        await asyncio.sleep(0)
        await clock.sleep(0.25)
        return await watching

    assert asyncio.run(scenario()) == 0.25
    with pytest.raises(AssertionError, match="never happened: pigs fly"):
        asyncio.run(until(lambda: False, "pigs fly"))
