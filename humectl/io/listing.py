"""Fetch the live State: the newest version of every tool, prompt and config, all kinds concurrently.

Hume's list pages leave some content fields out (``Kind.detail_fields``: a prompt's
``prompt_expansion``). :func:`complete_versions` is the one place such versions are read on their own
to fill them in; plan, rollback, history and export all go through it, so every comparison and every
new version humectl makes works from complete content.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

from humectl.core.kinds import DEPENDENCY_ORDER, KINDS, Kind, KindName, referencing_kinds
from humectl.io.client import EviClient
from humectl.model.live import LiveResource, LiveState, build_live_state, is_complete


async def complete_versions(client: EviClient, kind: Kind, versions: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """``versions`` (as list pages give them) with every detail field filled in, in the same order.

    Only incomplete versions are read (one GET each, concurrently, under the client's limits); a detail
    field the version does not have is set to None, so the result says "read, and unset" rather than
    "not known". Versions already complete are returned as they are.
    """

    async def read(item: dict[str, Any]) -> dict[str, Any]:
        full = await client.get_version(kind, str(item["id"]), int(item["version"]))
        merged = {**item, **(full or {})}
        for name in kind.detail_fields:
            merged.setdefault(name, None)
        return merged

    todo = [i for i, item in enumerate(versions) if not is_complete(kind, item)]
    done = await asyncio.gather(*(read(versions[i]) for i in todo))
    out = list(versions)
    for i, item in zip(todo, done, strict=True):
        out[i] = item
    return out


async def complete_heads(client: EviClient, resources: Iterable[LiveResource]) -> int:
    """Complete each of ``resources`` in place (see :func:`complete_versions`); returns the reads made."""
    by_kind: dict[KindName, list[LiveResource]] = {}
    for resource in resources:
        if not resource.complete:
            by_kind.setdefault(resource.kind, []).append(resource)

    async def kind_done(kind: KindName, todo: list[LiveResource]) -> None:
        completed = await complete_versions(client, KINDS[kind], [r.data for r in todo])
        for resource, data in zip(todo, completed, strict=True):
            resource.data = data

    await asyncio.gather(*(kind_done(k, todo) for k, todo in by_kind.items()))
    return sum(len(todo) for todo in by_kind.values())


async def fetch_live_state(
    client: EviClient,
    kinds: tuple[KindName, ...] = DEPENDENCY_ORDER,
    *,
    on_page: Callable[[KindName, list[dict[str, Any]]], None] | None = None,
    on_complete: Callable[[KindName], Awaitable[None] | None] | None = None,
    on_reread: Callable[[KindName], None] | None = None,
    confirm: Iterable[str] = (),
) -> LiveState:
    """List the heads of every kind concurrently (each list itself pages concurrently).

    ``on_page(kind, items)`` sees each page as it arrives and ``on_complete(kind)`` hears when a kind
    is fully listed, so a consumer (the plan builder) can work while the other pages are on the way.
    A listing that shifted while it was read is read again (:meth:`EviClient.list_all`); then
    ``on_reread(kind)`` says the pages ``on_page`` saw are not what was returned. The listings of the
    kinds in ``confirm`` (what a caller will delete, or create where it found nothing) are read twice
    when they take more than one page, and must agree.
    """
    confirmed = set(confirm)

    async def list_kind(kind: KindName) -> list[dict[str, Any]]:
        def page(items: list[dict[str, Any]]) -> None:
            if on_page is not None:
                on_page(kind, items)

        def reread() -> None:
            if on_reread is not None:
                on_reread(kind)

        heads = await client.list_heads(KINDS[kind], on_page=page, confirm=kind in confirmed, on_reread=reread)
        if on_complete is not None:
            done = on_complete(kind)
            if done is not None:
                await done
        return heads

    results = await asyncio.gather(*(list_kind(k) for k in kinds))
    return build_live_state(dict(zip(kinds, results, strict=True)))


async def referrer_versions(client: EviClient) -> list[dict[str, Any]]:
    """Every version of every live resource of a kind that references others (every config version):
    a prompt or tool any of them pins cannot be deleted. Read for deletes only, so a listing of more
    than one page is confirmed by a second read (:meth:`EviClient.list_all`): a version missed while
    another run deletes would let a pinned prompt be deleted."""
    params = {"restrict_to_most_recent": "false"}
    pages = await asyncio.gather(
        *(client.list_all(k.api_path, k.page_key, params, confirm=True) for k in referencing_kinds())
    )
    return [version for page in pages for version in page]
