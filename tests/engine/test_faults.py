"""Apply under injected faults: 429 storms, 5xx, timeouts, lost answers after committed writes.

Every scenario must converge to the same live state as a fault-free run, with zero duplicates.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any

import httpx

from humectl.core.settings import Settings
from humectl.decide.normalize import normalize_live
from humectl.emulator.app import EmulatorConfig
from humectl.emulator.serve import run_in_thread
from humectl.io.client import EviClient, RetryPolicy

from .helpers import Account, config, emulator_account, manifests, prompt, tool


def account_shape(prompt_count: int = 10, config_count: int = 50, edited: int | None = None) -> Any:
    tools = [tool(f"tool_{i}", f'{{"type":"object","title":"t{i}"}}') for i in range(5)]
    prompts = [
        prompt(f"prompt-{i}", f"You are agent {i}." + (" Be brief." if i == edited else ""))
        for i in range(prompt_count)
    ]
    configs = [config(f"config-{i}", f"prompt-{i % prompt_count}", [f"tool_{i % 5}"]) for i in range(config_count)]
    return manifests(*tools, *prompts, *configs)


def versions_by_address(account: Account) -> dict[str, list[int]]:
    """Every version number of every live resource, keyed by address; fails on a duplicated name."""
    out: dict[str, list[int]] = {}
    for kind in ("tool", "prompt", "config"):
        ids_by_name: dict[str, set[str]] = defaultdict(set)
        versions: dict[str, list[int]] = defaultdict(list)
        for item in account.all_versions(kind):
            ids_by_name[item["name"]].add(item["id"])
            versions[item["name"]].append(item["version"])
        duplicated = {name: ids for name, ids in ids_by_name.items() if len(ids) > 1}
        assert not duplicated, f"duplicate {kind}s: {duplicated}"
        for name, numbers in versions.items():
            assert len(numbers) == len(set(numbers)), f"{kind}/{name} has a repeated version: {numbers}"
            out[f"{kind}/{name}"] = sorted(numbers)
    return out


def live_contents(account: Account) -> dict[str, Any]:
    live = account.live()
    return {r.address: normalize_live(r.kind, r.data) for r in live.resources.values()}


def run_scenario(config_: EmulatorConfig) -> tuple[dict[str, list[int]], dict[str, Any], Account]:
    with emulator_account(config_) as account:
        account.converge(account_shape(), rounds=8)
        edit = account_shape(edited=3)
        plan = account.plan(edit)
        if config_.fault_rate == 0:
            cascade = {c.address for c in plan.changes}
            assert cascade == {"prompt/prompt-3"} | {f"config/config-{i}" for i in range(3, 50, 10)}
            assert all("prompt/prompt-3 v0 → v1" in c.reasons for c in plan.changes if c.kind == "config")
        account.converge(edit, rounds=8)
        return versions_by_address(account), live_contents(account), account


def test_thirty_percent_faults_reach_the_same_state_without_duplicates() -> None:
    clean_versions, clean_contents, _ = run_scenario(EmulatorConfig())
    faulty_versions, faulty_contents, _ = run_scenario(
        EmulatorConfig(fault_rate=0.3, ambiguous_write_rate=0.15, seed=1234)
    )
    assert faulty_versions == clean_versions
    assert faulty_contents == clean_contents
    # exactly the cascade got a second version
    assert clean_versions["prompt/prompt-3"] == [0, 1]
    assert clean_versions["config/config-13"] == [0, 1]
    assert clean_versions["config/config-14"] == [0]


def test_every_answer_lost_after_commit_still_no_duplicates() -> None:
    with emulator_account(EmulatorConfig(ambiguous_write_rate=1.0)) as account:
        desired = manifests(prompt("p", "one"), config("c", "p"))
        reports = account.converge(desired)
        assert len(reports) == 1 and reports[0].failed == []
        account.converge(manifests(prompt("p", "two"), config("c", "p")))
        assert versions_by_address(account) == {"prompt/p": [0, 1], "config/c": [0, 1]}


def test_429_storm_is_absorbed() -> None:
    with emulator_account(EmulatorConfig(rate_limit=25)) as account:
        desired = manifests(*(prompt(f"p{i}", "x") for i in range(40)))
        reports = account.converge(desired)
        assert reports[0].failed == [] and len(reports[0].done) == 40
        assert account.client.limiter.throttled > 0
        assert len(versions_by_address(account)) == 40


def test_timeouts_then_recovery_over_a_socket() -> None:
    with run_in_thread(EmulatorConfig(latency_ms=400)) as url:
        settings = Settings(base_url=url, api_key="test-key", timeout_s=0.15)
        client = EviClient(settings, retry=RetryPolicy(attempts=10, base_delay=0.05, max_delay=0.2))
        account = Account(client)

        def recover() -> None:
            httpx.put(f"{url}/_emulator/faults", json={"latency_ms": 0}, headers={"X-Hume-Api-Key": "x"})

        timer = threading.Timer(0.8, recover)
        timer.start()
        try:
            account.converge(manifests(prompt("p", "x"), config("c", "p")))
            assert versions_by_address(account) == {"prompt/p": [0], "config/c": [0]}
        finally:
            timer.cancel()
            account.run(client.aclose())
            account.loop.close()


def test_retries_give_up_with_a_clear_error() -> None:
    from humectl.core.errors import ServerError

    with emulator_account(EmulatorConfig(fault_rate=1.0), retry=RetryPolicy(attempts=3, base_delay=0.001)) as account:
        try:
            account.live()
        except ServerError as exc:
            assert exc.status == 503 and exc.method == "GET" and "/v0/evi/" in exc.path
        else:
            raise AssertionError("expected ServerError")


def test_interrupted_apply_reports_what_is_known() -> None:
    import asyncio

    import pytest

    from humectl.core.errors import ApplyError
    from humectl.ops.apply import apply_plan

    with emulator_account(EmulatorConfig(latency_ms=50)) as account:
        desired = manifests(*(prompt(f"p{i}", "x") for i in range(4)), config("c", "p0"))
        plan = account.plan(desired)

        async def interrupt_after_first() -> None:
            done = asyncio.Event()

            def on_event(status: str, change: object, detail: str) -> None:
                if status == "done":
                    done.set()

            task = asyncio.ensure_future(apply_plan(plan, account.client, on_event=on_event, parallelism=2))
            await done.wait()
            task.cancel()
            await task

        with pytest.raises(ApplyError) as err:
            account.run(interrupt_after_first())
        report = err.value.report
        assert len(report.done) >= 1 and report.in_flight  # the other worker's write was sent
        assert "config/c" in report.not_started
        assert report.failed == [] and report.stopped_by == "interrupt"
        assert len(report.done) + len(report.in_flight) + len(report.not_started) == 5
        account.converge(desired)  # a re-run converges with no duplicates
        assert len(versions_by_address(account)) == 5
