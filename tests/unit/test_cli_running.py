"""humectl.cli.running: one command's work in one Session and one event loop (closed whatever
happens; SIGTERM takes Ctrl-C's path), the account lock around writes, the question asked before
writing (refused without a terminal), and the lines printed while apply runs."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import threading
from pathlib import Path
from typing import Any

import pytest

from humectl.cli.output import current_run, new_run
from humectl.cli.running import confirm, open_session, progress, run, show_warnings, write_lock
from humectl.core.errors import LockHeldError, Problem, UsageError
from humectl.core.kinds import KINDS
from humectl.core.settings import Settings
from humectl.io.lock import LockKeeper, NoLock
from humectl.model.desired import ManifestSet
from humectl.model.plan import Change
from humectl.ops.session import Session
from tests.unit.cli_helpers import KEY, hold_lock

PROMPT = KINDS["prompt"]


@pytest.fixture(autouse=True)
def _fresh_run() -> None:
    new_run()


def settings(tmp_path: Path) -> Settings:
    return Settings(api_key=KEY, emulator_db=str(tmp_path / "db.sqlite3"))


async def lock_names(session: Session) -> list[str]:
    return sorted(str(p["name"]) for p in await session.client.list_all(PROMPT.api_path, PROMPT.page_key))


def test_run_gives_the_work_one_session_and_its_result(tmp_path: Path) -> None:
    seen: list[Session] = []

    async def work(session: Session) -> int:
        seen.append(session)
        await session.client.create(PROMPT, {"name": "p", "text": "hi"})
        return len(await session.client.list_heads(PROMPT))

    assert run(settings(tmp_path), work) == 1
    # the database was checkpointed when the session closed: the file alone holds the account
    assert (
        not Path(f"{tmp_path / 'db.sqlite3'}-wal").exists()
        or Path(f"{tmp_path / 'db.sqlite3'}-wal").stat().st_size == 0
    )


def test_the_session_is_closed_when_the_work_fails(tmp_path: Path) -> None:
    async def work(session: Session) -> None:
        await session.client.create(PROMPT, {"name": "p", "text": "hi"})
        raise UsageError("stop here")

    with pytest.raises(UsageError, match="stop here"):
        run(settings(tmp_path), work)
    wal = Path(f"{tmp_path / 'db.sqlite3'}-wal")
    assert not wal.exists() or wal.stat().st_size == 0  # closed, checkpointed
    assert run(settings(tmp_path), lambda s: s.client.list_heads(PROMPT))[0]["name"] == "p"


def test_without_the_emulator_the_session_goes_to_the_base_url() -> None:
    session = open_session(Settings(base_url="http://127.0.0.1:9", api_key=KEY))
    assert str(session.client._http.base_url).rstrip("/") == "http://127.0.0.1:9"


class Terminated(Exception):
    """What this test's own SIGTERM handler raises: run() did not install its own."""


def test_sigterm_takes_ctrl_c_s_path_and_the_handler_is_restored(tmp_path: Path) -> None:
    def ours(signum: int, frame: Any) -> None:  # a broken run() fails this test, not the whole process
        raise Terminated

    before = signal.signal(signal.SIGTERM, ours)
    reached: list[str] = []

    async def work(session: Session) -> None:
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            await asyncio.Event().wait()  # only the signal ends this
        except asyncio.CancelledError:
            reached.append("cancelled")  # as Ctrl-C: the main task is cancelled, cleanup runs
            raise

    try:
        with pytest.raises(KeyboardInterrupt):
            run(settings(tmp_path), work)
        assert reached == ["cancelled"]
        assert signal.getsignal(signal.SIGTERM) is ours  # put back as it was
    finally:
        signal.signal(signal.SIGTERM, before)


def test_run_off_the_main_thread_leaves_signals_alone(tmp_path: Path) -> None:
    results: list[Any] = []

    def in_thread() -> None:
        results.append(run(settings(tmp_path), lambda s: s.client.list_heads(PROMPT)))

    thread = threading.Thread(target=in_thread)
    thread.start()
    thread.join()
    assert results == [[]]


def test_write_lock_holds_the_scope_s_lock_for_the_block(tmp_path: Path) -> None:
    async def work(session: Session) -> tuple[list[str], list[str], type]:
        async with write_lock(
            session, True, 0, scope="dev-", run_id="r1", command="humectl apply", directory="."
        ) as held:
            inside = await lock_names(session)
            kind = type(held)
            assert held.lost() is None
        return inside, await lock_names(session), kind

    inside, after, kind = run(settings(tmp_path), work)
    assert inside == ["humectl-lock:dev-"] and after == [] and kind is LockKeeper


def test_no_lock_holds_nothing(tmp_path: Path) -> None:
    async def work(session: Session) -> tuple[list[str], Any]:
        async with write_lock(session, False, 0, scope="", run_id="r1", command="c", directory=".") as held:
            return await lock_names(session), held

    names, held = run(settings(tmp_path), work)
    assert names == [] and isinstance(held, NoLock)


def test_a_held_lock_is_refused_and_recorded_for_the_json_error(tmp_path: Path) -> None:
    hold_lock(f"--emulator={tmp_path / 'db.sqlite3'}", scope="")

    async def work(session: Session) -> None:
        async with write_lock(session, True, 0, scope="", run_id="r2", command="humectl apply", directory="."):
            raise AssertionError("never reached")

    with pytest.raises(LockHeldError):
        run(settings(tmp_path), work)
    recorded = current_run().context["lock"]
    assert recorded["holder"]["run_id"] == "other-run" and recorded["expired"] is False


def test_confirm_refuses_without_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    with pytest.raises(UsageError, match="refusing to destroy without confirmation: stdin is not a terminal") as caught:
        asyncio.run(confirm("destroy", "Destroy?", "--yes-really"))
    assert caught.value.hint == "review it, then re-run with --yes-really"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "expected"), [("y\n", True), ("n\n", False), ("\n", False)])
def test_confirm_asks_a_terminal(
    answer: str, expected: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", Terminal(answer))
    assert asyncio.run(confirm("apply", "Apply these changes?")) is expected
    out = capsys.readouterr().out
    assert "Apply these changes? [y/N]" in out
    assert ("Nothing applied." in out) is (not expected)


def test_progress_lines(capsys: pytest.CaptureFixture[str]) -> None:
    change = Change(address="prompt/p\x1b[31m", kind="prompt", name="p\x1b[31m", operations=("create",))
    progress("done", change, "version 0 created")
    progress("failed", change, "HTTP 400: no\x07")
    progress("started", change, "ignored")
    out, err = capsys.readouterr()
    assert out == "prompt/p\\x1b[31m: version 0 created\n"
    assert err == "prompt/p\\x1b[31m: FAILED: HTTP 400: no\\x07\n"
    current_run().output = "json"  # stdout holds the document: people's lines go to stderr
    progress("done", change, "v1")
    out, err = capsys.readouterr()
    assert out == "" and "v1" in err


def test_show_warnings_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    warnings = [Problem("evi/a.yaml", 4, 13, "pinned", rule="pinned-managed", severity="warning")]
    show_warnings(ManifestSet(Path("evi"), warnings=warnings))
    assert capsys.readouterr() == ("", "evi/a.yaml:4:13: warning: pinned\n")
