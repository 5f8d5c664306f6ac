"""Fixtures for the emulator's own tests: a config, the app, in-process clients, a served emulator, the SDK.

Every app the fixtures build comes from :func:`build_app`, so wrapping all of them (e.g. in the
OpenAPI response validator) is a one-line change there.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from humectl.catalog import voice_library
from humectl.emulator.app import EmulatorConfig, create_app
from humectl.emulator.serve import run_in_thread
from tests.emulator.inprocess import InProcessClient
from tests.emulator.spec_validator import SpecValidatingMiddleware, format_violations
from tests.hume_spec import optional_spec_validator

API_KEY = "emulator-test-key"
# The keys of an error body, laid out as live EVI's were (docs/fidelity.md), with the spec's ``code``.
LIVE_ERROR_KEYS = {"timestamp", "status", "error", "message", "path", "code"}
# What the emulator answers a missing or wrong key with (live's gateway fault, docs/fidelity.md).
UNAUTHORIZED = {"fault": {"faultstring": "Invalid ApiKey", "detail": {"errorcode": "oauth.v2.InvalidApiKey"}}}
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
TOOL_PARAMETERS = '{ "type": "object", "properties": { "order_id": { "type": "string" } }, "required": ["order_id"] }'


def library_id(name: str) -> str:
    """The id of a Voice Library voice (humectl/catalog/voices.json)."""
    voice = voice_library().by_name(name)
    assert voice is not None, name
    return voice.id


def build_app(config: EmulatorConfig) -> Any:
    """The one place tests turn a config into an ASGI app (checked against Hume's spec, see below)."""
    return spec_checked(create_app(config))


# ---- every response checked against Hume's OpenAPI spec (tests/emulator/spec_validator.py) -----
# Without the spec (no HUMECTL_SHARED_DIR) the answers pass unchecked: tests/hume_spec.py.
_SPEC_CHECKED: weakref.WeakSet[SpecValidatingMiddleware] = weakref.WeakSet()


def spec_checked(app: Any) -> SpecValidatingMiddleware:
    """Wrap an emulator app so that every response it gives is validated against Hume's OpenAPI spec."""
    checked = SpecValidatingMiddleware(app, optional_spec_validator())
    _SPEC_CHECKED.add(checked)
    return checked


@pytest.fixture(autouse=True)
def _responses_follow_hume_spec() -> Iterator[None]:
    """Fail any test during which an emulator built here answered something Hume's spec does not allow."""
    before = {id(m): len(m.violations) for m in list(_SPEC_CHECKED)}
    yield
    new = [v for m in list(_SPEC_CHECKED) for v in m.violations[before.get(id(m), 0) :]]
    if new:
        pytest.fail("emulator responses that break Hume's OpenAPI spec:\n" + format_violations(new), pytrace=False)


def make_client(config: EmulatorConfig, *, api_key: str | None = API_KEY) -> InProcessClient:
    return InProcessClient(build_app(config), api_key=api_key)


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=1)


@pytest.fixture
def client(emulator_config: EmulatorConfig) -> Iterator[InProcessClient]:
    with make_client(emulator_config) as c:
        yield c


@pytest.fixture
def client_factory() -> Iterator[Callable[..., InProcessClient]]:
    """Build clients over differently configured emulators (faults, api keys, file DBs)."""
    made: list[InProcessClient] = []

    def factory(config: EmulatorConfig | None = None, **kwargs: Any) -> InProcessClient:
        c = make_client(config or EmulatorConfig(seed=1), **kwargs)
        made.append(c)
        return c

    yield factory
    for c in made:
        c.close()


@pytest.fixture(scope="module")
def served_emulator() -> Iterator[str]:
    """Base URL of a real uvicorn emulator on a loopback port (one per test module)."""
    with run_in_thread(EmulatorConfig(api_key=API_KEY, seed=1), wrap=spec_checked) as url:
        yield url


@pytest.fixture
def admin(served_emulator: str) -> Iterator[httpx.Client]:
    """An httpx client for the served emulator's /_emulator/ endpoints; starts each test from empty."""
    with httpx.Client(base_url=served_emulator, headers={"X-Hume-Api-Key": API_KEY}) as c:
        c.put(
            "/_emulator/faults", json={"latency_ms": 0, "rate_limit": None, "fault_rate": 0, "ambiguous_write_rate": 0}
        )
        c.post("/_emulator/reset").raise_for_status()
        yield c


@pytest.fixture
def sdk(served_emulator: str, admin: httpx.Client) -> Any:
    """The official Hume SDK pointed at the served emulator (an empty account)."""
    from hume import HumeClient

    return HumeClient(api_key=API_KEY, base_url=served_emulator)


# ---- request bodies shared by the test modules -------------------------------------------------


def prompt_body(name: str = "support-agent", text: str = "You are a helpful agent.", **extra: Any) -> dict[str, Any]:
    return {"name": name, "text": text, **extra}


def tool_body(name: str = "lookup_order", **extra: Any) -> dict[str, Any]:
    return {"name": name, "parameters": TOOL_PARAMETERS, **extra}


def config_body(name: str = "support-desk", **extra: Any) -> dict[str, Any]:
    return {"name": name, "evi_version": "3", **extra}


def created(resp: httpx.Response) -> dict[str, Any]:
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body
