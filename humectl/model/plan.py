"""The Plan as immutable data: what apply will do, and its saved (JSON) form.

A :class:`Plan` holds one :class:`Change` per resource it touches, what it leaves unchanged, and the
live fingerprint apply checks; ``to_dict``/``from_dict`` are the documented ``plan.json`` format
(docs/json-output.md). Plans and changes are frozen: what was reviewed is what is applied, and every
step that refines a plan (risk, policy, masking) returns a new one. This module decides nothing: the
planner (:mod:`humectl.decide.planner`) builds Plans, :mod:`humectl.render` draws them,
:mod:`humectl.ops.apply` runs them.

A change is an ordered list of operations (:data:`OPERATION_ORDER`), so "rename it and describe it"
or "rename it and make a new version" is one change that says both:

- ``create``          no live resource of that name (nor of one of its ``previous_names``);
- ``rename``          found under a ``previous_names`` entry: PATCH the name (same id, no version);
- ``version``         canonical content differs: a new version;
- ``describe``        only ``version_description`` (or ``protect``) differs: PATCH the head;
- ``unmanage``        a manifest's ``removed:`` entry: humectl's marker is cleared, the resource stays;
- ``delete_version``  (retention) an old version nothing uses is deleted;
- ``delete``          (prune, destroy) a live resource the manifests no longer have.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from humectl.core import sensitive
from humectl.core.errors import PlanError
from humectl.core.kinds import KindName, kind_name
from humectl.core.version import __version__
from humectl.model.fields import FieldChange
from humectl.model.review import LOW, Policy, RiskLevel, RiskReason, Violation, risk_counts, risk_level

FORMAT_VERSION = 1

Operation = Literal["create", "rename", "version", "describe", "unmanage", "delete_version", "delete"]
OPERATION_ORDER: tuple[Operation, ...] = (
    "create",
    "rename",
    "version",
    "describe",
    "unmanage",
    "delete_version",
    "delete",
)
CREATE: Operation = "create"
RENAME: Operation = "rename"
VERSION: Operation = "version"
DESCRIBE: Operation = "describe"
UNMANAGE: Operation = "unmanage"
DELETE_VERSION: Operation = "delete_version"
DELETE: Operation = "delete"
# The one a change is counted and drawn as (its symbol in a plan): the weightiest operation it holds.
_HEADLINE: tuple[Operation, ...] = (CREATE, DELETE, VERSION, DELETE_VERSION, UNMANAGE, DESCRIBE, RENAME)
ACTIONS = OPERATION_ORDER

PLAN_SUFFIX = ".json"  # a saved plan's file name ends so: its Markdown sibling (.md) never overwrites it


def markdown_sibling(plan_file: str | Path) -> Path:
    """``plan.json`` → ``plan.md``: the Markdown that ``plan --out`` writes beside the saved plan."""
    return Path(plan_file).with_suffix(".md")


def operation(value: object) -> Operation:
    for op in OPERATION_ORDER:
        if value == op:
            return op
    raise ValueError(f"unknown operation {value!r}")


def ordered_operations(ops: Iterable[str]) -> tuple[Operation, ...]:
    """``ops`` once each, in the order apply runs them."""
    wanted = {operation(o) for o in ops}
    return tuple(o for o in OPERATION_ORDER if o in wanted)


@dataclass(frozen=True)
class Change:
    """One resource's planned change: the operations it needs, in order, and what they send.

    ``content`` is the full canonical content a create or new version sends (it may hold sensitive
    values; its serialisation masks them)."""

    address: str
    kind: KindName
    name: str
    operations: tuple[Operation, ...]
    reasons: tuple[str, ...] = ()
    fields: tuple[FieldChange, ...] = ()
    text_diff: str | None = None
    live_id: str | None = None
    live_version: int | None = None
    predicted_version: int | None = None
    rename_from: str | None = None
    content: Mapping[str, Any] = field(default_factory=dict, repr=False)
    version_description: str | None = None
    depends_on: tuple[str, ...] = ()
    source: str | None = None
    level: int = 0
    blocked_by: str | None = None  # refused (a delete still referenced, protected): the plan cannot apply
    risk: RiskLevel = LOW
    risk_reasons: tuple[RiskReason, ...] = ()
    # delete_version: the versions deleted (oldest first), each with why it may go
    versions: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if not self.operations:
            raise ValueError(f"{self.address}: a change needs at least one operation")

    @property
    def action(self) -> Operation:
        """The operation the change is counted and drawn as (its weightiest)."""
        return next(o for o in _HEADLINE if o in self.operations)

    def does(self, op: Operation) -> bool:
        return op in self.operations

    def to_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "kind": self.kind,
            "name": self.name,
            "action": self.action,
            "operations": list(self.operations),
            "reasons": list(self.reasons),
            "fields": [f.to_dict() for f in self.fields],
            "text_diff": self.text_diff,
            "live": None if self.live_id is None else {"id": self.live_id, "version": self.live_version},
            "predicted_version": self.predicted_version,
            "rename_from": self.rename_from,
            "content": dict(self.content),
            "version_description": self.version_description,
            "depends_on": list(self.depends_on),
            "source": self.source,
            "level": self.level,
            "blocked_by": self.blocked_by,
            "risk": self.risk,
            "risk_reasons": [r.to_dict() for r in self.risk_reasons],
            "versions": list(self.versions),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Change:
        live = data.get("live") or {}
        ops = data.get("operations")
        if ops is None:  # saved by a humectl whose changes had one action (a rename rode along)
            action = str(data["action"])
            ops = [action, *([RENAME] if data.get("rename_from") and action != RENAME else [])]
        return cls(
            address=data["address"],
            kind=kind_name(data["kind"]),
            name=data["name"],
            operations=ordered_operations(ops),
            reasons=tuple(data.get("reasons") or ()),
            fields=tuple(FieldChange(f["path"], f.get("before"), f.get("after")) for f in data.get("fields") or ()),
            text_diff=data.get("text_diff"),
            live_id=live.get("id"),
            live_version=live.get("version"),
            predicted_version=data.get("predicted_version"),
            rename_from=data.get("rename_from"),
            content=dict(data.get("content") or {}),
            version_description=data.get("version_description"),
            depends_on=tuple(data.get("depends_on") or ()),
            source=data.get("source"),
            level=int(data.get("level", 0)),
            blocked_by=data.get("blocked_by"),
            risk=risk_level(data.get("risk") or LOW),
            risk_reasons=tuple(RiskReason.from_dict(r) for r in data.get("risk_reasons") or ()),
            versions=tuple(int(v) for v in data.get("versions") or ()),
        )


def _new_salt() -> str:
    return secrets.token_hex(16)


@dataclass(frozen=True)
class Plan:
    """Everything apply needs, as immutable data (``to_dict`` is the documented JSON format)."""

    changes: tuple[Change, ...] = ()
    unchanged: tuple[str, ...] = ()
    live_fingerprint: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    run_id: str = ""
    message: str | None = None
    partial: bool = False
    targets: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()  # --exclude patterns
    created_at: float = field(default_factory=time.time)
    pruned: bool = False  # --prune was given: deletes were considered
    kept_unmanaged: tuple[str, ...] = ()  # absent from manifests, not made by humectl
    name_prefix: str = ""  # the manifests' name prefix (--env/--name-prefix): the scope of the account lock
    environment: str | None = None  # the humectl.yaml environment planned (--env), if any
    # The prune deletes every live resource humectl manages (every one it made; with
    # --prune-unmanaged every one): refused unless ``allow_empty`` (--allow-empty) was given.
    deletes_all_managed: bool = False
    allow_empty: bool = False
    destroy: bool = False  # a plan of `humectl destroy`: it deletes the environment
    kept: Mapping[str, str] = field(default_factory=dict)  # address -> why it is not touched
    # Sensitive variables (name -> value) the content may hold: never serialised (humectl.core.sensitive).
    sensitive: Mapping[str, str] = field(default_factory=dict, repr=False)
    # A loaded plan's {salt, fingerprints, places} until its values are read again from the environment.
    saved_sensitive: Mapping[str, Any] | None = field(default=None, repr=False)
    # The policy of the plan's environment and what the plan does against it: a plan with violations
    # is not applied without --override-policy (also when saved and applied later).
    policy: Policy = field(default_factory=Policy)
    violations: tuple[Violation, ...] = ()
    format_version: int = FORMAT_VERSION
    salt: str = field(default_factory=_new_salt, repr=False, compare=False)

    @property
    def blocked(self) -> list[Change]:
        """Changes that cannot be applied (refused deletes)."""
        return [c for c in self.changes if c.blocked_by]

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    def change(self, address: str) -> Change | None:
        return next((c for c in self.changes if c.address == address), None)

    def summary(self) -> dict[str, int]:
        """How many changes hold each operation (a rename that comes with a new version counts in both)."""
        counts: dict[str, int] = dict.fromkeys(OPERATION_ORDER, 0)
        for change in self.changes:
            for op in change.operations:
                counts[op] += 1
        counts["unchanged"] = len(self.unchanged)
        return counts

    def with_changes(self, changes: Iterable[Change]) -> Plan:
        return replace(self, changes=tuple(changes))

    def masked(self, values: Mapping[str, str]) -> Plan:
        """This plan with the display data of every change (fields, text diffs, reasons) masked for
        ``values``, which it records (its content keeps them: apply sends them; ``to_dict`` masks)."""
        if not values:
            return replace(self, sensitive=dict(values))
        registry = sensitive.of(values)
        changes = []
        for change in self.changes:
            fields = tuple(sensitive.mask_field(f, registry) for f in change.fields)
            text_diff = change.text_diff
            if text_diff is not None and registry.contains(text_diff):
                text_diff = None  # the text field then shows "(sensitive) changed"
                fields = tuple(
                    FieldChange(f.path, sensitive.MASK, sensitive.MASK) if f.path == "text" else f for f in fields
                )
            changes.append(
                replace(
                    change,
                    fields=fields,
                    text_diff=text_diff,
                    reasons=tuple(registry.mask(r) for r in change.reasons),
                    risk_reasons=tuple(replace(r, message=registry.mask(r.message)) for r in change.risk_reasons),
                )
            )
        violations = tuple(replace(v, message=registry.mask(v.message)) for v in self.violations)
        return replace(self, changes=tuple(changes), violations=violations, sensitive=dict(values))

    def _sensitive_dict(self, changes: list[dict[str, Any]]) -> Mapping[str, Any] | None:
        """Mask the sensitive values in ``changes`` (the dicts of self.changes), and say where they were
        and what their salted fingerprints are; the loaded table of a plan not restored yet as it is."""
        if not self.sensitive:
            return self.saved_sensitive
        places: dict[str, Any] = {}
        registry = sensitive.of(self.sensitive)
        for change, data in zip(self.changes, changes, strict=True):
            content, where = sensitive.mask_content(data.pop("content"), self.sensitive)
            masked = registry.mask_data(data)
            data.clear()
            data.update(masked, content=content)
            if where:
                places[change.address] = where
        used = sorted({name for where in places.values() for found in where.values() for _, name in found})
        fingerprints = {name: sensitive.fingerprint(self.sensitive[name], self.salt) for name in used}
        return {"salt": self.salt, "fingerprints": fingerprints, "places": places}

    def to_dict(self) -> dict[str, Any]:
        changes = [c.to_dict() for c in self.changes]
        saved = self._sensitive_dict(changes)
        data = self._plain_dict(changes)
        data["sensitive"] = saved
        if self.sensitive:
            rest = sensitive.of(self.sensitive).mask_data({k: v for k, v in data.items() if k != "changes"})
            data = {**rest, "changes": data["changes"], "sensitive": saved}
        return data

    def _plain_dict(self, changes: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "format_version": self.format_version,
            "humectl_version": __version__,
            "created_at": self.created_at,
            "run_id": self.run_id,
            "message": self.message,
            "partial": self.partial,
            "targets": list(self.targets),
            "excluded": list(self.excluded),
            "summary": self.summary(),
            "changes": changes,
            "unchanged": list(self.unchanged),
            "live_fingerprint": {k: dict(v) for k, v in self.live_fingerprint.items()},
            "pruned": self.pruned,
            "kept_unmanaged": list(self.kept_unmanaged),
            "name_prefix": self.name_prefix,
            "environment": self.environment,
            "deletes_all_managed": self.deletes_all_managed,
            "allow_empty": self.allow_empty,
            "destroy": self.destroy,
            "kept": dict(self.kept),
            "risk_summary": risk_counts(c.risk for c in self.changes),
            "policy": self.policy.to_dict(),
            "violations": [v.to_dict() for v in self.violations],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Plan:
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            raise PlanError(f"saved plan has format_version {version!r}; this humectl reads {FORMAT_VERSION}")
        saved = data.get("sensitive")
        return cls(
            changes=tuple(Change.from_dict(c) for c in data.get("changes") or ()),
            unchanged=tuple(data.get("unchanged") or ()),
            live_fingerprint=dict(data.get("live_fingerprint") or {}),
            run_id=str(data.get("run_id") or ""),
            message=data.get("message"),
            partial=bool(data.get("partial")),
            targets=tuple(data.get("targets") or ()),
            excluded=tuple(data.get("excluded") or ()),
            created_at=float(data.get("created_at") or 0),
            pruned=bool(data.get("pruned")),
            kept_unmanaged=tuple(data.get("kept_unmanaged") or ()),
            name_prefix=str(data.get("name_prefix") or ""),
            environment=data.get("environment"),
            deletes_all_managed=bool(data.get("deletes_all_managed")),
            allow_empty=bool(data.get("allow_empty")),
            destroy=bool(data.get("destroy")),
            kept={str(k): str(v) for k, v in (data.get("kept") or {}).items()},
            saved_sensitive=dict(saved) if saved else None,
            policy=Policy.from_dict(data.get("policy")),
            violations=tuple(Violation.from_dict(v) for v in data.get("violations") or ()),
            salt=str(saved["salt"]) if saved and saved.get("salt") else _new_salt(),
        )
