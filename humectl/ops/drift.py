"""``humectl drift``: three-way drift against the account, and its ``keep-live`` resolution.

The plan of the manifests says what differs; :func:`humectl.decide.drift.find_drift` keeps what was
changed outside humectl. For each such resource the versions are listed (one read per drifted
resource, none otherwise) to find the newest one humectl made, what it last applied, which is read
complete; :func:`humectl.decide.drift.three_way` then puts each field on its side.

``keep-live`` writes the live values of the fields live changed (``live`` and ``conflict`` sides) into
the manifests, entry by entry, as ``rollback --write`` rewrites an entry
(:func:`humectl.ops.rollback.entry_update`): the rest of the entry, ``${...}`` expressions of fields that
did not change and a prompt's ``text_file`` layout stay as written. ``keep-manifest`` is an apply of the
drifted resources (the CLI plans it with ``--target`` and applies it as ``apply`` does).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from humectl.core.errors import RollbackError
from humectl.core.kinds import KINDS, KindName
from humectl.core.provenance import made_by_humectl
from humectl.decide.drift import CONFLICT, LIVE, Drifted, drifted_sides, find_drift, three_way
from humectl.io.client import EviClient
from humectl.io.listing import complete_versions
from humectl.load.manifests import load_manifests
from humectl.model.desired import LoadOptions, ManifestSet
from humectl.model.rollback import ManifestUpdate
from humectl.ops.plan import PlanOptions, PlanResult, make_plan
from humectl.ops.rollback import entry_update, write_update


async def last_applied(client: EviClient, kind: KindName, resource_id: str) -> dict[str, Any] | None:
    """The newest version of a resource that carries humectl's marker, complete; None when humectl
    made none of its versions."""
    versions = await client.list_versions(KINDS[kind], resource_id)
    ours = [v for v in versions if made_by_humectl(v.get("version_description"))]
    if not ours:
        return None
    newest = max(ours, key=lambda v: int(v.get("version", 0)))
    [complete] = await complete_versions(client, KINDS[kind], [newest])
    return complete


async def find_three_way_drift(
    client: EviClient, directory: str | Path, options: PlanOptions, *, desired: ManifestSet | None = None
) -> tuple[list[Drifted], PlanResult]:
    """What was changed outside humectl, each field on its side (manifest ahead, live ahead, conflict)."""
    result = await make_plan(client, directory, options, desired=desired)
    drifted = find_drift(result.plan, result.live, result.desired.declared_prefixes)
    changes = {c.address: c for c in result.plan.changes}
    changed = [d for d in drifted if d.state == "changed"]
    bases = await asyncio.gather(*(last_applied(client, d.kind, str(changes[d.address].live_id)) for d in changed))
    resolved: dict[str, Drifted] = {}
    secrets = {**result.desired.sensitive, **result.plan.sensitive}
    for item, base in zip(changed, bases, strict=True):
        change = changes[item.address]
        head = result.live.by_id(item.kind, str(change.live_id))
        if head is not None:
            resolved[item.address] = three_way(item, change, head.data, base, secrets)
    return [resolved.get(d.address, d) for d in drifted], result


@dataclass
class KeepLive:
    """What ``drift --resolve keep-live`` changed in the manifests (or would: ``written`` False)."""

    diff: str = ""
    written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def keep_live(
    drifted: list[Drifted], result: PlanResult, directory: str | Path, load: LoadOptions, *, write: bool = True
) -> KeepLive:
    """Write the live values of the fields changed live (live ahead, conflicts) into the manifests.

    Every entry's change is worked out before anything is written, so a field that cannot be written
    (its ``${...}`` expression would be lost) refuses the whole resolution with nothing written. Each
    entry is then rewritten from the files as the previous one left them."""
    chosen = [(d, drifted_sides(d, (LIVE, CONFLICT))) for d in drifted if d.state == "changed"]
    chosen = [(d, paths) for d, paths in chosen if paths]
    missing = [d.address for d in drifted if d.state == "missing"]
    outcome = KeepLive(notes=[f"{a}: missing from the account; its entry is left as it is" for a in missing])
    heads = _heads_by_address(result)
    for item, paths in chosen:  # a dry run first: every refusal before any write
        _update(result.desired, item, heads[item.address], paths, result)
    diffs: list[str] = []
    for item, paths in chosen:
        desired = load_manifests(directory, load) if write else result.desired
        update = _update(desired, item, heads[item.address], paths, result)
        diffs.append(update.diff)
        outcome.notes.extend(update.notes)
        if write:
            outcome.written.extend(write_update(update))
    outcome.diff = "".join(diffs)
    return outcome


def _heads_by_address(result: PlanResult) -> dict[str, Mapping[str, Any]]:
    changes = {c.address: c for c in result.plan.changes}
    out: dict[str, Mapping[str, Any]] = {}
    for address, change in changes.items():
        head = result.live.by_id(change.kind, str(change.live_id)) if change.live_id else None
        if head is not None:
            out[address] = head.data
    return out


def _update(
    desired: ManifestSet, item: Drifted, head: Mapping[str, Any], paths: list[str], result: PlanResult
) -> ManifestUpdate:
    resource = desired.get(item.kind, item.address.partition("/")[2])
    if resource is None:  # the manifests changed under the resolution
        raise RollbackError(f"{item.address} is not in the manifests any more; nothing written for it")
    return entry_update(desired, resource, head, result.live, paths=paths)
