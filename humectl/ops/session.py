"""A :class:`Session`: one command's connection to an EVI account, and the operations a command runs.

A session owns one client (one connection pool, one rate limiter, one retry policy) over one
transport, for the whole command: every request of a command sees one account (the in-process
emulator is a transport like any other, injected by whoever builds the session). Operations are
coroutines on the session; the caller runs them in one event loop::

    import asyncio
    from humectl import PlanOptions, Session, Settings

    async def main() -> None:
        async with Session(Settings(base_url="http://127.0.0.1:8765", api_key="...")) as session:
            result = await session.plan("evi/", PlanOptions())
            print(result.plan.summary())

    asyncio.run(main())

Nothing here prints, reads flags or touches the host process: the CLI (:mod:`humectl.cli`) parses,
calls one operation, renders and picks the exit code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

from humectl.core.clock import SYSTEM_CLOCK, Clock
from humectl.core.errors import ApplyReport
from humectl.core.settings import Settings
from humectl.decide.drift import Drifted
from humectl.io import lock
from humectl.io.client import EviClient, RetryPolicy, is_loopback
from humectl.io.lock import LockKeeper, NoLock
from humectl.model.desired import ManifestSet
from humectl.model.history import History
from humectl.model.lock import Lease, LockRecord
from humectl.model.plan import Plan
from humectl.model.rollback import Rollback
from humectl.ops.apply import Applied, ApplyOptions, EventCallback, Halt, apply_checked
from humectl.ops.drift import find_three_way_drift
from humectl.ops.export import ExportOptions, ExportOutcome, export_account
from humectl.ops.history import fetch_history
from humectl.ops.plan import PlanOptions, PlanResult, make_destroy_plan, make_plan
from humectl.ops.rollback import plan_rollback
from humectl.ops.snapshot import take_snapshot

EMULATOR_URL = "http://emulator.localhost"  # an in-process transport's base URL: never resolved


class Session:
    """One client over one transport for one command; its operations (see the module docstring).

    ``transport`` replaces the network (the in-process emulator, a test's mock server); ``settings``
    says where the API is, the key, the parallelism and the per-request timeout; ``clock`` is the
    command's time (the lock's deadlines, renewals and pauses; a test's is driven by hand).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        if transport is not None and settings.emulator_db is not None:
            # An in-process emulator answers any key at a URL nothing resolves.
            settings = replace(settings, base_url=EMULATOR_URL, api_key=settings.api_key or "emulator")
        self.settings = settings
        self.clock = clock
        self.client = EviClient(settings, transport=transport, retry=retry, clock=clock)

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the client and its transport (an in-process emulator's database is checkpointed)."""
        await self.client.aclose()

    @property
    def requests_sent(self) -> int:
        return self.client.requests_sent

    # --- reading and planning -------------------------------------------------------------------

    async def plan(
        self, directory: str | Path, options: PlanOptions, *, desired: ManifestSet | None = None
    ) -> PlanResult:
        """``humectl plan``: the manifests under ``directory`` (or ``desired``, already loaded) against live."""
        return await make_plan(self.client, directory, options, desired=desired)

    async def destroy_plan(
        self,
        directory: str | Path,
        desired: ManifestSet,
        *,
        run_id: str | None = None,
        allow_empty: bool = False,
        excludes: tuple[str, ...] = (),
    ) -> PlanResult:
        """``humectl destroy``'s plan: delete what humectl created in the environment of ``desired``
        (``excludes``: ``--exclude`` patterns it leaves, with what they use)."""
        return await make_destroy_plan(
            self.client, directory, desired, run_id=run_id, allow_empty=allow_empty, excludes=excludes
        )

    async def drift(
        self, directory: str | Path, options: PlanOptions, *, desired: ManifestSet | None = None
    ) -> tuple[list[Drifted], PlanResult]:
        """``humectl drift``: what was changed live outside humectl since it last applied, each field as
        manifest ahead, live ahead or a conflict (three-way, :mod:`humectl.ops.drift`)."""
        return await find_three_way_drift(self.client, directory, options, desired=desired)

    async def history(self, address: str) -> History:
        """``humectl history``: every version of ``address`` (``kind/name``), newest first."""
        return await fetch_history(self.client, address)

    async def rollback_plan(
        self, address: str, to_version: int, *, run_id: str, message: str | None, api_flags: str = ""
    ) -> Rollback:
        """``humectl rollback``'s plan: a new version of ``address`` with the content of ``to_version``
        (``api_flags``: what a suggested command needs to reach the same account)."""
        return await plan_rollback(
            self.client, address, to_version, run_id=run_id, message=message, api_flags=api_flags
        )

    async def snapshot(self) -> dict[str, Any]:
        """``humectl emulator snapshot``: the whole account as a seed document."""
        return await take_snapshot(self.client)

    # --- writing ---------------------------------------------------------------------------------

    async def apply(
        self,
        plan: Plan,
        options: ApplyOptions,
        *,
        on_event: EventCallback | None = None,
        halt: Halt | None = None,
    ) -> tuple[ApplyReport, dict[str, Applied]]:
        """Apply exactly ``plan`` (see :func:`humectl.ops.apply.apply_checked`)."""
        return await apply_checked(self.client, plan, options, on_event=on_event, halt=halt)

    async def export(self, directory: str | Path, options: ExportOptions) -> ExportOutcome:
        """``humectl export``: write manifests for the live account and check the round trip."""
        return await export_account(self.client, directory, options)

    # --- the account lock ------------------------------------------------------------------------

    def lock(
        self,
        lease: Lease | None,
        *,
        timeout_s: float = 0.0,
        on_wait: Callable[[LockRecord, float, float], None] | None = None,
    ) -> LockKeeper | NoLock:
        """The account lock of ``lease.scope`` for an ``async with`` block (None: ``--no-lock``)."""
        if lease is None:
            return NoLock()
        return LockKeeper(self.client, lease, timeout_s=timeout_s, on_wait=on_wait, clock=self.clock)

    async def read_lock(self, lock_id: str) -> tuple[LockRecord, float]:
        """``humectl force-unlock``'s first step: the lock ``lock_id`` and the server's time (ms) now."""
        return await lock.read_lock(self.client, lock_id), lock.server_now_ms(self.client)

    async def break_lock(self, record: LockRecord) -> None:
        """Delete the lock ``record`` (``humectl force-unlock``, once confirmed)."""
        await lock.force_unlock(self.client, record)


def snapshot_settings(settings: Settings) -> Settings:
    """A loopback server given no key gets a placeholder one (an emulator started without a key
    accepts any), so ``emulator snapshot --url`` of a local emulator needs none."""
    if not settings.api_key and not settings.emulator_db and is_loopback(settings.base_url):
        return replace(settings, api_key="humectl-snapshot")
    return settings
