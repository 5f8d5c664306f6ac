"""A clock the tests drive by hand (humectl.core.clock.Clock): time passes only when a test says so.

:class:`FakeClock` has two ways of sleeping:

- ``auto=True`` (the default): ``sleep(s)`` moves the fake time ``s`` on at once and yields one turn of
  the event loop, so a loop that waits (the lock's polls, its quick retries) runs without waiting;
- ``auto=False``: ``sleep(s)`` parks until the test moves the time past its end with ``advance``
  (the lock keeper's renewals: one renewal per ``advance`` of a third of the lease, never more).

Random pauses are drawn from ``random.Random(seed)``: the same draws on every run of a seed.
:meth:`FakeClock.next_sleep` and :func:`until` let a test wait for the code under test to reach a
point (a task parked again, a condition true) by turns of the event loop, never by time.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable

START_MONOTONIC = 1000.0
START_WALL = 1_800_000_000.0  # 2027-01-15: any fixed epoch second
MAX_TURNS = 100_000  # event-loop turns :func:`until` allows before it calls the condition never met


class FakeClock:
    """This machine's monotonic and wall clocks, sleep and jitter, all moved by the test."""

    def __init__(
        self, *, seed: int = 0, monotonic: float = START_MONOTONIC, wall: float = START_WALL, auto: bool = True
    ) -> None:
        self.now = monotonic
        self.wall_s = wall
        self.auto = auto
        self.slept: list[float] = []  # every pause asked for, in order
        self._random = random.Random(seed)
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []
        self._watchers: list[asyncio.Future[float]] = []

    def monotonic(self) -> float:
        return self.now

    def wall(self) -> float:
        return self.wall_s

    def uniform(self, a: float, b: float) -> float:
        return self._random.uniform(a, b)

    def advance(self, seconds: float) -> None:
        """Both clocks ``seconds`` on; sleepers whose pause has ended are woken (they run at the next
        ``await`` of the test)."""
        self.now += seconds
        self.wall_s += seconds
        due = [(end, future) for end, future in self._sleepers if end <= self.now]
        self._sleepers = [(end, future) for end, future in self._sleepers if end > self.now]
        for _, future in due:
            if not future.done():
                future.set_result(None)

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        watchers, self._watchers = self._watchers, []
        for watcher in watchers:
            if not watcher.done():
                watcher.set_result(seconds)
        if self.auto:
            self.advance(max(0.0, seconds))
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sleepers.append((self.now + max(0.0, seconds), future))
        try:
            await future
        finally:
            self._sleepers = [(end, f) for end, f in self._sleepers if f is not future]

    async def next_sleep(self) -> float:
        """Wait until some task next calls ``sleep`` (e.g. a renewal done, its loop parked again);
        the pause it asked for."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._watchers.append(future)
        return await future

    @property
    def sleeping(self) -> int:
        """How many tasks are parked in ``sleep`` (``auto=False``)."""
        return len(self._sleepers)


async def until(condition: Callable[[], bool], what: str) -> None:
    """Yield to the event loop until ``condition()`` holds (in-process work: a bounded number of turns)."""
    for _ in range(MAX_TURNS):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError(f"never happened: {what}")
