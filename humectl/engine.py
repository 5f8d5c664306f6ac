"""The library API behind ``plan`` and ``apply``: load → live → plan → (check fresh) → apply.

The CLI is a thin layer over these functions, and so are the tests. Nothing here prints.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import dataclasses
import functools
import json
import threading
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from humectl import lock, policy, sensitive, stages
from humectl.apply import Applied, EventCallback, Halt, apply_plan
from humectl.client import EviClient, RetryPolicy
from humectl.collector import with_fewer_collections
from humectl.errors import STOPPED_BY_LOCK_LOST, ApplyError, ApplyReport, PlanError, StalePlanError
from humectl.kinds import KINDS, LOCK_KIND
from humectl.live import LiveResource, LiveState, complete_versions, fetch_live_state, referrer_versions
from humectl.manifest import LoadOptions, ManifestSet, PendingLoad, load_manifests
from humectl.plan import CREATE, DELETE, Plan, markdown_sibling
from humectl.planner import PlanBuilder
from humectl.provenance import new_run_id
from humectl.settings import Settings

if TYPE_CHECKING:
    from humectl.export import ExportResult
    from humectl.history import History
    from humectl.lock import LockRecord
    from humectl.rollback import Rollback

T = TypeVar("T")


@dataclass(repr=False)
class PlanResult:
    plan: Plan
    desired: ManifestSet
    live: LiveState
    requests: int
    lock_note: str | None = None  # the plan's scope is locked by a running apply (see lock.held_note)

    def __repr__(self) -> str:
        # Compact on purpose: Python 3.11's asyncio.run() formats the repr of its result on exit,
        # ~20 ms for the ManifestSet and Plan of a 2,300-resource account.
        changes, live = len(self.plan.changes), len(self.live.resources)
        return f"PlanResult(<{changes} changes, {live} live, {self.requests} requests>)"


EMULATOR_URL = "http://emulator.localhost"  # never resolved: requests go straight into the app


def open_client(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None, *, retry: RetryPolicy | None = None
) -> EviClient:
    """The client of one command. ``settings.emulator_db`` set (``--emulator[=DB]``) and no ``transport``:
    the in-process emulator over that database, built here and injected (the client knows only httpx)."""
    if settings.emulator_db and settings.emulator_db != ":memory:":
        Path(settings.emulator_db).parent.mkdir(parents=True, exist_ok=True)
    if settings.emulator_db is not None and transport is None:
        from humectl.emulator.app import EmulatorConfig
        from humectl.emulator.transport import in_process_transport

        transport = in_process_transport(EmulatorConfig(db=settings.emulator_db))
        settings = dataclasses.replace(settings, base_url=EMULATOR_URL, api_key=settings.api_key or "emulator")
    return EviClient(settings, transport=transport, retry=retry)


def run_with_client(settings: Settings, work: Callable[[EviClient], Awaitable[T]]) -> T:
    """Run ``work(client)`` to the end with this command's client (opened and closed here)."""

    async def main() -> T:
        async with open_client(settings) as client:
            return await work(client)

    return asyncio.run(main())


# --- one call per command that reads or writes the account outside plan/apply --------------------


def export_account(
    settings: Settings,
    directory: str | Path,
    *,
    selectors: Iterable[str] = (),
    schema_ref: str | None = None,
    force: bool = False,
    secrets: Mapping[str, str] | None = None,
) -> ExportOutcome:
    """``humectl export``: read every live head (complete), write the manifests into ``directory``
    (refusing existing files unless ``force``), then load them back and plan them against the same
    account: ``differences`` is what the first plan would change (empty: the round trip is exact)."""
    from humectl.export import export_live, render_export, verify_export, write_export

    live = run_with_client(settings, export_live)
    result = render_export(live, selectors=selectors, schema_ref=schema_ref, secrets=secrets)
    write_export(result, directory, force=force)
    return ExportOutcome(result, verify_export(directory, live, result.addresses, secrets))


@dataclass
class ExportOutcome:
    result: ExportResult
    differences: list[str]  # what `humectl plan` on the written files would change (empty: exact)


