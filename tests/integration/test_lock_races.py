"""Racing and interrupted applies, as users meet them: humectl processes against a served emulator.

Each test starts real ``humectl`` subprocesses at once against one emulator on loopback (with latency)
and then checks the account itself: how many versions and resources exist, whether a lock is left.
Assertions are on counts and states, never on timings, so a loaded machine only makes them slower.

- 5 racing applies of one edit: exactly one new version per changed resource; the others are refused
  naming the holder, or (with --lock-timeout) wait, plan again and find no changes;
- 3 racing applies of one saved plan: exactly one applies, the others are refused as stale;
- 5 racing creates against a server that allows duplicate names: exactly one resource per name;
- kill -9 while holding the lock: after the (short) lease the next run takes it and converges;
- force-unlock; SIGINT and SIGTERM mid-apply through answers held back: the report lists exactly the
  committed writes as done or in flight, checked against the emulator's store.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from humectl import lock
from humectl.cli import cli
from humectl.emulator.app import EmulatorConfig
from humectl.emulator.serve import run_in_thread
from humectl.engine import open_client
from humectl.settings import Settings

KEY = "sk-test-race-0123456789"
LATENCY_MS = 60  # per request: wide enough that racing processes overlap, small enough for CI

MANIFESTS = """\
prompts:
  - name: agent
    text_file: agent.md
  - name: other
    text: You are another agent.
tools:
  - name: lookup
    parameters: {type: object, properties: {id: {type: string}}}
configs:
  - {name: desk, evi_version: "3", prompt: agent, tools: [lookup]}
  - {name: desk-night, evi_version: "3", prompt: agent}
  - {name: side, evi_version: "3", prompt: other}
"""


class HoldAnswers:
    """ASGI middleware in front of the emulator: requests matching ``hold`` are served (so the write
    commits) but, after the first ``answer_first`` of them, their answer is never sent; the request
    waits until the client goes away. What a slow or stuck network looks like mid-apply.

    It also notes the pid in every lock create it passes (``lock_pids``): who has tried to take it."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.hold: tuple[str, str] | None = None  # (method, path)
        self.answer_first = 0
        self.seen = 0
        self.lock_pids: set[int] = set()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        where = (scope["method"], scope["path"])
        if where == ("POST", "/v0/evi/prompts"):
            receive = await self._note_lock_pid(receive)
        if where != self.hold or self._count() <= self.answer_first:
            await self.app(scope, receive, send)
            return

        async def swallow(message: Any) -> None:
            return None

        await self.app(scope, receive, swallow)
        while (await receive())["type"] != "http.disconnect":
            pass

    async def _note_lock_pid(self, receive: Any) -> Any:
        chunks, more = [], True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        with contextlib.suppress(ValueError, KeyError, TypeError):
            request = json.loads(body)
            if request["name"].startswith(lock.LOCK_NAME):
                self.lock_pids.add(int(json.loads(request["text"])["pid"]))
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay

    def _count(self) -> int:
        self.seen += 1
        return self.seen


@dataclass
class Served:
    url: str
    app: Any  # the emulator's app: its store is the account's truth
    holder: HoldAnswers

    def versions(self) -> Counter[str]:
        """Versions per address, lock prompts left out."""
        counts: Counter[str] = Counter()
        for kind in ("tool", "prompt", "config"):
            rows, _ = self.app.state.store.list_versions(kind, most_recent=False, limit=100_000)
            for row in rows:
                if not row.name.startswith(lock.LOCK_NAME):
                    counts[f"{kind}/{row.name}"] += 1
        return counts

    def resources(self) -> Counter[str]:
        """Resources per address (more than 1: a duplicate), lock prompts left out."""
        counts: Counter[str] = Counter()
        for kind in ("tool", "prompt", "config"):
            rows, _ = self.app.state.store.list_versions(kind, most_recent=True, limit=100_000)
            for row in rows:
                if not row.name.startswith(lock.LOCK_NAME):
                    counts[f"{kind}/{row.name}"] += 1
        return counts

    def locks(self) -> list[Any]:
        rows, _ = self.app.state.store.list_versions("prompt", most_recent=True, limit=1000)
        return [r for r in rows if r.name.startswith(lock.LOCK_NAME)]


