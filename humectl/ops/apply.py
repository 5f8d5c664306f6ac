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

from humectl.core.errors import (
    STOPPED_BY_FAILURE,
    STOPPED_BY_INTERRUPT,
    STOPPED_BY_LOCK_LOST,
    ApplyError,
    ApplyReport,
    HumectlError,
    NotFoundError,
    PlanError,
    StalePlanError,
)
from humectl.core.kinds import DEPENDENCY_ORDER, KINDS, KindName
from humectl.decide import policy
from humectl.decide.gates import refuse_blocked, stale_reasons
from humectl.decide.normalize import LATEST, ref, split_ref
from humectl.io.client import EviClient
from humectl.io.listing import fetch_live_state
from humectl.model.plan import (
    CREATE,
    DELETE,
    DELETE_VERSION,
    DESCRIBE,
    RENAME,
    UNMANAGE,
    VERSION,
    Change,
    Operation,
    Plan,
)
from humectl.ops.readback import read_back

EventCallback = Callable[[str, Change, str], None]  # (status, change, detail); status: start|done|failed
Halt = Callable[[], str | None]  # why to start nothing more (e.g. "the lock was lost"), or None


@dataclass(frozen=True)
class Applied:
    """Where a change landed: the resource id and its (new) head version."""

    id: str
    version: int | None


_REMOVALS: tuple[Operation, ...] = (DELETE_VERSION, DELETE)


def phase_operations(change: Change, removing: bool) -> tuple[Operation, ...]:
    """The operations of ``change`` that run in the writing phase, or in the removing phase."""
    return tuple(op for op in change.operations if (op in _REMOVALS) == removing)


def apply_phases(plan: Plan) -> list[tuple[bool, list[Change]]]:
    """Levels to run one after another, each with whether it removes: every write by kind level
    (what is referenced first), then every removal in reverse (a config's old versions and the config
    before the prompts and tools they referenced), so nothing is removed while something made or
    kept in this apply still needs it. A change that writes and removes (a new version, then its old
    versions deleted) is in a level of each phase."""
    writes = [c for c in plan.changes if phase_operations(c, False)]
    removals = [c for c in plan.changes if phase_operations(c, True)]
    levels: list[tuple[bool, list[Change]]] = []
    for level in sorted({c.level for c in writes}):
        levels.append((False, [c for c in writes if c.level == level]))
    for level in sorted({c.level for c in removals}, reverse=True):
        levels.append((True, [c for c in removals if c.level == level]))
    return levels


