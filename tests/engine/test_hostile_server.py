"""A generated hostile server: any request of a whole plan may get an odd answer, and humectl still
either plans or stops with one of its own errors (a message and an exit code), never anything else.

The server is the in-process emulator behind an httpx.MockTransport that,
request by request, hypothesis chooses to pass through or to answer oddly: 5xx and 429 with broken or
huge Retry-After values, bodies that are HTML, truncated JSON, JSON of the wrong shape, pages whose
items lack fields or whose total_pages lies, a connection that fails. test_client.py scripts each of
these once; this draws them in any order and mix, through the whole listing and planning.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from humectl.core.errors import HumectlError
from humectl.core.settings import Settings
from humectl.emulator.app import EmulatorConfig
from humectl.emulator.transport import in_process_transport
from humectl.io.client import EviClient, RetryPolicy
from humectl.load import manifests as manifest
from humectl.ops.plan import plan_live
from tests.conftest import EXAMPLES_DIR

EXAMPLE = EXAMPLES_DIR / "support-desk"
SETTINGS = Settings(base_url="http://127.0.0.1:9", api_key="test-key")
FAST = RetryPolicy(attempts=3, base_delay=0.0005, max_delay=0.001, max_retry_after=0.001, max_throttled=3)


def _page_key(request: httpx.Request) -> str:
    return request.url.path.rstrip("/").rsplit("/", 1)[-1] + "_page"


def odd(kind: str, request: httpx.Request, real: dict[str, Any] | None) -> httpx.Response:
    """One odd answer of ``kind`` to ``request`` (``real``: what the emulator answered, when JSON)."""
    if kind == "5xx-bad-retry-after":
        return httpx.Response(503, headers={"Retry-After": "soon"}, json={"message": "busy"})
    if kind == "5xx-huge-retry-after":
        return httpx.Response(500, headers={"Retry-After": "9" * 400}, text="oops")
    if kind == "429-negative-ms":
        return httpx.Response(429, headers={"retry-after-ms": "-5", "Retry-After": "-1"})
    if kind == "html":
        return httpx.Response(200, text="<html><body>Gateway</body></html>", headers={"content-type": "text/html"})
    if kind == "truncated":
        return httpx.Response(
            200, content=b'{"page_number": 0, "prompts_pa', headers={"content-type": "application/json"}
        )
    if kind == "wrong-shape":
        return httpx.Response(200, json=[1, 2, 3])
    if kind == "connect-error":
        raise httpx.ConnectError("connection refused", request=request)
    if real is None or request.method != "GET" or _page_key(request) not in real:
        return httpx.Response(502, text="bad gateway")
    page = dict(real)
    items = list(page[_page_key(request)])
    if kind == "page-not-a-list":
        page[_page_key(request)] = {"0": items}
    elif kind == "items-missing-fields":
        page[_page_key(request)] = [{k: v for k, v in item.items() if k not in ("id", "version")} for item in items]
    elif kind == "version-as-text":
        page[_page_key(request)] = [{**item, "version": "seven"} for item in items]
    elif kind == "lying-total":
        page["total_pages"] = 10**20
    elif kind == "duplicated-items":
        page[_page_key(request)] = items + items
    return httpx.Response(200, json=page)


ODD = [
    "5xx-bad-retry-after",
    "5xx-huge-retry-after",
    "429-negative-ms",
    "html",
    "truncated",
    "wrong-shape",
    "connect-error",
    "page-not-a-list",
    "items-missing-fields",
    "version-as-text",
    "lying-total",
    "duplicated-items",
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers=st.lists(st.sampled_from(["pass", "pass", *ODD]), min_size=1, max_size=30))
def test_a_plan_against_any_mix_of_odd_answers_plans_or_stops_with_humectls_error(answers: list[str]) -> None:
    emulator = in_process_transport(EmulatorConfig(db=":memory:"))
    script = list(answers)

    async def handler(request: httpx.Request) -> httpx.Response:
        answer = script.pop(0) if script else "pass"
        real = await emulator.handle_async_request(request)
        await real.aread()
        if answer == "pass":
            return httpx.Response(real.status_code, headers=real.headers, content=real.content)
        try:
            data = json.loads(real.content)
        except ValueError:
            data = None
        return odd(answer, request, data if isinstance(data, dict) else None)

    async def scenario() -> None:
        loaded = manifest.load_manifests(EXAMPLE)
        async with EviClient(SETTINGS, transport=httpx.MockTransport(handler), retry=FAST) as client:
            try:
                plan, _ = await asyncio.wait_for(plan_live(client, loaded, run_id="r"), timeout=30)
            except HumectlError as exc:
                assert str(exc), "an error without a message"
                return
            assert len(plan.changes) >= 6  # the example, planned against what the server claimed

    asyncio.run(scenario())