@contextmanager
def served(**config: Any) -> Iterator[Served]:
    """The emulator on loopback (with latency), behind HoldAnswers."""
    holders: list[HoldAnswers] = []

    def wrap(app: Any) -> Any:
        holders.append(HoldAnswers(app))
        return holders[-1]

    with run_in_thread(EmulatorConfig(latency_ms=LATENCY_MS, **config), wrap=wrap) as url:
        yield Served(url, holders[0].app, holders[0])


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    evi = tmp_path / "evi"
    evi.mkdir()
    (evi / "evi.yaml").write_text(MANIFESTS)
    (evi / "agent.md").write_text("You are a support agent.\n")
    return evi


def edit(project: Path, line: str) -> None:
    prompt = project / "agent.md"
    prompt.write_text(prompt.read_text() + line + "\n")


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def applied(self) -> bool:
        return self.code == 0 and "Apply complete:" in self.out

    @property
    def no_changes(self) -> bool:
        return self.code == 0 and "No changes." in self.out

    @property
    def refused_by_lock(self) -> bool:
        return self.code == 1 and "the lock of the account is held by run " in self.err


def start(url: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "humectl", *args, "--base-url", url],
        env={**os.environ, "HUME_API_KEY": KEY, "NO_COLOR": "1", "GITHUB_ACTIONS": "", **(env or {})},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen[str], timeout: float = 120) -> Run:
    out, err = proc.communicate(timeout=timeout)
    return Run(proc.returncode, out, err)


def humectl(url: str, *args: str, env: dict[str, str] | None = None) -> Run:
    """One humectl run that races nobody: in process (click's runner), which saves a Python start-up."""
    result = CliRunner().invoke(
        cli, [*args, "--base-url", url], env={"HUME_API_KEY": KEY, "NO_COLOR": "1", "GITHUB_ACTIONS": "", **(env or {})}
    )
    return Run(result.exit_code, result.stdout, result.stderr)


def race(url: str, n: int, *args: str) -> list[Run]:
    procs = [start(url, *args) for _ in range(n)]
    return [finish(p) for p in procs]


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@contextmanager
def held_by_the_test(url: str) -> Iterator[Any]:
    """The account lock, held by this test until the block ends: racers started inside all wait for
    it and then race for it at once."""
    lease = lock.new_lease(run_id="test", scope="", command="test", commit=None, lease_seconds=60)

    async def take() -> Any:
        async with open_client(Settings(base_url=url, api_key=KEY)) as client:
            return await lock.AccountLock(client, lease).acquire()

    async def release(lock_id: str) -> None:
        async with open_client(Settings(base_url=url, api_key=KEY)) as client:
            await client.delete(lock.LOCK_KIND, lock_id)

    record = asyncio.run(take())
    try:
        yield record
    finally:
        asyncio.run(release(record.id))


def all_tried_the_lock(server: Served, procs: list[subprocess.Popen[str]]) -> Callable[[], bool]:
    return lambda: {p.pid for p in procs} <= server.holder.lock_pids


# -- the races ---------------------------------------------------------------------------------------


