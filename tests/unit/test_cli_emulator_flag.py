"""``--emulator[=DB]``: the database only ever comes attached with ``=``; a separate word is never eaten.

Every form a newcomer types, in both orders with other options, and every unusable DB path: a clear
usage error (exit 1), never a traceback, and no stray SQLite file created from a typo.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from humectl.cli.app import cli
from tests.conftest import EXAMPLES_DIR

DEFAULT_DB = Path(".humectl/emulator.sqlite3")


@pytest.fixture()
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory holding evi/ (a copy of examples/support-desk); the default DB lands here."""
    shutil.copytree(EXAMPLES_DIR / "support-desk", tmp_path / "evi")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"HUME_API_KEY": "", "HUME_TOKEN": "", "NO_COLOR": "1"})


def entries(directory: Path) -> set[str]:
    return {p.name for p in directory.iterdir()}


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "--emulator", "evi/"],
        ["plan", "evi/", "--emulator"],
        ["plan", "--emulator", "--detailed-exitcode", "evi"],
        ["plan", "-o", "text", "--emulator", "evi"],
        ["plan", "--emulator", "-o", "text", "evi"],
    ],
)
def test_bare_emulator_never_eats_the_next_word(cwd: Path, args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code in (0, 2), result.output
    assert "Plan: 6 to create" in result.output
    assert (cwd / DEFAULT_DB).is_file()
    assert entries(cwd) == {"evi", ".humectl"}


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "-o", "json", "--emulator", "evi"],
        ["plan", "--emulator", "-o", "json", "evi"],
        ["plan", "--emulator", "--output=json", "evi"],
        ["plan", "evi", "-ojson", "--emulator"],
        ["plan", "--output", "json", "evi", "--emulator=my.sqlite3"],
    ],
)
def test_emulator_with_json_output_in_any_order(cwd: Path, args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["create"] == 6


def test_attached_db_is_used(cwd: Path) -> None:
    assert run("apply", "evi", "--emulator=account.sqlite3", "--auto-approve").exit_code == 0
    assert (cwd / "account.sqlite3").is_file() and not (cwd / DEFAULT_DB).exists()
    again = run("plan", "--emulator=account.sqlite3", "evi", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    fresh = run("plan", "--emulator", "evi", "--detailed-exitcode")  # the default DB is another account
    assert fresh.exit_code == 2, fresh.output


def test_a_typo_after_emulator_is_a_missing_directory_not_a_new_database(cwd: Path) -> None:
    result = run("plan", "--emulator", "mini2")
    assert result.exit_code == 1
    assert "mini2: manifest directory does not exist" in result.output
    assert not (cwd / "mini2").exists()
    assert "Traceback" not in result.output


def test_a_file_after_emulator_is_an_extra_argument(cwd: Path) -> None:
    result = run("plan", "--emulator", "evi/tools.yaml", "evi/")
    assert result.exit_code == 1
    assert "evi/tools.yaml' is a file" in result.output  # click rejects it as the DIRECTORY
    assert "Traceback" not in result.output and "not a database" not in result.output


@pytest.mark.parametrize(
    ("db", "says"),
    [
        ("evi", "is a directory"),
        ("evi/tools.yaml", "is not an emulator database"),
        ("evi/tools.yaml/x.sqlite3", "is not a directory"),
        ("", "needs a file name"),
    ],
)
def test_unusable_db_is_a_usage_error(cwd: Path, db: str, says: str) -> None:
    before = (cwd / "evi" / "tools.yaml").read_bytes()
    result = run("plan", "evi", f"--emulator={db}")
    assert result.exit_code == 1, result.output
    assert says in result.output, result.output
    assert "--emulator" in result.output
    assert "Traceback" not in result.output
    assert (cwd / "evi" / "tools.yaml").read_bytes() == before


def test_message_that_looks_like_the_flag_is_left_alone() -> None:
    from humectl.cli.app import expand_bare_emulator

    command = cli.commands["plan"]
    assert isinstance(command, click.Command)
    args = ["evi", "-m", "--emulator", "--", "--emulator"]
    assert expand_bare_emulator(command, args) == args
    assert expand_bare_emulator(command, ["--emulator", "evi"])[0].startswith("--emulator=")


def test_help_shows_the_attached_form() -> None:
    result = run("plan", "--help")
    assert "--emulator[=DB]" in result.output