def apply_order(plan: Plan) -> list[list[Change]]:
    """The levels of :func:`apply_phases`, without the phase."""
    return [changes for _, changes in apply_phases(plan)]


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
        self.answers: dict[str, Any] = {}  # address -> the server's answer to its last write (None: no body)

    def resolve_ref(self, target: KindName, value: str) -> dict[str, Any]:
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

    def sent_content(self, change: Change) -> dict[str, Any]:
        """``change.content`` with each reference at the version it was sent with (:meth:`resolve_ref`)."""
        content = dict(change.content)
        for reference in KINDS[change.kind].references:
            value = content.get(reference.field)
            if value is None:
                continue
            items = [self.sent_ref(reference.target, v) for v in (value if reference.many else [value])]
            content[reference.field] = sorted(items) if reference.many else items[0]
        return content

    def sent_ref(self, target: str, value: str) -> str:
        name, version = split_ref(value)
        dependency = self.by_address.get(f"{target}/{name}")
        applied = self.results.get(f"{target}/{name}")
        if applied is not None and dependency is not None and dependency.predicted_version == version:
            return ref(name, applied.version if applied.version is not None else version)
        return value

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

    async def execute(self, change: Change, removing: bool = False) -> str:
        """Run the change's operations of this phase in order; each one done is recorded before the next
        starts, so a change that fails part-way says exactly which of its operations took effect."""
        done = self.report.operations.setdefault(change.address, [])
        details = []
        for op in phase_operations(change, removing):
            self.answers.pop(change.address, None)
            details.append(await self.run_operation(op, change))
            done.append(op)
            # Read the write back (done: a failed read is reported, never a failed change).
            applied = self.results.get(change.address)
            resource_id = applied.id if applied is not None else change.live_id or ""
            meant = self.sent_content(change) if op in (CREATE, VERSION) else {}
            answer = self.answers.get(change.address)
            self.report.readback += await read_back(self.client, change, op, answer, meant, resource_id)
        return "; ".join(details)

    async def run_operation(self, op: Operation, change: Change) -> str:
        kind = KINDS[change.kind]
        if op == CREATE:
            created = await self.client.create(kind, {"name": change.name, **self.api_body(change)})
            self.answers[change.address] = created
            self.results[change.address] = Applied(str(created["id"]), int(created.get("version", 0)))
            return f"created (id {created['id']}, version {created.get('version', 0)})"
        if change.live_id is None:
            raise HumectlError(f"{change.address}: {op} needs the live resource's id, which the plan lacks")
        if op == RENAME:
            await self.client.rename(kind, change.live_id, change.name)
            self.results.setdefault(change.address, Applied(change.live_id, change.live_version))
            return f"renamed from {change.rename_from}"
        if op == VERSION:
            made = await self.client.create_version(kind, change.live_id, self.api_body(change))
            self.answers[change.address] = made
            self.results[change.address] = Applied(change.live_id, int(made["version"]))
            return f"version {made['version']} created"
        if op == DESCRIBE:
            if change.live_version is None:
                raise HumectlError(f"{change.address}: describe needs the live version, which the plan lacks")
            self.answers[change.address] = await self.client.update_description(
                kind, change.live_id, change.live_version, change.version_description
            )
            self.results[change.address] = Applied(change.live_id, change.live_version)
            return f"description of version {change.live_version} updated"
        if op == UNMANAGE:
            if change.live_version is None:
                raise HumectlError(f"{change.address}: unmanage needs the live version, which the plan lacks")
            self.answers[change.address] = await self.client.update_description(
                kind, change.live_id, change.live_version, change.version_description
            )
            self.results[change.address] = Applied(change.live_id, change.live_version)
            return "no longer managed by humectl (left live)"
        if op == DELETE_VERSION:
            gone = 0
            for version in change.versions:
                try:
                    await self.client.delete_version(kind, change.live_id, version)
                except NotFoundError:
                    gone += 1  # deleted since the plan was made (a re-run of an interrupted apply): done
                self.report.deleted_versions.setdefault(change.address, []).append(version)
            already = f" ({gone} already gone)" if gone else ""
            return f"{len(change.versions)} old version(s) deleted{already}"
        if op == DELETE:
            await self.client.delete(kind, change.live_id)
            return "deleted"
        raise HumectlError(f"unknown operation {op!r} for {change.address}")

    def may_start(self) -> bool:
        if self.stopped:
            return False
        reason = self.halt()
        if reason is not None:
            self.stopped = True
            self.report.stopped_by, self.report.reason = STOPPED_BY_LOCK_LOST, reason
            return False
        return True

    async def run_level(self, changes: list[Change], removing: bool = False) -> None:
        queue = list(changes)

        async def worker() -> None:
            while queue and self.may_start():
                change = queue.pop(0)
                self.on_event("start", change, "")
                self.in_flight.append(change.address)
                # Cancellation (Ctrl-C, SIGTERM) passes through with the change still in flight: its
                # request was sent and its answer never read, so nobody knows whether it took effect.
                try:
                    detail = await self.execute(change, removing)
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
                if removing or not phase_operations(change, True):  # all of its operations took effect
                    self.report.done.append(change.address)
                self.on_event("done", change, detail)

        await asyncio.gather(*(worker() for _ in range(min(self.parallelism, len(queue)))))
        self.report.not_started.extend(c.address for c in queue)

    async def run(self) -> ApplyReport:
        phases = apply_phases(self.plan)
        levels = [level for _, level in phases]
        try:
            for removing, level in phases:
                if self.stopped:
                    started = set(self.report.not_started) | {a for a, _ in self.report.failed}
                    self.report.not_started.extend(c.address for c in level if c.address not in started)
                    continue
                await self.run_level(level, removing)
        except (asyncio.CancelledError, KeyboardInterrupt):
            # Interrupted: say exactly what is known instead of dying with a traceback.
            report = self.report
            report.stopped_by, report.reason = STOPPED_BY_INTERRUPT, "interrupted"
            report.in_flight = list(self.in_flight)
            settled = set(report.done) | {a for a, _ in report.failed} | set(report.in_flight)
            report.not_started = list(dict.fromkeys(c.address for lv in levels for c in lv if c.address not in settled))
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


