"""Adaptive concurrency and pacing shared by every request of one client.

A 429 halves the number of requests allowed in flight and pauses *all* new requests until the
server's Retry-After has passed (one throttled request means the others would be throttled too);
each run of successes widens the window again by one, up to ``--parallelism`` (AIMD, as in TCP).

One burst of 429s is one congestion signal: requests that were already in flight when the window
was halved report the same overload, so they extend the pause but do not halve it again (without
this, eight parallel requests meeting an empty bucket would collapse the window from 8 to 1).
"""

from __future__ import annotations

import asyncio
import contextlib
import time


class AdaptiveLimiter:
    """An async semaphore whose size moves between 1 and ``ceiling`` with the server's answers."""

    def __init__(self, ceiling: int) -> None:
        self.ceiling = max(1, ceiling)
        self.limit = self.ceiling
        self.in_flight = 0
        self.waiting = 0  # requests waiting for a slot
        self.throttled = 0  # 429s seen (absorbed or not)
        self.decreases = 0  # times the window was halved (one per burst of 429s)
        self._resume_at = 0.0  # monotonic time before which nothing new starts
        self._successes = 0
        self._cond = asyncio.Condition()

    async def acquire(self) -> int:
        """Wait for a slot; returns the congestion epoch the request starts in (give it to release)."""
        async with self._cond:
            self.waiting += 1
            try:
                while True:
                    wait = self._resume_at - time.monotonic()
                    if wait > 0:
                        with contextlib.suppress(asyncio.TimeoutError):
                            await asyncio.wait_for(self._cond.wait(), timeout=wait)
                        continue
                    if self.in_flight < self.limit:
                        self.in_flight += 1
                        if self.in_flight < self.limit and self.waiting > 1:
                            self._cond.notify(1)  # a slot is still free: the next waiter takes it
                        return self.decreases
                    await self._cond.wait()
            finally:
                self.waiting -= 1

    async def release(self, *, throttled_for: float | None = None, epoch: int | None = None) -> None:
        """Give the slot back; ``throttled_for`` is the Retry-After (seconds) of a 429, if it was one;
        ``epoch`` is what :meth:`acquire` returned (None: treat every 429 as a new signal)."""
        async with self._cond:
            self.in_flight -= 1
            if throttled_for is not None:
                self.throttled += 1
                if epoch is None or epoch == self.decreases:
                    self.limit = max(1, self.limit // 2)
                    self.decreases += 1
                self._successes = 0
                self._resume_at = max(self._resume_at, time.monotonic() + throttled_for)
            else:
                self._successes += 1
                if self.limit < self.ceiling and self._successes >= self.limit:
                    self.limit += 1
                    self._successes = 0
            # One waiter for the freed slot, not all of them: with hundreds of list pages waiting for
            # 8 slots, waking every waiter on every answer cost tens of thousands of wake-ups. A waiter
            # that gets a slot wakes the next while one is still free (the window grew, a pause ended).
            self._cond.notify(1)
