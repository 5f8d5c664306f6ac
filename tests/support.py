"""The library driven the way a test needs it: a Session's client, and one plan or apply run to the
end in its own event loop (what each CLI command does), over the in-process emulator when the
settings ask for it, or over a transport the test gives."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx

from humectl.core.errors import ApplyReport
from humectl.core.settings import Settings
from humectl.emulator.app import EmulatorConfig
from humectl.emulator.transport import in_process_transport
from humectl.io.client import EviClient, RetryPolicy
from humectl.model.desired import LoadOptions, ManifestSet
from humectl.model.plan import Plan
from humectl.ops.apply import Applied, ApplyOptions
from humectl.ops.plan import PlanOptions, PlanResult
from humectl.ops.session import Session, snapshot_settings


def session_for(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None, *, retry: RetryPolicy | None = None
) -> Session:
    """The Session a command would open (``settings.emulator_db``: the in-process emulator), or one over
    ``transport``."""
    if transport is None and settings.emulator_db is not None:
        transport = in_process_transport(EmulatorConfig(db=settings.emulator_db))
    return Session(settings, transport=transport, retry=retry)


def open_client(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None, *, retry: RetryPolicy | None = None
) -> EviClient:
    """A Session's client, to use as ``async with open_client(settings) as client``."""
    return session_for(settings, transport, retry=retry).client


def make_plan(
    directory: str | Path,
    settings: Settings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    desired: ManifestSet | None = None,
    load_options: LoadOptions | None = None,
    **options: Any,
) -> PlanResult:
    """``humectl plan`` as a library call: one Session, one event loop."""
    chosen = PlanOptions(load=load_options or LoadOptions(), **options)

    async def main() -> PlanResult:
        async with session_for(settings, transport) as session:
            return await session.plan(directory, chosen, desired=desired)

    return asyncio.run(main())


def apply(
    plan: Plan,
    settings: Settings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    check_fresh: bool = True,
    override_policy: bool = False,
    **kwargs: Any,
) -> tuple[ApplyReport, dict[str, Applied]]:
    """``humectl apply PLAN`` as a library call (``check_fresh``: refuse it when stale)."""
    options = ApplyOptions(check_fresh=check_fresh, override_policy=override_policy, parallelism=settings.parallelism)

    async def main() -> tuple[ApplyReport, dict[str, Applied]]:
        async with session_for(settings, transport) as session:
            return await session.apply(plan, options, **kwargs)

    return asyncio.run(main())


def snapshot_account(settings: Settings) -> dict[str, Any]:
    """``humectl emulator snapshot`` as a library call: the whole account as a seed document."""

    async def main() -> dict[str, Any]:
        async with session_for(snapshot_settings(settings)) as session:
            return await session.snapshot()

    return asyncio.run(main())
