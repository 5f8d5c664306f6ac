"""Every ``--output json`` document of every command validates against its published JSON Schema
(``schemas/output/*.schema.json``, docs/json-output.md): the success document of each command, the
saved plan, the emulator's lines, and the error document of each kind of failure (usage, manifest,
lock_held, apply, rollback, resource_not_found, stale_plan, aborted, interrupted)."""

from __future__ import annotations

import asyncio
import json
import shutil
import types
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from humectl.cli import running
from humectl.cli.app import cli
from humectl.core.kinds import KINDS
from humectl.core.settings import Settings
from humectl.io import lock
from humectl.io.listing import fetch_live_state
from humectl.ops.session import Session
from tests.conftest import EXAMPLES_DIR, REPO_ROOT
from tests.integration.test_cli_commands_emulator_seed_snapshot import served
from tests.support import open_client

KEY = "sk-test-0123456789abcdef"
SCHEMAS = REPO_ROOT / "schemas" / "output"


def _schemas() -> dict[str, dict[str, Any]]:
    return {p.name.removesuffix(".schema.json"): json.loads(p.read_text()) for p in sorted(SCHEMAS.glob("*.json"))}


def _registry() -> Registry[Any]:
    resources = [(s["$id"], Resource.from_contents(s)) for s in _schemas().values()]
    return Registry().with_resources(resources)  # type: ignore[no-any-return]


REGISTRY = _registry()


def check(kind: str, document: Any) -> Any:
    errors = sorted(Draft202012Validator(_schemas()[kind], registry=REGISTRY).iter_errors(document), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message[:300]}" for e in errors[:5])
    return document


def run(*args: str) -> Result:
    env = {"HUME_API_KEY": KEY, "HUME_TOKEN": "", "HUME_BASE_URL": "", "NO_COLOR": "1", "GITHUB_ACTIONS": ""}
    return CliRunner().invoke(cli, list(args), env=env)


def document(result: Result, exit_code: int = 0) -> Any:
    assert result.exit_code == exit_code, result.output
    return json.loads(result.stdout)


def error(result: Result, error_type: str, exit_code: int = 1) -> Any:
    data = check("error", document(result, exit_code))
    assert data["error"]["type"] == error_type, data["error"]
    return data


@pytest.fixture()
def evi(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES_DIR / "support-desk", tmp_path / "evi")
    return tmp_path / "evi"


def account(evi: Path) -> str:
    return f"--emulator={evi.parent / 'db.sqlite3'}"


def settings(evi: Path) -> Settings:
    return Settings(emulator_db=str(evi.parent / "db.sqlite3"), api_key=KEY)


def by_hand(evi: Path, method: str, address: str, body: dict[str, Any] | None = None) -> None:
    """What someone does in Hume's dashboard: a request on one resource."""
    kind, _, name = address.partition("/")

    async def send() -> None:
        async with open_client(settings(evi)) as client:
            found = (await fetch_live_state(client)).get(kind, name)
            assert found is not None
            path = f"{KINDS[kind].api_path}/{found.id}"
            if method == "DELETE":
                await client.delete(KINDS[kind], found.id)
            else:
                await client._request(method, path, body=body)

    asyncio.run(send())


def test_every_schema_is_a_valid_json_schema_and_docs_name_it() -> None:
    docs = (REPO_ROOT / "docs" / "json-output.md").read_text(encoding="utf-8")
    for name, schema in _schemas().items():
        Draft202012Validator.check_schema(schema)
        assert f"schemas/output/{name}.schema.json" in docs, name