def read_history(settings: Settings, address: str) -> History:
    """``humectl history``: every version of ``address`` (``kind/name``), newest first."""
    from humectl.history import fetch_history

    return run_with_client(settings, lambda client: fetch_history(client, address))


def plan_rollback(settings: Settings, address: str, to_version: int, *, run_id: str, message: str | None) -> Rollback:
    """``humectl rollback``'s plan: a new version of ``address`` with the content of ``to_version``."""
    from humectl import rollback

    return run_with_client(
        settings, lambda client: rollback.plan_rollback(client, address, to_version, run_id=run_id, message=message)
    )


def read_lock(settings: Settings, lock_id: str) -> tuple[LockRecord, float]:
    """``humectl force-unlock``'s first step: the lock ``lock_id`` and the server's time (ms) now."""

    async def read(client: EviClient) -> tuple[LockRecord, float]:
        return await lock.read_lock(client, lock_id), lock.server_now_ms(client)

    return run_with_client(settings, read)


def break_lock(settings: Settings, record: LockRecord) -> None:
    """Delete the lock ``record`` (``humectl force-unlock``, once confirmed)."""
    run_with_client(settings, lambda client: lock.force_unlock(client, record))


def snapshot_account(settings: Settings) -> dict[str, Any]:
    """``humectl emulator snapshot``: the whole account as a seed document. A loopback server given
    no key gets a placeholder one (an emulator started without --api-key accepts any key)."""
    from humectl.client import is_loopback
    from humectl.snapshot import take_snapshot

    if not settings.api_key and not settings.emulator_db and is_loopback(settings.base_url):
        settings = dataclasses.replace(settings, api_key="humectl-snapshot")
    return run_with_client(settings, take_snapshot)


@with_fewer_collections  # the live state and the plan are long-lived and acyclic
async def plan_live(
    client: EviClient,
    desired: ManifestSet | Awaitable[ManifestSet],
    *,
    run_id: str,
    message: str | None = None,
    targets: Iterable[str] = (),
    prune: bool = False,
    prune_unmanaged: bool = False,
) -> tuple[Plan, LiveState]:
    """List the live account and plan against it at once: the builder plans each page as it arrives.

    Hume's list pages leave some fields out (``Kind.detail_fields``: a prompt's ``prompt_expansion``).
    A head is read on its own (``live.complete_versions``) only when it must be, concurrently with the
    rest of the listing: before it is compared, when its manifest entry sets such a field (or nulls
    it); after it is planned, when it gets a new version, which must carry the live value of every
    field the manifest leaves out. So the plan's content is complete (it is what apply sends, and
    what a saved plan holds), and an unchanged head costs no read.

    ``desired`` may still be loading (an awaitable, as :func:`make_plan_async` passes it): the listing
    starts at once, pages that arrive before the manifests are kept and planned when they are loaded,
    and a failed load (a ManifestError) stops the listing and is raised.
    """
    builder: PlanBuilder  # made once the manifests are loaded, before any callback uses it
    early: list[tuple[str, list[dict[str, Any]]]] = []  # pages that came before the manifests
    ready = asyncio.Event()
    reads: dict[str, list[asyncio.Future[None]]] = {}  # kind -> its detail reads
    reading: set[str] = set()
    detailed: dict[tuple[str, str], dict[str, Any]] = {}

    async def read_then_plan(kind: str, item: dict[str, Any]) -> None:
        [full] = await complete_versions(client, KINDS[kind], [item])
        detailed[(kind, str(item["id"]))] = full
        with stages.span("plan"):
            builder.add_page(kind, [full])
            start_completions()

    async def complete_planned(address: str, head: LiveResource) -> None:
        [full] = await complete_versions(client, KINDS[head.kind], [head.data])
        detailed[(head.kind, head.id)] = full
        with stages.span("plan"):
            builder.replan(address, LiveResource(head.kind, head.name, head.id, head.version, full))

    def start_completions() -> None:
        """Read the heads the builder just planned as new versions from list items alone."""
        for address, head in list(builder.incomplete.items()):
            if address not in reading:
                reading.add(address)
                reads.setdefault(head.kind, []).append(asyncio.ensure_future(complete_planned(address, head)))

    def on_page(kind: str, items: list[dict[str, Any]]) -> None:
        if not ready.is_set():
            early.append((kind, items))
            return
        with stages.span("plan"):
            plain = []
            for item in items:
                if builder.needs_detail(kind, item):
                    reads.setdefault(kind, []).append(asyncio.ensure_future(read_then_plan(kind, item)))
                else:
                    plain.append(item)
            builder.add_page(kind, plain)
            start_completions()

    async def on_complete(kind: str) -> None:
        await ready.wait()
        await asyncio.gather(*reads.get(kind, []))
        with stages.span("plan"):
            builder.complete(kind)
            start_completions()

    async def listing() -> LiveState:
        # The coroutine of fetch_live_state is made only once this runs: one made up front and handed on
        # would be left never awaited when the listing is cancelled before it starts (the manifests failed).
        with stages.span("list"):
            return await fetch_live_state(client, on_page=on_page, on_complete=on_complete)

    async def list_all() -> tuple[LiveState, list[dict[str, Any]]]:
        if prune:
            # Every config version, to refuse deleting a prompt/tool that any of them still pins.
            live, config_versions = await asyncio.gather(listing(), referrer_versions(client))
            return live, config_versions
        return await listing(), []

    listed = asyncio.ensure_future(list_all())
    try:
        try:
            loaded = desired if isinstance(desired, ManifestSet) else await desired
        except BaseException:
            listed.cancel()  # the manifests failed: nothing to plan, and their error is the one to report
            await asyncio.gather(listed, return_exceptions=True)
            raise
        builder = PlanBuilder(loaded, run_id=run_id, message=message)
        ready.set()
        for kind, items in early:
            on_page(kind, items)
        early.clear()
        live, config_versions = await listed
        await asyncio.gather(*(t for tasks in reads.values() for t in tasks))
    finally:
        listed.cancel()
        for task in (t for tasks in reads.values() for t in tasks):
            task.cancel()
    if detailed:
        by_id = {(r.kind, r.id): r for r in live.resources.values()}
        for key, data in detailed.items():
            if key in by_id:
                by_id[key].data = data
    with stages.span("plan"):
        plan = builder.finish(
            live, targets=targets, prune=prune, prune_unmanaged=prune_unmanaged, config_versions=config_versions
        )
    return plan, live


