"""Execute a Plan level by level with bounded parallelism, passing new ids/versions to dependents.

On the first failure nothing new is started; writes already in flight finish; the report says
exactly which changes were done, which failed (with the API's message) and which never started.
Any exception a change raises is that change's failure, never a traceback. Interrupted (the task
cancelled: Ctrl-C, SIGTERM), the writes that were sent and not yet answered are reported as in
flight: they may or may not have taken effect. ``halt`` (the account lock, once lost) stops new
starts the way a failure does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from humectl.client import EviClient
from humectl.errors import (
    STOPPED_BY_FAILURE,
    STOPPED_BY_INTERRUPT,
    STOPPED_BY_LOCK_LOST,
    ApplyError,
    ApplyReport,
    HumectlError,
)
from humectl.kinds import KINDS
from humectl.normalize import LATEST, split_ref
from humectl.plan import CREATE, DELETE, DESCRIBE, RENAME, VERSION, Change, Plan

EventCallback = Callable[[str, Change, str], None]  # (status, change, detail); status: start|done|failed
Halt = Callable[[], str | None]  # why to start nothing more (e.g. "the lock was lost"), or None


@dataclass(frozen=True)
class Applied:
    """Where a change landed: the resource id and its (new) head version."""

    id: str
    version: int | None


def apply_order(plan: Plan) -> list[list[Change]]:
    """Levels to run one after another: creates/versions by kind level, then deletes in reverse."""
    forward = [c for c in plan.changes if c.action != DELETE]
    deletes = [c for c in plan.changes if c.action == DELETE]
    levels: list[list[Change]] = []
    for level in sorted({c.level for c in forward}):
        levels.append([c for c in forward if c.level == level])
    for level in sorted({c.level for c in deletes}, reverse=True):
        levels.append([c for c in deletes if c.level == level])
    return levels


class _Executor:
    def __init__(
        self, plan: Plan, client: EviClient, on_event: EventCallback | None, parallelism: int, halt: Halt | None
    ) -> None:
        self.plan = plan
        self.client = client
        self.on_event = on_event or (lambda status, change, detail: None)
        self.halt = halt or (lambda: None)
        self.parallelism = max(1, parallelism)
        self.report = ApplyReport()
        self.results: dict[str, Applied] = self.report.made  # the report says where each change landed
        self.by_address = {c.address: c for c in plan.changes}
        self.ids: dict[str, str] = {a: str(v["id"]) for a, v in plan.live_fingerprint.items()}
        for change in plan.changes:
            if change.live_id:
                self.ids[change.address] = change.live_id
        self.stopped = False
        self.in_flight: list[str] = []  # started, not yet answered: unknown if interrupted

    def resolve_ref(self, target: str, value: str) -> dict[str, Any]:
        name, version = split_ref(value)
        address = f"{target}/{name}"
        dependency = self.by_address.get(address)
        applied = self.results.get(address)
        if applied is not None and dependency is not None and dependency.predicted_version == version:
            # It follows a resource changed in this run: pin the version the server actually made.
            return {"id": applied.id, "version": applied.version}
        resource_id = applied.id if applied is not None else self.ids.get(address)
        if resource_id is None:
            raise HumectlError(f"cannot resolve {address}: it has no live id (was its creation skipped?)")
        if version == LATEST:  # keep following the newest version, as the live config did
            return {"id": resource_id}
        return {"id": resource_id, "version": version}

    def api_body(self, change: Change) -> dict[str, Any]:
        kind = KINDS[change.kind]
        body: dict[str, Any] = {k: v for k, v in change.content.items()}
        for reference in kind.references:
            value = body.get(reference.field)
            if value is None:
                continue
            if reference.many:
                body[reference.field] = [self.resolve_ref(reference.target, v) for v in value]
            else:
                body[reference.field] = self.resolve_ref(reference.target, value)
        body["version_description"] = change.version_description
        return body

    async def execute(self, change: Change) -> str:
        kind = KINDS[change.kind]
        if change.action == CREATE:
            created = await self.client.create(kind, {"name": change.name, **self.api_body(change)})
            self.results[change.address] = Applied(str(created["id"]), int(created.get("version", 0)))
            return f"created (id {created['id']}, version {created.get('version', 0)})"
        assert change.live_id is not None
        if change.action in (RENAME, VERSION) and change.rename_from:
            await self.client.rename(kind, change.live_id, change.name)
        if change.action == VERSION:
            made = await self.client.create_version(kind, change.live_id, self.api_body(change))
            self.results[change.address] = Applied(change.live_id, int(made["version"]))
            return f"version {made['version']} created"
        if change.action == RENAME:
            self.results[change.address] = Applied(change.live_id, change.live_version)
            return f"renamed from {change.rename_from}"
        if change.action == DESCRIBE:
            assert change.live_version is not None
            await self.client.update_description(kind, change.live_id, change.live_version, change.version_description)
            self.results[change.address] = Applied(change.live_id, change.live_version)
            return f"description of version {change.live_version} updated"
        if change.action == DELETE:
            await self.client.delete(kind, change.live_id)
            return "deleted"
        raise HumectlError(f"unknown action {change.action!r} for {change.address}")

    def may_start(self) -> bool:
        if self.stopped:
            return False
        reason = self.halt()
        if reason is not None:
            self.stopped = True
            self.report.stopped_by, self.report.reason = STOPPED_BY_LOCK_LOST, reason
            return False
        return True

    async def run_level(self, changes: list[Change]) -> None:
        queue = list(changes)

        async def worker() -> None:
            while queue and self.may_start():
                change = queue.pop(0)
                self.on_event("start", change, "")
                self.in_flight.append(change.address)
                # Cancellation (Ctrl-C, SIGTERM) passes through with the change still in flight: its
                # request was sent and its answer never read, so nobody knows whether it took effect.
                try:
                    detail = await self.execute(change)
                except Exception as exc:  # every failure belongs in the report, never a traceback
                    message = exc.message if isinstance(exc, HumectlError) else f"{type(exc).__name__}: {exc}"
                    self.in_flight.remove(change.address)
                    self.stopped = True
                    if self.report.stopped_by is None:
                        self.report.stopped_by = STOPPED_BY_FAILURE
                    self.report.failed.append((change.address, message))
                    self.on_event("failed", change, message)
                    continue
                self.in_flight.remove(change.address)
                self.report.done.append(change.address)
                self.on_event("done", change, detail)

        await asyncio.gather(*(worker() for _ in range(min(self.parallelism, len(queue)))))
        self.report.not_started.extend(c.address for c in queue)

    async def run(self) -> ApplyReport:
        levels = apply_order(self.plan)
        try:
            for level in levels:
                if self.stopped:
                    self.report.not_started.extend(c.address for c in level)
                    continue
                await self.run_level(level)
        except (asyncio.CancelledError, KeyboardInterrupt):
            # Interrupted: say exactly what is known instead of dying with a traceback.
            report = self.report
            report.stopped_by, report.reason = STOPPED_BY_INTERRUPT, "interrupted"
            report.in_flight = list(self.in_flight)
            settled = set(report.done) | {a for a, _ in report.failed} | set(report.in_flight)
            report.not_started = [c.address for lv in levels for c in lv if c.address not in settled]
            raise ApplyError("apply interrupted", report) from None
        return self.report


async def apply_plan(
    plan: Plan,
    client: EviClient,
    *,
    on_event: EventCallback | None = None,
    parallelism: int = 8,
    halt: Halt | None = None,
) -> tuple[ApplyReport, Mapping[str, Applied]]:
    """Run every change of ``plan``; never raises for a failed change (see the report's ``failed``
    and ``stopped_by``); raises ApplyError with the report when interrupted."""
    executor = _Executor(plan, client, on_event, parallelism, halt)
    report = await executor.run()
    return report, executor.results
