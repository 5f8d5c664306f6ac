"""What the command tests share: the real CLI through click's runner against the in-process emulator
(``--emulator=<tmp>/db.sqlite3``), a small project to apply, and an edit made outside humectl (the
API itself, as the dashboard or an SDK would)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from humectl.cli.app import cli
from humectl.core.kinds import KINDS, parse_address
from humectl.core.settings import Settings
from humectl.model.lock import Lease, lock_name
from tests.support import open_client

KEY = "sk-test-cli-0123456789"

PROMPTS = """\
prompts:
  - name: greeter
    text: |
      You greet callers warmly.
"""
TOOLS = """\
tools:
  - name: lookup
    description: Look an order up.
    parameters: {type: object, properties: {id: {type: string}}}
"""
CONFIGS = """\
configs:
  - name: desk
    evi_version: "3"
    prompt: greeter
    tools: [lookup]
    voice: {provider: HUME_AI, name: ITO}
"""


def run(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Result:
    """``humectl ARGS`` in process; colour off, no GitHub Actions, the test key."""
    base = {"HUME_API_KEY": KEY, "NO_COLOR": "1", "GITHUB_ACTIONS": "", "HUMECTL_ENV": ""}
    return CliRunner().invoke(cli, list(args), env={**base, **(env or {})}, input=input)


def project(tmp_path: Path) -> tuple[Path, str]:
    """A manifest directory (a prompt, a tool, a config using both) and the ``--emulator=DB`` flag."""
    evi = tmp_path / "evi"
    evi.mkdir()
    (evi / "prompts.yaml").write_text(PROMPTS, encoding="utf-8")
    (evi / "tools.yaml").write_text(TOOLS, encoding="utf-8")
    (evi / "configs.yaml").write_text(CONFIGS, encoding="utf-8")
    return evi, f"--emulator={tmp_path / 'db.sqlite3'}"


def applied(tmp_path: Path) -> tuple[Path, str]:
    """:func:`project`, applied to the emulator's account."""
    evi, db = project(tmp_path)
    result = run("apply", str(evi), db, "--auto-approve")
    assert result.exit_code == 0, result.output
    return evi, db


def hand_edit(db_flag: str, address: str, changes: dict[str, Any], description: str | None = None) -> int:
    """A new version of ``address`` made through the API, not by humectl (as the dashboard would);
    returns the version made."""
    kind_name, name = parse_address(address)
    kind = KINDS[kind_name]
    settings = Settings(api_key=KEY, emulator_db=db_flag.partition("=")[2])

    async def edit() -> int:
        async with open_client(settings) as client:
            head = next(h for h in await client.list_heads(kind) if h["name"] == name)
            full = await client.get_version(kind, head["id"], head["version"])
            body = {f: full[f] for f in kind.content_fields if full.get(f) is not None}
            for field in (r.field for r in kind.references if r.field in body):
                value = body[field]  # the API takes references as {id, version}
                refs = value if isinstance(value, list) else [value]
                refs = [{"id": r["id"], "version": r["version"]} for r in refs]
                body[field] = refs if isinstance(value, list) else refs[0]
            body.update(changes)
            if description is not None:
                body["version_description"] = description
            made = await client.create_version(kind, head["id"], body)
            return int(made["version"])

    return asyncio.run(edit())


def hold_lock(db_flag: str, scope: str = "", run_id: str = "other-run") -> str:
    """The account lock of ``scope`` held by another run (a live lease of ten minutes); its prompt's id."""
    lease = Lease(
        token="t-other",
        run_id=run_id,
        scope=scope,
        command="humectl apply",
        user="someone",
        host="elsewhere",
        pid=4242,
        commit=None,
        ci=None,
        lease_seconds=600,
    )
    settings = Settings(api_key=KEY, emulator_db=db_flag.partition("=")[2])

    async def create() -> str:
        async with open_client(settings) as client:
            made = await client.create(KINDS["prompt"], {"name": lock_name(scope), "text": lease.text()})
            return str(made["id"])

    return asyncio.run(create())


def lock_prompts(db_flag: str) -> list[str]:
    """The names of the lock prompts in the account (humectl hides them from everything else)."""
    settings = Settings(api_key=KEY, emulator_db=db_flag.partition("=")[2])

    async def names() -> list[str]:
        async with open_client(settings) as client:
            pages = await client.list_all(KINDS["prompt"].api_path, KINDS["prompt"].page_key)
            return sorted(str(p["name"]) for p in pages if str(p["name"]).startswith("humectl-lock"))

    return asyncio.run(names())


def document(result: Result) -> Any:
    """The JSON document a command printed on stdout."""
    return json.loads(result.stdout)
