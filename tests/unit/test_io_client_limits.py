"""The network's limits (issue 23 item 11), against scripted servers (httpx.MockTransport: the
emulator never answers this way).

- A gzip bomb: an answer of ~1.6 MB that decompresses to 1.6 GB was read whole (a MemoryError, or
  1.6 GB held); now reading stops past ``MAX_BODY_BYTES`` decompressed, with an error saying so.
- A server that trickles its answer a byte at a time never trips httpx's timeouts (they bound each
  wait between bytes): ``--timeout`` now bounds each request's whole time.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from humectl.core.errors import InvalidResponseError, TransportError
from humectl.core.kinds import KINDS
from humectl.core.settings import Settings
from humectl.io import client as client_module
from humectl.io.client import EviClient, RetryPolicy

PROMPT = KINDS["prompt"]
MB = 1024 * 1024


def client_for(handler: Any, *, timeout_s: float = 30.0) -> EviClient:
    return EviClient(
        Settings(base_url="http://127.0.0.1", api_key="k", timeout_s=timeout_s),
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.002),
    )


class Bomb(httpx.AsyncByteStream):
    """A gzip stream of ``size`` bytes of zeros, made as it is read: the same flushed block again and
    again (after a full flush a block's compressed bytes depend on nothing before it)."""

    def __init__(self, size: int) -> None:
        self.blocks = size // MB
        compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        block = bytes(MB)
        self.first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
        self.rest = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.first
        for _ in range(self.blocks - 1):
            self.sent += 1
            yield self.rest


@pytest.mark.parametrize("size_mb", [100, 1600], ids=["100 MB", "1.6 GB"])
def test_a_gzip_bomb_is_refused_as_it_is_read_never_held_whole(size_mb: int) -> None:
    bomb = Bomb(size_mb * MB)
    assert len(bomb.first) + len(bomb.rest) * (bomb.blocks - 1) < size_mb * MB / 500  # tiny on the wire

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-encoding": "gzip"}, stream=bomb)

    async def main() -> Any:
        async with client_for(handler) as client:
            return await client.list_heads(PROMPT)

    with pytest.raises(InvalidResponseError) as err:
        asyncio.run(main())
    assert "a body of more than 64 MB once decompressed" in err.value.message
    assert bomb.sent < client_module.MAX_BODY_BYTES // MB + 2  # stopped at the cap, not at the end


def test_a_gzipped_answer_under_the_cap_reads_as_before() -> None:
    page = b'{"page_number": 0, "page_size": 100, "total_pages": 1, "prompts_page": [{"id": "a", "version": 0}]}'

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-encoding": "gzip"}, content=zlib.compress(page, wbits=31))

    async def main() -> Any:
        async with client_for(handler) as client:
            return await client.list_heads(PROMPT)

    assert asyncio.run(main()) == [{"id": "a", "version": 0}]


class Trickle(httpx.AsyncByteStream):
    """An answer that never ends: a byte, a pause shorter than any read timeout, another byte…"""

    def __init__(self) -> None:
        self.bytes_sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"page_number": 0, '
        while True:
            await asyncio.sleep(0.02)  # the server's pace, not a synchronisation
            self.bytes_sent += 1
            yield b" "


def test_timeout_bounds_a_requests_whole_time_not_only_each_wait_between_bytes() -> None:
    streams: list[Trickle] = []

    def handler(request: httpx.Request) -> httpx.Response:
        streams.append(Trickle())
        return httpx.Response(200, stream=streams[-1])

    async def main() -> Any:
        async with client_for(handler, timeout_s=0.3) as client:
            return await client.list_heads(PROMPT)

    with pytest.raises(TransportError) as err:
        asyncio.run(main())
    assert "timed out: no whole answer from http://127.0.0.1 within 0.3 s (--timeout)" in err.value.message
    assert len(streams) == 2  # each attempt given up on (a read is retried), then the error
