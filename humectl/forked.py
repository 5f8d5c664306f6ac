"""Work on two cores: a forked child computes something while this process goes on with the rest.

Loading manifests is Python code holding the GIL, so a thread cannot help: the manifests of 23,000
resources took 1.2 s of one core to convert whatever else ran, and a plan's load competed with its own
listing. On Linux a fork shares the inputs without copying them; the child sends its answer back
through a pipe and exits at once. Two shapes:

* :func:`map_split`: the second part of a list, sent back with :mod:`marshal` (plain data only: the
  fastest format Python has for it) while this process does the first part;
* :class:`Pending`: one whole call begun at once, sent back with marshal too (``plan`` converts all
  its manifests this way while it imports the HTTP stack and starts listing the account).

Whatever the child does not deliver in full (it failed, was killed, or sent something that does not
read back) is done here instead, so the answer is always the one a serial run gives, only sooner.
Small jobs stay serial: a fork and a round of marshal cost a few milliseconds, more than converting a
handful of files. A module whose lock the child may need gets a fresh one in every child
(:func:`fresh_lock_in_children`: a fork copies a lock as it was, held if another thread held it).
"""

from __future__ import annotations

import contextlib
import marshal
import os
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

T = TypeVar("T")

MIN_WEIGHT = 256 * 1024  # below this much work (for YAML: bytes of text) one core is quicker
_READ_CHUNK = 1 << 20


def fresh_lock_in_children(namespace: dict[str, Any], name: str = "_lock") -> None:
    """In every forked child, ``namespace[name]`` (a module's globals) is a new, unheld lock."""
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=lambda: namespace.__setitem__(name, threading.Lock()))


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
    rest = Pending(lambda: [func(item) for item in tail])  # the child starts on the tail at once
    try:
        first = [func(item) for item in head]
        return first + rest.result()  # the child's answer, or the tail computed here when it gave none
    finally:
        rest.close()  # interrupted: the child is stopped and reaped


def _fork() -> int:
    # Python 3.12+ warns about forking a process with threads (the plan loads its manifests in a thread
    # while the event loop lists): the child here runs only this module's code and marshal, never a lock
    # another thread could hold, and leaves with os._exit.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return os.fork()


def _send(encoded: Callable[[], bytes], write_fd: int) -> None:
    """The child's whole life: compute, write the answer, exit (never returns, never runs exit handlers)."""
    status = 1
    try:
        # Ctrl-C and SIGTERM reach the whole process group: the child just stops, the parent reports.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        data = memoryview(encoded())
        while data:
            data = data[os.write(write_fd, data) :]
        status = 0
    except BaseException:  # whatever went wrong, the parent does it itself
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


class Pending(Generic[T]):
    """``func()`` begun in a forked child at once (when ``fork``); :meth:`result` is its answer, plain
    data sent back with marshal, or ``func()`` run here when the child gave none or never forked.

    :meth:`close` stops a child whose answer will not be asked for; :meth:`result` may be called from
    another thread than the one that started it (the plan waits for it in its loader thread)."""

    def __init__(self, func: Callable[[], T], *, fork: bool = True) -> None:
        self._func = func
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._fd: int | None = None
        self._reading = False
        if not (fork and can_fork()):
            return
        read_fd, write_fd = os.pipe()
        pid = _fork()
        if pid == 0:
            os.close(read_fd)
            _send(lambda: marshal.dumps(func()), write_fd)  # type: ignore[arg-type]
        os.close(write_fd)
        self._pid, self._fd = pid, read_fd

    @property
    def forked(self) -> bool:
        return self._pid is not None

    def result(self) -> T:
        with self._lock:
            pid, fd = self._pid, self._fd
            self._reading = pid is not None
        if pid is None or fd is None:  # never forked, or closed
            return self._func()
        try:
            raw = _read_all(fd)
        finally:
            os.close(fd)
            with self._lock:
                status = _reap(pid)
                self._pid = self._fd = None
                self._reading = False
        if status == 0:
            try:
                value: T = marshal.loads(raw)
            except (EOFError, ValueError, TypeError):  # a garbled answer: computed here instead
                pass
            else:
                return value
        return self._func()

    def close(self) -> None:
        """Stop the child (if it still runs) and reap it; a reader waiting in another thread sees EOF."""
        with self._lock:
            pid, fd = self._pid, self._fd
            if pid is None:
                return
            if self._reading:  # the reader reaps it once the pipe ends
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                return
            self._pid = self._fd = None
            _reap(pid)
            if fd is not None:
                os.close(fd)
