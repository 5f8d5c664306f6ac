"""``--output json`` on every command, for success and for failure: one JSON document on stdout, same exit code.

The documents are the ones docs/json-output.md describes; a failure is ``{"format_version", "error", "problems"}``
(plus what the command did, for apply and rollback), so a script piping into ``jq`` always gets the reason.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from humectl.cli.app import cli
from humectl.core.kinds import KINDS
from humectl.core.settings import Settings
from humectl.io.listing import fetch_live_state
from tests.conftest import EXAMPLES_DIR
from tests.support import open_client

KEY = "sk-test-0123456789abcdef"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    base = {"HUME_API_KEY": KEY, "HUME_TOKEN": "", "HUME_BASE_URL": "", "NO_COLOR": "1", "GITHUB_ACTIONS": ""}
    return CliRunner().invoke(cli, list(args), env={**base, **(env or {})})


def document(result: Result) -> dict[str, Any]:
    """stdout is exactly one JSON document (nothing else on it)."""
    data = json.loads(result.stdout)
    assert isinstance(data, dict) and data["format_version"] == 1, result.stdout
    return data


@pytest.fixture()
def evi(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES_DIR / "support-desk", tmp_path / "evi")
    return tmp_path / "evi"


def db(evi: Path) -> str:
    return f"--emulator={evi.parent / 'db.sqlite3'}"


def error_of(result: Result, exit_code: int = 1) -> dict[str, Any]:
    assert result.exit_code == exit_code, result.output
    data = document(result)
    error = data["error"]
    assert set(error) >= {"type", "message", "hint", "exit_code"} and error["exit_code"] == exit_code
    assert isinstance(data["problems"], list)
    # people still read stderr: the same error there, on a line of its own
    assert f"Error: {error['message']}" in result.stderr.splitlines(), result.stderr
    return data


# --- success: every command -------------------------------------------------------------------


def test_apply_json_is_the_report_with_ids_and_versions(evi: Path) -> None:
    result = run("apply", str(evi), db(evi), "--auto-approve", "-o", "json")
    assert result.exit_code == 0, result.output
    data = document(result)
    assert data["error"] is None and data["applied"] is True
    report = data["report"]
    assert len(report["done"]) == 6 and report["failed"] == [] and report["not_started"] == []
    assert report["in_flight"] == []
    made = report["results"]
    assert set(made) == set(report["done"])
    assert all(isinstance(r["id"], str) and r["version"] == 0 for r in made.values())
    assert data["plan"]["summary"]["create"] == 6
    assert "Apply complete" not in result.stdout and "humectl will perform" not in result.stdout


def test_apply_json_with_nothing_to_do(evi: Path) -> None:
    assert run("apply", str(evi), db(evi), "--auto-approve").exit_code == 0
    data = document(run("apply", str(evi), db(evi), "--auto-approve", "-o", "json"))
    assert data["applied"] is False and data["report"]["done"] == [] and data["plan"]["summary"]["unchanged"] == 6


def test_every_read_command_prints_json(evi: Path, tmp_path: Path) -> None:
    assert run("apply", str(evi), db(evi), "--auto-approve").exit_code == 0
    assert document(run("validate", str(evi), "-o", "json"))["valid"] is True
    assert document(run("plan", str(evi), db(evi), "-o", "json"))["summary"]["unchanged"] == 6
    drift = run("drift", str(evi), db(evi), "-o", "json")
    assert drift.exit_code == 0 and document(drift)["drifted"] is False
    history = document(run("history", "prompt/support-agent", db(evi), "-o", "json"))
    assert history["address"] == "prompt/support-agent" and history["versions"][0]["version"] == 0
    exported = run("export", "--dir", str(tmp_path / "out"), db(evi), "-o", "json")
    assert exported.exit_code == 0, exported.output
    data = document(exported)
    assert data["counts"] == {"tool": 2, "prompt": 2, "config": 2}
    assert data["round_trip"] == {"exact": True, "differences": [], "other_scopes": []}
    assert data["files"] and all((tmp_path / "out" / f).is_file() for f in data["files"])


def test_rollback_json(evi: Path) -> None:
    assert run("apply", str(evi), db(evi), "--auto-approve").exit_code == 0
    prompt = evi / "prompts" / "support-agent.md"
    prompt.write_text(prompt.read_text() + "One more line.\n")
    assert run("apply", str(evi), db(evi), "--auto-approve").exit_code == 0
    result = run("rollback", "prompt/support-agent", "--to-version", "0", db(evi), "--auto-approve", "-o", "json")
    assert result.exit_code == 0, result.output
    data = document(result)
    assert data["rolled_back"] is True and data["address"] == "prompt/support-agent" and data["to_version"] == 0
    assert data["report"]["done"][0] == "prompt/support-agent"  # then the configs that follow it
    assert data["report"]["results"]["prompt/support-agent"]["version"] == 2
    assert "One more line." in data["manifest_update"]["diff"]
    refused = error_of(run("rollback", "prompt/support-agent", "--to-version", "1", db(evi), "-o", "json"))
    assert refused["error"]["type"] == "usage" and "--auto-approve" in refused["error"]["hint"]
    assert refused["rolled_back"] is False and refused["plan"]["changes"][0]["address"] == "prompt/support-agent"


def test_drift_json_exit_2_when_drifted(evi: Path) -> None:
    never_applied = run("drift", str(evi), db(evi), "-o", "json", "--detailed-exitcode")
    assert never_applied.exit_code == 0 and document(never_applied)["drifted"] is False  # nothing to drift from
    assert run("apply", str(evi), db(evi), "--auto-approve").exit_code == 0
    delete_by_hand(evi, "config", "support-desk-after-hours")
    result = run("drift", str(evi), db(evi), "-o", "json", "--detailed-exitcode")
    assert result.exit_code == 2
    data = document(result)
    assert data["drifted"] is True
    assert [(r["address"], r["state"]) for r in data["resources"]] == [("config/support-desk-after-hours", "missing")]


def delete_by_hand(evi: Path, kind: str, name: str) -> None:
    """What someone does in Hume's dashboard: delete one resource."""

    async def delete() -> None:
        async with open_client(Settings(emulator_db=str(evi.parent / "db.sqlite3"), api_key=KEY)) as client:
            live = await fetch_live_state(client)
            found = live.get(kind, name)
            assert found is not None
            await client.delete(KINDS[kind], found.id)

    asyncio.run(delete())


