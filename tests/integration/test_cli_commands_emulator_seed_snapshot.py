"""``humectl emulator serve --seed FILE`` and ``humectl emulator snapshot``, end to end through the CLI:
a snapshot served from a file and snapshotted again over HTTP is the same file; the old ``--seed N``
still seeds the fault dice (with a note); bad seeds stop the server before it listens, clearly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from humectl.cli.app import cli
from humectl.emulator.app import EmulatorConfig
from humectl.ops.snapshot import render_snapshot
from tests.emulator.conftest import make_client
from tests.emulator.test_emulator_seeding import build_account, snapshot_of

STDERR: dict[int, str] = {}


@contextmanager
def served(*args: str) -> Iterator[tuple[subprocess.Popen[str], dict[str, object]]]:
    env = {k: v for k, v in os.environ.items() if k not in ("HUMECTL_EMULATOR_API_KEY", "HUME_API_KEY")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "humectl", "emulator", "serve", "--port", "0", "-o", "json", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        yield proc, (json.loads(line) if line else {})
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=20)
            STDERR[proc.pid] = err
        finally:
            proc.kill()


def test_serve_seed_then_snapshot_gives_the_same_file(tmp_path: Path) -> None:
    with make_client(EmulatorConfig()) as client:
        build_account(client)
        text = render_snapshot(snapshot_of(client))
    seed = tmp_path / "account.json"
    seed.write_text(text, encoding="utf-8")
    with served("--seed", str(seed)) as (_proc, ready):
        assert ready.get("url")
        assert ready["seeded"] == {"tools": 1, "prompts": 1, "configs": 1, "versions": 7, "voices": 1, "chats": 1}
        out = tmp_path / "again.json"
        env = {k: v for k, v in os.environ.items() if k != "HUME_API_KEY"}  # a keyless loopback emulator
        result = CliRunner().invoke(
            cli, ["emulator", "snapshot", "--url", str(ready["url"]), "--out", str(out)], env=env
        )
        assert result.exit_code == 0, result.output
        assert "Wrote" in result.output and "1 configs" in result.output
        assert out.read_text(encoding="utf-8") == text
        to_stdout = CliRunner().invoke(cli, ["emulator", "snapshot", "--base-url", str(ready["url"])], env=env)
        assert to_stdout.exit_code == 0 and to_stdout.output == text


def test_snapshot_of_an_in_process_emulator_file(tmp_path: Path) -> None:
    db = tmp_path / "e.sqlite3"
    with make_client(EmulatorConfig(db=str(db))) as client:
        build_account(client)
        expected = render_snapshot(snapshot_of(client))
    result = CliRunner().invoke(cli, ["emulator", "snapshot", f"--emulator={db}"])
    assert result.exit_code == 0, result.output
    assert result.output == expected


def test_out_dash_is_standard_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "e.sqlite3"
    with make_client(EmulatorConfig(db=str(db))) as client:
        build_account(client)
        expected = render_snapshot(snapshot_of(client))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["emulator", "snapshot", f"--emulator={db}", "--out", "-"])
    assert result.exit_code == 0, result.output
    assert result.output == expected and not (tmp_path / "-").exists()


def test_old_integer_seed_still_seeds_the_fault_dice(tmp_path: Path) -> None:
    with served("--seed", "7", "--fault-rate", "0.5") as (proc, ready):
        assert ready.get("url")
        import httpx

        faults = httpx.get(f"{ready['url']}/_emulator/faults").json()
        assert faults["seed"] == 7 and faults["fault_rate"] == 0.5
    assert "--seed 7 is deprecated for the fault dice; use --fault-seed 7" in STDERR[proc.pid]


def test_bad_seeds_stop_before_listening(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(cli, ["emulator", "serve", "--port", "0", "--seed", str(tmp_path / "none.json")])
    assert missing.exit_code == 1 and "cannot read seed file" in missing.output and "Traceback" not in missing.output
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"tools": [{"id": "x", "version": 0, "name": "t", "parameters": "{}"}]}))
    refused = runner.invoke(cli, ["emulator", "serve", "--port", "0", "--seed", str(bad)])
    assert refused.exit_code == 1 and "tools[0].id needs an id" in refused.output
    assert "listening" not in refused.output
    both = runner.invoke(cli, ["emulator", "serve", "--seed", "3", "--fault-seed", "4"])
    assert both.exit_code == 1 and "give one of them" in both.output