def test_five_racing_applies_of_one_edit_make_each_version_once(project: Path) -> None:
    with served() as server:
        assert humectl(server.url, "apply", str(project), "--auto-approve").applied
        meant = Counter({"prompt/agent": 1, "config/desk": 1, "config/desk-night": 1})

        # Round 1: five runs at once, no --lock-timeout: one applies, the rest are refused (naming the
        # holder) or, starting after it finished, find nothing to do.
        edit(project, "Always confirm the order id.")
        before = server.versions()
        runs = race(server.url, 5, "apply", str(project), "--auto-approve")
        assert server.versions() - before == meant, [r.err for r in runs]
        assert sum(r.applied for r in runs) == 1, [(r.code, r.out[-300:], r.err[-300:]) for r in runs]
        assert all(r.applied or r.refused_by_lock or r.no_changes for r in runs), [r.err for r in runs]
        for refused in (r for r in runs if r.refused_by_lock):
            assert "humectl force-unlock " in refused.err and "--lock-timeout" in refused.err
            assert "`humectl apply` by " in refused.err

        # Round 2: five runs wait with --lock-timeout for a lock the test holds, then race for it when
        # it is released: one applies, the four others plan again after waiting and find no changes.
        edit(project, "Never promise a refund.")
        before = server.versions()
        with held_by_the_test(server.url):
            procs = [start(server.url, "apply", str(project), "--auto-approve", "--lock-timeout", "90s")
                     for _ in range(5)]  # fmt: skip
            wait_for(all_tried_the_lock(server, procs), "every racer to find the lock held")
        runs = [finish(p) for p in procs]
        assert server.versions() - before == meant, [r.err for r in runs]
        assert sum(r.applied for r in runs) == 1 and sum(r.no_changes for r in runs) == 4, [r.err for r in runs]
        assert all("Waiting up to " in r.err for r in runs), [r.err for r in runs]  # each waited, then planned
        assert server.locks() == []


def test_three_racing_applies_of_one_saved_plan_apply_it_once(project: Path, tmp_path: Path) -> None:
    with served() as server:
        assert humectl(server.url, "apply", str(project), "--auto-approve").applied
        edit(project, "Always confirm the order id.")
        saved = tmp_path / "plan.json"
        assert humectl(server.url, "plan", str(project), "--out", str(saved)).code == 0
        before = server.versions()
        with held_by_the_test(server.url):
            procs = [start(server.url, "apply", str(saved), "--auto-approve", "--lock-timeout", "90s")
                     for _ in range(3)]  # fmt: skip
            wait_for(all_tried_the_lock(server, procs), "every racer to find the lock held")
        runs = [finish(p) for p in procs]
        assert server.versions() - before == Counter({"prompt/agent": 1, "config/desk": 1, "config/desk-night": 1})
        assert sorted(r.code for r in runs) == [0, 1, 1], [r.err for r in runs]
        for loser in (r for r in runs if r.code == 1):
            assert "the saved plan is stale: " in loser.err and "prompt/agent moved from version 0 to 1" in loser.err


def test_five_racing_creates_on_a_server_allowing_duplicate_names_make_one_of_each(project: Path) -> None:
    with served(allow_duplicate_names=True) as server:
        runs = race(server.url, 5, "apply", str(project), "--auto-approve", "--lock-timeout", "90s")
        assert [r.code for r in runs] == [0] * 5, [r.err for r in runs]
        assert sum(r.applied for r in runs) == 1 and sum(r.no_changes for r in runs) == 4
        assert server.resources() == Counter(
            {a: 1 for a in ("prompt/agent", "prompt/other", "tool/lookup", "config/desk", "config/desk-night",
                            "config/side")}
        )  # fmt: skip
        assert server.locks() == []  # every candidate deleted itself, the holder released


# -- killed holders ------------------------------------------------------------------------------


def start_and_kill_mid_apply(server: Served, project: Path, env: dict[str, str]) -> str:
    """Start an apply whose config creates are never answered, kill -9 it once one committed; the id of
    the lock it leaves behind."""
    server.holder.hold, server.holder.answer_first, server.holder.seen = ("POST", "/v0/evi/configs"), 0, 0
    proc = start(server.url, "apply", str(project), "--auto-approve", env=env)
    wait_for(lambda: server.resources()["config/desk"] + server.resources()["config/desk-night"] >= 1,
             "a config create to commit")  # fmt: skip
    proc.kill()  # SIGKILL: no handler runs, the lock stays
    proc.communicate(timeout=30)
    server.holder.hold = None
    [left] = server.locks()
    return str(left.id)


