"""Wall time of a command's stages, printed to stderr when ``HUMECTL_PROFILE_STAGES`` is set.

``bench/plan_scale.py`` runs one instrumented ``humectl plan`` / ``validate`` per account size with it,
so that the next bottleneck is visible (start-up and imports, load, validate, list, plan, render).
Off (the default) a stage costs one boolean test. On, every ``span(name)`` adds its wall time to the
stage ``name`` (stages may repeat, as the planning of each listed page does, and may overlap, as
loading and listing do); at exit one line goes to stderr::

    humectl-stages: {"main_at": <epoch s>, "exit": <s>, "stages": {"load": {"start": <s>, "wall": <s>, "count": n}}}

``main_at`` is the wall clock when the command started (so the caller can tell how long the
interpreter took to get there); ``start`` and ``exit`` are seconds after ``main_at``.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

ENV = "HUMECTL_PROFILE_STAGES"
ENABLED = bool(os.environ.get(ENV))

_main_at = time.time()
_origin = time.perf_counter()
_stages: dict[str, dict[str, float]] = {}
_lock = threading.Lock()


def start() -> None:
    """Mark the start of the command (the CLI's entry point) and print the stages at exit."""
    global _main_at, _origin
    if not ENABLED:
        return
    _main_at, _origin = time.time(), time.perf_counter()
    atexit.register(_report)


@contextmanager
def span(name: str) -> Iterator[None]:
    """Add the wall time of the ``with`` block to stage ``name`` (nothing at all when disabled)."""
    if not ENABLED:
        yield
        return
    began = time.perf_counter()
    try:
        yield
    finally:
        ended = time.perf_counter()
        with _lock:
            stage = _stages.setdefault(name, {"start": began - _origin, "wall": 0.0, "count": 0})
            stage["wall"] += ended - began
            stage["count"] += 1


def _report() -> None:
    exit_s = time.perf_counter() - _origin
    rounded = {
        k: {"start": round(v["start"], 5), "wall": round(v["wall"], 5), "count": v["count"]} for k, v in _stages.items()
    }
    line = json.dumps({"main_at": _main_at, "exit": round(exit_s, 5), "stages": rounded})
    try:
        sys.stderr.write(f"humectl-stages: {line}\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # stderr closed: nothing to report to
        pass
