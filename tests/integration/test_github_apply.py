"""The reusable apply workflow meets the account lock: examples/github/humectl-workflow.yml on a push,
run by the faked Actions runner (tests/integration/actions.py) with the real humectl against a served
emulator, while another writer (this test, as a laptop would) holds the account lock.

- `lock-timeout: 1s`: the apply job fails, and its log names the holder and how to break the lock;
- the default (10m): the job waits, the holder releases it a few seconds later, and the saved plan is
  applied (checked again under the lock, so nothing the holder did is overwritten blind).
"""

from __future__ import annotations

import asyncio
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from humectl.core.settings import Settings
from humectl.emulator.app import EmulatorConfig
from humectl.emulator.serve import run_in_thread
from humectl.io import lock
from tests.conftest import EXAMPLES_DIR
from tests.integration.actions import REPO_ROOT, Runner
from tests.support import open_client

KEY = "sk-apply-workflow-test-5c1e8a"


@pytest.fixture()
def served() -> Iterator[str]:
    with run_in_thread(EmulatorConfig(api_key=KEY)) as url:
        yield url


def caller(tmp_path: Path, url: str, **inputs: str) -> Path:
    """The example workflow as a user copies it, its apply job pointed at the emulator."""
    workflow = yaml.safe_load((EXAMPLES_DIR / "github" / "humectl-workflow.yml").read_text())
    workflow["jobs"]["apply"]["with"].update({"base-url": url, **inputs})
    path = tmp_path / "humectl.yml"
    path.write_text(yaml.safe_dump(workflow), encoding="utf-8")
    return path


class HeldLock:
    """The account lock, taken by this test before the workflow runs; released on demand."""

    def __init__(self, url: str) -> None:
        self.settings = Settings(base_url=url, api_key=KEY)
        lease = lock.new_lease(run_id="laptop", scope="", command="apply", commit=None, lease_seconds=120)
        self.record = asyncio.run(self._take(lease))

    async def _take(self, lease: Any) -> Any:
        async with open_client(self.settings) as client:
            return await lock.AccountLock(client, lease).acquire()

    def release(self) -> None:
        async def delete() -> None:
            async with open_client(self.settings) as client:
                await client.delete(lock.LOCK_KIND, self.record.id)

        asyncio.run(delete())


def run_push(tmp_path: Path, workflow: Path) -> tuple[Runner, dict[str, str]]:
    tree = tmp_path / "tree"
    shutil.copytree(EXAMPLES_DIR / "support-desk", tree / "evi")
    runner = Runner(trees=lambda _sha: tree, secrets={"HUME_API_KEY": KEY}, local_actions={"OWNER/humectl": REPO_ROOT})
    return runner, runner.run_workflow(workflow, "push", {"ref": "refs/heads/main"})


def test_an_apply_that_may_not_wait_fails_naming_the_holder(served: str, tmp_path: Path) -> None:
    held = HeldLock(served)
    try:
        runner, results = run_push(tmp_path, caller(tmp_path, served, **{"lock-timeout": "1s"}))
        try:
            assert results == {"plan": "skipped", "apply": "failure"}, runner.log()
            log = runner.log()
            assert "`apply` by " in log and "humectl force-unlock " in log and "--lock-timeout" in log, log
            assert KEY not in runner.raw_output()
        finally:
            runner.close()
    finally:
        held.release()


def refused_lock_creates(url: str) -> int:
    """Lock creates the emulator refused because a lock exists (no other prompt is created here)."""
    stats = httpx.get(url + "/_emulator/stats", headers={"X-Hume-Api-Key": KEY}).json()  # a keyed emulator
    answers = stats["responses"].get("POST /v0/evi/prompts", {})
    return sum(n for status, n in answers.items() if not status.startswith("2"))


def release_once_waited(held: HeldLock, url: str) -> None:
    """Release when the apply step has been refused twice: the first refusal's read found the lock held
    (so it said it waits), the second came after its first pause. Never on a timer: a loaded machine
    may take any time to get to the apply step."""
    deadline = time.monotonic() + 120
    while refused_lock_creates(url) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    held.release()


def test_an_apply_waits_for_the_lock_then_applies_the_saved_plan(served: str, tmp_path: Path) -> None:
    held = HeldLock(served)
    releaser = threading.Thread(target=release_once_waited, args=(held, served))
    releaser.start()
    try:
        runner, results = run_push(tmp_path, caller(tmp_path, served))
        try:
            assert results == {"plan": "skipped", "apply": "success"}, runner.log()
            log = runner.log()
            assert "Waiting up to 600 s for the lock" in log, log
            assert "Apply complete" in log, log
        finally:
            runner.close()
    finally:
        releaser.join()