async def make_plan_async(
    directory: str | Path,
    settings: Settings,
    *,
    load_options: LoadOptions | None = None,
    message: str | None = None,
    targets: Iterable[str] = (),
    prune: bool = False,
    prune_unmanaged: bool = False,
    run_id: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    desired: ManifestSet | None = None,
    preloaded: PendingLoad | None = None,
    allow_empty: bool = False,
    fail_on: str | None = None,
) -> PlanResult:
    """Load the manifests (unless ``desired`` is given, already loaded) and plan them against live.

    Every change is assessed for risk and the plan checked against the manifests' review policy
    (``fail_on``: ``--fail-on``, over humectl.yaml's); :func:`humectl.policy.refuse` refuses it.

    No resources at all is refused as soon as the manifests are loaded (the listing, which only
    reads, is stopped), and a plan whose prune deletes every resource humectl manages is marked so
    (:func:`refuse_blocked` refuses it), unless ``allow_empty``: an empty or wrong directory is not a
    licence to delete.

    The manifests load while the listing goes out: reading and validating them takes about as long as
    the listing waits for the network. ``preloaded`` is that load already begun in a forked child (the
    CLI starts it before it imports this module: humectl.forked); otherwise it runs in a thread. Their
    error still wins over any other.
    """
    loading: ManifestSet | asyncio.Future[ManifestSet]
    if desired is not None:
        loading = desired
    elif preloaded is not None:
        loading = in_thread(preloaded.result)
    else:
        loading = in_thread(load_manifests, directory, load_options)

    async def checked() -> ManifestSet:
        loaded = await _loaded(loading)
        if not loaded.resources and not allow_empty:
            raise PlanError(
                f"no resources in {directory}: its manifests hold no prompt, tool or config",
                hint="add prompts:, tools: or configs: to the manifests; to plan an empty account on purpose "
                "(with --prune: delete everything humectl made), pass --allow-empty to plan/apply",
            )
        return loaded

    try:
        client = open_client(settings, transport)
    except Exception:
        await checked()
        raise
    async with client:
        plan, live = await plan_live(
            client, checked(), run_id=run_id or new_run_id(), message=message, targets=targets, prune=prune,
            prune_unmanaged=prune_unmanaged,
        )  # fmt: skip
        plan.allow_empty = allow_empty
        requests = client.requests_sent
        desired = await _loaded(loading)
        # Fields that touch a sensitive value are masked in the plan's display data; the content keeps
        # the values (apply sends them) and its serialisation masks them (humectl.sensitive).
        sensitive.mask_plan(plan, {**sensitive.current().by_name(), **desired.sensitive})
        policy.gate(plan, fail_on)
        # The listing kept the lock prompts aside: say so when this scope's lock is held (no request).
        scope = desired.name_prefix
        locks = lock.locks_in(client.reserved_heads.get(LOCK_KIND.name, []), scope)
        note = lock.held_note(locks, scope, lock.server_now_ms(client)) if locks else None
    return PlanResult(plan=plan, desired=desired, live=live, requests=requests, lock_note=note)


