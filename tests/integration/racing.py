"""Racing humectl processes against a served emulator, shared by tests/integration/test_lock_races.py
and bench/lock_races.py (which prints the figures docs/locking.md quotes).

- :func:`served`: the emulator on loopback with latency, behind :class:`HoldAnswers` (answers held
  back to freeze an apply mid-way, or everything from a run's n-th request on: a kill point counted in
  requests; the pids that tried to take the account lock);
- :func:`start` / :func:`finish` / :func:`race`: ``humectl`` subprocesses; :func:`humectl` one run in
  process (click's runner) for the steps that race nobody;
- :func:`held_by_the_test`: the account lock held by the caller, so racers all wait and then race.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from click.testing import CliRunner

from humectl.cli.app import cli
from humectl.core.settings import Settings
from humectl.emulator.app import EmulatorConfig
from humectl.emulator.serve import run_in_thread
from humectl.io import lock
from humectl.model import lock as model_lock
from tests.support import open_client

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

    :meth:`freeze_after` stops the world at one request instead: the n-th API request from now is
    served (its write commits) but never answered, and every later one waits unserved; ``frozen`` is
    set the moment that happens. A run frozen so is at a known point, for as long as the test likes.

    It also notes the pid in every lock create it passes (``lock_pids``): who has tried to take it."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.hold: tuple[str, str] | None = None  # (method, path)
        self.answer_first = 0
        self.seen = 0
        self.lock_pids: set[int] = set()
        self.requests = 0  # API requests that reached the emulator (its /_emulator/ admin left out)
        self.freeze_at: int | None = None
        self.frozen = threading.Event()

    def freeze_after(self, n: int) -> None:
        """Serve ``n`` more API requests, the last without an answer; then serve nothing more."""
        self.frozen.clear()
        self.freeze_at = self.requests + n

    def thaw(self) -> None:
        self.freeze_at = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        where = (scope["method"], scope["path"])
        if where == ("POST", "/v0/evi/prompts"):
            receive = await self._note_lock_pid(receive)
        if not scope["path"].startswith("/_emulator/"):
            self.requests += 1  # (one event loop serves every request: no lock needed)
            if self.freeze_at is not None and self.requests >= self.freeze_at:
                await self._frozen(scope, receive, serve=self.requests == self.freeze_at)
                return
        if where != self.hold or self._count() <= self.answer_first:
            await self.app(scope, receive, send)
            return

        async def swallow(message: Any) -> None:
            return None

        await self.app(scope, receive, swallow)
        while (await receive())["type"] != "http.disconnect":
            pass

    async def _frozen(self, scope: Any, receive: Any, *, serve: bool) -> None:
        """The request the world stops at (served, its answer never sent), or one after it (not served);
        either waits until its client goes away."""

        async def swallow(message: Any) -> None:
            return None

        if serve:
            await self.app(scope, receive, swallow)
            self.frozen.set()
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
            if request["name"].startswith(model_lock.LOCK_NAME):
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
        return self._count(most_recent=False)

    def resources(self) -> Counter[str]:
        """Resources per address (more than 1: a duplicate), lock prompts left out."""
        return self._count(most_recent=True)

    def _count(self, *, most_recent: bool) -> Counter[str]:
        counts: Counter[str] = Counter()
        for kind in ("tool", "prompt", "config"):
            rows, _ = self.app.state.store.list_versions(kind, most_recent=most_recent, limit=100_000)
            for row in rows:
                if not row.name.startswith(model_lock.LOCK_NAME):
                    counts[f"{kind}/{row.name}"] += 1
        return counts

    def locks(self) -> list[Any]:
        rows, _ = self.app.state.store.list_versions("prompt", most_recent=True, limit=1000)
        return [r for r in rows if r.name.startswith(model_lock.LOCK_NAME)]


@contextmanager
def served(latency_ms: float = LATENCY_MS, **config: Any) -> Iterator[Served]:
    """The emulator on loopback (with latency), behind HoldAnswers."""
    holders: list[HoldAnswers] = []

    def wrap(app: Any) -> Any:
        holders.append(HoldAnswers(app))
        return holders[-1]

    with run_in_thread(EmulatorConfig(latency_ms=latency_ms, **config), wrap=wrap) as url:
        yield Served(url, holders[0].app, holders[0])


def write_project(evi: Path) -> Path:
    """Manifests of 2 prompts, 1 tool, 3 configs (two follow prompt/agent); the prompt's text in a file."""
    evi.mkdir(parents=True, exist_ok=True)
    (evi / "evi.yaml").write_text(MANIFESTS)
    (evi / "agent.md").write_text("You are a support agent.\n")
    return evi


def edit(project: Path, line: str) -> None:
    """One line added to prompt/agent: a new version of it and of the two configs that follow it."""
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


_STDERR: dict[int, IO[str]] = {}  # pid -> the file a started run writes its stderr to


# humectl is started with a known SIGINT disposition, whatever the test run's own (a run started in the
# background has SIGINT ignored, and children inherit that): the default, so SIGINT interrupts it, or
# ignored, as a shell starts a background job (`humectl apply ... &`, nohup). It survives the exec.
LAUNCHER = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.{disposition}); "
    "os.execv(sys.executable, [sys.executable, '-m', 'humectl', *sys.argv[1:]])"
)


def start(
    url: str, *args: str, env: dict[str, str] | None = None, sigint_ignored: bool = False
) -> subprocess.Popen[str]:
    """A ``humectl`` subprocess. Its stderr goes to a temporary file rather than a pipe, so what it has
    said so far can be read while it runs (:func:`said`) without a reader thread."""
    err = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 (closed by finish)
    launcher = ["-c", LAUNCHER.format(disposition="SIG_IGN" if sigint_ignored else "SIG_DFL")]
    proc = subprocess.Popen(
        [sys.executable, *launcher, *args, "--base-url", url],
        env={**os.environ, "HUME_API_KEY": KEY, "NO_COLOR": "1", "GITHUB_ACTIONS": "", **(env or {})},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=err,
        text=True,
    )
    _STDERR[proc.pid] = err
    return proc


def said(proc: subprocess.Popen[str]) -> str:
    """Everything a started run has written to stderr so far."""
    err = _STDERR[proc.pid]
    err.seek(0)
    return err.read()


def finish(proc: subprocess.Popen[str], timeout: float = 120) -> Run:
    out, _ = proc.communicate(timeout=timeout)
    err = said(proc)
    _STDERR.pop(proc.pid).close()
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
    """Every racer has sent a lock create (seen by the server)."""
    return lambda: {p.pid for p in procs} <= server.holder.lock_pids


def all_waiting(procs: list[subprocess.Popen[str]]) -> Callable[[], bool]:
    """Every racer has found the lock held and said it waits. Only then may the holder release it: a
    create that merely arrived may still be followed by a read that finds the lock already gone, and
    that racer would (rightly) take the lock without ever waiting."""
    return lambda: all("Waiting up to " in said(p) for p in procs)


def report_part(err: str, label: str) -> list[str]:
    """The addresses of one line of an apply report (``done``, ``in flight``, ``not started``)."""
    match = re.search(rf"^  {label} \((\d+)\): (.*)$", err, re.M)
    assert match is not None, err
    items = [] if match.group(2) == "nothing" else match.group(2).split(", ")
    assert len(items) == int(match.group(1))
    return items
