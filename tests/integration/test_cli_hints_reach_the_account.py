"""A hint that suggests another command carries the flags that reached the account (``--emulator=DB``,
``--base-url URL``): run as printed, the suggested command talks to the same account."""

from __future__ import annotations

import asyncio
import re
import shlex
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from humectl.cli.app import cli
from humectl.core.settings import Settings
from humectl.io import lock
from tests.support import open_client

KEY = "sk-test-0123456789abcdef"
MANIFESTS = (
    'prompts:\n  - {name: agent, text: You help.}\nconfigs:\n  - {name: desk, evi_version: "3", prompt: agent}\n'
)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"HUME_API_KEY": KEY, "NO_COLOR": "1", "GITHUB_ACTIONS": ""})


def suggested(output: str, pattern: str) -> list[str]:
    """The command a hint suggests (``humectl …`` up to the end of the line or a backtick), as argv."""
    found = re.search(rf"humectl ({pattern}[^`\n]*)", output)
    assert found, output
    return shlex.split(found.group(1))


def take_lock(db: Path) -> Any:
    async def take() -> Any:
        async with open_client(Settings(emulator_db=str(db), api_key=KEY)) as client:
            lease = lock.new_lease(run_id="gone", scope="", command="humectl apply", commit=None, lease_seconds=600)
            return await lock.AccountLock(client, lease).acquire()

    return asyncio.run(take())


def test_hints_carry_the_emulator_flag(tmp_path: Path) -> None:
    db = tmp_path / "account.sqlite3"
    api = f"--emulator={db}"
    evi = tmp_path / "evi"
    evi.mkdir()
    (evi / "evi.yaml").write_text(MANIFESTS)

    # a held lock: the force-unlock it suggests breaks exactly that lock
    held = take_lock(db)
    refused = run("apply", str(evi), api, "--auto-approve")
    assert refused.exit_code == 1
    assert f"break the lock with: humectl force-unlock {held.id} {api}" in refused.stderr, refused.stderr
    unlocked = run(*suggested(refused.stderr, "force-unlock"), "--force")
    assert unlocked.exit_code == 0, unlocked.output
    assert run("apply", str(evi), api, "--auto-approve").exit_code == 0

    # the Markdown of a saved plan: the apply it suggests applies the JSON beside it
    (evi / "evi.yaml").write_text(MANIFESTS.replace("You help.", "You help kindly."))
    assert run("plan", str(evi), api, "--out", str(tmp_path / "plan.json")).exit_code == 0
    markdown = run("apply", str(tmp_path / "plan.md"), api)
    assert markdown.exit_code == 1 and f"humectl apply {tmp_path / 'plan.json'} {api}" in markdown.stderr
    applied = run(*suggested(markdown.stderr, "apply"))
    assert applied.exit_code == 0, applied.output

    # rollback to a version that does not exist: the history it suggests lists the versions
    missing = run("rollback", "config/desk", "--to-version", "7", api, "--auto-approve")
    assert missing.exit_code == 1 and f"`humectl history config/desk {api}`" in missing.stderr, missing.stderr
    history = run(*suggested(missing.stderr, "history"))
    assert history.exit_code == 0 and "config/desk (id " in history.output, history.output
