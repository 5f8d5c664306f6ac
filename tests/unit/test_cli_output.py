"""What the commands print: colour (NO_COLOR / FORCE_COLOR), problems in one order everywhere, real hints."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from humectl.cli.app import cli
from tests.conftest import EXAMPLES_DIR
from tests.unit.manifest_helpers import write_tree

ESC = "\x1b["


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    base = {"HUME_API_KEY": "", "NO_COLOR": "", "FORCE_COLOR": "", "CLICOLOR_FORCE": "", "GITHUB_ACTIONS": ""}
    return CliRunner().invoke(cli, list(args), env={**base, **(env or {})})


@pytest.fixture()
def evi(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES_DIR / "support-desk", tmp_path / "evi")
    return tmp_path / "evi"


def emulator(evi: Path) -> str:
    return f"--emulator={evi.parent / 'db.sqlite3'}"


# --- colour -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "coloured"),
    [
        ({}, False),  # not a terminal
        ({"FORCE_COLOR": "1"}, True),
        ({"FORCE_COLOR": "0"}, True),  # force-color.org: any non-empty value
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),  # no-color.org wins
        ({"FORCE_COLOR": "1", "GITHUB_ACTIONS": "true"}, True),
        ({"NO_COLOR": "1"}, False),
    ],
)
def test_colour_when_piped(evi: Path, env: dict[str, str], coloured: bool) -> None:
    result = run("plan", str(evi), emulator(evi), env=env)
    assert result.exit_code == 0, result.output
    assert (ESC in result.stdout) is coloured


def test_force_color_through_a_real_pipe(evi: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "GITHUB_ACTIONS")}
    proc = subprocess.run(
        [sys.executable, "-m", "humectl", "plan", str(evi), emulator(evi)],
        capture_output=True,
        text=True,
        env={**env, "FORCE_COLOR": "1"},
    )
    assert proc.returncode == 0, proc.stderr
    assert ESC in proc.stdout


# --- problems: the same order (problems, then the summary) in validate, plan and apply ----------


def broken(tmp_path: Path) -> Path:
    return write_tree(
        tmp_path / "bad",
        {
            "a.yaml": """
                prompts: {}
            """,
            "b.yaml": """
                tools:
                  - name: lookup order
                    parameters: {type: object}
            """,
        },
    )


@pytest.mark.parametrize("command", ["validate", "plan", "apply"])
def test_problems_then_summary_everywhere(tmp_path: Path, command: str) -> None:
    root = broken(tmp_path)
    extra = [] if command == "validate" else [emulator(root), *(["--auto-approve"] if command == "apply" else [])]
    result = run(command, str(root), *extra)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines[0].startswith(f"{root}/a.yaml:1:"), result.output
    assert lines[1].startswith(f"{root}/b.yaml:2:"), result.output
    assert "2 errors, 0 warnings: the manifests are not valid" in lines[-1], result.output
    assert len(lines) == 3, result.output


@pytest.mark.parametrize("command", ["plan", "apply", "drift"])
def test_warnings_are_printed_before_the_plan(evi: Path, command: str) -> None:
    configs = evi / "configs.yaml"
    configs.write_text(configs.read_text().replace("provider: HUME_AI, ", "", 1))
    extra = ["--auto-approve"] if command == "apply" else []
    result = run(command, str(evi), emulator(evi), *extra)
    # plan: 0 (no --detailed-exitcode); apply: the voice really is missing (Hume says so, exit 1);
    # drift: nothing applied yet, so live differs (exit 0: a report without --detailed-exitcode). Never a traceback.
    assert result.exit_code == {"plan": 0, "apply": 1, "drift": 0}[command], result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{evi}/configs.yaml:") and "warning: voice 'ITO' has no provider" in first


# --- hints that help, not the schema's descriptions ---------------------------------------------


@pytest.mark.parametrize(
    ("manifest", "message", "hint"),
    [
        ("prompts: {}", "prompts: must be a list, not a mapping", "- name:"),
        ("tools: lookup", "tools: must be a list", "- name:"),
        (
            "configs:\n  - name: c\n    evi_version: '3'\n    voice: ITO",
            "voice: must be a mapping",
            "name: ITO",
        ),
        (
            "configs:\n  - name: c\n    evi_version: '3'\n    tools: lookup",
            "tools: must be a list",
            "[lookup]",
        ),
        (
            "configs:\n  - name: c\n    evi_version: '3'\n    timeouts: {inactivity: {enabled: 'yes'}}",
            "enabled: must be true or false, not 'yes'",
            "true or false without quotes",
        ),
        (
            "configs:\n  - name: c\n    evi_version: '3'\n    timeouts: {inactivity: {duration_secs: '120'}}",
            "duration_secs: must be an integer or null, not '120'",
            "remove the quotes: 120",
        ),
        (
            "configs:\n  - name: c\n    evi_version: '3'\n    language_model: {temperature: hot}",
            "temperature: must be a number or null, not 'hot'",
            "a number without quotes",
        ),
    ],
)
def test_type_errors_get_real_hints(tmp_path: Path, manifest: str, message: str, hint: str) -> None:
    root = write_tree(tmp_path / "m", {"m.yaml": manifest + "\n"})
    result = run("validate", str(root))
    assert result.exit_code == 1
    line = next(line for line in result.output.splitlines() if message in line)
    given = line.split("(hint: ", 1)[1]
    assert hint in given, line
    for description in ("System prompts.", "User-defined", "The voice EVI speaks with", "Whether this timeout"):
        assert description not in given, line
