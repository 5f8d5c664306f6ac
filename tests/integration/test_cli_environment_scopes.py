"""Environments are scopes, not prefixes (issue 23 item 4), and may each have their own API
(issue 27 item 4), through the CLI against the emulator.

- With environments declared and no ``--env`` (nor ``default_env``), plan, apply, destroy, drift and
  rollback refuse to guess, listing the environments; the production environment's policy can no
  longer be skipped by leaving ``--env`` out.
- A scope manages only what it created (humectl's marker records the scope, the account scope too):
  ``apply --env dev`` of manifest ``x`` refuses the ``dev-x`` the account scope manages and protects,
  rated high, never taken over; dev's prune and destroy never delete the account scope's ``dev-…``.
- ``validate`` refuses overlapping prefixes (``dev-`` and ``dev-eu-``).
- ``base_url``/``api_key_env`` per environment: two environments drive two servers, each with its own
  key, read from the variable the environment names and never printed; ``--base-url`` still wins.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result

from humectl.cli.app import cli
from humectl.emulator.app import EmulatorConfig
from humectl.emulator.serve import run_in_thread

ENVIRONMENTS = """\
environments:
  dev: {name_prefix: dev-}
  prod: {}
"""
CLEAN = {"HUME_API_KEY": "", "HUME_TOKEN": "", "HUME_BASE_URL": "", "HUMECTL_ENV": "", "NO_COLOR": "1"}


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env={**CLEAN, **(env or {})})


def write(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture()
def db(tmp_path: Path) -> str:
    return f"--emulator={tmp_path / 'account.sqlite3'}"


def heads(db: str) -> dict[str, dict[str, Any]]:
    """The newest version of every prompt of the account, by name."""
    snapshot = json.loads(run("emulator", "snapshot", db).stdout)
    newest: dict[str, dict[str, Any]] = {}
    for version in sorted(snapshot["prompts"], key=lambda p: p["version"]):
        newest[version["name"]] = version
    return newest


def test_a_command_acting_on_a_scope_needs_an_environment(tmp_path: Path, db: str) -> None:
    root = write(tmp_path / "evi", {"humectl.yaml": ENVIRONMENTS, "agents.yaml": "prompts: [{name: x, text: hi}]\n"})
    commands = [
        ["plan", str(root)],
        ["apply", str(root), "--auto-approve"],
        ["destroy", str(root), "--auto-approve"],
        ["drift", str(root)],
        ["rollback", "prompt/x", "--to-version", "0", "--manifests", str(root), "--auto-approve"],
    ]
    for args in commands:
        result = run(*args, db)
        assert result.exit_code == 1, (args, result.output)
        assert "humectl.yaml declares environments (dev, prod): choose one with --env NAME" in result.stderr, args
        assert "default_env" in result.stderr
        document = json.loads(run(*args, db, "-o", "json").stdout)
        assert document["error"]["type"] == "manifest", args
    assert heads(db) == {}  # nothing was sent, let alone applied
    assert run("validate", str(root)).exit_code == 0  # validate checks the top level without one
    write(root, {"humectl.yaml": ENVIRONMENTS + "default_env: dev\n"})
    applied = run("apply", str(root), db, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert list(heads(db)) == ["dev-x"]


def test_an_environment_never_takes_over_what_the_account_scope_protects(tmp_path: Path, db: str) -> None:
    account = write(
        tmp_path / "account",
        {
            "humectl.yaml": ENVIRONMENTS,
            "prompts.yaml": "prompts:\n"
            "  - {name: dev-x, text: the account's, protect: true}\n"
            "  - {name: dev-y, text: also the account's}\n",
        },
    )
    assert run("apply", str(account), db, "--env", "prod", "--auto-approve").exit_code == 0
    before = heads(db)
    assert before["dev-x"]["version_description"].endswith(" protect prefix=]")  # the account scope, recorded

    dev = write(tmp_path / "dev", {"humectl.yaml": ENVIRONMENTS, "prompts.yaml": "prompts: [{name: x, text: dev's}]\n"})
    planned = run("plan", str(dev), db, "--env", "dev", "-o", "json")
    assert planned.exit_code == 1, planned.output
    document = json.loads(planned.stdout)
    [change] = document["plan"]["changes"]
    assert change["address"] == "prompt/dev-x" and change["risk"] == "high"
    refusal = (
        "humectl manages and protects prompt/dev-x for the account scope (no name prefix); the environment of "
        "name prefix 'dev-' never takes over another scope's resource"
    )
    assert change["blocked_by"] == refusal
    assert refusal in document["error"]["message"]

    applied = run("apply", str(dev), db, "--env", "dev", "--auto-approve", "--prune")
    assert applied.exit_code == 1
    assert "Error: the plan changes what it must not: prompt/dev-x: humectl manages and protects" in applied.stderr
    assert heads(db) == before  # not taken over, not unprotected, and dev-y not pruned

    destroyed = run("destroy", str(dev), db, "--env", "dev", "--auto-approve", "--allow-empty")
    assert destroyed.exit_code == 0, destroyed.output
    assert heads(db) == before  # destroy of dev deletes nothing of the account scope's


def test_a_scope_prunes_and_destroys_only_what_it_made(tmp_path: Path, db: str) -> None:
    shared = write(
        tmp_path / "account",
        {"humectl.yaml": ENVIRONMENTS, "prompts.yaml": "prompts: [{name: dev-shared, text: the account's}]\n"},
    )
    assert run("apply", str(shared), db, "--env", "prod", "--auto-approve").exit_code == 0
    mine = "prompts: [{name: a, text: dev}, {name: keep, text: dev}]\n"
    dev = write(tmp_path / "dev", {"humectl.yaml": ENVIRONMENTS, "prompts.yaml": mine})
    assert run("apply", str(dev), db, "--env", "dev", "--auto-approve").exit_code == 0
    write(dev, {"prompts.yaml": "prompts: [{name: b, text: dev}, {name: keep, text: dev}]\n"})
    pruned = run("apply", str(dev), db, "--env", "dev", "--auto-approve", "--prune")
    assert pruned.exit_code == 0, pruned.output
    # Its own dev-a pruned; the account scope's dev-shared kept.
    assert sorted(heads(db)) == ["dev-b", "dev-keep", "dev-shared"]
    assert run("destroy", str(dev), db, "--env", "dev", "--auto-approve").exit_code == 0
    assert sorted(heads(db)) == ["dev-shared"]  # and destroy of dev neither


def test_export_names_what_an_environment_manages_instead_of_claiming_no_changes(tmp_path: Path, db: str) -> None:
    files = {"humectl.yaml": ENVIRONMENTS, "prompts.yaml": "prompts: [{name: agent, text: hi}]\n"}
    evi = write(tmp_path / "evi", files)
    for env in ("dev", "prod"):
        assert run("apply", str(evi), db, "--env", env, "--auto-approve").exit_code == 0
    exported = run("export", str(tmp_path / "out"), db)
    assert exported.exit_code == 0, exported.output
    assert "manages 1 of these resource(s) for an environment" in exported.stderr
    assert "  prompt/dev-agent\n" in exported.stderr and "shows no changes" not in exported.stdout
    assert "changes nothing else" in exported.stdout
    document = json.loads(run("export", str(tmp_path / "out"), db, "--force", "-o", "json").stdout)
    assert document["round_trip"] == {"exact": True, "differences": [], "other_scopes": ["prompt/dev-agent"]}
    # What the warning says: the plan of these files refuses exactly that one, and nothing else changes.
    planned = run("plan", str(tmp_path / "out"), db, "-o", "json")
    assert planned.exit_code == 1
    refused = json.loads(planned.stdout)
    assert [c["address"] for c in refused["plan"]["changes"]] == ["prompt/dev-agent"], planned.stdout
    assert "never takes over another scope's resource" in refused["error"]["message"]


def test_validate_refuses_overlapping_prefixes(tmp_path: Path) -> None:
    text = "environments:\n  dev: {name_prefix: dev-}\n  dev-eu: {name_prefix: dev-eu-}\n"
    root = write(tmp_path / "evi", {"humectl.yaml": text, "agents.yaml": "prompts: [{name: x, text: hi}]\n"})
    result = run("validate", str(root), "--env", "dev")
    assert result.exit_code == 1
    assert (
        "humectl.yaml:3:25: name_prefix 'dev-eu-' of environment 'dev-eu' overlaps the name prefix of environment "
        "'dev' ('dev-'): a resource name would belong to both" in result.output
    )


# --- per-environment endpoints ------------------------------------------------------------------

DEV_KEY, PROD_KEY = "sk-dev-key-0123456789", "sk-prod-key-9876543210"


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[str, str]]:
    with run_in_thread(EmulatorConfig(api_key=DEV_KEY)) as dev, run_in_thread(EmulatorConfig(api_key=PROD_KEY)) as prod:
        yield dev, prod


def names_on(url: str, key: str) -> list[str]:
    answer = httpx.get(f"{url}/v0/evi/prompts", headers={"X-Hume-Api-Key": key}, params={"page_size": 100})
    return sorted(p["name"] for p in answer.json()["prompts_page"])


def test_two_environments_drive_two_servers_with_their_own_keys(tmp_path: Path, servers: tuple[str, str]) -> None:
    dev_url, prod_url = servers
    project = (
        "environments:\n"
        f"  dev: {{name_prefix: dev-, base_url: '{dev_url}', api_key_env: DEV_HUME_KEY}}\n"
        f"  prod: {{base_url: '{prod_url}', api_key_env: PROD_HUME_KEY}}\n"
    )
    root = write(tmp_path / "evi", {"humectl.yaml": project, "agents.yaml": "prompts: [{name: agent, text: hi}]\n"})
    keys = {"DEV_HUME_KEY": DEV_KEY, "PROD_HUME_KEY": PROD_KEY, "HUME_API_KEY": "sk-the-generic-key-000"}
    outputs = []
    for env in ("dev", "prod"):
        for args in (["apply", "--auto-approve"], ["plan", "-o", "json"], ["drift"]):
            result = run(args[0], str(root), "--env", env, *args[1:], env=keys)
            assert result.exit_code == 0, (env, args, result.output)
            outputs.append(result.output)
    assert names_on(dev_url, DEV_KEY) == ["dev-agent"]
    assert names_on(prod_url, PROD_KEY) == ["agent"]
    for output in outputs:
        assert DEV_KEY not in output and PROD_KEY not in output

    # --base-url still wins over the environment's base_url (the environment's key goes with it).
    flagged = run("plan", str(root), "--env", "dev", "--base-url", prod_url, env=keys)
    assert flagged.exit_code == 1 and "HTTP 401" in flagged.stderr and DEV_KEY not in flagged.output
    # A key variable that is not set is named before anything is sent; the generic key is not used.
    missing = run("plan", str(root), "--env", "prod", env={"HUME_API_KEY": PROD_KEY})
    assert missing.exit_code == 1
    assert (
        "Error: no API key: environment 'prod' reads its key from PROD_HUME_KEY (api_key_env in humectl.yaml), "
        "which is not set" in missing.stderr
    )
    # The in-process emulator needs none.
    emulated = run("plan", str(root), "--env", "prod", f"--emulator={tmp_path / 'db.sqlite3'}")
    assert emulated.exit_code == 0, emulated.output
