"""humectl.io.ownership: who created a live resource, from humectl's markers on the head or, when the
head was made outside humectl, on the resource's versions (the in-process emulator as the server)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from humectl.cli.running import open_session
from humectl.core.kinds import KINDS
from humectl.core.provenance import describe
from humectl.io.listing import fetch_live_state
from humectl.io.ownership import Ownership, created_here, ownership
from humectl.model.live import LiveResource
from humectl.ops.session import Session
from tests.unit.test_cli_running import settings

PROMPT = KINDS["prompt"]


async def _account(session: Session) -> dict[str, LiveResource]:
    """dev-mine (made by humectl for dev-, then edited by hand), dev-hand (made by hand), dev-marked
    (humectl's marker on its head, protected), acct (made by humectl for the account scope, edited)."""
    client = session.client
    made: dict[str, Any] = {}

    async def create(name: str, description: str) -> str:
        body = {"name": name, "text": "Hi.", "version_description": description}
        return str((await client.create(PROMPT, body))["id"])

    async def edit(rid: str) -> None:
        await client.create_version(PROMPT, rid, {"text": "Edited.", "version_description": "by hand"})

    made["dev-mine"] = await create("dev-mine", describe("Made.", "r1", protect=True, prefix="dev-", scoped=True))
    await edit(made["dev-mine"])
    made["dev-hand"] = await create("dev-hand", "by hand")
    made["dev-marked"] = await create("dev-marked", describe("Made.", "r2", protect=True, prefix="dev-", scoped=True))
    made["acct"] = await create("acct", describe("Made.", "r3", prefix="", scoped=True))
    await edit(made["acct"])
    return {r.name: r for r in (await fetch_live_state(client)).of_kind(PROMPT.name)}


def test_the_first_version_says_who_created_an_edited_head(tmp_path: Path) -> None:
    async def work(session: Session) -> tuple[dict[str, Ownership], dict[str, bool]]:
        heads = await _account(session)
        owners = {name: await ownership(session.client, head, ["dev-"]) for name, head in heads.items()}
        unmarked = [heads["dev-mine"], heads["dev-hand"], heads["acct"]]
        return owners, await created_here(session.client, unmarked, "dev-", ["dev-"])

    async def run() -> tuple[dict[str, Ownership], dict[str, bool]]:
        async with open_session(settings(tmp_path)) as session:
            return await work(session)

    owners, here = asyncio.run(run())
    assert owners["dev-mine"] == Ownership("dev-", True)  # its head is by hand; v0 is humectl's, protected
    assert owners["dev-hand"] == Ownership(None, False)
    assert owners["dev-marked"] == Ownership("dev-", True)  # read from the head alone
    assert owners["acct"] == Ownership("", False)
    assert here == {"prompt/dev-mine": True}  # the account scope's and the hand-made one are not dev's
