"""A planned rollback as data: the plan that makes a new version with version N's content, what it was
made from, and the change the manifests need afterwards."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from humectl.core.kinds import KindName
from humectl.model.live import LiveResource, LiveState
from humectl.model.plan import Plan


@dataclass
class Rollback:
    """A planned rollback: the Plan to apply, and what it was made from."""

    address: str
    kind: KindName
    name: str
    to_version: int
    head: LiveResource
    target_data: dict[str, Any]  # version N as the API returned it
    plan: Plan
    live: LiveState
    notes: list[str] = field(default_factory=list)

    @property
    def to_head(self) -> bool:
        """Version N is the newest version already: nothing to roll back, whatever the content."""
        return self.to_version == self.head.version


@dataclass
class ManifestUpdate:
    """What the manifests need after a rollback: a diff to show and the files to write."""

    diff: str
    writes: dict[Path, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
