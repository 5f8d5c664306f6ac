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

Three-way: humectl knows what it last applied, the newest version carrying its marker (the *base*,
read for drifted resources only). Each differing field is then on a side (:data:`SIDES`):
``manifest`` (the manifests changed it since, live has the base value: not applied yet), ``live``
(changed live, the manifests still say the base value) or ``conflict`` (both changed it, to different
values). Without a base (humectl never applied the resource) a field has no side (None).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from humectl.core import sensitive
from humectl.core.kinds import KindName
from humectl.core.provenance import is_protected, made_by_humectl, strip_marker
from humectl.decide.normalize import normalize_live
from humectl.decide.planner import in_scope
from humectl.model.fields import FieldChange
from humectl.model.live import LiveState, iso_time
from humectl.model.plan import CREATE, DESCRIBE, VERSION, Change, Plan

Side = Literal["manifest", "live", "conflict"]
SIDES: tuple[Side, ...] = ("manifest", "live", "conflict")
MANIFEST: Side = "manifest"
LIVE: Side = "live"
CONFLICT: Side = "conflict"


@dataclass
class Drifted:
    address: str
    kind: KindName
    state: str  # "changed" (edited outside humectl) or "missing" (absent live)
    fields: list[FieldChange] = field(default_factory=list)  # before: live, after: the manifests
    text_diff: str | None = None
    live_version: int | None = None
    modified_at: str | None = None  # when the live version was made, UTC ISO 8601
    live_description: str | None = None
    base_version: int | None = None  # the newest version humectl made (what it last applied), if any
    sides: dict[str, Side | None] = field(default_factory=dict)  # field path -> its side
    base: dict[str, Any] = field(default_factory=dict)  # field path -> its value at the base (masked)

    def side(self, path: str) -> Side | None:
        return self.sides.get(path)

    def to_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "kind": self.kind,
            "state": self.state,
            "fields": [
                {**f.to_dict(), "side": self.sides.get(f.path), "base": self.base.get(f.path)} for f in self.fields
            ],
            "text_diff": self.text_diff,
            "live_version": self.live_version,
            "modified_at": self.modified_at,
            "live_description": self.live_description,
            "base_version": self.base_version,
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


_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_NONE = object()


def value_at(content: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted field path (``timeouts.inactivity.enabled``, ``webhooks[0].url``) of
    canonical content; None where it has nothing."""
    value: Any = content
    for name, index in _STEP.findall(path):
        if index:
            value = value[int(index)] if isinstance(value, list) and int(index) < len(value) else _NONE
        else:
            value = value.get(name, _NONE) if isinstance(value, dict) else _NONE
        if value is _NONE:
            return None
    return value


def side_of(manifest: Any, live: Any, base: Any) -> Side:
    """Which side moved a field away from what humectl last applied (``base``)."""
    if manifest == base:
        return LIVE
    if live == base:
        return MANIFEST
    return CONFLICT


def three_way(
    drifted: Drifted,
    change: Change,
    head: Mapping[str, Any],
    base: Mapping[str, Any] | None,
    secrets: Mapping[str, str] | None = None,
) -> Drifted:
    """``drifted`` with each field's side, against the version humectl last applied (``base``: that
    version as the API gives it, complete; None when there is none). ``change`` is the plan's change of
    the resource (its content is what the manifests want), ``head`` the live head it was planned
    against; ``secrets`` (name -> value) masks the base values shown."""
    if base is None:
        return replace(drifted, sides=dict.fromkeys((f.path for f in drifted.fields), None))
    live_content = normalize_live(change.kind, head)
    base_content = normalize_live(change.kind, base)
    registry = sensitive.of(secrets or {})
    sides: dict[str, Side | None] = {}
    values: dict[str, Any] = {}
    for f in drifted.fields:
        live_value: Any
        wanted: Any
        then: Any
        if f.path == "version_description":
            live_value, wanted, then = f.before, f.after, strip_marker(base.get("version_description"))
        elif f.path == "protect":
            live_value, wanted, then = f.before, f.after, is_protected(base.get("version_description"))
        else:
            live_value = value_at(live_content, f.path)
            wanted = value_at(change.content, f.path)
            then = value_at(base_content, f.path)
        sides[f.path] = side_of(wanted, live_value, then)
        # Masked as the plan masks what a sensitive value replaces: a token humectl applied before
        # the current one was rotated in sits where the manifests now hold a sensitive value.
        values[f.path] = sensitive.mask_pair(then, wanted, registry)[0] if secrets else then
    return replace(drifted, base_version=int(base.get("version", 0)), sides=sides, base=values)


def drifted_sides(drifted: Drifted, chosen: tuple[Side, ...]) -> list[str]:
    """The field paths of ``drifted`` on one of the ``chosen`` sides (a field without a side, of a
    resource humectl never applied, counts as live's)."""
    return [f.path for f in drifted.fields if (drifted.sides.get(f.path) or LIVE) in chosen]
