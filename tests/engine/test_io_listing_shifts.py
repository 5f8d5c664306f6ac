"""Listings that shift (issue 23 item 6): offset pages move while another run deletes.

The emulator is the server; between two page reads of one listing, "another run" deletes a resource
on an earlier page, so the first item of the next page moves back onto a page already read. Read
once, that item is missed: a plan creates it again (a duplicate where names may repeat), and a prune
misses the config version that pins a prompt and deletes the prompt. humectl reads such a listing
again until two reads agree, and never decides a create or a delete from one read of several pages.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import httpx
import pytest

from humectl.core.errors import ListingChangedError
from humectl.core.kinds import KINDS
from humectl.core.provenance import describe
from humectl.core.settings import Settings
from humectl.emulator.app import EmulatorConfig, create_app
from humectl.io.client import EviClient, RetryPolicy
from humectl.ops.apply import apply_plan
from humectl.ops.destroy import plan_destroy
from humectl.ops.plan import plan_live
from tests.engine.helpers import config, manifests, prompt

PROMPT, CONFIG = KINDS["prompt"], KINDS["config"]


class DeletesBetweenPages(httpx.AsyncBaseTransport):
    """The emulator, and another run that deletes resources while humectl pages through a list.

    Before page 1 of a listing of ``path`` (heads, or every version with ``versions``) is answered,
    the next id of ``victims`` is deleted (``times`` listings in a row are hit, then none).
    """

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.inner = httpx.ASGITransport(app=create_app(config or EmulatorConfig()), raise_app_exceptions=False)
        self.path = ""
        self.versions = False
        self.victims: list[str] = []
        self.deleted: list[str] = []

    def strike(self, path: str, victims: Iterable[str], *, versions: bool = False) -> None:
        self.path, self.victims, self.versions = path, list(victims), versions

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        listing = request.method == "GET" and request.url.path == self.path
        wanted = params.get("restrict_to_most_recent") == ("false" if self.versions else "true")
        if listing and wanted and params.get("page_number") == "1" and self.victims:
            victim = self.victims.pop(0)
            url = f"http://emulator{self.path}/{victim}"
            gone = await self.inner.handle_async_request(httpx.Request("DELETE", url, headers={"X-Hume-Api-Key": "k"}))
            assert gone.status_code == 200
            self.deleted.append(victim)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def client_over(transport: httpx.AsyncBaseTransport) -> EviClient:
    retry = RetryPolicy(attempts=3, base_delay=0.001, max_delay=0.002)
    return EviClient(Settings(base_url="http://127.0.0.1", api_key="k"), transport=transport, retry=retry)


async def make(client: EviClient, kind: Any, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [await client.create(kind, body) for body in bodies]


def ours(run: str = "seed") -> str:
    return describe(None, run)


def test_a_plan_does_not_create_again_what_a_shifting_listing_missed() -> None:
    """150 prompts (two pages); another run deletes p005 while page 1 is read, so p100 moves onto page 0,
    already read. Before: the plan created p100 again (a second p100 where names may repeat)."""
    server = DeletesBetweenPages(EmulatorConfig(allow_duplicate_names=True))

    async def main() -> tuple[Any, list[str]]:
        async with client_over(server) as client:
            made = await make(
                client,
                PROMPT,
                [{"name": f"p{i:03d}", "text": f"t{i}", "version_description": ours()} for i in range(150)],
            )
            server.strike(PROMPT.api_path, [made[5]["id"]])
            desired = manifests(prompt("p100", "t100"), prompt("p149", "t149"))
            plan, _ = await plan_live(client, desired, run_id="run1")
            await apply_plan(plan, client)
            names = [h["name"] for h in await client.list_heads(PROMPT)]
            return plan, names

    plan, names = asyncio.run(main())
    assert server.deleted, "the other run's delete happened during the listing"
    assert [c.address for c in plan.changes] == []  # p100 exists: nothing to create
    assert names.count("p100") == 1


def test_prune_never_deletes_a_prompt_pinned_by_a_config_version_a_shifting_listing_missed() -> None:
    """A hand-made config (c100) pins prompt `keep`, which humectl made and the manifests no longer
    have. 150 configs: their versions take two pages; another run deletes c005 while page 1 is read,
    so c100 moves onto page 0, already read. Before: prune saw no reference and deleted `keep`."""
    server = DeletesBetweenPages()

    async def main() -> Any:
        async with client_over(server) as client:
            keep = await client.create(PROMPT, {"name": "keep", "text": "pinned", "version_description": ours()})
            await client.create(PROMPT, {"name": "agent", "text": "a", "version_description": ours()})
            bodies = [{"name": f"c{i:03d}", "evi_version": "3"} for i in range(150)]
            bodies[100]["prompt"] = {"id": keep["id"], "version": 0}
            made = await make(client, CONFIG, bodies)
            server.strike(CONFIG.api_path, [made[5]["id"]], versions=True)
            plan, _ = await plan_live(client, manifests(prompt("agent", "a")), run_id="run1", prune=True)
            return plan

    plan = asyncio.run(main())
    assert server.deleted
    assert [c.address for c in plan.changes if c.address == "prompt/keep"] == []  # not deleted: kept, and why
    assert "config/c100" in plan.kept["prompt/keep"], plan.kept


def test_destroy_never_deletes_a_prompt_pinned_by_a_config_version_a_shifting_listing_missed() -> None:
    server = DeletesBetweenPages()

    async def main() -> Any:
        async with client_over(server) as client:
            keep = await client.create(PROMPT, {"name": "keep", "text": "pinned", "version_description": ours()})
            bodies = [{"name": f"c{i:03d}", "evi_version": "3"} for i in range(150)]
            bodies[100]["prompt"] = {"id": keep["id"]}
            made = await make(client, CONFIG, bodies)
            server.strike(CONFIG.api_path, [made[5]["id"]], versions=True)
            plan, _ = await plan_destroy(client, manifests(prompt("keep", "pinned")), run_id="run1")
            return plan

    plan = asyncio.run(main())
    assert server.deleted
    [delete] = plan.changes
    assert delete.blocked_by is not None and "config/c100 v0" in delete.blocked_by


def test_a_listing_that_never_settles_is_a_clear_error_and_nothing_is_planned() -> None:
    """Another run deleting on every read: no two reads agree, so humectl stops and says why."""
    server = DeletesBetweenPages()

    async def main() -> None:
        async with client_over(server) as client:
            made = await make(
                client, PROMPT, [{"name": f"p{i:03d}", "text": "t", "version_description": ours()} for i in range(150)]
            )
            server.strike(PROMPT.api_path, [m["id"] for m in made[:40]])
            await plan_live(client, manifests(prompt("new", "t"), config("c", "new")), run_id="run1")

    with pytest.raises(ListingChangedError) as err:
        asyncio.run(main())
    assert "changed while it was read" in err.value.message
    assert err.value.hint is not None and "another run is writing" in err.value.hint


def test_a_single_page_is_one_answer_and_never_read_twice() -> None:
    """The common case costs nothing: a plan that creates, over lists of one page each, reads each once."""
    server = DeletesBetweenPages()
    asked: list[str] = []
    inner = server.inner

    class Counting(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.method == "GET":
                asked.append(request.url.path)
            return await inner.handle_async_request(request)

    async def main() -> None:
        async with client_over(Counting()) as client:
            await client.create(PROMPT, {"name": "old", "text": "t", "version_description": ours()})
            await plan_live(client, manifests(prompt("new", "t")), run_id="run1", prune=True)

    asyncio.run(main())
    assert sorted(asked) == sorted([PROMPT.api_path, KINDS["tool"].api_path, CONFIG.api_path, CONFIG.api_path])
