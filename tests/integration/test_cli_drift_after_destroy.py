"""drift knows a resource humectl destroyed from one deleted by hand: after ``destroy`` of an environment
nothing of it is "missing" (nothing humectl applied there is live), while a resource deleted by hand
from a deployed environment is; another environment's scope is unaffected."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from humectl.cli.app import cli
from humectl.core.kinds import KINDS
from humectl.core.settings import Settings
from humectl.io.listing import fetch_live_state
from tests.conftest import EXAMPLES_DIR
from tests.support import open_client

KEY = "sk-test-0123456789abcdef"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"HUME_API_KEY": KEY, "NO_COLOR": "1", "GITHUB_ACTIONS": ""})


def drift(evi: Path, api: str, env: str) -> tuple[int, dict[str, Any], str]:
    result = run("drift", str(evi), api, "--env", env, "--detailed-exitcode", "--output", "json")
    return result.exit_code, json.loads(result.stdout), result.stderr


def delete_by_hand(db: Path, kind: str, name: str) -> None:
    async def delete() -> None:
        async with open_client(Settings(emulator_db=str(db), api_key=KEY)) as client:
            found = (await fetch_live_state(client)).get(kind, name)
            assert found is not None
            await client.delete(KINDS[kind], found.id)

    asyncio.run(delete())


def test_drift_after_destroy_reports_nothing_missing(tmp_path: Path) -> None:
    evi, db = tmp_path / "evi", tmp_path / "account.sqlite3"
    shutil.copytree(EXAMPLES_DIR / "multi-env", evi)
    api = f"--emulator={db}"
    for env in ("dev", "staging"):
        assert run("apply", str(evi), api, "--env", env, "--auto-approve").exit_code == 0
    assert drift(evi, api, "dev")[:2] == (0, {"format_version": 1, "drifted": False, "resources": []})

    destroyed = run("destroy", str(evi), api, "--env", "dev", "--auto-approve")
    assert destroyed.exit_code == 0, destroyed.output
    code, document, err = drift(evi, api, "dev")
    assert (code, document["drifted"]) == (0, False), document
    assert "nothing humectl applied in this environment is live (never applied, or destroyed)" in err

    # staging is deployed: what someone deletes there by hand is missing
    delete_by_hand(db, "config", "staging-concierge")
    code, document, _ = drift(evi, api, "staging")
    assert code == 2
    assert [(r["address"], r["state"]) for r in document["resources"]] == [("config/staging-concierge", "missing")]
