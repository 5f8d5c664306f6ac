"""Fault and latency injection: what the emulator does to requests so tests and benchmarks can see
how clients behave when the service is slow, throttled, failing, or loses a write's answer.

* ``latency_ms``: every API request waits this long (``asyncio.sleep``: other requests keep flowing).
* ``rate_limit``: a token bucket of ``rate_limit`` requests/s (burst = one second's worth, at least 1);
  an empty bucket answers 429 with ``Retry-After`` = whole seconds until the next token frees (≥ 1),
  and ``retry-after-ms`` = the same wait in milliseconds (≥ 1).
* ``fault_rate``: that fraction of requests fail with 503 before doing anything.
* ``ambiguous_write_rate``: that fraction of creates / new versions are committed, but the client gets a
  502 as if the connection dropped on the way back.

Random draws come from one ``random.Random(seed)``, so a given seed and request sequence always fail
the same requests.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from humectl.emulator.validation import bad_request


@dataclass
class FaultSettings:
    latency_ms: float = 0.0
    rate_limit: float | None = None
    fault_rate: float = 0.0
    ambiguous_write_rate: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def validated(self) -> FaultSettings:
        """Raise a 400 naming the first bad setting (shared by the admin endpoint and ``serve``)."""
        if self.latency_ms < 0:
            raise bad_request("latency_ms must be 0 or greater", "invalid_fault_setting")
        if self.rate_limit is not None and self.rate_limit <= 0:
            raise bad_request("rate_limit must be greater than 0 (or null for no limit)", "invalid_fault_setting")
        for name in ("fault_rate", "ambiguous_write_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise bad_request(f"{name} must be between 0 and 1", "invalid_fault_setting")
        return self


class TokenBucket:
    """``rate`` tokens per second, holding at most ``max(1, rate)``; thread-safe."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self._clock = clock
        self._tokens = self.capacity
        self._stamp = clock()
        self._lock = threading.Lock()

    def take(self) -> float:
        """Take a token: 0.0 if granted, else the seconds until one frees up."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return 0.0
            return (1.0 - self._tokens) / self.rate


def retry_after_header(wait_s: float) -> str:
    """Whole seconds, rounded up so a client that honours it never comes back too early; at least 1."""
    return str(max(1, math.ceil(wait_s)))


class FaultInjector:
    """The current settings plus the state they need (bucket, random stream); settable at runtime."""

    def __init__(self, settings: FaultSettings, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self.seed = seed
        self._random = random.Random(seed)
        self.settings = settings.validated()
        self._bucket = TokenBucket(settings.rate_limit) if settings.rate_limit else None

    def update(self, changes: dict[str, Any]) -> FaultSettings:
        """Apply some of the settings (admin ``PUT /_emulator/faults``); ``seed`` restarts the random stream."""
        with self._lock:
            merged = FaultSettings(**{**self.settings.to_dict(), **{k: v for k, v in changes.items() if k != "seed"}})
            merged.validated()
            if merged.rate_limit != self.settings.rate_limit:
                self._bucket = TokenBucket(merged.rate_limit) if merged.rate_limit else None
            self.settings = merged
            if "seed" in changes:
                self.seed = changes["seed"]
                self._random = random.Random(self.seed)
            return merged

    def reset(self) -> None:
        """Start over (admin reset): a full bucket and the random stream from its seed."""
        with self._lock:
            self._random = random.Random(self.seed)
            if self.settings.rate_limit:
                self._bucket = TokenBucket(self.settings.rate_limit)

    def to_dict(self) -> dict[str, Any]:
        return {**self.settings.to_dict(), "seed": self.seed}

    @property
    def latency_s(self) -> float:
        return self.settings.latency_ms / 1000.0

    def throttle(self) -> float:
        """0.0 to go ahead, else seconds until the rate limit lets a request through."""
        bucket = self._bucket
        return bucket.take() if bucket is not None else 0.0

    def _draw(self, rate: float) -> bool:
        if rate <= 0.0:
            return False  # no draw: a zero rate never shifts the random stream
        with self._lock:
            return self._random.random() < rate

    def should_fail(self) -> bool:
        return self._draw(self.settings.fault_rate)

    def should_lose_answer(self) -> bool:
        return self._draw(self.settings.ambiguous_write_rate)
