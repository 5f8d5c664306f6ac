"""A resource's versions as a reviewer reads them: when, by whom (humectl or a hand), what changed."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from humectl.core import sensitive
from humectl.core.kinds import KindName
from humectl.model.fields import FieldChange

FORMAT_VERSION = 1


@dataclass
class VersionInfo:
    """One version of a resource as a reviewer needs it."""

    version: int
    modified_on: str | None  # UTC ISO 8601, e.g. 2025-05-09T14:40:00.693Z
    modified_on_raw: Any
    description: str | None  # the human part, without humectl's marker
    by_humectl: bool
    run_id: str | None
    changed: list[str]  # content fields that differ from the previous version; ["created"] for the first
    # What this version references, by field (configs: prompt "name@version", tools [...]).
    pins: dict[str, Any] = field(default_factory=dict)
    fields: list[FieldChange] = field(default_factory=list)  # how they changed (none for the first)
    # What the review policy forbade when apply --override-policy made it (docs/review.md).
    policy_overridden: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "version": self.version,
            "modified_on": self.modified_on,
            "modified_on_raw": self.modified_on_raw,
            "version_description": self.description,
            "by_humectl": self.by_humectl,
            "humectl_run": self.run_id,
            "policy_overridden": list(self.policy_overridden),
            "changed": list(self.changed),
            "fields": [f.to_dict() for f in self.fields],
            **self.pins,
        }
        return out


@dataclass
class History:
    kind: KindName
    name: str
    id: str
    versions: list[VersionInfo]  # newest first

    @property
    def address(self) -> str:
        return f"{self.kind}/{self.name}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "address": self.address,
            "kind": self.kind,
            "name": self.name,
            "id": self.id,
            "versions": [v.to_dict() for v in self.versions],
        }

    def masked(self, registry: sensitive.Sensitive) -> History:
        """This history with each version's field diffs (as plans' are), description and pins masked."""
        return replace(
            self,
            versions=[
                replace(
                    v,
                    fields=[sensitive.mask_field(f, registry) for f in v.fields],
                    description=registry.mask(v.description) if v.description else v.description,
                    pins=registry.mask_data(v.pins),
                )
                for v in self.versions
            ],
        )
