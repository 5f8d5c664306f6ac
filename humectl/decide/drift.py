"""Drift: what was changed in the live account outside humectl since humectl last applied it.

A plan's change is drift when the live head it would replace was not written by humectl (its
``version_description`` lacks humectl's marker): someone edited it in the dashboard or through the
API. A resource the manifests have but the account lacks is reported as missing (deleted by hand,
or never applied). Changes that only come from edited manifests are not drift.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from humectl.core.kinds import KindName
from humectl.core.provenance import made_by_humectl
from humectl.model.fields import FieldChange
from humectl.model.live import LiveState, iso_time
from humectl.model.plan import CREATE, DESCRIBE, VERSION, Plan


@dataclass
class Drifted:
    address: str
    kind: KindName
    state: str  # "changed" (edited outside humectl) or "missing" (absent live)
    fields: list[FieldChange] = field(default_factory=list)
    text_diff: str | None = None
    live_version: int | None = None
    modified_at: str | None = None  # when the live version was made, UTC ISO 8601
    live_description: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "kind": self.kind,
            "state": self.state,
            "fields": [f.to_dict() for f in self.fields],
            "text_diff": self.text_diff,
            "live_version": self.live_version,
            "modified_at": self.modified_at,
            "live_description": self.live_description,
        }


def find_drift(plan: Plan, live: LiveState) -> list[Drifted]:
    drifted: list[Drifted] = []
    for change in plan.changes:
        if change.action == CREATE:
            drifted.append(Drifted(change.address, change.kind, "missing"))
            continue
        if change.action not in (VERSION, DESCRIBE) or change.live_id is None:
            continue
        head = live.by_id(change.kind, change.live_id)
        if head is None or made_by_humectl(head.data.get("version_description")):
            continue
        drifted.append(
            Drifted(
                address=change.address,
                kind=change.kind,
                state="changed",
                fields=list(change.fields),
                text_diff=change.text_diff,
                live_version=head.version,
                modified_at=iso_time(head.data.get("modified_on")),
                live_description=head.data.get("version_description"),
            )
        )
    return drifted
