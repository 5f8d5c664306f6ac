"""The live account as data: the head (newest version) of each resource, indexed by kind and name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from humectl.core.errors import LiveStateError
from humectl.core.kinds import KINDS, Kind, KindName


@dataclass
class LiveResource:
    """The head (newest version) of one live resource, as the API returned it."""

    kind: KindName
    name: str
    id: str
    version: int
    data: dict[str, Any]

    @property
    def address(self) -> str:
        return f"{self.kind}/{self.name}"

    @property
    def complete(self) -> bool:
        """Whether ``data`` carries every content field (not only what a list page gives)."""
        return is_complete(KINDS[self.kind], self.data)


def is_complete(kind: Kind, data: Mapping[str, Any]) -> bool:
    """A version is complete once every detail field is present (None when read and unset)."""
    return all(f in data for f in kind.detail_fields)


@dataclass(repr=False)
class LiveState:
    """Every live head, keyed by (kind, name)."""

    resources: dict[tuple[str, str], LiveResource] = field(default_factory=dict)

    def __repr__(self) -> str:
        # Compact on purpose: on Python 3.11 asyncio.run() builds the repr of its main task's result
        # when it exits, and the full repr of a 2,300-resource account costs ~40 ms and 4 MB.
        return f"LiveState(<{len(self.resources)} resources>)"

    def get(self, kind: KindName, name: str) -> LiveResource | None:
        return self.resources.get((kind, name))

    def of_kind(self, kind: KindName) -> list[LiveResource]:
        return [r for (k, _), r in self.resources.items() if k == kind]

    def by_id(self, kind: KindName, resource_id: str) -> LiveResource | None:
        for resource in self.of_kind(kind):
            if resource.id == resource_id:
                return resource
        return None

    def fingerprint(self) -> dict[str, dict[str, Any]]:
        """id and version of every live object read: a saved plan is stale if any of these moved."""
        return {
            r.address: {"id": r.id, "version": r.version}
            for r in sorted(self.resources.values(), key=lambda r: r.address)
        }


def iso_time(value: Any) -> str | None:
    """Hume's timestamps as UTC ISO time. They are epoch milliseconds in practice (the spec says
    seconds), so values too large to be seconds are read as milliseconds."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    seconds = value / 1000 if abs(value) > 1e11 else float(value)
    try:
        moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def build_live_state(heads_by_kind: Mapping[KindName, list[dict[str, Any]]]) -> LiveState:
    """Index heads by name; two live resources of one kind with one name is an error naming both."""
    state = LiveState()
    problems: list[str] = []
    for kind_name, heads in heads_by_kind.items():
        for head in heads:
            name = str(head.get("name"))
            existing = state.resources.get((kind_name, name))
            if existing is not None and existing.id != head.get("id"):
                problems.append(
                    f"{kind_name}/{name} is ambiguous: live ids {existing.id} and {head.get('id')} share the name"
                )
                continue
            if existing is not None and existing.version >= int(head.get("version", 0)):
                continue
            state.resources[(kind_name, name)] = LiveResource(
                kind=kind_name, name=name, id=str(head["id"]), version=int(head.get("version", 0)), data=head
            )
    if problems:
        raise LiveStateError(
            "; ".join(problems),
            hint="rename or delete one of them in the account (humectl identifies resources by name)",
        )
    return state