@dataclass(frozen=True, kw_only=True)
class ApplyOptions:
    """How to apply a plan (the flags of ``apply``)."""

    check_fresh: bool = False  # a saved plan: refuse it when a live object it depends on moved
    override_policy: bool = False  # apply a plan that violates the review policy (--override-policy)
    parallelism: int = 8


async def refuse_stale(client: EviClient, plan: Plan) -> None:
    """Raise StalePlanError when a live object ``plan`` depends on moved since it was made."""
    # A resource the plan creates or deletes must not be missed by a listing that shifts meanwhile.
    touched = {c.kind for c in plan.changes if c.does(CREATE) or c.does(DELETE)}
    moved = stale_reasons(plan, await fetch_live_state(client, confirm=touched))
    if moved:
        raise StalePlanError(
            "the saved plan is stale: " + "; ".join(moved),
            hint="run `humectl plan` again and review the new plan",
        )


async def apply_checked(
    client: EviClient,
    plan: Plan,
    options: ApplyOptions,
    *,
    on_event: EventCallback | None = None,
    halt: Halt | None = None,
) -> tuple[ApplyReport, dict[str, Applied]]:
    """Apply ``plan``; refuse it when it holds a refused change, when a live object it depends on moved
    (``check_fresh``), or when it violates the review policy (unless ``override_policy``); raise
    ApplyError with the report when it stops before the end."""
    if plan.saved_sensitive:
        raise PlanError("the saved plan holds sensitive values it does not carry: read them first (restore_sensitive)")
    refuse_blocked(plan)
    policy.refuse(plan, override=options.override_policy)
    if options.check_fresh:
        await refuse_stale(client, plan)
    report, results = await apply_plan(plan, client, on_event=on_event, parallelism=options.parallelism, halt=halt)
    if report.stopped_by == STOPPED_BY_LOCK_LOST:
        raise ApplyError(f"apply stopped: {report.reason}", report)
    if report.failed:
        raise ApplyError(f"apply stopped: {len(report.failed)} change(s) failed", report)
    return report, dict(results)


def applied_resources(plan: Plan, report: ApplyReport) -> list[dict[str, Any]]:
    """Every resource the plan's manifests define, where it is after the apply: its live id and
    version (what this apply made, else what the plan read), configs first. A resource not created
    (the apply stopped first) has ``id`` None."""
    addresses = [c.address for c in plan.changes if not c.does(DELETE)] + list(plan.unchanged)
    out = []
    for address in addresses:
        kind, _, name = address.partition("/")
        made = report.made.get(address) if address in report.done else None
        read = plan.live_fingerprint.get(address)
        if made is not None:
            resource_id, version = made.id, made.version
        else:
            resource_id, version = (read["id"], read["version"]) if read else (None, None)
        out.append({"address": address, "kind": kind, "name": name, "id": resource_id, "version": version})
    order = {k: i for i, k in enumerate(reversed(DEPENDENCY_ORDER))}
    return sorted(out, key=lambda r: (order.get(r["kind"], 0), r["name"]))
