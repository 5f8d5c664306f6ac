"""The checks that stand between a plan and its apply: a plan with a refused change (or one that
deletes everything humectl manages) is not applied at all, and a saved plan whose live objects moved
is stale. Pure: they read the plan and a live state, and raise or return reasons."""

from __future__ import annotations

from humectl.core.errors import PlanError
from humectl.core.kinds import referencing_kinds
from humectl.model.live import LiveState
from humectl.model.plan import DELETE, DELETE_VERSION, Plan


def refuse_blocked(plan: Plan) -> None:
    """A plan with a refused delete is not applied at all: nothing half-done. Neither is a prune that
    deletes every resource humectl manages, unless the plan was made with ``allow_empty``."""
    if plan.deletes_all_managed and not plan.allow_empty:
        deletes = sum(1 for c in plan.changes if c.does(DELETE))
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
    if any(c.does(DELETE) or c.does(DELETE_VERSION) for c in plan.changes):
        # What is deleted was free when the plan was made: a config made or moved since (by hand, by
        # another run) may use it now, so every config's head is watched.
        holders = {k.name for k in referencing_kinds()}
        watched.update(a for a in {*plan.live_fingerprint, *now} if a.partition("/")[0] in holders)
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
