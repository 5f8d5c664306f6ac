"""The plan of ``humectl destroy``: delete every resource humectl created in one environment.

An environment is the manifests' name prefix (``--env``/``--name-prefix``; none is the account).
The plan deletes each live resource that humectl created in it:

- every resource the manifests define, found live under its name (or one of its
  ``previous_names``), when humectl created it there: its head carries humectl's marker, or, after
  an edit made elsewhere (the playground, the dashboard), its first version does; and
- every other resource whose marker records this environment (:func:`humectl.decide.planner.in_scope`):
  what humectl created for earlier versions of the manifests and they no longer define.

Never deleted, and named in the plan's ``kept`` with the reason: a resource the manifests define
that humectl did not create (adopted with ``export``, made by hand), one humectl created for another
environment, one the manifests list under ``removed:``, one ``--exclude`` selects and what only an
excluded config still uses. A protected resource, or a prompt or tool the newest version of a config
outside the destroy still uses, makes the change *refused*: the whole destroy is then refused and
nothing is deleted (:func:`humectl.decide.gates.refuse_blocked`), as Terraform refuses a plan that
destroys a ``prevent_destroy`` resource. Deletes run configs first, then prompts and tools.

Nothing here prints; the plan is applied by :func:`humectl.ops.apply.apply_checked` like any other.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from humectl.core.errors import NotFoundError
from humectl.core.kinds import DEPENDENCY_ORDER, KINDS
from humectl.core.provenance import is_protected, made_by_humectl, owner_prefix
from humectl.decide import risk
from humectl.decide.planner import Deletion, delete_changes, in_scope
from humectl.decide.selection import EXCLUDED, excluded_addresses
from humectl.decide.unmanage import REMOVED
from humectl.io.client import EviClient
from humectl.io.listing import fetch_live_state, referrer_versions
from humectl.model.desired import DesiredResource, ManifestSet
from humectl.model.live import LiveResource, LiveState
from humectl.model.lock import scope_label
from humectl.model.plan import Plan

NOT_CREATED = "not created by humectl (adopted or made by hand): destroy never deletes it"


@dataclass(frozen=True)
class Ownership:
    """Who created a live resource, for which environment, and whether humectl's last write protects it."""

    prefix: str | None  # the environment humectl created it for; None when humectl did not create it
    protected: bool


def _match(desired: ManifestSet, live: LiveState) -> dict[str, LiveResource]:
    """Each desired address -> its live resource: by its own name first, then its ``previous_names``
    (a name another desired resource has is never taken through ``previous_names``)."""
    found: dict[str, LiveResource] = {}
    claimed: set[tuple[str, str]] = set()
    for res in desired.resources:
        head = live.get(res.kind, res.name)
        if head is not None:
            found[res.address] = head
            claimed.add((res.kind, res.name))
    for res in desired.resources:
        if res.address in found:
            continue
        for old in res.previous_names:
            head = live.get(res.kind, old)
            if head is not None and (res.kind, old) not in claimed:
                found[res.address] = head
                claimed.add((res.kind, old))
                break
    return found


async def ownership(client: EviClient, head: LiveResource, declared: Iterable[str]) -> Ownership:
    """Read from humectl's markers: the head's when it has one, else the versions' (one read): the first
    version says who created it, the newest humectl version whether it is protected."""
    description = head.data.get("version_description")
    if made_by_humectl(description):
        return Ownership(owner_prefix(description, head.name, declared), is_protected(description))
    try:
        listed = await client.list_versions(KINDS[head.kind], head.id)
    except NotFoundError:  # deleted since the listing (another run): nobody's to delete here
        return Ownership(None, False)
    versions = sorted(listed, key=lambda v: int(v.get("version", 0)))
    if not versions:
        return Ownership(None, False)
    first = versions[0].get("version_description")
    ours = [v.get("version_description") for v in versions if made_by_humectl(v.get("version_description"))]
    return Ownership(owner_prefix(first, head.name, declared), bool(ours) and is_protected(ours[-1]))


async def plan_destroy(
    client: EviClient, desired: ManifestSet, *, run_id: str, excludes: Sequence[str] = ()
) -> tuple[Plan, LiveState]:
    """List the account (heads, and every config version for the references) and plan the destroy.

    ``excludes`` (``--exclude`` patterns) are not deleted, nor is what an excluded config still uses
    (both named in the plan's ``kept``); neither is a resource the manifests list under ``removed:``."""
    # Everything read here decides deletes: a listing of several pages is confirmed by a second read.
    live, config_versions = await asyncio.gather(
        fetch_live_state(client, confirm=DEPENDENCY_ORDER), referrer_versions(client)
    )
    scope, declared = desired.name_prefix, desired.declared_prefixes
    excluded: set[str] = set()
    if excludes:
        known = [*(r.address for r in desired.resources), *(r.address for r in live.resources.values())]
        excluded = excluded_addresses(excludes, known, scope)
    removed = {r.address for r in desired.removed}
    matched = _match(desired, live)
    owners = await asyncio.gather(*(ownership(client, head, declared) for head in matched.values()))
    by_resource: dict[str, DesiredResource] = {r.address: r for r in desired.resources}
    chosen: list[Deletion] = []
    kept: dict[str, str] = {}
    for (address, head), owner in zip(matched.items(), owners, strict=True):
        if owner.prefix is None:
            kept[head.address] = NOT_CREATED
        elif owner.prefix != scope:
            kept[head.address] = f"created by humectl for {scope_label(owner.prefix)}, not this environment"
        elif address in excluded or head.address in excluded:
            kept[head.address] = f"{EXCLUDED}: not deleted"
        else:
            renamed = "" if head.address == address else f" (as {by_resource[address].name} in the manifests)"
            chosen.append(Deletion(head, f"in the manifests{renamed}", owner.protected))
    seen = {head.address for head in matched.values()}
    for key in sorted(live.resources):
        head = live.resources[key]
        description = head.data.get("version_description")
        if head.address in seen or not made_by_humectl(description) or not in_scope(head, scope, declared):
            continue
        if head.address in removed or head.address in excluded:
            kept[head.address] = REMOVED if head.address in removed else f"{EXCLUDED}: not deleted"
            continue
        chosen.append(
            Deletion(
                head, "created by humectl in this environment; no longer in the manifests", is_protected(description)
            )
        )
    deletes, held = delete_changes(chosen, config_versions, excluded=excluded)
    kept.update(held)
    plan = Plan(
        # every delete is high risk; no policy gate: destroy is asked for by name
        changes=tuple(risk.assess(deletes)),
        live_fingerprint=live.fingerprint(),
        run_id=run_id,
        name_prefix=scope,
        environment=desired.environment,
        destroy=True,
        excluded=tuple(excludes),
        kept=dict(sorted(kept.items(), key=lambda item: _order(item[0]))),
    )
    return plan, live


def _order(address: str) -> tuple[int, str]:
    kind, _, name = address.partition("/")
    return (-DEPENDENCY_ORDER.index(kind), name)


__all__ = ["NOT_CREATED", "Ownership", "ownership", "plan_destroy"]
