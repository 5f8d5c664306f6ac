"""Planning against the live account: list it page by page and plan each page as it arrives, while
the manifests load beside the listing; the destroy plan. Used through :class:`humectl.ops.session.Session`."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import threading
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from humectl.core import sensitive, stages
from humectl.core.errors import ListingChangedError, NotFoundError, PlanError
from humectl.core.kinds import KINDS, LOCK_KIND, KindName
from humectl.core.provenance import new_run_id
from humectl.decide import pins, policy, retention
from humectl.decide.planner import PlanBuilder, review
from humectl.decide.retention import RetentionInput
from humectl.io import lock
from humectl.io.client import MAX_READS, EviClient
from humectl.io.listing import complete_versions, fetch_live_state, referrer_versions
from humectl.load.cache import ManifestCache
from humectl.load.manifests import load_manifests
from humectl.model.desired import LoadOptions, ManifestSet
from humectl.model.live import LiveResource, LiveState
from humectl.model.plan import CREATE, DELETE, RENAME, Plan
from humectl.model.review import RiskLevel
from humectl.ops.destroy import plan_destroy

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


async def plan_live(
    client: EviClient,
    desired: ManifestSet | Awaitable[ManifestSet],
    *,
    run_id: str,
    message: str | None = None,
    targets: Iterable[str] = (),
    excludes: Iterable[str] = (),
    prune: bool = False,
    prune_unmanaged: bool = False,
    allow_empty: bool = False,
    prune_versions: bool = False,
) -> tuple[Plan, LiveState]:
    """List the live account and plan against it at once: the builder plans each page as it arrives.

    A plan is made from a consistent read only. Offset pages shift while another run creates or
    deletes (:meth:`EviClient.list_all`): a listing that shifted, or one of several pages whose second
    read disagrees with the first when the plan would create or delete (a resource it missed would be
    created twice, a reference it missed would let a pinned prompt be pruned), is planned again from
    a new read, at most ``MAX_READS`` times (then :class:`ListingChangedError`).
    """
    loaded: ManifestSet | Awaitable[ManifestSet] = desired
    targets, excludes = tuple(targets), tuple(excludes)
    for _ in range(MAX_READS):
        plan, live, loaded, settled = await _plan_once(
            client,
            loaded,
            run_id=run_id,
            message=message,
            targets=targets,
            excludes=excludes,
            prune=prune,
            prune_unmanaged=prune_unmanaged,
            allow_empty=allow_empty,
            prune_versions=prune_versions,
        )
        if settled:
            return plan, live
    raise ListingChangedError(
        f"the live account changed while it was read: {MAX_READS} reads in a row disagreed (resources were "
        "created or deleted meanwhile); nothing was planned from them",
        hint="another run is writing to this account: run again when it is done",
    )


async def _confirmed(client: EviClient, plan: Plan, live: LiveState, pages: Mapping[str, int]) -> bool:
    """Whether the listings a create or delete of ``plan`` relies on read the same again (those of one
    page are one answer: never read twice)."""
    kinds = sorted(
        {c.kind for c in plan.changes if any(c.does(op) for op in (CREATE, DELETE, RENAME))}
        & {k for k, n in pages.items() if n > 1}
    )
    again = await asyncio.gather(*(client.list_heads(KINDS[k]) for k in kinds))
    for kind, heads in zip(kinds, again, strict=True):
        before = {(r.id, r.version) for r in live.of_kind(kind)}
        if {(str(h.get("id")), int(h.get("version", 0))) for h in heads} != before:
            return False
    return True


async def _plan_once(
    client: EviClient,
    desired: ManifestSet | Awaitable[ManifestSet],
    *,
    run_id: str,
    message: str | None,
    targets: Iterable[str],
    excludes: Iterable[str],
    prune: bool,
    prune_unmanaged: bool,
    allow_empty: bool,
    prune_versions: bool,
) -> tuple[Plan, LiveState, ManifestSet, bool]:
    """One read of the account and the plan made from it, the manifests as loaded, and whether the
    read was consistent (see :func:`plan_live`).

    Hume's list pages leave some fields out (``Kind.detail_fields``: a prompt's ``prompt_expansion``).
    A head is read on its own (``live.complete_versions``) only when it must be, concurrently with the
    rest of the listing: before it is compared, when its manifest entry sets such a field (or nulls
    it); after it is planned, when it gets a new version, which must carry the live value of every
    field the manifest leaves out. So the plan's content is complete (it is what apply sends, and
    what a saved plan holds), and an unchanged head costs no read.

    With ``prune_versions``, every version of each managed prompt and tool is listed once the heads
    are matched, and every config version with them (:mod:`humectl.decide.retention`): only then.

    ``desired`` may still be loading (an awaitable, as :func:`make_plan` passes it): the listing
    starts at once, pages that arrive before the manifests are kept and planned when they are loaded,
    and a failed load (a ManifestError) stops the listing and is raised.
    """
    builder: PlanBuilder  # made once the manifests are loaded, before any callback uses it
    early: list[tuple[KindName, list[dict[str, Any]]]] = []  # pages that came before the manifests
    pages: dict[str, int] = {}  # kind -> pages of its first read
    reread: set[str] = set()  # kinds whose listing was read again: the pages planned are not the list
    ready = asyncio.Event()
    reads: dict[str, list[asyncio.Future[None]]] = {}  # kind -> its detail reads
    reading: set[str] = set()
    detailed: dict[tuple[str, str], dict[str, Any]] = {}

    async def read_then_plan(kind: KindName, item: dict[str, Any]) -> None:
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

    def on_page(kind: KindName, items: list[dict[str, Any]]) -> None:
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

    async def on_complete(kind: KindName) -> None:
        await ready.wait()
        await asyncio.gather(*reads.get(kind, []))
        with stages.span("plan"):
            builder.complete(kind)
            start_completions()

    def counted(kind: KindName, items: list[dict[str, Any]]) -> None:
        pages[kind] = pages.get(kind, 0) + 1
        on_page(kind, items)

    async def listing() -> LiveState:
        # The coroutine of fetch_live_state is made only once this runs: one made up front and handed on
        # would be left never awaited when the listing is cancelled before it starts (the manifests failed).
        with stages.span("list"):
            return await fetch_live_state(client, on_page=counted, on_complete=on_complete, on_reread=reread.add)

    async def list_all() -> tuple[LiveState, list[dict[str, Any]]]:
        if prune or prune_versions:
            # Every config version: what a newest one uses is in use; what any one pins keeps its version.
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
        retention_input = None
        if prune_versions:
            with stages.span("list"):
                retention_input = await _retention_input(client, builder, config_versions)
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
            live,
            targets=targets,
            excludes=excludes,
            prune=prune,
            prune_unmanaged=prune_unmanaged,
            config_versions=config_versions,
            allow_empty=allow_empty,
            retention=retention_input,
        )
    settled = not reread and await _confirmed(client, plan, live, pages)
    if settled:
        plan = await rate_pin_moves(client, plan, live, builder.desired)
    return plan, live, loaded, settled


async def rate_pin_moves(client: EviClient, plan: Plan, live: LiveState, desired: ManifestSet) -> Plan:
    """``plan`` reviewed again when a config's reference moves between two versions of a resource other
    than the plain cascade: rated by the two versions' content (:mod:`humectl.decide.pins`). The versions
    neither the plan nor the live heads hold (an older pinned one) are read, one request each; a plan
    without such a move costs nothing."""
    moves = pins.pin_moves(plan, live)
    if not moves:
        return plan

    async def read(key: pins.VersionKey) -> tuple[pins.VersionKey, dict[str, Any] | None]:
        kind, name, version = key
        head = live.get(kind, name)
        if head is None:
            return key, None
        try:
            return key, await client.get_version(KINDS[kind], head.id, version)
        except NotFoundError:  # deleted meanwhile: the move keeps the cascade rule's own level
            return key, None

    found = await asyncio.gather(*(read(key) for key in pins.versions_to_read(moves, plan, live)))
    risks = pins.move_risks(moves, plan, live, {k: v for k, v in found if v is not None}, desired.policy.risk)
    return review(plan, desired, moves=risks) if risks else plan


async def _retention_input(
    client: EviClient, builder: PlanBuilder, config_versions: list[dict[str, Any]]
) -> RetentionInput:
    """What ``--prune-versions`` decides from: N (humectl.yaml's retention.keep_versions), every version
    of each managed prompt and tool (one listing each, concurrently), every config version."""
    keep = builder.desired.retention.keep_versions
    if keep is None:
        raise _no_retention()
    listed = retention.candidates(builder.desired, builder.matches)
    todo = [(res.address, head) for res, head in listed if retention.needs_listing(res.kind)]
    found = await asyncio.gather(*(client.list_versions(KINDS[head.kind], head.id) for _, head in todo))
    versions = {address: items for (address, _), items in zip(todo, found, strict=True)}
    return RetentionInput(keep, versions, config_versions)


@dataclass(frozen=True, kw_only=True)
class PlanOptions:
    """What to plan (the flags of ``plan`` and ``apply``)."""

    load: LoadOptions = field(default_factory=LoadOptions)
    message: str | None = None  # version description of the versions made (default: humectl's)
    targets: tuple[str, ...] = ()  # plan only these addresses (globs) and what they depend on
    excludes: tuple[str, ...] = ()  # leave these (globs) out, and hold back what depends on their changes
    prune: bool = False  # also delete what humectl made and the manifests no longer have
    prune_versions: bool = False  # also delete old versions beyond humectl.yaml's retention.keep_versions
    prune_unmanaged: bool = False  # with prune: also what humectl did not make
    allow_empty: bool = False  # plan manifests without resources; a prune that deletes all humectl manages
    fail_on: RiskLevel | None = None  # --fail-on, over humectl.yaml's policy.fail_on
    run_id: str | None = None  # the run's id (humectl's marker); a new one when None
    cache: ManifestCache | None = None  # loads kept from earlier runs (humectl.load.cache); None: none


def _no_retention() -> PlanError:
    return PlanError(
        "--prune-versions needs to know how many versions to keep",
        hint="set retention: {keep_versions: N} in humectl.yaml (top level, or the environment's)",
    )


def _no_resources(directory: str | Path, hint: str) -> PlanError:
    return PlanError(f"no resources in {directory}: its manifests hold no prompt, tool or config", hint=hint)


async def make_plan(
    client: EviClient,
    directory: str | Path,
    options: PlanOptions,
    *,
    desired: ManifestSet | None = None,
) -> PlanResult:
    """Load the manifests (unless ``desired`` is given, already loaded) and plan them against live.

    Every change is assessed for risk and the plan checked against the manifests' review policy
    (``options.fail_on`` over humectl.yaml's); :func:`humectl.decide.policy.refuse` refuses it.

    No resources at all is refused as soon as the manifests are loaded (the listing, which only
    reads, is stopped), and a plan whose prune deletes every resource humectl manages is marked so
    (:func:`humectl.decide.gates.refuse_blocked` refuses it), unless ``allow_empty``: an empty or wrong
    directory is not a licence to delete.

    The manifests load in a thread while the listing goes out: reading and validating them takes
    about as long as the listing waits for the network. Their error still wins over any other.
    """
    loading: ManifestSet | asyncio.Future[ManifestSet]
    loading = desired if desired is not None else in_thread(_load, directory, options)

    async def checked() -> ManifestSet:
        loaded = await _loaded(loading)
        if options.prune_versions and loaded.retention.keep_versions is None:
            raise _no_retention()  # before the versions are listed: nothing to decide them with
        if not loaded.resources and not options.allow_empty:
            raise _no_resources(
                directory,
                "add prompts:, tools: or configs: to the manifests; to plan an empty account on purpose "
                "(with --prune: delete everything humectl made), pass --allow-empty to plan/apply",
            )
        return loaded

    sent_before = client.requests_sent
    plan, live = await plan_live(
        client,
        checked(),
        run_id=options.run_id or new_run_id(),
        message=options.message,
        targets=options.targets,
        excludes=options.excludes,
        prune=options.prune or options.prune_unmanaged,
        prune_unmanaged=options.prune_unmanaged,
        allow_empty=options.allow_empty,
        prune_versions=options.prune_versions,
    )
    requests = client.requests_sent - sent_before
    desired = await _loaded(loading)
    # Fields that touch a sensitive value are masked in the plan's display data; the content keeps
    # the values (apply sends them) and its serialisation masks them (humectl.core.sensitive).
    plan = plan.masked({**sensitive.current().by_name(), **desired.sensitive})
    plan = policy.gate(plan, options.fail_on)
    # The listing kept the lock prompts aside: say so when this scope's lock is held (no request).
    scope = desired.name_prefix
    locks = lock.locks_in(client.reserved_heads.get(LOCK_KIND.name, []), scope)
    note = lock.held_note(locks, scope, lock.server_now_ms(client)) if locks else None
    return PlanResult(plan=plan, desired=desired, live=live, requests=requests, lock_note=note)


def _load(directory: str | Path, options: PlanOptions) -> ManifestSet:
    return load_manifests(directory, options.load, cache=options.cache)


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


async def make_destroy_plan(
    client: EviClient,
    directory: str | Path,
    desired: ManifestSet,
    *,
    run_id: str | None = None,
    allow_empty: bool = False,
    excludes: tuple[str, ...] = (),
) -> PlanResult:
    """The plan that deletes the environment of the manifests ``desired`` (:mod:`humectl.ops.destroy`).

    Manifests without any resource are refused unless ``allow_empty``, as for a plan: a wrong
    directory would otherwise destroy everything humectl created in the scope.
    """
    if not desired.resources and not allow_empty:
        raise _no_resources(
            directory,
            "point destroy at the manifests of the environment; to delete everything humectl created in "
            "its scope without them, pass --allow-empty",
        )
    sent_before = client.requests_sent
    plan, live = await plan_destroy(client, desired, run_id=run_id or new_run_id(), excludes=excludes)
    return PlanResult(plan=plan, desired=desired, live=live, requests=client.requests_sent - sent_before)
