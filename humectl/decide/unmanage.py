"""Unmanaging without deleting: the manifests' ``removed:`` entries (Terraform's ``removed`` block).

A resource listed under ``removed:`` that still carries humectl's marker on its head gets an
``unmanage`` change: its head's ``version_description`` is rewritten without the marker (the words
before it stay), so humectl no longer counts it as its own. The resource stays live, and afterwards
``--prune`` (even ``--prune-unmanaged``, while the entry is listed), ``destroy`` and ``drift`` leave it
alone. One that no longer carries the marker, or is not in the account, needs nothing. One whose
marker records another environment is refused: a scope unmanages only what it manages.
"""

from __future__ import annotations

from humectl.core.kinds import kind_level
from humectl.core.provenance import is_protected, made_by_humectl, owner_prefix, strip_marker
from humectl.model.desired import ManifestSet
from humectl.model.live import LiveState
from humectl.model.lock import scope_label
from humectl.model.plan import UNMANAGE, Change

REMOVED = "listed under removed: humectl no longer manages it (left live)"


def unmanage_changes(desired: ManifestSet, live: LiveState) -> list[Change]:
    """One ``unmanage`` change per ``removed:`` entry whose live head still carries humectl's marker."""
    changes = []
    for entry in desired.removed:
        head = live.get(entry.kind, entry.name)
        description = head.data.get("version_description") if head is not None else None
        if head is None or not made_by_humectl(description):
            continue
        owner = owner_prefix(description, head.name, desired.declared_prefixes)
        blocked = None
        if owner != desired.name_prefix:
            blocked = f"humectl manages it for {scope_label(owner or '')}, not this environment"
        reasons = ["the manifests list it under removed:"]
        if is_protected(description):
            reasons.append("its protect: true is part of humectl's marker and goes with it")
        changes.append(
            Change(
                address=head.address,
                kind=head.kind,
                name=head.name,
                operations=(UNMANAGE,),
                reasons=tuple(reasons),
                live_id=head.id,
                live_version=head.version,
                predicted_version=head.version,
                version_description=(strip_marker(description) or "").strip() or None,
                source=f"{entry.source.file}:{entry.source.line}",
                level=kind_level(head.kind),
                blocked_by=blocked,
            )
        )
    return changes
