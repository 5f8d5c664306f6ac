"""``--emulator[=DB]``: click's optional-value option. Bare at the end or before another option it is
the default database; a word after it is DB, and a word that cannot be a database (the manifest
directory, a manifest, a typo) is a clear usage error naming the fix: never a traceback, never a stray
SQLite file created from a typo.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

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
        ["plan", "evi/", "--emulator"],
        ["plan", "--emulator", "--detailed-exitcode", "evi"],
        ["plan", "-o", "text", "evi", "--emulator"],
        ["plan", "--emulator", "-o", "text", "evi"],
    ],
)
def test_a_bare_emulator_before_an_option_or_at_the_end_is_the_default_database(cwd: Path, args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code in (0, 2), result.output
    assert "Plan: 6 to create" in result.output
    assert (cwd / DEFAULT_DB).is_file()
    assert entries(cwd) == {"evi", ".humectl"}


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["plan", "--emulator", "evi/"], "evi/ is a directory"),
        (["plan", "-o", "text", "--emulator", "evi"], "evi is a directory"),
        (["plan", "--emulator", "mini2"], "mini2 is not a database name"),
        (["plan", "--emulator", "evi/tools.yaml", "evi/"], "is not an emulator database"),
    ],
)
def test_a_word_after_emulator_that_cannot_be_a_database_is_a_usage_error(
    cwd: Path, args: list[str], says: str
) -> None:
    result = run(*args)
    assert result.exit_code == 1, result.output
    assert says in result.output and "put --emulator after the directory" in result.output
    assert "Traceback" not in result.output
    assert entries(cwd) == {"evi"}  # nothing created


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "-o", "json", "evi", "--emulator"],
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
    fresh = run("plan", "evi", "--emulator", "--detailed-exitcode")  # the default DB is another account
    assert fresh.exit_code == 2, fresh.output


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


def test_a_message_that_looks_like_the_flag_is_the_message(cwd: Path) -> None:
    result = run("plan", "evi", "-m", "--emulator", "--emulator", "-o", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["message"] == "--emulator"


def test_a_new_database_file_is_made_when_its_name_says_so(cwd: Path) -> None:
    result = run("plan", "--emulator", "other.db", "evi")
    assert result.exit_code == 0, result.output
    assert (cwd / "other.db").is_file() and not (cwd / DEFAULT_DB).exists()


def test_help_shows_the_attached_form() -> None:
    result = run("plan", "--help")
    assert "--emulator [=DB]" in result.output or "--emulator[=DB]" in result.output
