"""The account lock: two humectl runs that could write one resource never write at the same time.

humectl has no state backend, so the lock lives in the account itself, where every client of the
account sees it: a prompt named ``humectl-lock`` (the account scope) or ``humectl-lock:<prefix>``
(runs with a name prefix, ``--env``/``--name-prefix``). Its text is the lease as JSON (who holds it:
run id, user, host, commit, command; for how long); its ``version_description`` carries humectl's
marker with a token unique to this acquisition. Lists never show these prompts to the rest of humectl
(``Kind.reserved_name``, filtered in ``EviClient.list_heads``) and manifests may not use the names
(validate refuses them).

What collides: a scope's writes touch only names that start with its prefix, so two scopes can touch
one resource exactly when one prefix starts the other (:func:`humectl.model.lock.conflicts`). The
account scope (``""``: an apply without a prefix, a rollback of any address) conflicts with every
scope; ``dev-`` with ``dev-`` (and with ``dev-eu-``); ``dev-`` never with ``staging-``, so environments
sharing one account do not wait for each other. Every contender reads every lock prompt of the
account (one listing of prompts, confirmed by a second read when it takes more than one page) and
yields to any live candidate of a conflicting scope created before its own.

Hume documents neither unique names nor conditional writes, so taking the lock works on a server
that has neither:

1. create our own lock prompt, a *candidate*; then list every lock prompt of the account;
2. the holder is the candidate created strictly first (``created_on``, the server's clock) among
   the live candidates of conflicting scopes; every other candidate deletes itself. Two candidates
   with the same ``created_on`` both step back and try again after a random pause (ordering them by
   id would let both win: the earlier one may have listed before the later one existed).
3. On a server that refuses a second resource with one name (the emulator's default: 400), a refused
   create means someone holds it: read it and report its holder; if its lease expired, delete
   exactly *that* id (so two runs breaking one dead lock never delete each other's fresh one) and
   create again.

Why (2) is safe: of two candidates of conflicting scopes, the one created later lists after both
exist, so it sees the earlier one, which has the smaller (or equal) ``created_on`` and wins or ties;
either way the later one does not hold. This needs a server whose ``created_on`` never goes back between two creates and
whose lists show what was written before them (true of one database; not of a store replicated with
skewed clocks, which Hume does not document).

Time is the server's: a lease expires ``lease_seconds`` after the ``modified_on`` of the lock's
newest version (each renewal makes a version), judged against server time estimated from the
server's own timestamps on our writes (else its ``Date`` header), never from this machine's clock
alone, so clock skew between two CI runners cannot break a live lock. A lock counts as expired
``GRACE_MS`` (1 s) after its lease ends: so a dead lock is broken at most lease + 1 s after its last
renewal (plus one answer's time on the wire), and a live one never early (:class:`ServerClock`).
The holder renews every third of its lease from a task beside the command's work (:class:`LockKeeper`);
a killed run stops renewing and its lock expires by itself. A holder that could not renew before its
lease ran out (counted from when it *sent* the last successful renewal, so before anyone else may
break it) stops starting writes.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import getpass
import os
import socket
from collections.abc import Callable, Mapping
from typing import Any

from humectl.core.clock import Clock
from humectl.core.durations import parse_duration
from humectl.core.errors import ApiError, HumectlError, LockHeldError, NotFoundError, UsageError
from humectl.core.kinds import LOCK_KIND
from humectl.core.provenance import describe, new_run_id
from humectl.io.client import EviClient
from humectl.model.lock import GRACE_MS, Lease, LockRecord, conflicts, first, lock_name, ms, scope_label, scope_of

LEASE_ENV = "HUMECTL_LOCK_LEASE"  # lease length (a DURATION); short in tests, so a killed run's lock expires soon
DEFAULT_LEASE_S = 60.0
MIN_LEASE_S = 1.0
POLL_S = (0.2, 1.0)  # waiting for a held lock: first and longest pause between tries (2 requests each)
QUICK_RETRIES = 8  # ties and broken expired locks: retried at once, this many times at most
DATE_RESOLUTION_S = 1.0  # an HTTP Date header names a whole second (RFC 9110)


def lease_from_env(env: Mapping[str, str] | None = None) -> float:
    env = os.environ if env is None else env
    raw = env.get(LEASE_ENV, "").strip()
    if not raw:
        return DEFAULT_LEASE_S
    try:
        lease = parse_duration(raw)
    except ValueError as exc:
        raise UsageError(f"{LEASE_ENV}: {exc}") from None
    if lease < MIN_LEASE_S:
        raise UsageError(f"{LEASE_ENV} must be at least {MIN_LEASE_S:g}s, got {raw!r}")
    return lease


def new_lease(*, run_id: str, scope: str, command: str, commit: str | None, lease_seconds: float) -> Lease:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "?"
    ci = None
    if os.environ.get("GITHUB_ACTIONS") == "true" and os.environ.get("GITHUB_RUN_ID"):
        server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
        ci = f"{server}/{os.environ.get('GITHUB_REPOSITORY', '?')}/actions/runs/{os.environ['GITHUB_RUN_ID']}"
    return Lease(
        token=new_run_id() + new_run_id(),
        run_id=run_id,
        scope=scope,
        command=command,
        user=user,
        host=socket.gethostname(),
        pid=os.getpid(),
        commit=commit,
        ci=ci,
        lease_seconds=lease_seconds,
    )


class ServerClock:
    """The server's time, estimated from its own timestamps so this machine's clock never decides.

    Never more than ``GRACE_MS`` ahead of the server's clock: the estimate judges leases over (a lock
    is expired once it reads ``GRACE_MS`` past the lease's end), and judging one over early would let
    two runs hold. A write of ours the server stamped ``server_ms`` had been stamped by the time its
    answer arrived, so the server's clock read at least ``server_ms`` then and at least that plus the
    time elapsed since (a lower bound, to the millisecond). (Not the midpoint of send and answer: a
    process stalled by a busy CPU, or a create retried, between noting the send and the request
    leaving, would push it into the future by half the stall.) Until there is such a write, the
    ``Date`` header of the last answer says the second the server was in; the estimate is the end of
    that second plus the time elapsed since (at most 1 s = ``GRACE_MS`` ahead). Taking its start
    instead, as a lower bound, would add the header's second to the grace's: a dead lock would be
    broken up to 2 s after its lease ended, past the documented bound.

    ``clock``: this machine's time, the client's unless given (the client notes on it when the last
    ``Date`` header arrived).
    """

    def __init__(self, client: EviClient, clock: Clock | None = None) -> None:
        self.client = client
        self.clock = client.clock if clock is None else clock
        self._offset_ms: float | None = None  # server ms minus local monotonic ms, at least

    def observe_write(self, server_ms: int, received_s: float) -> None:
        """Our write stamped ``server_ms``, its answer read at ``received_s`` (``clock.monotonic()``)."""
        if server_ms > 0:
            offset = server_ms - received_s * 1000
            self._offset_ms = offset if self._offset_ms is None else max(self._offset_ms, offset)

    def now_ms(self) -> float:
        if self._offset_ms is not None:
            return self.clock.monotonic() * 1000 + self._offset_ms
        if self.client.last_date is not None:
            raw, received = self.client.last_date
            try:
                server = email.utils.parsedate_to_datetime(raw).timestamp() if raw else None
            except (TypeError, ValueError):
                server = None
            if server is not None:  # the second the answer was made in; ``received``: the client's monotonic()
                return (server + DATE_RESOLUTION_S + max(0.0, self.clock.monotonic() - received)) * 1000
        return self.clock.wall() * 1000  # this machine's clock: only ever corrected by the server's


class AccountLock:
    """Take, renew and release one scope's lock through ``client`` (see the module docstring).

    ``clock`` (the client's unless given): deadlines, pauses between tries and their random jitter.
    """

    def __init__(
        self,
        client: EviClient,
        lease: Lease,
        *,
        timeout_s: float = 0.0,
        on_wait: Callable[[LockRecord, float, float], None] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.client = client
        self.lease = lease
        self.name = lock_name(lease.scope)
        self.timeout_s = timeout_s
        self.on_wait = on_wait
        self.clock = client.clock if clock is None else clock
        self.server = ServerClock(client, self.clock)
        self.record: LockRecord | None = None  # ours, once held
        self.candidate: str | None = None  # id of our lock prompt while it exists
        self.acquired_at = 0.0  # clock.monotonic(): when the create that made our lock was sent
        self.renewals = 0
        self._refused: ApiError | None = None  # the last attempt's create was refused, no lock to read
        self._unsure = False  # a create of ours was cut off before its answer: it may have made a prompt

    @property
    def description(self) -> str:
        return describe("humectl lock", self.lease.token)

    async def read(self) -> list[LockRecord]:
        """Every lock prompt of exactly this scope's name."""
        heads = await self.client.list_heads(LOCK_KIND, self.name, reserved=True)
        return [LockRecord.from_head(h) for h in heads if h.get("name") == self.name]

    async def read_conflicting(self) -> list[LockRecord]:
        """Every lock prompt of a scope that conflicts with ours (ours included), from one listing of
        every prompt: the lock prompts of scopes that start ours have names we could ask for, those of
        scopes ours starts (the account's starts every one) have not. A listing of several pages is
        read twice and must agree (``EviClient.list_all``): a candidate missed would let two hold."""
        heads = await self.client.list_heads(LOCK_KIND, reserved=True, confirm=True)
        records = [LockRecord.from_head(h) for h in heads if scope_of(str(h.get("name"))) is not None]
        return [r for r in records if conflicts(r.scope, self.lease.scope)]

    async def acquire(self) -> LockRecord:
        """Hold the lock, waiting up to ``timeout_s``; raise LockHeldError naming the holder.

        An attempt that meets no holder but does not win either (a tie, a dead lock broken, a refusal
        whose lock was released before we could read it) is retried at once a few times, and then, while
        ``timeout_s`` lasts, at the pace of a waiter: contention is never reported while time is left.
        """
        clock = self.clock
        deadline = clock.monotonic() + self.timeout_s
        pause, quick, told = POLL_S[0], 0, False
        while True:
            mine, blocker, again = await self._try()
            if mine is not None:
                return mine
            if again and quick < QUICK_RETRIES:
                quick += 1
                await clock.sleep(clock.uniform(0.01, 0.05 * quick))
                continue
            now = self.server.now_ms()
            remaining = deadline - clock.monotonic()
            if remaining <= 0:
                if blocker is None and self._refused is not None:
                    raise self._refused  # refused again and again with no lock to read: not the lock
                raise self._held_error(blocker, now)
            if self.on_wait is not None and not told and blocker is not None:
                self.on_wait(blocker, remaining, now)
                told = True
            wait = min(remaining, clock.uniform(0.5, 1.0) * pause)
            ends = blocker.expires_ms if blocker is not None else None
            if ends is not None:  # wake up right when a dead holder's lease ends
                wait = min(wait, max(0.05, (ends + GRACE_MS - now) / 1000 + 0.05))
            await clock.sleep(wait)
            pause = min(pause * 1.5, POLL_S[1])
            if not again:  # a holder was in the way: the next contention may be retried at once again
                quick = 0

    def _ours(self, record: LockRecord) -> bool:
        """A lock prompt this acquisition made (an earlier create whose answer was lost, say)."""
        return record.lease is not None and record.lease.token == self.lease.token

    async def _try(self) -> tuple[LockRecord | None, LockRecord | None, bool]:
        """One attempt: (ours when held, else the record in the way, and whether to retry at once)."""
        body = {"name": self.name, "text": self.lease.text(), "version_description": self.description}
        self._refused = None
        sent = self.clock.monotonic()
        self._unsure = True
        try:
            made = await self.client.create(LOCK_KIND, body)
        except ApiError as exc:
            if exc.status not in (400, 409):
                raise
            self._unsure = False
            records = await self.read()  # refused: a server with unique names, and a lock exists
            ours = [r for r in records if self._ours(r)]
            for record in ours:  # our own earlier create refused this one: remove it, start afresh
                await self._delete(record.id)
            records = [r for r in records if not self._ours(r)]
            if ours or not records:  # (none: released meanwhile, or a refusal for another reason)
                self._refused = None if ours else exc
                return None, None, True
            now = self.server.now_ms()
            live = [r for r in records if not r.expired(now)]
            if live:
                return None, first(live), False
            for record in records:  # every one of them is dead: break exactly those
                await self._delete(record.id)
            return None, None, True
        self._unsure = False
        mine = LockRecord.from_head(made)
        self.candidate = mine.id
        self.server.observe_write(mine.created_on, self.clock.monotonic())
        records = await self.read_conflicting()
        now = self.server.now_ms()
        if not any(r.id == mine.id for r in records):  # someone deleted it meanwhile (force-unlock)
            await self._drop_candidate()
            return None, None, True
        others = [r for r in records if r.id != mine.id]
        for record in others:
            if self._ours(record) or record.expired(now):  # ours: an earlier create whose answer was lost
                await self._delete(record.id)
        rivals = [r for r in others if not self._ours(r) and not r.expired(now) and r.created_on <= mine.created_on]
        if not rivals:
            self.record, self.acquired_at = mine, sent
            return mine, None, False
        await self._drop_candidate()
        tie = all(r.created_on == mine.created_on for r in rivals)
        return None, first(rivals), tie

    async def renew(self) -> LockRecord:
        """A new version of our lock prompt: its ``modified_on`` is the server's record of the renewal.
        NotFoundError: our lock was deleted (force-unlock, or broken as expired)."""
        assert self.record is not None
        self.renewals += 1
        body = {
            "text": self.lease.text(self.renewals),
            # unique per renewal, so a lost answer is settled by this version and not an earlier one
            "version_description": describe(f"humectl lock renewal {self.renewals}", self.lease.token),
        }
        made = await self.client.create_version(LOCK_KIND, self.record.id, body)
        modified = ms(made.get("modified_on"), self.record.modified_on)
        self.server.observe_write(modified, self.clock.monotonic())
        self.record = LockRecord.from_head({**made, "created_on": self.record.created_on, "name": self.name})
        return self.record

    async def release(self) -> None:
        """Delete our lock prompt (or candidate); one that is already gone is released."""
        await self._drop_candidate()
        if self._unsure:  # cut off (Ctrl-C, an error) between sending a create and its answer
            for record in await self.read():
                if self._ours(record):
                    await self._delete(record.id)
            self._unsure = False
        self.record = None

    async def _drop_candidate(self) -> None:
        if self.candidate is not None:
            await self._delete(self.candidate)
            self.candidate = None

    async def _delete(self, lock_id: str) -> None:
        with contextlib.suppress(NotFoundError):
            await self.client.delete(LOCK_KIND, lock_id)

    def _held_error(self, blocker: LockRecord | None, now_ms: float) -> LockHeldError:
        if blocker is None:
            return LockHeldError(
                f"could not take the lock of {scope_label(self.lease.scope)}: other runs are taking it at the "
                "same moment",
                hint="try again, or wait for it with --lock-timeout 1m",
            )
        # The lock in the way may be of another scope this one's writes could collide with.
        where = scope_label(blocker.scope)
        return LockHeldError(
            f"the lock of {where} is held by {blocker.holder(now_ms)} (lock ID {blocker.id})",
            hint=held_hint(blocker.id),
            record=blocker,
            now_ms=now_ms,
        )


def held_hint(lock_id: str, api_flags: str = "") -> str:
    """What to do about a held lock; ``api_flags`` (`` --emulator=DB``, `` --base-url URL``) point the
    suggested force-unlock at the account the refused run used (the CLI knows them, this layer not)."""
    return (
        "wait for it with --lock-timeout DURATION (e.g. --lock-timeout 2m); if that run is gone, "
        f"break the lock with: humectl force-unlock {lock_id}{api_flags}"
    )


async def read_lock(client: EviClient, lock_id: str) -> LockRecord:
    """The lock prompt with this id; an error when there is none or the prompt is not a lock."""
    path = f"{LOCK_KIND.api_path}/{lock_id}"
    try:
        versions = await client.list_all(path, LOCK_KIND.page_key, {"restrict_to_most_recent": "true"})
    except NotFoundError:
        versions = []
    except ApiError as exc:
        if exc.status not in (400, 422):  # not a valid id at all
            raise
        versions = []
    if not versions:
        raise HumectlError(f"there is no lock with ID {lock_id}", hint="the refused run's message names the lock ID")
    record = LockRecord.from_head(max(versions, key=lambda v: int(v.get("version") or 0)))
    if not LOCK_KIND.is_reserved(record.name):
        raise HumectlError(f"{lock_id} is not a humectl lock: it is prompt {record.name!r}; nothing deleted")
    return record


async def force_unlock(client: EviClient, record: LockRecord) -> None:
    """Delete exactly this lock prompt (already gone counts as done)."""
    with contextlib.suppress(NotFoundError):
        await client.delete(LOCK_KIND, record.id)


def locks_in(heads: list[dict[str, Any]], scope: str) -> list[LockRecord]:
    """The lock prompts among heads a listing kept aside (EviClient.reserved_heads) of a scope whose
    writes could collide with ``scope``'s (:func:`humectl.model.lock.conflicts`)."""
    records = [LockRecord.from_head(h) for h in heads if scope_of(str(h.get("name"))) is not None]
    return [r for r in records if conflicts(r.scope, scope)]


def held_note(records: list[LockRecord], scope: str, now_ms: float) -> str | None:
    """What ``plan`` says when a lock that covers its scope is held while it reads the account."""
    live = [r for r in records if not r.expired(now_ms)]
    if live:
        holder = first(live)
        return (
            f"the lock of {scope_label(holder.scope)} is held by {holder.holder(now_ms)}: an apply is running, "
            "so this plan is likely stale when it ends; plan again after it"
        )
    if records:
        dead = first(records)
        return (
            f"an expired lock of {scope_label(dead.scope)} is left in the account ({dead.holder(now_ms)}); "
            "the next apply breaks it"
        )
    return None


def server_now_ms(client: EviClient) -> float:
    """The server's time now (ms), as well as the client's last answers tell it (:class:`ServerClock`)."""
    return ServerClock(client).now_ms()


class LockKeeper:
    """Hold a scope's lock for an ``async with`` block, on the command's own client: taken on entry
    (waiting up to ``timeout_s``), renewed every third of the lease by a task of the same event loop,
    released on the way out (at the end, on an error, on Ctrl-C or SIGTERM).

    The lease is renewed whatever else the command does, as long as it awaits: planning and applying
    do, and the CLI waits for the user's yes in a thread. ``lost()`` says why writing must stop (the
    lock was deleted, or could not be renewed in time), else None. ``clock``: the client's unless given
    (when to renew, when the lease runs out).
    """

    RELEASE_S = 10.0  # how long leaving the block waits for the release to be answered, at most

    def __init__(
        self,
        client: EviClient,
        lease: Lease,
        *,
        timeout_s: float = 0.0,
        on_wait: Callable[[LockRecord, float, float], None] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.client = client
        self.lease = lease
        self.clock = client.clock if clock is None else clock
        self.lock = AccountLock(client, lease, timeout_s=timeout_s, on_wait=on_wait, clock=self.clock)
        self.record: LockRecord | None = None
        self._valid_until = float("inf")  # monotonic: when our lease may end unless renewed
        self._lost: str | None = None
        self._renewing: asyncio.Task[None] | None = None
        # Why the lock may still be held after the block (its release was not answered as documented).
        self.release_problem: str | None = None

    async def __aenter__(self) -> LockRecord:
        try:
            self.record = await self.lock.acquire()
        except BaseException:
            await self._release()
            raise
        # From when the create that made our lock was sent (not when we began to wait for it: a run
        # that waited longer than its lease would count its lock lost the moment it got it).
        self._valid_until = self.lock.acquired_at + self.lease.lease_seconds
        self._renewing = asyncio.ensure_future(self._renew_forever())
        return self.record

    async def __aexit__(self, *exc: object) -> None:
        if self._renewing is not None:
            self._renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._renewing
        await self._release()

    def lost(self) -> str | None:
        if self._lost is None and self.clock.monotonic() >= self._valid_until:
            self._lost = "the account lock could not be renewed before its lease ended"
        return self._lost

    async def _release(self) -> None:
        # Bounded: with the server down, the lease ends on its own soon enough. Only the documented
        # answer counts as released (EviClient); anything else is kept to be told, never raised over
        # the command's own outcome.
        limit = min(max(1.0, self.lease.lease_seconds), self.RELEASE_S)
        held = self.lock.record or self.lock.candidate
        try:
            await asyncio.wait_for(asyncio.shield(self.lock.release()), timeout=limit)
        except Exception as exc:
            why = exc.message if isinstance(exc, HumectlError) else f"no answer within {limit:g} s"
            lock_id = held.id if isinstance(held, LockRecord) else held
            self.release_problem = (
                f"the lock was not released ({why}); it runs out by itself within "
                f"{self.lease.lease_seconds:g} s"
                + (f", or break it with: humectl force-unlock {lock_id}" if lock_id else "")
            )

    async def _renew_forever(self) -> None:
        lease = self.lease.lease_seconds
        while True:
            await self.clock.sleep(lease / 3)
            sent = self.clock.monotonic()
            try:
                await self.lock.renew()
            except NotFoundError:
                self._lost = "the account lock was deleted while this run held it (force-unlock?)"
                self.lock.record = self.lock.candidate = None
                return
            except Exception:  # retried at the next tick; lost() tells when it is too late
                continue
            self._valid_until = sent + lease


def lease_for(
    *, run_id: str, scope: str, command: str, commit: str | None, env: Mapping[str, str] | None = None
) -> Lease:
    """A new lease for this process, its length from HUMECTL_LOCK_LEASE (default 60 s)."""
    return new_lease(run_id=run_id, scope=scope, command=command, commit=commit, lease_seconds=lease_from_env(env))


class NoLock:
    """``--no-lock``: the same shape as a LockKeeper, holding nothing."""

    record = None
    release_problem = None

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc: object) -> None:
        return None

    def lost(self) -> str | None:
        return None