async def _loaded(loading: ManifestSet | asyncio.Future[ManifestSet]) -> ManifestSet:
    return loading if isinstance(loading, ManifestSet) else await loading


def in_thread(func: Callable[..., T], *args: Any) -> asyncio.Future[T]:
    """``func(*args)`` in a daemon thread, as a future of this loop (Ctrl-C never waits for it)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(outcome: Callable[[], None]) -> None:
        if not future.done():
            outcome()

    def run() -> None:
        try:
            result = func(*args)
        except BaseException as exc:  # handed to the awaiting coroutine, which raises it
            outcome = functools.partial(future.set_exception, exc)
        else:
            outcome = functools.partial(future.set_result, result)
        with contextlib.suppress(RuntimeError):  # the loop is gone (interrupted): nobody is waiting
            loop.call_soon_threadsafe(settle, outcome)

    # In this context: what the loader registers (sensitive values) is what the command masks.
    sensitive.current()
    context = contextvars.copy_context()
    name = f"humectl-{getattr(func, '__name__', 'work')}"
    threading.Thread(target=context.run, args=(run,), name=name, daemon=True).start()
    return future


def make_plan(directory: str | Path, settings: Settings, **kwargs: Any) -> PlanResult:
    return asyncio.run(make_plan_async(directory, settings, **kwargs))


async def make_destroy_plan_async(
    directory: str | Path,
    settings: Settings,
    *,
    load_options: LoadOptions | None = None,
    run_id: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    desired: ManifestSet | None = None,
    allow_empty: bool = False,
) -> PlanResult:
    """The plan that deletes the environment of the manifests in ``directory`` (:mod:`humectl.destroy`).

    Manifests without any resource are refused unless ``allow_empty``, as for a plan: a wrong
    directory would otherwise destroy everything humectl created in the scope.
    """
    from humectl.destroy import plan_destroy

    if desired is None:
        desired = load_manifests(directory, load_options)
    if not desired.resources and not allow_empty:
        raise PlanError(
            f"no resources in {directory}: its manifests hold no prompt, tool or config",
            hint="point destroy at the manifests of the environment; to delete everything humectl created in "
            "its scope without them, pass --allow-empty",
        )
    async with open_client(settings, transport) as client:
        plan, live = await plan_destroy(client, desired, run_id=run_id or new_run_id())
        requests = client.requests_sent
    return PlanResult(plan=plan, desired=desired, live=live, requests=requests)


def make_destroy_plan(directory: str | Path, settings: Settings, **kwargs: Any) -> PlanResult:
    return asyncio.run(make_destroy_plan_async(directory, settings, **kwargs))


def refuse_blocked(plan: Plan) -> None:
    """A plan with a refused delete is not applied at all: nothing half-done. Neither is a prune that
    deletes every resource humectl manages, unless the plan was made with ``allow_empty``."""
    if plan.deletes_all_managed and not plan.allow_empty:
        deletes = sum(1 for c in plan.changes if c.action == DELETE)
        raise PlanError(
            f"the plan deletes every resource humectl manages ({deletes}) and keeps none: refused",
            hint="check the manifest directory (and --env/--name-prefix); if deleting them all is what you "
            "want, plan or apply again with --allow-empty",
        )
    if plan.blocked:
        details = "; ".join(f"{c.address}: {c.blocked_by}" for c in plan.blocked)
        if plan.destroy:  # as Terraform's prevent_destroy: the whole destroy is refused
            raise PlanError(
                f"destroy refused, nothing was deleted: {details}",
                hint="set protect: false on protected resources and apply, or remove what still uses "
                "them, then destroy again",
            )
        raise PlanError(
            f"the plan deletes what must not be deleted: {details}",
            hint="keep those resources in the manifests, or resolve what holds them, then plan again",
        )


def stale_reasons(plan: Plan, live: LiveState) -> list[str]:
    """What moved since the plan was made, among the live objects the plan depends on."""
    now = live.fingerprint()
    watched: set[str] = set()
    for change in plan.changes:
        watched.add(change.address)
        watched.update(change.depends_on)
        if change.rename_from:
            watched.add(f"{change.kind}/{change.rename_from}")
    reasons = []
    for address in sorted(watched):
        before, after = plan.live_fingerprint.get(address), now.get(address)
        if before == after:
            continue
        if before is None:
            reasons.append(f"{address} appeared (id {after['id']}, version {after['version']})" if after else "")
        elif after is None:
            reasons.append(f"{address} disappeared (was id {before['id']}, version {before['version']})")
        elif before["id"] != after["id"]:
            reasons.append(f"{address} is a different resource now (id {before['id']} → {after['id']})")
        else:
            reasons.append(f"{address} moved from version {before['version']} to {after['version']}")
    return [r for r in reasons if r]


async def refuse_stale(client: EviClient, plan: Plan) -> None:
    """Raise StalePlanError when a live object ``plan`` depends on moved since it was made."""
    moved = stale_reasons(plan, await fetch_live_state(client))
    if moved:
        raise StalePlanError(
            "the saved plan is stale: " + "; ".join(moved),
            hint="run `humectl plan` again and review the new plan",
        )


def check_fresh(plan: Plan, settings: Settings) -> None:
    """:func:`refuse_stale` on its own connection: ``apply FILE`` refuses a stale plan before showing it."""

    async def check() -> None:
        async with open_client(settings) as client:
            await refuse_stale(client, plan)

    asyncio.run(check())


async def apply_async(
    plan: Plan,
    settings: Settings,
    *,
    on_event: EventCallback | None = None,
    check_fresh: bool = True,
    transport: httpx.AsyncBaseTransport | None = None,
    halt: Halt | None = None,
    override_policy: bool = False,
) -> tuple[ApplyReport, dict[str, Applied]]:
    """Apply ``plan``; refuse it when a live object it depends on moved, or when it violates the review
    policy (unless ``override_policy``); raise ApplyError on failure."""
    if plan.saved_sensitive:
        raise PlanError(
            "the saved plan holds sensitive values it does not carry: read them first (engine.restore_sensitive)"
        )
    refuse_blocked(plan)
    policy.refuse(plan, override=override_policy)
    async with open_client(settings, transport) as client:
        if check_fresh:
            await refuse_stale(client, plan)
        report, results = await apply_plan(plan, client, on_event=on_event, parallelism=settings.parallelism, halt=halt)
    if report.stopped_by == STOPPED_BY_LOCK_LOST:
        raise ApplyError(f"apply stopped: {report.reason}", report)
    if report.failed:
        raise ApplyError(f"apply stopped: {len(report.failed)} change(s) failed", report)
    return report, dict(results)


def apply(plan: Plan, settings: Settings, **kwargs: Any) -> tuple[ApplyReport, dict[str, Applied]]:
    return asyncio.run(apply_async(plan, settings, **kwargs))


def applied_resources(plan: Plan, report: ApplyReport) -> list[dict[str, Any]]:
    """Every resource the plan's manifests define, where it is after the apply: its live id and
    version (what this apply made, else what the plan read), configs first. A resource not created
    (the apply stopped first) has ``id`` None."""
    from humectl.kinds import DEPENDENCY_ORDER

    addresses = [c.address for c in plan.changes if c.action != DELETE] + list(plan.unchanged)
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


def save_plan(plan: Plan, path: str | Path, *, markdown: str | None = None) -> Path | None:
    """Write the plan file: no sensitive value in it (``Plan.to_dict`` keeps salted fingerprints instead).

    ``markdown`` (the plan rendered for a PR comment) is written beside it (``plan.markdown_sibling``),
    masked like everything printed; its path is returned.
    """
    data = plan.to_dict()
    guard = sensitive.current()  # values the plan does not know (the API key): masked as everywhere else
    data = {**guard.mask_data({k: v for k, v in data.items() if k != "changes"}), "changes": [
        {**guard.mask_data({k: v for k, v in c.items() if k != "content"}), "content": c["content"]}
        for c in data["changes"]
    ]}  # fmt: skip
    Path(path).write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    if markdown is None:
        return None
    sibling = markdown_sibling(path)
    sensitive.write_masked(sibling, markdown)
    return sibling


def restore_sensitive(plan: Plan, environ: Mapping[str, str]) -> None:
    """Put a saved plan's sensitive values back into its content, read again from ``environ``
    (``HUMECTL_SECRET_<NAME>``, ``HUMECTL_SECRETS``, ``HUMECTL_VAR_<NAME>``); refuse when one is
    missing, or is not the value the plan was made with (its salted fingerprint differs)."""
    saved = plan.saved_sensitive
    if not saved:
        return
    from humectl.variables import ENV_PREFIX, variables_from_environ

    available = {**variables_from_environ(environ), **sensitive.secrets_from_environ(environ)}
    salt = str(saved.get("salt") or "")
    values: dict[str, str] = {}
    for name, expected in sorted((saved.get("fingerprints") or {}).items()):
        value = available.get(name)
        if value is None:
            raise PlanError(
                f"the saved plan needs the sensitive value of {name}, which it does not hold",
                hint=f"set {sensitive.SECRET_PREFIX}{name} (or {ENV_PREFIX}{name}) to the value the plan was made with",
            )
        try:
            matches = sensitive.same(value, salt, str(expected))
        except ValueError:
            matches = False
        if not matches:
            raise PlanError(
                f"the sensitive value of {name} in the environment is not the one this plan was made with",
                hint="plan again with the current value, review the plan, then apply it",
            )
        values[name] = value
        sensitive.current().add(name, value)
    places = saved.get("places") or {}
    try:
        for change in plan.changes:
            if change.address in places:
                change.content = sensitive.unmask_content(change.content, places[change.address], values)
    except (ValueError, KeyError, TypeError) as exc:
        raise PlanError(f"the saved plan's sensitive values cannot be put back: {exc}") from None
    plan.sensitive = values
    plan.saved_sensitive = None


def load_plan(path: str | Path) -> Plan:
    hint = "save one with: humectl plan DIR --out plan.json"
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError(f"cannot read saved plan {path}: {exc}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise PlanError(f"{path} is not a humectl plan file (not JSON: {exc})", hint=hint) from None
    except RecursionError:
        raise PlanError(f"{path} is not a humectl plan file (JSON nested too deeply)", hint=hint) from None
    if not isinstance(data, dict):
        raise PlanError(f"{path} is not a humectl plan file", hint=hint)
    try:
        plan = Plan.from_dict(data)
        if any("risk" not in c for c in data.get("changes") or [] if isinstance(c, dict)):
            from humectl import risk

            risk.assess(plan, plan.policy.risk)  # saved by a humectl before risk: assessed now
        return plan
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:  # hand-edited or truncated
        # The type of the failure only: its text can quote the file's content.
        raise PlanError(f"{path} is not a valid humectl plan file ({type(exc).__name__})", hint=hint) from None


__all__ = [
    "CREATE",
    "DELETE",
    "PlanResult",
    "applied_resources",
    "apply",
    "apply_async",
    "check_fresh",
    "load_plan",
    "make_destroy_plan",
    "make_plan",
    "restore_sensitive",
    "save_plan",
]
