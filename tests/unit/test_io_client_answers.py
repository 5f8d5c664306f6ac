"""Only success is success (issue 23 item 7): a write is done only when the server answers with the
documented status and body. A redirect, another 2xx, or an error object behind a 200 is an error
naming the status, on DELETE and PATCH, on a listing, and on the lock's release.

The emulator never answers this way, so httpx.MockTransport plays the server.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from humectl.core.errors import InvalidResponseError
from humectl.core.kinds import KINDS
from humectl.core.settings import Settings
from humectl.io.client import EviClient, RetryPolicy
from humectl.io.lock import LockKeeper, new_lease

PROMPT = KINDS["prompt"]
Handler = Callable[[httpx.Request], httpx.Response]

REDIRECT = httpx.Response(302, headers={"location": "https://login.example.com/sso"})
WRONG_ANSWERS = {
    "redirect": (REDIRECT, "HTTP 302 with a redirect to https://login.example.com/sso"),
    "moved": (httpx.Response(301), "HTTP 301 with a redirect"),
    "error behind 200": (
        httpx.Response(200, json={"error": "Prompt is locked by another request"}),
        "HTTP 200 with an error in its body: Prompt is locked by another request",
    ),
    "fault behind 200": (
        httpx.Response(200, json={"fault": {"faultstring": "quota exceeded"}}),
        "HTTP 200 with an error in its body: quota exceeded",
    ),
    "202 accepted": (httpx.Response(202), "HTTP 202 with a status other than the documented 200"),
    "a body": (httpx.Response(200, json={"id": "x"}), "HTTP 200 with a body where the API answers with none"),
}


def client_for(handler: Handler) -> EviClient:
    return EviClient(
        Settings(base_url="http://127.0.0.1", api_key="k"),
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.002),
    )


def answer(response: httpx.Response) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(response.status_code, headers=response.headers, content=response.content, request=request)

    return handler


async def call(handler: Handler, what: str) -> Any:
    async with client_for(handler) as client:
        if what == "delete":
            return await client.delete(PROMPT, "p1")
        if what == "delete_version":
            return await client.delete_version(PROMPT, "p1", 3)
        if what == "rename":
            return await client.rename(PROMPT, "p1", "new-name")
        raise AssertionError(what)


@pytest.mark.parametrize("what", ["delete", "delete_version", "rename"])
@pytest.mark.parametrize("case", sorted(WRONG_ANSWERS))
def test_a_write_answered_otherwise_than_documented_is_an_error_naming_the_status(what: str, case: str) -> None:
    response, expected = WRONG_ANSWERS[case]
    with pytest.raises(InvalidResponseError) as err:
        asyncio.run(call(answer(response), what))
    assert expected in err.value.message
    assert err.value.status == response.status_code


@pytest.mark.parametrize("what", ["delete", "delete_version", "rename"])
@pytest.mark.parametrize("body", [b"", b"  \n", b'""', b"null"])
def test_the_documented_200_with_no_body_is_done(what: str, body: bytes) -> None:
    assert asyncio.run(call(answer(httpx.Response(200, content=body)), what)) is None


def test_a_description_update_answered_with_an_error_object_is_not_done() -> None:
    async def main() -> None:
        async with client_for(answer(httpx.Response(200, json={"message": "Version is read-only"}))) as client:
            await client.update_description(PROMPT, "p1", 2, "x")

    with pytest.raises(InvalidResponseError) as err:
        asyncio.run(main())
    assert "HTTP 200 with a JSON object without id, version" in err.value.message


def test_a_create_answered_200_instead_of_201_is_settled_by_reading_back() -> None:
    """A create answered with another 2xx may have happened: it is read back, never taken on trust."""
    ours = "applied by humectl [humectl run1]"
    made = {"id": "m", "version": 0, "name": "agent", "text": "t", "version_description": ours}
    posts: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            posts.append(1)
            return httpx.Response(200, json={"error": "accepted for later"})
        return httpx.Response(200, json={"page_number": 0, "page_size": 100, "total_pages": 1, "prompts_page": [made]})

    async def main() -> dict[str, Any]:
        async with client_for(handler) as client:
            return await client.create(PROMPT, {"name": "agent", "text": "t", "version_description": ours})

    assert asyncio.run(main())["id"] == "m" and posts == [1]


@pytest.mark.parametrize(
    "response",
    [httpx.Response(200, json={"error": "upstream timeout"}), REDIRECT],
    ids=["error object behind 200", "redirect"],
)
def test_a_listing_answered_with_an_error_object_is_not_an_empty_account(response: httpx.Response) -> None:
    """Read as an empty page, plan would create everything again (and prune would see nothing)."""

    async def main() -> Any:
        async with client_for(answer(response)) as client:
            return await client.list_heads(PROMPT)

    with pytest.raises(InvalidResponseError) as err:
        asyncio.run(main())
    assert f"HTTP {response.status_code}" in err.value.message


def test_a_lock_release_answered_otherwise_than_documented_is_reported_with_the_lock_id() -> None:
    """The lock's release (a DELETE) answered with a redirect is not a release: the block ends, and what
    is left is told (the lock id, its status) instead of counted as done."""
    prompts: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            body = json.loads(request.content)
            made = {**body, "id": "lock1", "version": 0, "created_on": 1_000, "modified_on": 1_000}
            prompts.append(made)
            return httpx.Response(201, json=made)
        if request.method == "DELETE":
            return httpx.Response(302, headers={"location": "https://login.example.com/sso"})
        return httpx.Response(200, json={"page_number": 0, "page_size": 100, "total_pages": 1, "prompts_page": prompts})

    lease = new_lease(run_id="r1", scope="", command="humectl apply", commit=None, lease_seconds=30)

    async def main() -> LockKeeper:
        async with client_for(handler) as client:
            keeper = LockKeeper(client, lease)
            async with keeper:
                pass
            return keeper

    keeper = asyncio.run(main())
    assert keeper.release_problem is not None
    assert "HTTP 302" in keeper.release_problem and "humectl force-unlock lock1" in keeper.release_problem
