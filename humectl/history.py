"""``humectl history kind/NAME``: every version of one live resource, newest first.

For each version: its number, when it was made (``modified_on`` as UTC ISO time), its
version_description and whether humectl wrote it (the ``[humectl <run>]`` marker), which content
fields changed against the version before it (and how: the field-level diff), and for configs the
prompt/tool versions it pins. Versions are compared complete: list pages leave some fields out
(``Kind.detail_fields``), so those versions are read one by one (``live.complete_versions``).
Nothing here prints: :mod:`humectl.render.history` formats a History.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from humectl.client import EviClient
from humectl.diff import FieldChange, diff_fields
from humectl.errors import NotFoundError, ResourceNotFound
from humectl.kinds import KINDS, parse_address
from humectl.live import complete_versions, iso_time
from humectl.normalize import normalize_live
from humectl.provenance import made_by_humectl, overridden_policy, run_id_of, strip_marker

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
    kind: str
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


def _changed(kind: str, before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[str]:
    if before is None:
        return ["created"]
    return [f for f in KINDS[kind].content_fields if before.get(f) != after.get(f)]


def build_history(kind: str, name: str, resource_id: str, versions: list[dict[str, Any]]) -> History:
    ordered = sorted(versions, key=lambda v: int(v.get("version", 0)))
    infos: list[VersionInfo] = []
    previous: dict[str, Any] | None = None
    for data in ordered:
        content = normalize_live(kind, data)
        description = data.get("version_description")
        info = VersionInfo(
            version=int(data.get("version", 0)),
            modified_on=iso_time(data.get("modified_on")),
            modified_on_raw=data.get("modified_on"),
            description=strip_marker(description),
            by_humectl=made_by_humectl(description),
            run_id=run_id_of(description),
            policy_overridden=overridden_policy(description),
            changed=_changed(kind, previous, content),
            fields=diff_fields(previous, content) if previous is not None else [],
            pins={r.field: content.get(r.field, [] if r.many else None) for r in KINDS[kind].references},
        )
        infos.append(info)
        previous = content
    return History(kind=kind, name=name, id=resource_id, versions=list(reversed(infos)))


async def find_resource(client: EviClient, kind: str, name: str) -> dict[str, Any]:
    """The live head of ``kind/name``; a clear error (with a did-you-mean) when there is none."""
    heads = [h for h in await client.list_heads(KINDS[kind], name=name) if h.get("name") == name]
    if heads:
        return max(heads, key=lambda h: int(h.get("version", 0)))
    names = sorted({str(h.get("name")) for h in await client.list_heads(KINDS[kind])})
    close = difflib.get_close_matches(name, names, n=1)
    raise ResourceNotFound(
        f"no live {kind} is named {name!r}",
        hint=f"did you mean {kind}/{close[0]}?" if close else f"live {kind}s: {', '.join(names) or 'none'}",
    )


async def fetch_history(client: EviClient, address: str) -> History:
    try:
        kind, name = parse_address(address)
    except ValueError as exc:
        from humectl.errors import UsageError

        raise UsageError(str(exc)) from None
    head = await find_resource(client, kind, name)
    try:
        listed = await client.list_versions(KINDS[kind], str(head["id"]))
        versions = await complete_versions(client, KINDS[kind], listed)
    except NotFoundError:
        raise ResourceNotFound(f"{address} was deleted while its history was read") from None
    return build_history(kind, name, str(head["id"]), versions)
