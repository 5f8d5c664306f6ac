"""humectl.ops.session: one Session per command: one client over one transport (the in-process
emulator is a transport: one account for the whole command), every operation a coroutine on it."""

from __future__ import annotations

import asyncio
import inspect
import shutil
from pathlib import Path

import httpx

import humectl.io.client
import humectl.ops.session
from humectl.cli.running import open_session
from humectl.core.kinds import KINDS
from humectl.core.settings import Settings
from humectl.emulator.app import EmulatorConfig
from humectl.emulator.transport import in_process_transport
from humectl.ops.apply import ApplyOptions
from humectl.ops.export import ExportOptions
from humectl.ops.plan import PlanOptions
from humectl.ops.session import EMULATOR_URL, Session


def _evi(tmp_path: Path) -> Path:
    evi = tmp_path / "evi"
    evi.mkdir()
    (evi / "prompts.yaml").write_text("prompts:\n  - name: greeter\n    text: Hello\n", encoding="utf-8")
    return evi


def test_an_in_process_emulator_is_one_account_for_the_whole_command(tmp_path: Path) -> None:
    """With ':memory:', every operation of one session sees what the ones before it wrote."""
    evi = _evi(tmp_path)
    settings = Settings(emulator_db=":memory:")

    async def main() -> tuple[int, int, list[int], list[str]]:
        transport = in_process_transport(EmulatorConfig(db=":memory:"))
        async with Session(settings, transport=transport) as session:
            first = await session.plan(evi, PlanOptions())
            await session.apply(first.plan, ApplyOptions())
            again = await session.plan(evi, PlanOptions())
            history = await session.history("prompt/greeter")
            outcome = await session.export(tmp_path / "out", ExportOptions())
            return (
                len(first.plan.changes),
                len(again.plan.changes),
                [v.version for v in history.versions],
                list(outcome.result.addresses),
            )

    assert asyncio.run(main()) == (1, 0, [0], ["prompt/greeter"])


def test_closing_the_session_checkpoints_the_emulator_database(tmp_path: Path) -> None:
    """Copy only emulator.sqlite3 after a command and the account is in it (no write-ahead log left)."""
    evi = _evi(tmp_path)
    db = tmp_path / "e.sqlite3"
    settings = Settings(emulator_db=str(db))

    async def apply() -> None:
        async with open_session(settings) as session:
            result = await session.plan(evi, PlanOptions())
            await session.apply(result.plan, ApplyOptions())

    asyncio.run(apply())
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0
    copy = tmp_path / "copy" / "e.sqlite3"
    copy.parent.mkdir()
    shutil.copyfile(db, copy)

    async def names() -> list[str]:
        async with open_session(Settings(emulator_db=str(copy))) as session:
            return [h["name"] for h in await session.client.list_heads(KINDS["prompt"])]

    assert asyncio.run(names()) == ["greeter"]


def test_the_emulator_session_talks_to_an_address_nothing_resolves(tmp_path: Path) -> None:
    session = open_session(Settings(emulator_db=str(tmp_path / "sub" / "emulator.sqlite3")))

    async def heads() -> list[dict[str, object]]:
        async with session:
            return await session.client.list_heads(KINDS["prompt"])

    assert asyncio.run(heads()) == []
    assert (tmp_path / "sub").is_dir()  # made for the database
    assert str(session.client._http.base_url).rstrip("/") == EMULATOR_URL


def test_the_library_knows_nothing_of_the_emulator() -> None:
    """The in-process emulator is built by the CLI (or the caller) and injected as a transport."""
    for module in (humectl.io.client, humectl.ops.session):
        source = inspect.getsource(module)
        assert "humectl.emulator" not in source, module.__name__


def test_a_given_transport_is_the_only_way_out() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(200, json={"prompts_page": [], "total_pages": 1, "page_number": 0, "page_size": 100})

    settings = Settings(base_url="http://127.0.0.1:9", api_key="k")

    async def heads() -> None:
        async with Session(settings, transport=httpx.MockTransport(handler)) as session:
            await session.client.list_heads(KINDS["prompt"])

    asyncio.run(heads())
    assert seen and seen[0].endswith("/prompts")
