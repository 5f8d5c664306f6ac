"""Adaptive rate control: a burst of 429s halves the window once, Retry-After pauses everyone,
successes widen the window back up to ``--parallelism`` and never past it, and being throttled is
not a failed attempt. Behaviour only: how fast apply runs is measured in bench/plan_scale.py."""

from __future__ import annotations

import asyncio
import time

import pytest

from humectl.core.errors import RateLimitedError
from humectl.emulator.app import EmulatorConfig
from humectl.io.client import RetryPolicy
from humectl.io.ratecontrol import AdaptiveLimiter

from .helpers import emulator_account, manifests, prompt


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def test_a_burst_of_429s_from_requests_in_flight_halves_the_window_once() -> None:
    async def scenario() -> AdaptiveLimiter:
        limiter = AdaptiveLimiter(8)
        epochs = [await limiter.acquire() for _ in range(8)]
        for epoch in epochs:
            await limiter.release(throttled_for=0.0, epoch=epoch)
        return limiter

    limiter = run(scenario())
    assert limiter.limit == 4 and limiter.decreases == 1 and limiter.throttled == 8 and limiter.in_flight == 0


def test_a_429_after_the_halving_is_a_new_signal() -> None:
    async def scenario() -> list[int]:
        limiter = AdaptiveLimiter(8)
        limits = []
        for _ in range(4):
            await limiter.release(throttled_for=0.0, epoch=await limiter.acquire())
            limits.append(limiter.limit)
        return limits

    assert run(scenario()) == [4, 2, 1, 1]


def test_without_an_epoch_every_429_halves() -> None:
    async def scenario() -> int:
        limiter = AdaptiveLimiter(8)
        for _ in range(3):
            await limiter.acquire()
        for _ in range(3):
            await limiter.release(throttled_for=0.0)
        return limiter.limit

    assert run(scenario()) == 1


def test_successes_widen_the_window_back_to_the_ceiling_and_no_further() -> None:
    async def scenario() -> list[int]:
        limiter = AdaptiveLimiter(6)
        await limiter.release(throttled_for=0.0, epoch=await limiter.acquire())
        await limiter.release(throttled_for=0.0, epoch=await limiter.acquire())
        limits = [limiter.limit]
        for _ in range(40):
            await limiter.acquire()
            await limiter.release()
            limits.append(limiter.limit)
        return limits

    limits = run(scenario())
    assert limits[0] == 1 and limits[-1] == 6 and max(limits) == 6
    assert limits == sorted(limits)  # additive increase: one step at a time, never down without a 429


def test_retry_after_pauses_every_new_request() -> None:
    async def scenario() -> float:
        limiter = AdaptiveLimiter(4)
        await limiter.release(throttled_for=0.05, epoch=await limiter.acquire())
        start = time.monotonic()
        await asyncio.gather(*(limiter.acquire() for _ in range(2)))
        return time.monotonic() - start

    assert run(scenario()) >= 0.045


def test_parallelism_caps_requests_in_flight() -> None:
    async def scenario() -> int:
        limiter = AdaptiveLimiter(3)
        peak = 0

        async def one() -> None:
            nonlocal peak
            await limiter.acquire()
            peak = max(peak, limiter.in_flight)
            await asyncio.sleep(0.001)
            await limiter.release()

        await asyncio.gather(*(one() for _ in range(30)))
        return peak

    assert run(scenario()) == 3


def test_apply_slows_down_on_429_then_speeds_back_up_when_they_stop() -> None:
    with emulator_account(EmulatorConfig(rate_limit=20)) as account:
        limiter = account.client.limiter
        report = account.apply(account.plan(manifests(*(prompt(f"p{i}", "x") for i in range(40)))))
        assert report.failed == [] and len(report.done) == 40
        assert limiter.throttled > 0 and limiter.decreases > 0
        assert len(account.all_versions("prompt")) == 40  # each created once: no duplicates
        account.raw("PUT", "/_emulator/faults", body={"rate_limit": None})
        for _ in range(12):  # no more 429s: the window grows back, one step per window of successes
            account.live()
        assert limiter.limit == limiter.ceiling == 8


def test_being_throttled_is_not_a_failed_attempt() -> None:
    # One attempt per request, yet 30 creates through a 20 req/s bucket all land.
    with emulator_account(EmulatorConfig(rate_limit=20), retry=RetryPolicy(attempts=1)) as account:
        report = account.apply(account.plan(manifests(*(prompt(f"p{i}", "x") for i in range(30)))))
        assert report.failed == [] and len(report.done) == 30
        assert account.client.limiter.throttled > 0


def test_throttling_beyond_the_budget_surfaces() -> None:
    retry = RetryPolicy(attempts=1, max_throttled=2, max_retry_after=0.001)
    with emulator_account(EmulatorConfig(rate_limit=0.1), retry=retry) as account:
        account.raw("GET", "/v0/evi/prompts")  # the bucket's one token
        with pytest.raises(RateLimitedError):
            account.raw("GET", "/v0/evi/prompts")
        assert account.client.limiter.throttled == 3


def test_the_emulator_says_when_to_come_back_to_the_millisecond() -> None:
    import httpx

    from humectl.emulator.transport import in_process_transport

    async def scenario() -> httpx.Response:
        transport = in_process_transport(EmulatorConfig(rate_limit=50))
        async with httpx.AsyncClient(transport=transport, base_url="http://e", headers={"X-Hume-Api-Key": "k"}) as c:
            for _ in range(60):
                response = await c.get("/v0/evi/prompts")
                if response.status_code == 429:
                    return response
        raise AssertionError("never throttled")

    response = run(scenario())
    assert response.headers["Retry-After"] == "1"  # whole seconds, at least 1 (what every client reads)
    assert 0 < int(response.headers["retry-after-ms"]) <= 20  # the next token of a 50/s bucket


@pytest.mark.parametrize("throttle_every", [0, 7])
def test_hundreds_waiting_for_a_few_slots_wake_about_once_each(throttle_every: int) -> None:
    """A freed slot wakes one waiter, not every waiter (a plan queues every list page at once), and
    the window is still used to the full: all requests done, never more in flight than the limit."""

    async def scenario() -> tuple[int, int, int]:
        limiter = AdaptiveLimiter(8)
        wakeups = done = peak = 0
        real_wait = limiter._cond.wait

        async def counted() -> bool:
            nonlocal wakeups
            result = await real_wait()
            wakeups += 1
            return result

        limiter._cond.wait = counted  # type: ignore[method-assign]

        async def request(i: int) -> None:
            nonlocal peak, done
            epoch = await limiter.acquire()
            peak = max(peak, limiter.in_flight)
            await asyncio.sleep(0.001)
            throttled = 0.002 if throttle_every and i % throttle_every == 0 else None
            await limiter.release(throttled_for=throttled, epoch=epoch)
            done += 1

        await asyncio.gather(*(request(i) for i in range(300)))
        return wakeups, peak, done

    wakeups, peak, done = run(scenario())
    assert done == 300 and (peak == 8 if not throttle_every else peak <= 8)
    assert wakeups < 3 * 300, wakeups  # about 1.8 per request; waking everyone on each release: 8,700-13,900
