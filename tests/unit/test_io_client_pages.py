"""A paged list read as one consistent answer (issue 23 item 6), against scripted servers.

Each read's own signs of a shift (``total_pages`` changing between its pages, an item on two pages)
make humectl read again until two reads agree; ``confirm`` reads a list of several pages twice even
without a sign (a miss shows in no single read); a list of one page is one answer, read once.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from humectl.core.errors import ListingChangedError
from humectl.core.kinds import KINDS
from humectl.core.settings import Settings
from humectl.io import client as client_module
from humectl.io.client import EviClient, RetryPolicy

PROMPT = KINDS["prompt"]


def item(i: int) -> dict[str, Any]:
    return {"id": f"id{i:03d}", "version": 0, "name": f"p{i:03d}", "text": "t"}


class Server:
    """Pages of ``size`` over ``items``; ``before_page`` runs before each page is cut (another run)."""

    def __init__(self, count: int, size: int = 10) -> None:
        self.items = [item(i) for i in range(count)]
        self.size = size
        self.asked: list[int] = []
        self.reads = 0
        self.total_override: int | None = None

    def before_page(self, number: int) -> None:
        pass

    def __call__(self, request: httpx.Request) -> httpx.Response:
        number = int(request.url.params["page_number"])
        if number == 0:
            self.reads += 1
        self.asked.append(number)
        self.before_page(number)
        start = number * self.size
        total = self.total_override or -(-len(self.items) // self.size)
        body = {
            "page_number": number,
            "page_size": self.size,
            "total_pages": total,
            "prompts_page": self.items[start : start + self.size],
        }
        return httpx.Response(200, json=body)


def read(server: Server, **kwargs: Any) -> tuple[list[dict[str, Any]], list[str]]:
    events: list[str] = []

    async def main() -> list[dict[str, Any]]:
        async with EviClient(
            Settings(base_url="http://127.0.0.1", api_key="k"),
            transport=httpx.MockTransport(server),
            retry=RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.002),
        ) as client:
            return await client.list_all(
                PROMPT.api_path,
                PROMPT.page_key,
                {"restrict_to_most_recent": "true"},
                on_reread=lambda: events.append("reread"),
                **kwargs,
            )

    return asyncio.run(main()), events


def test_an_item_read_twice_because_another_run_created_is_read_again() -> None:
    """A create before page 1 moves an item of page 0 onto page 1: seen twice, so the list is read again."""

    class Creating(Server):
        def before_page(self, number: int) -> None:
            if number == 1 and self.reads == 1:
                self.items.insert(0, item(999))

    server = Creating(25)
    items, events = read(server)
    assert server.reads == 3 and events == ["reread"]  # the shifted read, then two that agree
    assert len(items) == 26 and len({i["id"] for i in items}) == 26


def test_total_pages_changing_between_pages_is_a_shift() -> None:
    class Shrinking(Server):
        def before_page(self, number: int) -> None:
            if number == 1 and self.reads == 1:
                del self.items[0:10]  # a whole page deleted: nothing read twice, but total_pages moved

    server = Shrinking(25)
    items, events = read(server)
    assert events == ["reread"] and [i["id"] for i in items] == [f"id{i:03d}" for i in range(10, 25)]


def test_a_miss_that_no_single_read_shows_is_caught_by_confirm() -> None:
    class Deleting(Server):
        def before_page(self, number: int) -> None:
            if number == 1 and self.reads == 1:
                del self.items[3]  # id010 moves onto page 0, already read: missed

    unconfirmed, _ = read(Deleting(25))
    assert "id010" not in {i["id"] for i in unconfirmed}  # one read cannot know
    server = Deleting(25)
    items, events = read(server, confirm=True)
    assert "id010" in {i["id"] for i in items} and events == ["reread"] and server.reads == 3


def test_a_confirmed_read_that_agrees_is_not_read_a_third_time() -> None:
    server = Server(25)
    items, events = read(server, confirm=True)
    assert len(items) == 25 and server.reads == 2 and events == []


def test_one_page_is_one_answer_even_when_confirmed() -> None:
    server = Server(7)
    items, _ = read(server, confirm=True)
    assert len(items) == 7 and server.asked == [0]


def test_a_list_that_keeps_shifting_is_an_error_after_max_reads() -> None:
    class Busy(Server):
        def before_page(self, number: int) -> None:
            if number == 1:
                self.items.insert(0, item(500 + self.reads))

    server = Busy(25)
    with pytest.raises(ListingChangedError) as err:
        read(server)
    assert server.reads == client_module.MAX_READS
    assert err.value.message.startswith("the list GET /v0/evi/prompts changed while it was read")
