"""The Plan as plain data: what apply will do, and its saved (JSON) form.

A :class:`Plan` holds one :class:`Change` per resource it touches (the actions below), what it leaves
unchanged, and the live fingerprint apply checks; ``to_dict``/``from_dict`` are the documented
``plan.json`` format (docs/json-output.md). This module decides nothing: the planner
(:mod:`humectl.planner`) builds Plans, :mod:`humectl.render` draws them, :mod:`humectl.apply` runs them.
Actions:

- ``create``   no live resource of that name (nor of one of its ``previous_names``);
- ``version``  canonical content differs: a new version;
- ``rename``   found under a ``previous_names`` entry and otherwise equal (PATCH, no version);
- ``describe`` only ``version_description`` (or ``protect``) differs (PATCH the head, no new version);
- ``delete``   (prune, destroy) a live resource the manifests no longer have.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from humectl import __version__, risk
from humectl.diff import FieldChange
from humectl.errors import PlanError
from humectl.policy import Policy, Violation
from humectl.risk import RiskReason

FORMAT_VERSION = 1

CREATE = "create"
VERSION = "version"
RENAME = "rename"
DESCRIBE = "describe"
DELETE = "delete"
ACTIONS = (CREATE, VERSION, RENAME, DESCRIBE, DELETE)


PLAN_SUFFIX = ".json"  # a saved plan's file name ends so: its Markdown sibling (.md) never overwrites it


def markdown_sibling(plan_file: str | Path) -> Path:
    """``plan.json`` → ``plan.md``: the Markdown that ``plan --out`` writes beside the saved plan."""
    return Path(plan_file).with_suffix(".md")


@dataclass
class Change:
    """One resource's planned change. ``content`` is the full canonical content a create/version sends."""

    address: str
    kind: str
    name: str
    action: str
    reasons: list[str] = field(default_factory=list)
    fields: list[FieldChange] = field(default_factory=list)
    text_diff: str | None = None
    live_id: str | None = None
    live_version: int | None = None
    predicted_version: int | None = None
    rename_from: str | None = None
    content: dict[str, Any] = field(default_factory=dict, repr=False)  # may hold sensitive values
    version_description: str | None = None
    depends_on: list[str] = field(default_factory=list)
    source: str | None = None
    level: int = 0
    blocked_by: str | None = None  # delete refused (e.g. still referenced); the plan cannot apply
    risk: str = "low"  # high | medium | low (humectl.risk)
    risk_reasons: list[RiskReason] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "kind": self.kind,
            "name": self.name,
            "action": self.action,
            "reasons": list(self.reasons),
            "fields": [f.to_dict() for f in self.fields],
            "text_diff": self.text_diff,
            "live": None if self.live_id is None else {"id": self.live_id, "version": self.live_version},
            "predicted_version": self.predicted_version,
            "rename_from": self.rename_from,
            "content": self.content,
            "version_description": self.version_description,
            "depends_on": list(self.depends_on),
            "source": self.source,
            "level": self.level,
            "blocked_by": self.blocked_by,
            "risk": self.risk,
            "risk_reasons": [r.to_dict() for r in self.risk_reasons],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Change:
        live = data.get("live") or {}
        return cls(
            address=data["address"],
            kind=data["kind"],
            name=data["name"],
            action=data["action"],
            reasons=list(data.get("reasons") or []),
            fields=[FieldChange(f["path"], f.get("before"), f.get("after")) for f in data.get("fields") or []],
            text_diff=data.get("text_diff"),
            live_id=live.get("id"),
            live_version=live.get("version"),
            predicted_version=data.get("predicted_version"),
            rename_from=data.get("rename_from"),
            content=dict(data.get("content") or {}),
            version_description=data.get("version_description"),
            depends_on=list(data.get("depends_on") or []),
            source=data.get("source"),
            level=int(data.get("level", 0)),
            blocked_by=data.get("blocked_by"),
            risk=str(data.get("risk") or "low"),
            risk_reasons=[RiskReason.from_dict(r) for r in data.get("risk_reasons") or []],
        )


