"""The account lock through the CLI in process (``--emulator DB``): who takes it, what plan, rollback,
--no-lock and bad flags say. The racing processes are in test_lock_races.py."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from humectl.cli.app import cli
from humectl.core.settings import Settings
from humectl.io import lock
from tests.conftest import EXAMPLES_DIR
from tests.support import open_client

KEY = "sk-test-0123456789abcdef"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env={"HUME_API_KEY": KEY, "NO_COLOR": "1", **(env or {})})


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES_DIR / "multi-env", tmp_path / "evi")
    return tmp_path


def db(project: Path) -> str:
    return f"--emulator={project / 'account.sqlite3'}"


def take_lock(project: Path, scope: str = "") -> Any:
    """Hold the lock of ``scope`` as another run would (it is never released: a dead run)."""

    async def take() -> Any:
        async with open_client(Settings(emulator_db=str(project / "account.sqlite3"), api_key=KEY)) as client:
            lease = lock.new_lease(
                run_id="other", scope=scope, command="humectl apply", commit="abc1234", lease_seconds=60
            )
            return await lock.AccountLock(client, lease).acquire()

    return asyncio.run(take())


def lock_prompts(project: Path) -> list[str]:
    import sqlite3

    with sqlite3.connect(project / "account.sqlite3") as conn:
        rows = conn.execute("SELECT name FROM resources WHERE name LIKE 'humectl-lock%'").fetchall()
    return [r[0] for r in rows]


def test_apply_takes_the_lock_of_its_scope_and_releases_it(project: Path) -> None:
    evi = str(project / "evi")
    held = take_lock(project, scope="dev-")
    refused = run("apply", evi, db(project), "--env", "dev", "--auto-approve")
    assert refused.exit_code == 1
    assert "the lock of name prefix 'dev-' is held by run other since " in refused.stderr
    assert f"humectl force-unlock {held.id}" in refused.stderr
    assert "will perform" not in refused.stdout  # refused before it read or planned anything
    # Another environment's scope is free: staging applies while dev is locked.
    staging = run("apply", evi, db(project), "--env", "staging", "--auto-approve")
    assert staging.exit_code == 0, staging.output
    assert lock_prompts(project) == ["humectl-lock:dev-"]  # staging released its own lock


def test_plan_takes_no_lock_but_says_when_one_is_held(project: Path) -> None:
    evi = str(project / "evi")
    assert run("plan", evi, db(project), "--env", "dev").stderr == ""
    take_lock(project, scope="dev-")
    noted = run("plan", evi, db(project), "--env", "dev", "--output", "json")
    assert noted.exit_code == 0
    assert noted.stderr.startswith("Note: the lock of name prefix 'dev-' is held by run other since ")
    assert "likely stale" in noted.stderr and noted.stdout.startswith("{")  # the JSON stays clean
    other_scope = run("plan", evi, db(project), "--env", "staging")
    assert "Note:" not in other_scope.stderr
    assert lock_prompts(project) == ["humectl-lock:dev-"]  # plan wrote nothing


def test_no_lock_applies_anyway_and_warns(project: Path) -> None:
    take_lock(project)
    result = run("apply", str(project / "evi"), db(project), "--env", "prod", "--auto-approve", "--no-lock")
    assert result.exit_code == 0, result.output
    assert "Warning (--no-lock): the lock of the account is held by run other" in result.stderr
    assert "Apply complete" in result.stdout


def test_rollback_takes_the_lock(project: Path) -> None:
    evi = str(project / "evi")
    assert run("apply", evi, db(project), "--env", "prod", "--auto-approve").exit_code == 0
    config = "config/concierge"
    assert run("rollback", config, "--to-version", "0", db(project), "--auto-approve").exit_code == 0
    take_lock(project)
    refused = run("rollback", config, "--to-version", "0", db(project), "--auto-approve")
    assert refused.exit_code == 1 and "the lock of the account is held by run other" in refused.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--lock-timeout", "soon"), "'soon' is not a duration"),
        (("--lock-timeout", "-5s"), "is not a duration"),
    ],
)
def test_bad_lock_flags_are_usage_errors(project: Path, args: tuple[str, ...], message: str) -> None:
    result = run("apply", str(project / "evi"), db(project), "--auto-approve", *args)
    assert result.exit_code == 1 and message in result.output


def test_a_bad_lease_env_is_a_usage_error(project: Path) -> None:
    result = run(
        "apply", str(project / "evi"), db(project), "--env", "dev", "--auto-approve", env={"HUMECTL_LOCK_LEASE": "0.1s"}
    )
    assert result.exit_code == 1 and "HUMECTL_LOCK_LEASE must be at least 1s" in result.output


def test_validate_refuses_the_reserved_lock_names(tmp_path: Path) -> None:
    (tmp_path / "evi.yaml").write_text("prompts:\n  - {name: humectl-lock, text: hi}\n  - {name: ok, text: hi}\n")
    result = run("validate", str(tmp_path))
    assert result.exit_code == 1
    assert "prompt name 'humectl-lock' is reserved: humectl keeps its account lock under it" in result.output
    prefixed = run("validate", str(tmp_path), "--name-prefix", "humectl-lock:")
    assert prefixed.output.count("is reserved") == 2


def test_the_lock_never_shows_in_plans_prune_drift_export_or_history(project: Path, tmp_path: Path) -> None:
    evi = str(project / "evi")
    assert run("apply", evi, db(project), "--env", "prod", "--auto-approve").exit_code == 0
    take_lock(project)  # a dead run's lock, left in the account
    planned = run("plan", evi, db(project), "--env", "prod", "--prune", "--prune-unmanaged", "--output", "json")
    assert planned.exit_code == 0 and "humectl-lock" not in planned.stdout  # not even as a delete
    drifted = run("drift", evi, db(project), "--env", "prod")
    assert drifted.exit_code == 0 and "humectl-lock" not in drifted.stdout
    exported = run("export", "--dir", str(tmp_path / "out"), db(project))
    assert exported.exit_code == 0, exported.output
    written = list((tmp_path / "out").rglob("*.yaml"))
    assert written and all("humectl-lock" not in f.read_text() for f in written)  # the rest was exported
    history = run("history", "prompt/humectl-lock", db(project))
    assert history.exit_code == 1 and "humectl-lock" in history.output
    assert lock_prompts(project) == ["humectl-lock"]


def test_json_output_of_a_refusal_and_of_force_unlock(project: Path) -> None:
    import json

    held = take_lock(project)
    refused = run("apply", str(project / "evi"), db(project), "--env", "prod", "--auto-approve", "-o", "json")
    assert refused.exit_code == 1
    document = json.loads(refused.stdout)
    assert document["error"]["type"] == "lock_held" and "held by run other" in document["error"]["message"]
    assert document["lock"]["id"] == held.id and document["lock"]["expired"] is False
    assert document["lock"]["holder"]["run_id"] == "other" and document["lock"]["holder"]["commit"] == "abc1234"
    removed = run("force-unlock", held.id, "--force", db(project), "-o", "json")
    assert removed.exit_code == 0, removed.output
    assert json.loads(removed.stdout)["lock"] == {
        "id": held.id,
        "name": "humectl-lock",
        "scope": "",
        "run_id": "other",
        "created_on": held.created_on,
    }
    assert lock_prompts(project) == []