def test_each_command_s_document_validates(evi: Path, tmp_path: Path) -> None:
    api = account(evi)
    check("validate", document(run("validate", str(evi), "-o", "json")))
    check("validate", document(run("validate", str(tmp_path / "none"), "-o", "json"), 1))
    check("plan", document(run("plan", str(evi), api, "-o", "json")))
    saved = tmp_path / "plan.json"
    assert run("plan", str(evi), api, "--out", str(saved)).exit_code == 0
    check("plan", json.loads(saved.read_text()))
    check("apply", document(run("apply", str(saved), api, "-o", "json")))
    check("drift", document(run("drift", str(evi), api, "-o", "json")))
    check("history", document(run("history", "config/support-desk", api, "-o", "json")))
    check("export", document(run("export", "--dir", str(tmp_path / "exported"), api, "-o", "json")))
    check(
        "snapshot", json.loads(run("emulator", "snapshot", api, "--out", str(tmp_path / "s.json"), "-o", "json").stdout)
    )

    prompt = evi / "prompts" / "support-agent.md"
    prompt.write_text(prompt.read_text() + "Always confirm the order id.\n")
    check("apply", document(run("apply", str(evi), api, "--auto-approve", "-o", "json")))
    rolled = check(
        "rollback",
        document(
            run(
                "rollback",
                "prompt/support-agent",
                "--to-version",
                "0",
                api,
                "--auto-approve",
                "--manifests",
                str(evi),
                "-o",
                "json",
            )
        ),
    )
    assert rolled["rolled_back"] is True and rolled["report"]["done"]
    again = check(
        "rollback",
        document(run("rollback", "prompt/support-agent", "--to-version", "0", api, "--auto-approve", "-o", "json")),
    )
    assert again["rolled_back"] is False and again["report"] is None

    # drift: a field edited by hand (changed, with fields) and a resource deleted by hand (missing)
    body = {"evi_version": "3", "voice": {"provider": "HUME_AI", "name": "KORA"}, "version_description": "by hand"}
    by_hand(evi, "POST", "config/support-desk-after-hours", body)
    by_hand(evi, "DELETE", "config/support-desk")
    drifted = check("drift", document(run("drift", str(evi), api, "-o", "json")))
    assert {r["state"] for r in drifted["resources"]} == {"changed", "missing"}
    kept = check("drift", document(run("drift", str(evi), api, "--resolve", "keep-live", "-o", "json")))
    assert kept["resolution"]["resolve"] == "keep-live"
    check("apply", document(run("drift", str(evi), api, "--resolve", "keep-manifest", "--auto-approve", "-o", "json")))

    # force-unlock of a lock a run that is gone left behind
    held = take_lock(evi)
    refused = error(run("apply", str(evi), api, "--auto-approve", "-o", "json"), "lock_held")
    assert refused["lock"]["id"] == held.id
    check("force-unlock", document(run("force-unlock", held.id, api, "--force", "-o", "json")))

    check("destroy", document(run("destroy", str(evi), api, "--auto-approve", "-o", "json")))


def test_the_emulator_s_line_validates() -> None:
    with served() as (_proc, ready):
        check("serve", ready)


def test_each_kind_of_failure_is_an_error_document(evi: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    api = account(evi)
    error(run("plan", str(evi), api, "-o", "json", "--no-such-flag"), "usage")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "tools.yaml").write_text("tools: {not: a list}\n")
    assert error(run("plan", str(broken), api, "-o", "json"), "manifest")["problems"]
    error(run("history", "prompt/nobody", api, "-o", "json"), "resource_not_found")
    error(run("rollback", "prompt/support-agent", "--to-version", "3", api, "--auto-approve", "-o", "json"), "rollback")
    saved = tmp_path / "plan.json"
    assert run("plan", str(evi), api, "--out", str(saved)).exit_code == 0
    assert run("apply", str(evi), api, "--auto-approve").exit_code == 0
    stale = error(run("apply", str(saved), api, "-o", "json"), "stale_plan")
    assert "moved" in stale["error"]["message"] or "stale" in stale["error"]["message"]

    # apply stopped by the API: what it did beside the error
    configs = evi / "configs.yaml"
    configs.write_text(configs.read_text().replace("name: ITO", "name: NO_SUCH_VOICE"))
    failed = error(run("apply", str(evi), api, "--auto-approve", "-o", "json"), "apply")
    assert failed["applied"] is False and failed["report"]["failed"] and failed["plan"]["changes"]

    # the answer no at the confirmation: aborted, exit 1, still one document
    monkeypatch.setattr(running, "sys", types.SimpleNamespace(stdin=types.SimpleNamespace(isatty=lambda: True)))
    monkeypatch.setattr(click, "confirm", lambda *args, **kwargs: False)
    declined = error(run("apply", str(evi), api, "-o", "json"), "aborted")
    assert declined["applied"] is False and declined["plan"]["changes"]

    # Ctrl-C: interrupted, exit 130
    async def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(Session, "drift", interrupted)
    error(run("drift", str(evi), api, "-o", "json"), "interrupted", 130)


def take_lock(evi: Path) -> Any:
    async def take() -> Any:
        async with open_client(settings(evi)) as client:
            lease = lock.new_lease(run_id="gone", scope="", command="humectl apply", commit=None, lease_seconds=600)
            return await lock.AccountLock(client, lease).acquire()

    return asyncio.run(take())
