"""Running one command's work: the Session it opens (the in-process emulator built here when
``--emulator`` asks for it), the single event loop it runs in (SIGTERM taking Ctrl-C's path), the
account lock around writes, and the questions it asks the user without stopping the lease's renewal.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from humectl.cli.output import document_mode, echo, json_error, record, say
from humectl.core.errors import LockHeldError, UsageError
from humectl.core.escape import name, terminal
from humectl.core.problems import format_problem
from humectl.core.settings import Settings
from humectl.io import lock
from humectl.io.git import git_commit
from humectl.io.lock import LockKeeper, NoLock
from humectl.model.desired import ManifestSet
from humectl.model.lock import LockRecord, scope_label
from humectl.model.plan import Change
from humectl.ops.session import Session

T = TypeVar("T")


def open_session(settings: Settings) -> Session:
    """The command's Session; ``--emulator[=DB]``: over an in-process emulator of that database (its
    modules are imported only then: starlette and the app cost start-up time every other command
    would pay)."""
    if settings.emulator_db is None:
        return Session(settings)
    from humectl.emulator.app import EmulatorConfig
    from humectl.emulator.transport import in_process_transport

    return Session(settings, transport=in_process_transport(EmulatorConfig(db=settings.emulator_db)))


def run(settings: Settings, work: Callable[[Session], Awaitable[T]]) -> T:
    """``work`` with the command's Session, in one event loop; the session is closed (an in-process
    emulator's database checkpointed) whatever happens. SIGTERM takes Ctrl-C's path."""

    running: list[asyncio.Task[T]] = []

    async def main() -> T:
        task = asyncio.current_task()
        if task is not None:
            running.append(task)  # main()'s own task
        async with open_session(settings) as session:
            return await work(session)

    with _sigterm_as_interrupt(running) as terminated:
        try:
            return asyncio.run(main())
        except asyncio.CancelledError:
            if terminated:
                raise KeyboardInterrupt from None
            raise


@contextlib.contextmanager
def _sigterm_as_interrupt(running: list[asyncio.Task[T]]) -> Iterator[list[bool]]:
    """SIGTERM (a CI job cancelled, ``kill``) takes the path Ctrl-C takes: an apply stops, says exactly
    what it did (writes in flight included), and the lock is released. Yields a list that holds True
    once SIGTERM cancelled the command's task itself (then the CancelledError is the interrupt)."""
    terminated: list[bool] = []
    if threading.current_thread() is not threading.main_thread():
        yield terminated
        return

    def on_sigterm(signum: int, frame: Any) -> None:
        if running and not running[0].done():
            # Cancel the command's task, as asyncio's own Ctrl-C handler does, so its cleanup runs and
            # it reports what it did. (Not by raising here: a KeyboardInterrupt raised in a handler lands
            # anywhere in the loop, and with SIGINT ignored, as in a job started with `&` or nohup,
            # asyncio installs no handler to call.)
            terminated.append(True)
            running[0].get_loop().call_soon_threadsafe(running[0].cancel)
        else:
            raise KeyboardInterrupt  # before or after the loop: nothing is in flight

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield terminated
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.asynccontextmanager
async def write_lock(
    session: Session,
    use_lock: bool,
    timeout_s: float,
    *,
    scope: str,
    run_id: str,
    command: str,
    directory: str,
    api_flags: str = "",
) -> AsyncIterator[LockKeeper | NoLock]:
    """The account lock of ``scope`` for the block (docs/locking.md); yields what says whether the lock
    was lost (``lost()``): the apply stops starting writes then. ``api_flags`` (reporting.api_hint) go
    into the force-unlock a refusal suggests, so it reaches the same account."""
    if not use_lock:
        yield NoLock()
        return

    def waiting(holder: LockRecord, remaining: float, now_ms: float) -> None:
        echo(
            f"Waiting up to {remaining:.0f} s for the lock of {scope_label(holder.scope)}, held by "
            f"{terminal(holder.holder(now_ms))} ...",
            err=True,
        )

    lease = lock.lease_for(run_id=run_id, scope=scope, command=command, commit=git_commit(Path(directory)))
    keeper = session.lock(lease, timeout_s=timeout_s, on_wait=waiting)
    try:
        await keeper.__aenter__()
    except LockHeldError as exc:
        if exc.record is not None:  # the JSON error document says which lock refused the run
            record(lock=exc.record.to_dict(exc.now_ms))
            exc.hint = lock.held_hint(exc.record.id, api_flags)
        raise
    try:
        yield keeper
    finally:
        await keeper.__aexit__(None, None, None)
        if keeper.release_problem:
            echo(f"Warning: {terminal(keeper.release_problem)}", err=True)


async def confirm(verb: str, question: str, flag: str = "--auto-approve") -> bool:
    """Ask before changing the account; refuse outright when nobody can answer (CI, pipes). The
    question waits in a thread, so the lock's lease is renewed meanwhile."""
    if not sys.stdin.isatty():
        raise UsageError(
            f"refusing to {verb} without confirmation: stdin is not a terminal",
            hint=f"review it, then re-run with {flag}",
        )
    if await asyncio.to_thread(click.confirm, question, default=False, err=document_mode()):
        return True
    say("Nothing applied.")
    # Under --output json stdout still holds one document: the answer no is an `aborted` error (exit 1).
    json_error("aborted", f"the answer was no: did not {verb}", None, 1)
    return False


def progress(status: str, change: Change, detail: str) -> None:
    """One line per finished change while apply runs."""
    if status == "done":
        say(f"{name(change.address)}: {terminal(detail)}")
    elif status == "failed":
        echo(f"{name(change.address)}: FAILED: {terminal(detail)}", err=True)


def show_warnings(desired: ManifestSet) -> None:
    """The manifests' warnings (stderr, as validate words them), before a plan."""
    for warning in desired.warnings:
        echo(format_problem(warning), err=True)
