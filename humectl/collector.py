"""Fewer passes of CPython's cyclic garbage collector while humectl builds large, long-lived data.

Loading 23,000 manifest entries, or listing and planning them, allocates millions of objects that
live until the command ends and form no reference cycles. The collector still walks them over and
over: a first-generation pass every 700 allocations, and whole-heap passes as the heap grows. At
23,000 resources that is a fifth of ``validate``'s CPU (docs/performance.md). Inside
:func:`fewer_collections` the first generation's threshold is raised, so passes are rare; the
thresholds the process had come back when the last such block ends (blocks nest and may overlap
across threads: the plan loads the manifests in a thread while the listing runs). Reference counting
frees everything as before; only cycles wait a little longer.
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from humectl import forked

P = ParamSpec("P")
T = TypeVar("T")

FIRST_GENERATION_THRESHOLD = 50_000  # CPython's default is 700; 50,000 costs a few MB at most

_lock = threading.Lock()
forked.fresh_lock_in_children(globals())  # humectl.forked may fork while another thread holds it
_open = 0  # blocks in progress, in every thread
_saved: tuple[int, int, int] | None = None  # the thresholds before the first of them


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Raise the collector's first threshold for the duration (unless it is set higher, or to 0: off)."""
    global _open, _saved
    with _lock:
        if _open == 0:
            before = gc.get_threshold()
            if 0 < before[0] < FIRST_GENERATION_THRESHOLD:
                _saved = before
                gc.set_threshold(FIRST_GENERATION_THRESHOLD, *before[1:])
        _open += 1
    try:
        yield
    finally:
        with _lock:
            _open -= 1
            if _open == 0 and _saved is not None:
                # Put back only what this module set: a threshold changed meanwhile is someone else's.
                if gc.get_threshold()[0] == FIRST_GENERATION_THRESHOLD:
                    gc.set_threshold(*_saved)
                _saved = None


def with_fewer_collections(func: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """An async function run inside :func:`fewer_collections` (all of it: every await included)."""

    @functools.wraps(func)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        with fewer_collections():
            return await func(*args, **kwargs)

    return run
