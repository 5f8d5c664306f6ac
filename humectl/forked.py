"""Work on two cores: a forked child does the second part of a list while this process does the first.

Converting YAML is Python code holding the GIL, so a thread cannot help: the manifests of 23,000
resources took 1.2 s of one core whatever else ran. On Linux a fork shares the inputs without copying
them; the child sends back its results with :mod:`marshal` (plain data only: the fastest format
Python has for it) and exits at once. Whatever the child does not deliver in full (it failed, was
killed, or sent something that does not read back) is done here instead, so the answer is always the
one a serial run gives, only sooner. Small jobs stay serial: a fork and a round of marshal cost a few
milliseconds, more than converting a handful of files.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import signal
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

MIN_WEIGHT = 256 * 1024  # below this much work (for YAML: bytes of text) one core is quicker
_READ_CHUNK = 1 << 20


def can_fork() -> bool:
    """Linux only: elsewhere forking a process that may hold system frameworks' threads is unsafe."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def map_split(
    func: Callable[[T], Any], items: Sequence[T], *, weight: Callable[[T], int], min_weight: int | None = None
) -> list[Any]:
    """``[func(item) for item in items]``, the later part computed in a forked child when worth it.

    ``func``'s results must be plain data (what :func:`marshal.dumps` takes); ``func`` must not depend
    on anything it changes in this process, since the child's changes are lost with the child."""
    weights = [weight(item) for item in items]
    total = sum(weights)
    floor = MIN_WEIGHT if min_weight is None else min_weight
    if len(items) < 2 or total < floor or not can_fork():
        return [func(item) for item in items]
    split, done = len(items) - 1, 0
    for i, w in enumerate(weights):  # the child takes the items after the first half of the weight
        done += w
        if done * 2 >= total:
            split = max(1, min(i + 1, len(items) - 1))
            break
    head, tail = items[:split], items[split:]
    read_fd, write_fd = os.pipe()
    pid = _fork()
    if pid == 0:  # the child: compute, send, leave without any of the parent's exit handlers
        os.close(read_fd)
        _child(func, tail, write_fd)
    os.close(write_fd)
    status: int | None = None
    try:
        first = [func(item) for item in head]
        raw = _read_all(read_fd)
    finally:
        os.close(read_fd)
        status = _reap(pid)
    rest = _decoded(raw, len(tail)) if status == 0 else None
    return first + (rest if rest is not None else [func(item) for item in tail])


def _fork() -> int:
    # Python 3.12+ warns about forking a process with threads (the plan loads its manifests in a thread
    # while the event loop lists): the child here runs only this module's code and marshal, never a lock
    # another thread could hold, and leaves with os._exit.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return os.fork()


def _child(func: Callable[[T], Any], items: Sequence[T], write_fd: int) -> None:
    status = 1
    try:
        # Ctrl-C and SIGTERM reach the whole process group: the child just stops, the parent reports.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        data = memoryview(marshal.dumps([func(item) for item in items]))
        while data:
            data = data[os.write(write_fd, data) :]
        status = 0
    except BaseException:  # whatever went wrong, the parent redoes this part
        pass
    finally:
        os._exit(status)


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, _READ_CHUNK):
        chunks.append(chunk)
    return b"".join(chunks)


def _reap(pid: int) -> int | None:
    """The child's exit status; a child still running (this process was interrupted) is killed first."""
    done, status = os.waitpid(pid, os.WNOHANG)
    if done == 0:
        with contextlib.suppress(ProcessLookupError):  # it ended in between
            os.kill(pid, signal.SIGKILL)
        done, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def _decoded(raw: bytes, count: int) -> list[Any] | None:
    try:
        results = marshal.loads(raw)
    except (EOFError, ValueError, TypeError):
        return None
    return results if isinstance(results, list) and len(results) == count else None
