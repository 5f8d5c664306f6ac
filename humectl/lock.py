"""The account lock: at most one humectl run writes to a scope of an EVI account at a time.

humectl has no state backend, so the lock lives in the account itself, where every client of the
account sees it: a prompt named ``humectl-lock`` (the account scope) or ``humectl-lock:<prefix>``
(runs with a name prefix, ``--env``/``--name-prefix``, so environments sharing one account do not
wait for each other). Its text is the lease as JSON (who holds it: run id, user, host, commit,
command; for how long); its ``version_description`` carries humectl's marker with a token unique to
this acquisition. Lists never show these prompts to the rest of humectl (``Kind.reserved_name``,
filtered in ``EviClient.list_heads``) and manifests may not use the names (validate refuses them).

Hume documents neither unique names nor conditional writes, so taking the lock works on a server
that has neither:

1. create our own lock prompt, a *candidate*; then list every lock prompt of exactly that name;
2. the holder is the candidate created strictly first (``created_on``, the server's clock) among
   those whose lease has not expired; every other candidate deletes itself. Two candidates with the
   same ``created_on`` both step back and try again after a random pause (ordering them by id would
   let both win: the earlier one may have listed before the later one existed).
3. On a server that refuses a second resource with one name (the emulator's default: 400), a refused
   create means someone holds it: read it and report its holder; if its lease expired, delete
   exactly *that* id (so two runs breaking one dead lock never delete each other's fresh one) and
   create again.

Why (2) is safe: of two candidates, the one created later lists after both exist, so it sees the
earlier one, which has the smaller (or equal) ``created_on`` and wins or ties; either way the later
one does not hold. This needs a server whose ``created_on`` never goes back between two creates and
whose lists show what was written before them (true of one database; not of a store replicated with
skewed clocks, which Hume does not document).

Time is the server's: a lease expires ``lease_seconds`` after the ``modified_on`` of the lock's
newest version (each renewal makes a version), judged against server time estimated from the
server's own timestamps on our writes (else its ``Date`` header), never from this machine's clock
alone, so clock skew between two CI runners cannot break a live lock. The holder renews every third
of its lease from a thread of its own (:class:`LockKeeper`); a killed run stops renewing and its
lock expires by itself. A holder that could not renew before its lease ran out (counted from when it
*sent* the last successful renewal, so before anyone else may break it) stops starting writes.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import getpass
import json
import os
import random
import re
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any

import httpx

from humectl import __version__
from humectl.client import EviClient
from humectl.errors import ApiError, HumectlError, LockHeldError, NotFoundError, UsageError
from humectl.kinds import LOCK_KIND
from humectl.provenance import describe, new_run_id
from humectl.settings import Settings

LOCK_NAME = LOCK_KIND.reserved_name or "humectl-lock"
LEASE_ENV = "HUMECTL_LOCK_LEASE"  # lease length (a DURATION); short in tests, so a killed run's lock expires soon
DEFAULT_LEASE_S = 60.0
MIN_LEASE_S = 1.0
GRACE_MS = 1000  # a lease counts as expired this long after it ends: the Date header has 1 s resolution
POLL_S = (0.2, 1.0)  # waiting for a held lock: first and longest pause between tries (2 requests each)
QUICK_RETRIES = 8  # ties and broken expired locks: retried at once, this many times at most
_SCHEMA = "humectl-lock/1"
local_time = time.time  # this machine's clock: only ever corrected by the server's (tests skew it)
monotonic = time.monotonic  # deadlines and how long ago we wrote (tests drive it by hand)


def lock_name(scope: str) -> str:
    """The lock prompt's name for a scope ("" is the whole account, else a name prefix)."""
    return f"{LOCK_NAME}:{scope}" if scope else LOCK_NAME


def scope_label(scope: str) -> str:
    return f"name prefix {scope!r}" if scope else "the account"


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)?")


