"""Who created a live resource, read from humectl's markers: the head's, or, when the head was made
outside humectl (a dashboard or playground edit), the resource's versions (its first version says who
created it). Prune and destroy ask this of what the manifests no longer define, so an edit made
elsewhere never makes humectl forget a resource it created (it would be left behind forever)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass

from humectl.core.errors import NotFoundError
from humectl.core.kinds import KINDS
from humectl.core.provenance import is_protected, made_by_humectl, owner_prefix
from humectl.io.client import EviClient
from humectl.model.live import LiveResource


@dataclass(frozen=True)
class Ownership:
    """Who created a live resource, for which environment, and whether humectl's last write protects it."""

    prefix: str | None  # the environment humectl created it for; None when humectl did not create it
    protected: bool


async def ownership(client: EviClient, head: LiveResource, declared: Iterable[str]) -> Ownership:
    """Read from humectl's markers: the head's when it has one, else the versions' (one read): the first
    version says who created it, the newest humectl version whether it is protected."""
    description = head.data.get("version_description")
    if made_by_humectl(description):
        return Ownership(owner_prefix(description, head.name, declared), is_protected(description))
    try:
        listed = await client.list_versions(KINDS[head.kind], head.id)
    except NotFoundError:  # deleted since the listing (another run): nobody's to delete here
        return Ownership(None, False)
    versions = sorted(listed, key=lambda v: int(v.get("version", 0)))
    if not versions:
        return Ownership(None, False)
    first = versions[0].get("version_description")
    ours = [v.get("version_description") for v in versions if made_by_humectl(v.get("version_description"))]
    return Ownership(owner_prefix(first, head.name, declared), bool(ours) and is_protected(ours[-1]))


async def created_here(
    client: EviClient, heads: Iterable[LiveResource], scope: str, declared: Iterable[str]
) -> dict[str, bool]:
    """Of ``heads`` (heads without humectl's marker), the addresses of those humectl created for the
    environment ``scope``, each with whether its last humectl write protects it. One versions read each,
    concurrently under the client's limits."""
    heads = list(heads)
    declared = tuple(declared)
    owners = await asyncio.gather(*(ownership(client, head, declared) for head in heads))
    return {head.address: owner.protected for head, owner in zip(heads, owners, strict=True) if owner.prefix == scope}


__all__ = ["Ownership", "created_here", "ownership"]
