"""Fetch the live State: the newest version of every tool, prompt and config, all kinds concurrently.

Hume's list pages leave some content fields out (``Kind.detail_fields``: a prompt's
``prompt_expansion``). :func:`complete_versions` is the one place such versions are read on their own
to fill them in; plan, rollback, history and export all go through it, so every comparison and every
new version humectl makes works from complete content.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from humectl.client import EviClient
from humectl.errors import LiveStateError
from humectl.kinds import DEPENDENCY_ORDER, KINDS, Kind, referencing_kinds


@dataclass
class LiveResource:
    """The head (newest version) of one live resource, as the API returned it."""

    kind: str
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
    by_kind: dict[str, list[LiveResource]] = {}
    for resource in resources:
        if not resource.complete:
            by_kind.setdefault(resource.kind, []).append(resource)

    async def kind_done(kind: str, todo: list[LiveResource]) -> None:
        completed = await complete_versions(client, KINDS[kind], [r.data for r in todo])
        for resource, data in zip(todo, completed, strict=True):
            resource.data = data

    await asyncio.gather(*(kind_done(k, todo) for k, todo in by_kind.items()))
    return sum(len(todo) for todo in by_kind.values())


@dataclass(repr=False)
class LiveState:
    """Every live head, keyed by (kind, name)."""

    resources: dict[tuple[str, str], LiveResource] = field(default_factory=dict)

    def __repr__(self) -> str:
        # Compact on purpose: on Python 3.11 asyncio.run() builds the repr of its main task's result
        # when it exits, and the full repr of a 2,300-resource account costs ~40 ms and 4 MB.
        return f"LiveState(<{len(self.resources)} resources>)"

    def get(self, kind: str, name: str) -> LiveResource | None:
        return self.resources.get((kind, name))

    def of_kind(self, kind: str) -> list[LiveResource]:
        return [r for (k, _), r in self.resources.items() if k == kind]

    def by_id(self, kind: str, resource_id: str) -> LiveResource | None:
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


def build_live_state(heads_by_kind: dict[str, list[dict[str, Any]]]) -> LiveState:
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


async def fetch_live_state(
    client: EviClient,
    kinds: tuple[str, ...] = DEPENDENCY_ORDER,
    *,
    on_page: Callable[[str, list[dict[str, Any]]], None] | None = None,
    on_complete: Callable[[str], Awaitable[None] | None] | None = None,
) -> LiveState:
    """List the heads of every kind concurrently (each list itself pages concurrently).

    ``on_page(kind, items)`` sees each page as it arrives and ``on_complete(kind)`` hears when a kind
    is fully listed, so a consumer (the plan builder) can work while the other pages are on the way.
    """

    async def list_kind(kind: str) -> list[dict[str, Any]]:
        def page(items: list[dict[str, Any]]) -> None:
            if on_page is not None:
                on_page(kind, items)

        heads = await client.list_heads(KINDS[kind], on_page=page)
        if on_complete is not None:
            done = on_complete(kind)
            if done is not None:
                await done
        return heads

    results = await asyncio.gather(*(list_kind(k) for k in kinds))
    return build_live_state(dict(zip(kinds, results, strict=True)))


async def referrer_versions(client: EviClient) -> list[dict[str, Any]]:
    """Every version of every live resource of a kind that references others (every config version):
    a prompt or tool any of them pins cannot be deleted."""
    pages = await asyncio.gather(
        *(client.list_all(k.api_path, k.page_key, {"restrict_to_most_recent": "false"}) for k in referencing_kinds())
    )
    return [version for page in pages for version in page]