def test_a_killed_holders_lock_expires_and_the_next_run_converges(project: Path) -> None:
    with served() as server:
        left = start_and_kill_mid_apply(server, project, {"HUMECTL_LOCK_LEASE": "2s"})
        assert [r.id for r in server.locks()] == [left]  # nobody released it
        after = humectl(server.url, "apply", str(project), "--auto-approve", "--lock-timeout", "60s")
        assert after.code == 0 and (after.applied or after.no_changes), after.err
        assert server.resources() == Counter(
            {a: 1 for a in ("prompt/agent", "prompt/other", "tool/lookup", "config/desk", "config/desk-night",
                            "config/side")}
        )  # fmt: skip
        assert humectl(server.url, "plan", str(project), "--detailed-exitcode").code == 0
        assert server.locks() == []  # the dead lock was broken, the new one released


def test_force_unlock_breaks_a_dead_runs_lock(project: Path) -> None:
    with served() as server:
        left = start_and_kill_mid_apply(server, project, {})  # the default 60 s lease
        refused = humectl(server.url, "apply", str(project), "--auto-approve")
        assert refused.refused_by_lock and f"humectl force-unlock {left}" in refused.err
        unconfirmed = humectl(server.url, "force-unlock", left)
        assert unconfirmed.code == 1 and "without confirmation" in unconfirmed.err
        assert [r.id for r in server.locks()] == [left]
        broken = humectl(server.url, "force-unlock", left, "--force")
        assert broken.code == 0 and f"Lock {left} removed" in broken.out, broken.err
        after = humectl(server.url, "apply", str(project), "--auto-approve")
        assert after.code == 0 and (after.applied or after.no_changes), after.err
        assert server.locks() == [] and all(n == 1 for n in server.resources().values())
        again = humectl(server.url, "force-unlock", left, "--force")
        assert again.code == 1 and f"there is no lock with ID {left}" in again.err


# -- interrupted -----------------------------------------------------------------------------------


def report_part(err: str, label: str) -> list[str]:
    match = re.search(rf"^  {label} \((\d+)\): (.*)$", err, re.M)
    assert match is not None, err
    items = [] if match.group(2) == "nothing" else match.group(2).split(", ")
    assert len(items) == int(match.group(1))
    return items


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_apply_reports_exactly_what_committed(project: Path, signum: int) -> None:
    (project / "evi.yaml").write_text(
        "prompts:\n  - {name: agent, text: You help.}\n"
        "configs:\n" + "".join(f'  - {{name: c{i}, evi_version: "3", prompt: agent}}\n' for i in range(6))
    )
    with served() as server:
        server.holder.hold, server.holder.answer_first = ("POST", "/v0/evi/configs"), 2
        proc = start(server.url, "apply", str(project), "--auto-approve", "--parallelism", "2")
        # two config creates answered, two more committed with their answers held back
        wait_for(lambda: sum(1 for a in server.resources() if a.startswith("config/")) == 4, "four configs")
        proc.send_signal(signum)
        run = finish(proc, timeout=60)
        committed = set(server.resources())
        assert run.code == 1, run.err
        assert "Apply interrupted. Exactly this happened:" in run.err and "first failure" not in run.err
        done, in_flight = report_part(run.err, "done"), report_part(run.err, "in flight")
        not_started = report_part(run.err, "not started")
        assert "may or may not have taken effect" in run.err
        assert set(done) | set(in_flight) == committed  # exactly the committed writes, none "not started"
        assert "prompt/agent" in done and len(in_flight) == 2 and len(not_started) == 2
        assert not committed & set(not_started)
        assert server.locks() == []  # released on the way out
        server.holder.hold = None
        rerun = humectl(server.url, "apply", str(project), "--auto-approve")
        assert rerun.applied and "Plan: 2 to create" in rerun.out, rerun.out
        assert len(server.resources()) == 7 and all(n == 1 for n in server.resources().values())
