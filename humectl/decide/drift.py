"""Drift: what was changed in the live account outside humectl since humectl last applied it.

A plan's change is drift when the live head it would replace was not written by humectl (its
``version_description`` lacks humectl's marker): someone edited it in the dashboard or through the
API. Changes that only come from edited manifests are not drift.

A resource the manifests have but the account lacks is reported as missing only while the
environment is deployed: while at least one live resource of its scope (:func:`in_scope`) carries
humectl's marker. A deletion leaves no trace on what it deleted, so this is how drift tells "someone
deleted it" from "humectl destroyed the environment" (after ``destroy`` nothing of the scope that
humectl made is left) and from "never applied": drift is what changed since humectl last applied,
and with nothing of humectl's live there is no such apply to compare with (docs/lifecycle.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from humectl.core.provenance import made_by_humectl
from humectl.decide.planner import in_scope
from humectl.model.fields import FieldChange
from humectl.model.live import LiveState, iso_time
from humectl.model.plan import CREATE, DESCRIBE, VERSION, Plan


@dataclass
class Drifted:
    address: str
    kind: str
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


NOT_DEPLOYED = (
    "nothing humectl applied in this environment is live (never applied, or destroyed), so nothing can "
    "have drifted; `humectl plan` shows what apply would create"
)


def deployed(live: LiveState, prefix: str, declared: Iterable[str] = ()) -> bool:
    """Whether anything humectl applied in the scope of ``prefix`` is live (its marker on the head)."""
    declared = tuple(declared)
    return any(
        made_by_humectl(r.data.get("version_description")) and in_scope(r, prefix, declared)
        for r in live.resources.values()
    )


def find_drift(plan: Plan, live: LiveState, declared: Iterable[str] = ()) -> list[Drifted]:
    """What changed live outside humectl; ``declared``: the prefixes of humectl.yaml's environments
    (what tells the scopes apart, as for prune and destroy)."""
    drifted: list[Drifted] = []
    applied = None  # deployed(), worked out once a change needs it
    for change in plan.changes:
        if change.action == CREATE:
            if applied is None:
                applied = deployed(live, plan.name_prefix, declared)
            if applied:
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