# --- failure: the reason on stdout, the same exit code ------------------------------------------


def test_missing_directory(tmp_path: Path) -> None:
    for command in (["plan"], ["apply", "--auto-approve"], ["drift"]):
        result = run(
            command[0], str(tmp_path / "nope"), *command[1:], f"--emulator={tmp_path / 'db.sqlite3'}", "-o", "json"
        )
        if command[0] == "apply":
            assert "does not exist" in result.output  # click checks apply's SOURCE itself
            data = error_of(result)
            assert data["error"]["type"] == "usage"
            continue
        data = error_of(result)
        assert data["error"]["type"] == "manifest"
        assert data["problems"][0]["message"] == "manifest directory does not exist"


@pytest.mark.parametrize(
    "order",
    [
        ["{missing}", "--emulator", "-o", "json"],
        ["--emulator", "-o", "json", "{missing}"],
        ["-ojson", "{missing}", "--emulator"],
        ["--output=json", "{missing}", "--emulator"],
    ],
)
def test_json_errors_whatever_the_order_of_emulator_and_output(
    tmp_path: Path, order: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a bare --emulator's database lands in ./.humectl/: not the checkout's
    args = [a.format(missing=tmp_path / "nope") for a in order]
    data = error_of(run("plan", *args))
    assert data["error"]["type"] == "manifest"


def test_apply_progress_never_lands_on_stdout(evi: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(evi.parent)  # the default database lands here
    result = run("apply", str(evi), "--emulator", "-o", "json", "--auto-approve")  # bare --emulator before -o
    assert result.exit_code == 0, result.output
    assert document(result)["applied"] is True
    assert "created (id" in result.stderr


def test_invalid_manifests_list_the_problems(evi: Path) -> None:
    (evi / "tools.yaml").write_text("tools: {}\n")
    data = error_of(run("plan", str(evi), db(evi), "-o", "json"))
    assert data["error"]["type"] == "manifest" and data["error"]["message"].endswith("the manifests are not valid")
    tools = next(p for p in data["problems"] if p["file"].endswith("tools.yaml"))
    assert tools["line"] == 1 and tools["message"] == "tools: must be a list, not a mapping"


def test_refused_key(evi: Path) -> None:
    from humectl.emulator.app import EmulatorConfig
    from humectl.emulator.serve import run_in_thread

    with run_in_thread(EmulatorConfig(api_key="the-right-key")) as url:
        data = error_of(run("plan", str(evi), "--base-url", url, "-o", "json"))
    assert data["error"]["type"] == "auth"
    assert data["error"]["http"] == {"method": "GET", "path": data["error"]["http"]["path"], "status": 401}
    assert "HUME_API_KEY" in data["error"]["hint"]
    assert KEY not in json.dumps(data)


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "{evi}", "{db}", "--target", "nonsense", "-o", "json"],
        ["plan", "{evi}", "{db}", "-o", "json", "--no-such-flag"],
        ["history", "nonsense", "{db}", "-o", "json"],
        ["plan", "-o", "json", "{evi}", "--parallelism", "0", "{db}"],
    ],
)
def test_usage_errors(evi: Path, args: list[str]) -> None:
    filled = [a.format(evi=evi, db=db(evi)) for a in args]
    data = error_of(run(*filled))
    assert data["error"]["type"] == "usage"


