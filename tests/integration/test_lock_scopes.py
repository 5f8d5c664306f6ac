"""An environment apply and an account-scope rollback of the same resource exclude each other
(issue 23 item 5), as real humectl processes against a served emulator.

Before, ``apply --env dev`` took the lock ``humectl-lock:dev-`` and ``rollback prompt/dev-agent`` the
lock ``humectl-lock``: both held at once and wrote ``dev-agent`` together. Now each waits for the
other (with ``--lock-timeout``), writes nothing meanwhile, and runs once the other is done.
Assertions are on what each process says and what the account holds, never on timings.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from humectl.core.settings import Settings
from humectl.io import lock
from tests.integration.racing import KEY, Served, edit, finish, humectl, said, served, start, wait_for, write_project
from tests.support import open_client

ENVIRONMENTS = "environments:\n  dev: {name_prefix: dev-}\n  prod: {}\n"


@contextmanager
def held(url: str, scope: str) -> Iterator[Any]:
    """The lock of ``scope``, held by this test (as another run would) until the block ends."""
    lease = lock.new_lease(run_id="other", scope=scope, command="humectl test", commit=None, lease_seconds=60)

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


def waiting_or_done(proc: subprocess.Popen[str]) -> bool:
    return "Waiting up to " in said(proc) or proc.poll() is not None


def project(tmp_path: Path) -> Path:
    root = write_project(tmp_path / "evi")
    (root / "humectl.yaml").write_text(ENVIRONMENTS, encoding="utf-8")
    return root


def deployed(server: Served, root: Path) -> None:
    assert humectl(server.url, "apply", str(root), "--env", "dev", "--auto-approve").applied
    edit(root, "Always confirm the order id.")
    assert humectl(server.url, "apply", str(root), "--env", "dev", "--auto-approve").applied  # dev-agent v1


def test_an_environment_apply_waits_while_an_account_scope_write_holds_the_lock(tmp_path: Path) -> None:
    root = project(tmp_path)
    with served() as server:
        deployed(server, root)
        edit(root, "Never promise a refund.")
        before = server.versions()
        with held(server.url, ""):  # an account-scope rollback of dev-agent, say
            applying = start(server.url, "apply", str(root), "--env", "dev", "--auto-approve", "--lock-timeout", "2m")
            wait_for(lambda: waiting_or_done(applying), "the environment apply to wait or end")
            assert applying.poll() is None, said(applying)
            assert "for the lock of the account, held by run other" in said(applying)
            assert server.versions() == before  # nothing written while the account scope holds the lock
        run = finish(applying)
        assert run.applied, run.err
        assert server.versions()["prompt/dev-agent"] == before["prompt/dev-agent"] + 1


def test_an_account_scope_rollback_waits_while_an_environment_apply_holds_the_lock(tmp_path: Path) -> None:
    root = project(tmp_path)
    with served() as server:
        deployed(server, root)
        before = server.versions()
        with held(server.url, "dev-"):  # an apply --env dev
            rolling = start(
                server.url,
                "rollback",
                "prompt/dev-agent",
                "--to-version",
                "0",
                "--auto-approve",
                "--lock-timeout",
                "2m",
            )
            wait_for(lambda: waiting_or_done(rolling), "the rollback to wait or end")
            assert rolling.poll() is None, said(rolling)
            assert "for the lock of name prefix 'dev-', held by run other" in said(rolling)
            assert server.versions() == before
        run = finish(rolling)
        assert run.code == 0 and "Rolled back prompt/dev-agent to the content of v0." in run.out, run.err
        assert server.versions()["prompt/dev-agent"] == before["prompt/dev-agent"] + 1
        assert server.locks() == []
