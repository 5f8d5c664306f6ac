"""Helpers for engine tests: desired resources in code, an in-process emulator client, account reads."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from humectl.core.errors import ApplyReport
from humectl.core.kinds import KINDS
from humectl.core.settings import Settings
from humectl.emulator.app import EmulatorConfig, create_app
from humectl.io.client import EviClient, RetryPolicy
from humectl.io.listing import complete_heads, fetch_live_state
from humectl.model.desired import DesiredResource, ManifestSet, Source
from humectl.model.live import LiveState
from humectl.model.plan import Plan
from humectl.ops.apply import apply_plan
from humectl.ops.plan import plan_live
from tests.emulator.spec_validator import SpecValidatingMiddleware, format_violations
from tests.hume_spec import optional_spec_validator

SRC = Source("test.yaml", 1, 1)
FAST_RETRY = RetryPolicy(attempts=8, base_delay=0.01, max_delay=0.05)


def res(kind: str, name: str, spec: dict[str, Any], **extra: Any) -> DesiredResource:
    return DesiredResource(kind=kind, name=name, spec=spec, source=SRC, **extra)


def manifests(*resources: DesiredResource) -> ManifestSet:
    return ManifestSet(root=Path("."), resources=list(resources))


def prompt(name: str, text: str, **extra: Any) -> DesiredResource:
    return res("prompt", name, {"text": text}, **extra)


def tool(name: str, parameters: str = '{"type":"object"}', **spec: Any) -> DesiredResource:
    return res("tool", name, {"parameters": parameters, **spec})


def config(name: str, prompt_ref: Any = None, tools: list[Any] | None = None, **spec: Any) -> DesiredResource:
    body: dict[str, Any] = {"evi_version": "3", **spec}
    if prompt_ref is not None:
        body["prompt"] = prompt_ref if isinstance(prompt_ref, dict) else {"name": prompt_ref}
    if tools is not None:
        body["tools"] = [t if isinstance(t, dict) else {"name": t} for t in tools]
    return res("config", name, body)


class Account:
    """An emulator account and a humectl client on it, driven synchronously for tests."""

    def __init__(self, client: EviClient) -> None:
        self.client = client
        self.loop = asyncio.new_event_loop()
        self.runs = 0

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    def live(self, *, complete: bool = False) -> LiveState:
        """The live heads as the lists give them, or each complete (``live.complete_heads``)."""
        state = self.run(fetch_live_state(self.client))
        if complete:
            self.run(complete_heads(self.client, state.resources.values()))
        return state

    def plan(self, desired: ManifestSet, **kwargs: Any) -> Plan:
        """What ``humectl plan`` does after loading the manifests (the streaming path)."""
        self.runs += 1
        plan, _ = self.run(plan_live(self.client, desired, run_id=f"run{self.runs:04d}", **kwargs))
        return plan

    def apply(self, plan: Plan) -> ApplyReport:
        report, _ = self.run(apply_plan(plan, self.client, parallelism=8))
        return report

    def converge(self, desired: ManifestSet, rounds: int = 6) -> list[ApplyReport]:
        """Plan and apply until the plan is empty (each round after a failure starts from live state)."""
        reports = []
        for _ in range(rounds):
            plan = self.plan(desired)
            if not plan.has_changes:
                return reports
            reports.append(self.apply(plan))
        raise AssertionError(f"did not converge in {rounds} rounds: {[r.to_dict() for r in reports]}")

    def raw(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.run(self.client._request(method, path, **kwargs))

    def all_versions(self, kind: str) -> list[dict[str, Any]]:
        k = KINDS[kind]
        return self.run(self.client.list_all(k.api_path, k.page_key, {"restrict_to_most_recent": "false"}))


@contextmanager
def emulator_account(config: EmulatorConfig | None = None, *, retry: RetryPolicy = FAST_RETRY) -> Iterator[Account]:
    """An in-process emulator whose every answer is also checked against Hume's OpenAPI spec (when the
    tests have it: tests/hume_spec.py)."""
    app = SpecValidatingMiddleware(create_app(config or EmulatorConfig()), optional_spec_validator())
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    client = EviClient(Settings(base_url="http://127.0.0.1", api_key="test-key"), transport=transport, retry=retry)
    account = Account(client)
    try:
        yield account
    finally:
        account.run(client.aclose())
        account.loop.close()
    assert not app.violations, "emulator answers that break Hume's spec:\n" + format_violations(app.violations)
