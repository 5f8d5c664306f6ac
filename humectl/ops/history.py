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
from typing import Any

from humectl.core.errors import NotFoundError, ResourceNotFound, UsageError
from humectl.core.kinds import KINDS, KindName, parse_address
from humectl.core.provenance import made_by_humectl, overridden_policy, run_id_of, strip_marker
from humectl.decide.diff import diff_fields
from humectl.decide.normalize import content_keys, normalize_live
from humectl.io.client import EviClient
from humectl.io.listing import complete_versions
from humectl.model.history import History, VersionInfo
from humectl.model.live import iso_time


def _changed(kind: KindName, before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[str]:
    if before is None:
        return ["created"]
    return [f for f in content_keys(KINDS[kind], before, after) if before.get(f) != after.get(f)]


def build_history(kind: KindName, name: str, resource_id: str, versions: list[dict[str, Any]]) -> History:
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
            fields=diff_fields(previous, content, json_fields=KINDS[kind].json_schema_fields)
            if previous is not None
            else [],
            pins={r.field: content.get(r.field, [] if r.many else None) for r in KINDS[kind].references},
        )
        infos.append(info)
        previous = content
    return History(kind=kind, name=name, id=resource_id, versions=list(reversed(infos)))


async def find_resource(client: EviClient, kind: KindName, name: str) -> dict[str, Any]:
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
        raise UsageError(str(exc)) from None
    head = await find_resource(client, kind, name)
    try:
        listed = await client.list_versions(KINDS[kind], str(head["id"]))
        versions = await complete_versions(client, KINDS[kind], listed)
    except NotFoundError:
        raise ResourceNotFound(f"{address} was deleted while its history was read") from None
    return build_history(kind, name, str(head["id"]), versions)
