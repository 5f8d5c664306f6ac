"""The plan of ``humectl destroy``: delete every resource humectl created in one environment.

An environment is the manifests' name prefix (``--env``/``--name-prefix``; none is the account).
The plan deletes each live resource that humectl created in it:

- every resource the manifests define, found live under its name (or one of its
  ``previous_names``), when humectl created it there: its head carries humectl's marker, or, after
  an edit made elsewhere (the playground, the dashboard), its first version does; and
- every other resource whose marker records this environment (:func:`humectl.decide.planner.in_scope`),
  on its head or, after an edit made elsewhere, on its first version (:mod:`humectl.io.ownership`):
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
from collections.abc import Sequence

from humectl.core.kinds import DEPENDENCY_ORDER
from humectl.core.provenance import is_protected, made_by_humectl
from humectl.decide import risk
from humectl.decide.planner import EDITED_ELSEWHERE, Deletion, delete_changes, in_scope
from humectl.decide.selection import EXCLUDED, excluded_addresses
from humectl.decide.unmanage import REMOVED
from humectl.io.client import EviClient
from humectl.io.listing import fetch_live_state, referrer_versions
from humectl.io.ownership import created_here, ownership
from humectl.model.desired import DesiredResource, ManifestSet
from humectl.model.live import LiveResource, LiveState
from humectl.model.lock import scope_label
from humectl.model.plan import Plan

NOT_CREATED = "not created by humectl (adopted or made by hand): destroy never deletes it"


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
    others = [h for _, h in sorted(live.resources.items()) if h.address not in seen and in_scope(h, scope, declared)]
    # A head made outside humectl (a dashboard edit) hides the marker: its versions say who created it.
    elsewhere = await created_here(
        client, (h for h in others if not made_by_humectl(h.data.get("version_description"))), scope, declared
    )
    for head in others:
        description = head.data.get("version_description")
        if not made_by_humectl(description) and head.address not in elsewhere:
            continue
        if head.address in removed or head.address in excluded:
            kept[head.address] = REMOVED if head.address in removed else f"{EXCLUDED}: not deleted"
            continue
        if head.address in elsewhere:
            why, protected = f"created by humectl in this environment ({EDITED_ELSEWHERE})", elsewhere[head.address]
        else:
            why, protected = "created by humectl in this environment", is_protected(description)
        chosen.append(Deletion(head, f"{why}; no longer in the manifests", protected))
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


__all__ = ["NOT_CREATED", "plan_destroy"]
