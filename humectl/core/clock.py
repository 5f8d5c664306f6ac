"""Time and chance as one object a component is given (the account lock, the client's note of when an
answer came), so a test drives them by hand instead of patching module globals or waiting.

A :class:`Clock` reads this machine's monotonic clock (deadlines, how long ago something happened)
and wall clock (only ever a fallback: the lock judges leases in the server's time), sleeps, and draws
the random pauses that keep contenders from retrying in step. :data:`SYSTEM_CLOCK` is the real one;
a seeded :class:`SystemClock` replays the same pauses.
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Protocol


class Clock(Protocol):
    """What a component that waits, times out or draws a random pause needs of time."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (``time.monotonic``): deadlines, elapsed time."""
        ...

    def wall(self) -> float:
        """Seconds since the epoch on this machine's clock (``time.time``); may be skewed."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (``asyncio.sleep``)."""
        ...

    def uniform(self, a: float, b: float) -> float:
        """A random number between ``a`` and ``b`` (a pause's jitter)."""
        ...


class SystemClock:
    """This machine's clocks, ``asyncio.sleep``, and a random stream (seeded: the same draws each run)."""

    def __init__(self, seed: int | None = None) -> None:
        self._random = random.Random(seed)

    def monotonic(self) -> float:
        return time.monotonic()

    def wall(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    def uniform(self, a: float, b: float) -> float:
        return self._random.uniform(a, b)


SYSTEM_CLOCK: Clock = SystemClock()