def parse_duration(text: str) -> float:
    """Seconds in a duration like Terraform's: ``0``, ``45``, ``30s``, ``2m``, ``1m30s``, ``500ms``, ``1h``."""
    raw = text.strip().lower()
    pos, total = 0, 0.0
    units = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}
    while raw and pos < len(raw):
        match = _DURATION.match(raw, pos)
        if match is None or (match.group(2) is None and (pos > 0 or match.end() != len(raw))):
            raise ValueError(f"{text!r} is not a duration (e.g. 0, 30s, 2m, 1m30s)")
        total += float(match.group(1)) * units[match.group(2)]
        pos = match.end()
    if not raw:
        raise ValueError("a duration must not be empty (e.g. 0, 30s, 2m)")
    return total


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


def iso(ms: float | None) -> str:
    if ms is None:
        return "an unknown time"
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Lease:
    """Who holds (or wants) the lock, as the lock prompt's text says."""

    token: str  # unique to one acquisition: identifies our candidate after a lost answer
    run_id: str  # the run's id, as in the [humectl <run>] marker of the versions it makes
    scope: str
    command: str  # e.g. "humectl apply"
    user: str
    host: str
    pid: int
    commit: str | None
    ci: str | None  # the CI job's URL, when there is one
    lease_seconds: float
    humectl: str = __version__

    def text(self, renewals: int = 0) -> str:
        return json.dumps({"schema": _SCHEMA, **asdict(self), "renewals": renewals}, sort_keys=True)

    @classmethod
    def parse(cls, text: Any) -> Lease | None:
        """The lease in a lock prompt's text; None when it is not humectl's (someone else's prompt)."""
        try:
            data = json.loads(text) if isinstance(text, str) else None
            if not isinstance(data, dict) or data.get("schema") != _SCHEMA:
                return None
            lease = float(data["lease_seconds"])
            if not lease > 0:
                return None
            return cls(
                token=str(data["token"]), run_id=str(data["run_id"]), scope=str(data.get("scope") or ""),
                command=str(data.get("command") or "humectl"), user=str(data.get("user") or "?"),
                host=str(data.get("host") or "?"), pid=int(data.get("pid") or 0),
                commit=data.get("commit") if isinstance(data.get("commit"), str) else None,
                ci=data.get("ci") if isinstance(data.get("ci"), str) else None,
                lease_seconds=lease, humectl=str(data.get("humectl") or "?"),
            )  # fmt: skip
        except (KeyError, TypeError, ValueError):
            return None


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
        token=new_run_id() + new_run_id(), run_id=run_id, scope=scope, command=command, user=user,
        host=socket.gethostname(), pid=os.getpid(), commit=commit, ci=ci, lease_seconds=lease_seconds,
    )  # fmt: skip