def test_apply_stopped_part_way_reports_exactly(evi: Path) -> None:
    cfg = evi / "configs.yaml"
    cfg.write_text(cfg.read_text().replace("name: ITO", "name: NO_SUCH_VOICE"))
    result = run("apply", str(evi), db(evi), "--auto-approve", "--parallelism", "1", "-o", "json")
    data = error_of(result)
    assert data["error"]["type"] == "apply"
    report = data["report"]
    assert report["failed"][0]["address"] == "config/support-desk" and "NO_SUCH_VOICE" in report["failed"][0]["error"]
    assert len(report["done"]) == 4 and report["not_started"] == ["config/support-desk-after-hours"]
    assert set(report["results"]) == set(report["done"])
    assert data["plan"]["summary"]["create"] == 6 and data["applied"] is False


def test_stale_saved_plan(evi: Path, tmp_path: Path) -> None:
    saved = tmp_path / "plan.json"
    assert run("plan", str(evi), db(evi), "--out", str(saved)).exit_code == 0
    assert run("apply", str(evi), db(evi), "--auto-approve").exit_code == 0
    data = error_of(run("apply", str(saved), db(evi), "--auto-approve", "-o", "json"))
    assert data["error"]["type"] == "stale_plan" and "appeared" in data["error"]["message"]


def test_apply_json_needs_auto_approve_or_a_terminal(evi: Path) -> None:
    data = error_of(run("apply", str(evi), db(evi), "-o", "json"))
    assert data["error"]["type"] == "usage" and "--auto-approve" in data["error"]["hint"]


def test_no_key_is_a_json_error(evi: Path) -> None:
    data = error_of(run("plan", str(evi), "-o", "json", env={"HUME_API_KEY": ""}))
    assert data["error"]["type"] == "missing_key" and "HUME_API_KEY" in data["error"]["message"]


def test_text_mode_prints_no_json_on_failure(evi: Path) -> None:
    result = run("plan", str(evi), "-o", "text", env={"HUME_API_KEY": ""})
    assert result.exit_code == 1 and result.stdout == ""