@dataclass
class Plan:
    """Everything apply needs, as plain data (``to_dict`` is the documented JSON format)."""

    changes: list[Change] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    live_fingerprint: dict[str, dict[str, Any]] = field(default_factory=dict)
    run_id: str = ""
    message: str | None = None
    partial: bool = False
    targets: list[str] = field(default_factory=list)
    created_at: float = field(default_factory=time.time)
    pruned: bool = False  # --prune was given: deletes were considered
    kept_unmanaged: list[str] = field(default_factory=list)  # absent from manifests, not made by humectl
    name_prefix: str = ""  # the manifests' name prefix (--env/--name-prefix): the scope of the account lock
    # The prune deletes every live resource humectl manages (every one it made; with
    # --prune-unmanaged every one): refused unless ``allow_empty`` (--allow-empty) was given.
    deletes_all_managed: bool = False
    allow_empty: bool = False
    destroy: bool = False  # a plan of `humectl destroy`: it deletes the environment
    kept: dict[str, str] = field(default_factory=dict)  # destroy: address -> why it is not deleted
    # Sensitive variables (name -> value) the content may hold: never serialised (humectl.sensitive).
    sensitive: dict[str, str] = field(default_factory=dict, repr=False)
    # A loaded plan's {salt, fingerprints, places} until engine.restore_sensitive put the values back.
    saved_sensitive: dict[str, Any] | None = field(default=None, repr=False)
    # The policy of the plan's environment (humectl.policy) and what the plan does against it: a plan
    # with violations is not applied without --override-policy (also when saved and applied later).
    policy: Policy = field(default_factory=Policy)
    violations: list[Violation] = field(default_factory=list)
    format_version: int = FORMAT_VERSION
    _salt: str = field(default="", repr=False, compare=False)
    _fingerprints: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def blocked(self) -> list[Change]:
        """Changes that cannot be applied (refused deletes)."""
        return [c for c in self.changes if c.blocked_by]

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    def summary(self) -> dict[str, int]:
        counts = {action: 0 for action in ACTIONS}
        for change in self.changes:
            counts[change.action] += 1
            if change.rename_from and change.action != RENAME:
                counts[RENAME] += 1
        counts["unchanged"] = len(self.unchanged)
        return counts

    def _sensitive_dict(self, changes: list[dict[str, Any]]) -> dict[str, Any] | None:
        """Mask the sensitive values in ``changes`` (the dicts of self.changes), and say where they were
        and what their salted fingerprints are; the loaded table of a plan not restored yet as it is."""
        if not self.sensitive:
            return self.saved_sensitive
        from humectl import sensitive

        if not self._salt:
            import secrets

            self._salt = secrets.token_hex(16)
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
        for name in used:
            if name not in self._fingerprints:
                self._fingerprints[name] = sensitive.fingerprint(self.sensitive[name], self._salt)
        return {"salt": self._salt, "fingerprints": {n: self._fingerprints[n] for n in used}, "places": places}

    def to_dict(self) -> dict[str, Any]:
        changes = [c.to_dict() for c in self.changes]
        saved = self._sensitive_dict(changes)
        data = self._plain_dict(changes)
        data["sensitive"] = saved
        if self.sensitive:
            from humectl import sensitive

            data = sensitive.of(self.sensitive).mask_data({k: v for k, v in data.items() if k != "changes"}) | {
                "changes": data["changes"], "sensitive": saved,
            }  # fmt: skip
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
            "summary": self.summary(),
            "changes": changes,
            "unchanged": list(self.unchanged),
            "live_fingerprint": self.live_fingerprint,
            "pruned": self.pruned,
            "kept_unmanaged": list(self.kept_unmanaged),
            "name_prefix": self.name_prefix,
            "deletes_all_managed": self.deletes_all_managed,
            "allow_empty": self.allow_empty,
            "destroy": self.destroy,
            "kept": dict(self.kept),
            "risk_summary": risk.summary(self.changes),
            "policy": self.policy.to_dict(),
            "violations": [v.to_dict() for v in self.violations],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Plan:
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            raise PlanError(f"saved plan has format_version {version!r}; this humectl reads {FORMAT_VERSION}")
        return cls(
            changes=[Change.from_dict(c) for c in data.get("changes") or []],
            unchanged=list(data.get("unchanged") or []),
            live_fingerprint=dict(data.get("live_fingerprint") or {}),
            run_id=str(data.get("run_id") or ""),
            message=data.get("message"),
            partial=bool(data.get("partial")),
            targets=list(data.get("targets") or []),
            created_at=float(data.get("created_at") or 0),
            pruned=bool(data.get("pruned")),
            kept_unmanaged=list(data.get("kept_unmanaged") or []),
            name_prefix=str(data.get("name_prefix") or ""),
            deletes_all_managed=bool(data.get("deletes_all_managed")),
            allow_empty=bool(data.get("allow_empty")),
            destroy=bool(data.get("destroy")),
            kept={str(k): str(v) for k, v in (data.get("kept") or {}).items()},
            saved_sensitive=dict(data["sensitive"]) if data.get("sensitive") else None,
            policy=Policy.from_dict(data.get("policy")),
            violations=[Violation.from_dict(v) for v in data.get("violations") or []],
        )