@dataclass(frozen=True)
class LockRecord:
    """One lock prompt as read from the account (its newest version)."""

    id: str
    name: str
    version: int
    created_on: int  # server ms: when the candidate was created (its place in the queue)
    modified_on: int  # server ms: its newest version, i.e. the last renewal
    lease: Lease | None  # None: a prompt of the reserved name that humectl did not write
    description: str | None

    @classmethod
    def from_head(cls, head: Mapping[str, Any]) -> LockRecord:
        created = _ms(head.get("created_on"))
        return cls(
            id=str(head.get("id")), name=str(head.get("name")), version=int(head.get("version") or 0),
            created_on=created, modified_on=_ms(head.get("modified_on"), created),
            lease=Lease.parse(head.get("text")), description=head.get("version_description"),
        )  # fmt: skip

    def to_dict(self, now_ms: float) -> dict[str, Any]:
        """For ``--output json``: the lock, its holder (None: not humectl's) and whether it ran out."""
        lease = self.lease
        holder = None
        if lease is not None:
            holder = {k: v for k, v in asdict(lease).items() if k not in ("token", "scope", "humectl")}
        return {"id": self.id, "name": self.name, "created_on": self.created_on, "expired": self.expired(now_ms),
                "holder": holder}  # fmt: skip

    @property
    def expires_ms(self) -> float | None:
        """Server time the lease ends; None for a prompt humectl did not write, or one the server gave
        no timestamps (it never expires: a missing time must not make a live lock look dead)."""
        if self.lease is None or self.modified_on <= 0:
            return None
        return self.modified_on + self.lease.lease_seconds * 1000

    def expired(self, now_ms: float) -> bool:
        ends = self.expires_ms
        return ends is not None and now_ms >= ends + GRACE_MS

    def holder(self, now_ms: float) -> str:
        """Who holds it since when, in one line."""
        lease = self.lease
        if lease is None:
            return f"a prompt {self.name!r} that humectl did not write (id {self.id}), since {iso(self.created_on)}"
        who = f"{lease.user}@{lease.host}, pid {lease.pid}" + (f", git {lease.commit}" if lease.commit else "")
        text = f"run {lease.run_id} since {iso(self.created_on)}: `{lease.command}` by {who}"
        if lease.ci:
            text += f", CI job {lease.ci}"
        ends = self.expires_ms
        if ends is None:
            return text + "; the server gave it no time, so it does not run out by itself"
        if self.expired(now_ms):
            return text + f"; its lease ran out {max(0, round((now_ms - ends) / 1000))} s ago"
        left = min(lease.lease_seconds, max(0.0, (ends - now_ms) / 1000))  # our estimate of server time is ±1 s
        return text + f"; its lease ends in {round(left)} s unless renewed"


