"""humectl.ops.engine: the library API; the in-process emulator's transport is built here and injected."""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path

import httpx

import humectl.io.client
from humectl.ops import engine
from humectl.core.settings import Settings


def test_the_emulator_transport_is_injected_by_open_client(tmp_path: Path) -> None:
    db = tmp_path / "sub" / "emulator.sqlite3"
    client = engine.open_client(Settings(emulator_db=str(db)))

    async def heads() -> list[dict[str, object]]:
        async with client:
            from humectl.core.kinds import KINDS

            return await client.list_heads(KINDS["prompt"])

    assert asyncio.run(heads()) == []
    assert db.parent.is_dir()  # made for the database
    assert isinstance(client._http._transport, httpx.ASGITransport)
    assert str(client._http.base_url).rstrip("/") == engine.EMULATOR_URL


def test_the_client_knows_nothing_of_the_emulator() -> None:
    source = inspect.getsource(humectl.io.client)
    assert "humectl.emulator" not in source and "emulator_db" not in source


def test_a_given_transport_wins(tmp_path: Path) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(200, json={"prompts_page": [], "total_pages": 1, "page_number": 0, "page_size": 100})

    settings = Settings(base_url="http://127.0.0.1:9", api_key="k", emulator_db=str(tmp_path / "x.sqlite3"))
    client = engine.open_client(settings, httpx.MockTransport(handler))

    async def heads() -> None:
        async with client:
            from humectl.core.kinds import KINDS

            await client.list_heads(KINDS["prompt"])

    asyncio.run(heads())
    assert seen and seen[0].endswith("/prompts")


def test_export_history_and_snapshot_are_one_call_each(tmp_path: Path) -> None:
    settings = Settings(emulator_db=str(tmp_path / "e.sqlite3"))
    evi = tmp_path / "evi"
    evi.mkdir()
    (evi / "prompts.yaml").write_text("prompts:\n  - name: greeter\n    text: Hello\n", encoding="utf-8")
    report, _ = engine.apply(engine.make_plan(evi, settings).plan, settings)
    assert report.done == ["prompt/greeter"]
    outcome = engine.export_account(settings, tmp_path / "out")
    assert outcome.differences == [] and outcome.result.addresses == ["prompt/greeter"]
    assert (tmp_path / "out" / "prompts" / "greeter.md").read_text(encoding="utf-8") == "Hello"
    history = engine.read_history(settings, "prompt/greeter")
    assert [v.version for v in history.versions] == [0]
    document = engine.snapshot_account(settings)
    assert [p["name"] for p in document["prompts"]] == ["greeter"]
