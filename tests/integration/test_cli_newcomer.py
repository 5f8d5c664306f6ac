"""The sharp edges of a newcomer's first hour: saved plans and their Markdown, stale plans, stopping the server."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from humectl.cli.app import cli
from tests.conftest import EXAMPLES_DIR


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"HUME_API_KEY": "sk-0123456789", "NO_COLOR": "1"})


@pytest.fixture()
def evi(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES_DIR / "support-desk", tmp_path / "evi")
    return tmp_path / "evi"


def db(evi: Path) -> str:
    return f"--emulator={evi.parent / 'db.sqlite3'}"


# --- plan --out FILE.json and its Markdown sibling ----------------------------------------------


def test_out_writes_json_and_the_markdown_sibling(evi: Path) -> None:
    out = evi.parent / "plan.json"
    result = run("plan", str(evi), db(evi), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["format_version"] == 1
    assert (evi.parent / "plan.md").read_text().startswith("### humectl plan")
    assert f"Markdown: {evi.parent / 'plan.md'}" in result.output


@pytest.mark.parametrize("name", ["plan.md", "plan", "plan.txt", "plan.markdown"])
def test_out_must_end_in_json(evi: Path, name: str) -> None:
    out = evi.parent / name
    result = run("plan", str(evi), db(evi), "--out", str(out))
    assert result.exit_code == 1
    assert "must end in .json" in result.output and "plan.json" in result.output
    assert not out.exists() and not (evi.parent / "plan.json").exists()
    assert not (evi.parent / "db.sqlite3").exists()  # refused before anything was planned


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("", "needs a file name"),
        ("nowhere/..", "needs a file name"),
        (".", "is a directory"),
        ("/", "is a directory"),
        ("-", "a saved plan is a file, not standard output"),
    ],
)
def test_out_without_a_file_name_is_a_usage_error(evi: Path, name: str, said: str) -> None:
    """The fuzz test's find: ``--out ''`` was a ValueError traceback (no name to give .json)."""
    result = run("plan", str(evi), db(evi), "--out", name)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert said in result.output
    assert not (evi.parent / "db.sqlite3").exists()  # refused before anything was planned


def test_apply_of_the_markdown_names_its_json_sibling(evi: Path) -> None:
    out = evi.parent / "plan.json"
    assert run("plan", str(evi), db(evi), "--out", str(out)).exit_code == 0
    result = run("apply", str(evi.parent / "plan.md"), db(evi), "--auto-approve")
    assert result.exit_code == 1
    assert "is the Markdown of a plan" in result.output and f"humectl apply {out}" in result.output
    assert "Traceback" not in result.output


def test_apply_of_a_file_that_is_not_a_plan(evi: Path) -> None:
    result = run("apply", str(evi / "tools.yaml"), db(evi), "--auto-approve")
    assert result.exit_code == 1
    assert "not a humectl plan" in result.output and "Traceback" not in result.output


def test_help_mentions_the_markdown_sibling() -> None:
    text = " ".join(run("plan", "--help").output.split())
    assert "FILE.md" in text and "FILE.json" in text


# --- a stale saved plan is refused before the plan is printed ---------------------------------


def test_stale_plan_refused_before_printing_it(evi: Path) -> None:
    out = evi.parent / "plan.json"
    assert run("plan", str(evi), db(evi), "--out", str(out)).exit_code == 0
    assert run("apply", str(evi), db(evi), "--auto-approve").exit_code == 0  # someone applied meanwhile
    result = run("apply", str(out), db(evi), "--auto-approve")
    assert result.exit_code == 1
    assert "the saved plan is stale" in result.output
    assert "humectl will perform these actions" not in result.output and "Plan: " not in result.output


# --- emulator serve stops cleanly ---------------------------------------------------------------


@pytest.mark.parametrize(("sig", "output"), [(signal.SIGINT, "text"), (signal.SIGTERM, "json")])
def test_emulator_serve_stops_with_a_goodbye_and_exit_0(sig: signal.Signals, output: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "HUMECTL_EMULATOR_API_KEY"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "humectl", "emulator", "serve", "--port", "0", "-o", output],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        # a shell's background job (e.g. `pytest &`) ignores SIGINT, and children inherit that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        if output == "json":
            assert json.loads(first)["url"].startswith("http://127.0.0.1:")
        else:
            assert first.startswith("humectl emulator listening on http://127.0.0.1:")
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "humectl emulator stopped." in (err if output == "json" else out)
    assert "Aborted" not in out + err and "Traceback" not in err


def test_apply_of_a_hand_broken_plan(evi: Path) -> None:
    broken = evi.parent / "broken.json"
    broken.write_text('{"format_version": 1, "changes": [{"address": 3}]}')
    result = run("apply", str(broken), db(evi), "--auto-approve")
    assert result.exit_code == 1
    assert "is not a valid humectl plan file" in result.output and "Traceback" not in result.output


def test_a_saved_plan_is_applied_without_a_question(evi: Path) -> None:
    # The saved plan was the review (Terraform applies a plan file without asking): no terminal needed.
    # The directory form still asks, so without a terminal and --auto-approve it is refused.
    refused = run("apply", str(evi), db(evi))
    assert refused.exit_code == 1 and "refusing to apply without confirmation" in refused.output
    out = evi.parent / "plan.json"
    assert run("plan", str(evi), db(evi), "--out", str(out)).exit_code == 0
    applied = run("apply", str(out), db(evi))
    assert applied.exit_code == 0, applied.output
    assert "Apply complete" in applied.output and "Do you want" not in applied.output and "[y/N]" not in applied.output