def _ms(value: Any, default: int = 0) -> int:
    """Hume's timestamps are epoch ms in practice; a seconds value is scaled (as live.iso_time does)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    return int(value if abs(value) > 1e11 else value * 1000)


def first(records: list[LockRecord]) -> LockRecord:
    return min(records, key=lambda r: (r.created_on, r.id))


class ServerClock:
    """The server's time, estimated from its own timestamps so this machine's clock never decides.

    Only ever a lower bound: the estimate is used to judge leases over, and judging one over early
    would let two runs hold. A write of ours the server stamped ``server_ms`` had been stamped by the
    time its answer arrived, so the server's clock read at least ``server_ms`` then and at least that
    plus the time elapsed since now. (Not the midpoint of send and answer: a process stalled by a busy
    CPU, or a create retried, between noting the send and the request leaving, would push it into the
    future by half the stall.) Until there is such a write, the ``Date`` header of the last answer
    does the same at 1 s resolution.
    """

    def __init__(self, client: EviClient) -> None:
        self.client = client
        self._offset_ms: float | None = None  # server ms minus local monotonic ms, at least

    def observe_write(self, server_ms: int, received_s: float) -> None:
        """Our write stamped ``server_ms``, its answer read at ``received_s`` (``monotonic()``)."""
        if server_ms > 0:
            offset = server_ms - received_s * 1000
            self._offset_ms = offset if self._offset_ms is None else max(self._offset_ms, offset)

    def now_ms(self) -> float:
        if self._offset_ms is not None:
            return monotonic() * 1000 + self._offset_ms
        if self.client.last_date is not None:
            raw, received = self.client.last_date
            try:
                server = email.utils.parsedate_to_datetime(raw).timestamp() if raw else None
            except (TypeError, ValueError):
                server = None
            if server is not None:  # the second the answer was made, rounded down; ``received`` is time.time()
                return (server + max(0.0, time.time() - received)) * 1000
        return local_time() * 1000


class AccountLock:
    """Take, renew and release one scope's lock through ``client`` (see the module docstring)."""

    def __init__(
        self,
        client: EviClient,
        lease: Lease,
        *,
        timeout_s: float = 0.0,
        on_wait: Callable[[LockRecord, float, float], None] | None = None,
    ) -> None:
        self.client = client
        self.lease = lease
        self.name = lock_name(lease.scope)
        self.timeout_s = timeout_s
        self.on_wait = on_wait
        self.clock = ServerClock(client)
        self.record: LockRecord | None = None  # ours, once held
        self.candidate: str | None = None  # id of our lock prompt while it exists
        self.acquired_at = 0.0  # monotonic(): when the create that made our lock was sent
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

    async def acquire(self) -> LockRecord:
        """Hold the lock, waiting up to ``timeout_s``; raise LockHeldError naming the holder.

        An attempt that meets no holder but does not win either (a tie, a dead lock broken, a refusal
        whose lock was released before we could read it) is retried at once a few times, and then, while
        ``timeout_s`` lasts, at the pace of a waiter: contention is never reported while time is left.
        """
        deadline = monotonic() + self.timeout_s
        pause, quick, told = POLL_S[0], 0, False
        while True:
            mine, blocker, again = await self._try()
            if mine is not None:
                return mine
            if again and quick < QUICK_RETRIES:
                quick += 1
                await asyncio.sleep(random.uniform(0.01, 0.05 * quick))
                continue
            now = self.clock.now_ms()
            remaining = deadline - monotonic()
            if remaining <= 0:
                if blocker is None and self._refused is not None:
                    raise self._refused  # refused again and again with no lock to read: not the lock
                raise self._held_error(blocker, now)
            if self.on_wait is not None and not told and blocker is not None:
                self.on_wait(blocker, remaining, now)
                told = True
            wait = min(remaining, random.uniform(0.5, 1.0) * pause)
            ends = blocker.expires_ms if blocker is not None else None
            if ends is not None:  # wake up right when a dead holder's lease ends
                wait = min(wait, max(0.05, (ends + GRACE_MS - now) / 1000 + 0.05))
            await asyncio.sleep(wait)
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
        sent = monotonic()
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
            now = self.clock.now_ms()
            live = [r for r in records if not r.expired(now)]
            if live:
                return None, first(live), False
            for record in records:  # every one of them is dead: break exactly those
                await self._delete(record.id)
            return None, None, True
        self._unsure = False
        mine = LockRecord.from_head(made)
        self.candidate = mine.id
        self.clock.observe_write(mine.created_on, monotonic())
        records = await self.read()
        now = self.clock.now_ms()
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
        modified = _ms(made.get("modified_on"), self.record.modified_on)
        self.clock.observe_write(modified, monotonic())
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
        where = scope_label(self.lease.scope)
        if blocker is None:
            return LockHeldError(
                f"could not take the lock of {where}: other runs are taking it at the same moment",
                hint="try again, or wait for it with --lock-timeout 1m",
            )
        return LockHeldError(
            f"the lock of {where} is held by {blocker.holder(now_ms)} (lock ID {blocker.id})",
            hint=(
                "wait for it with --lock-timeout DURATION (e.g. --lock-timeout 2m); if that run is gone, "
                f"break the lock with: humectl force-unlock {blocker.id}"
            ),
            record=blocker,
            now_ms=now_ms,
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
    """The lock prompts of ``scope`` among heads a listing kept aside (EviClient.reserved_heads)."""
    name = lock_name(scope)
    return [LockRecord.from_head(h) for h in heads if h.get("name") == name]


def held_note(records: list[LockRecord], scope: str, now_ms: float) -> str | None:
    """What ``plan`` says when its scope's lock is held while it reads the account."""
    live = [r for r in records if not r.expired(now_ms)]
    if live:
        holder = first(live)
        return (
            f"the lock of {scope_label(scope)} is held by {holder.holder(now_ms)}: an apply is running, so "
            "this plan is likely stale when it ends; plan again after it"
        )
    if records:
        return (
            f"an expired lock of {scope_label(scope)} is left in the account ({first(records).holder(now_ms)}); "
            "the next apply breaks it"
        )
    return None


def server_now_ms(client: EviClient) -> float:
    return ServerClock(client).now_ms()


class LockKeeper:
    """Hold a scope's lock for a ``with`` block, from a thread with its own event loop and connection,
    so the lease is renewed whatever the main thread does (plans, waits for the user's yes, applies).

    Released on the way out of the block: at the end, on an error, on Ctrl-C or SIGTERM. ``lost()``
    says why writing must stop (the lock was deleted, or could not be renewed in time), else None.
    """

    JOIN_S = 20.0  # how long leaving the block waits for the release to be answered

    def __init__(
        self,
        settings: Settings,
        lease: Lease,
        *,
        timeout_s: float = 0.0,
        on_wait: Callable[[LockRecord, float, float], None] | None = None,
        transport: Callable[[], httpx.AsyncBaseTransport | None] | None = None,
    ) -> None:
        self.settings = settings
        self.lease = lease
        self.timeout_s = timeout_s
        self.on_wait = on_wait
        self.transport = transport
        self.record: LockRecord | None = None
        self.requests = 0  # requests the lock cost (acquire, renewals, release)
        self._error: BaseException | None = None
        self._ready = threading.Event()
        self._done = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._valid_until = float("inf")  # monotonic: when our lease may end unless renewed
        self._lost: str | None = None
        self._thread = threading.Thread(target=self._main, name="humectl-lock", daemon=True)

    def __enter__(self) -> LockRecord:
        self._thread.start()
        try:
            while not self._ready.wait(0.1):  # a short wait keeps Ctrl-C responsive
                pass
        except BaseException:
            self._leave()
            raise
        if self._error is not None:
            self._thread.join(self.JOIN_S)
            raise self._error
        assert self.record is not None
        return self.record

    def __exit__(self, *exc: object) -> None:
        self._leave()

    def lost(self) -> str | None:
        if self._lost is None and monotonic() >= self._valid_until:
            self._lost = "the account lock could not be renewed before its lease ended"
        return self._lost

    def _leave(self) -> None:
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop already finished
                loop.call_soon_threadsafe(stop.set)
        self._done.wait(self.JOIN_S)

    def _main(self) -> None:
        try:
            asyncio.run(self._run())
        except BaseException as exc:  # handed to the main thread, never lost
            if self._error is None and not self._ready.is_set():
                self._error = exc
        finally:
            self._ready.set()
            self._done.set()

    async def _run(self) -> None:
        from humectl.engine import open_client

        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        transport = self.transport() if self.transport is not None else None
        async with open_client(self.settings, transport) as client:
            lock = AccountLock(client, self.lease, timeout_s=self.timeout_s, on_wait=self.on_wait)
            try:
                await self._hold(lock)
            finally:
                # Bounded: with the server down, the lease ends on its own soon enough.
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(lock.release(), timeout=min(max(1.0, self.lease.lease_seconds), 10.0))
                self.requests = client.requests_sent

    async def _hold(self, lock: AccountLock) -> None:
        assert self._stop is not None
        acquiring = asyncio.ensure_future(lock.acquire())
        stopping = asyncio.ensure_future(self._stop.wait())
        await asyncio.wait({acquiring, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not acquiring.done():  # left the block (Ctrl-C) while waiting for the lock
            acquiring.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await acquiring
            self._error = KeyboardInterrupt()
            self._ready.set()
            return
        stopping.cancel()
        try:
            self.record = acquiring.result()
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            return
        lease = self.lease.lease_seconds
        # From when the create that made our lock was sent (not when we began to wait for it: a run
        # that waited longer than its lease would count its lock lost the moment it got it).
        self._valid_until = lock.acquired_at + lease
        self._ready.set()
        while not self._stop.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=lease / 3)
            if self._stop.is_set():
                break
            sent = monotonic()
            renewal = asyncio.ensure_future(lock.renew())
            stopping = asyncio.ensure_future(self._stop.wait())
            await asyncio.wait({renewal, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if not renewal.done():  # leaving: the release must not wait for a renewal's retries
                renewal.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await renewal
                break
            try:
                renewal.result()
            except NotFoundError:
                self._lost = "the account lock was deleted while this run held it (force-unlock?)"
                lock.record = lock.candidate = None
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
    requests = 0

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None

    def lost(self) -> str | None:
        return None
