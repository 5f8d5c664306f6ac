"""Fixtures for lifecycle tests: an emulator account over a SQLite file the CLI can open too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from humectl.cli.app import cli
from humectl.emulator.app import EmulatorConfig
from tests.engine.helpers import Account, emulator_account


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "account.sqlite3"


@pytest.fixture
def account(db: Path) -> Iterator[Account]:
    with emulator_account(EmulatorConfig(db=str(db))) as acc:
        yield acc


@pytest.fixture
def run_cli(db: Path) -> object:
    """``run_cli("export", "--dir", d)``: the real CLI against the same account file."""

    def run(*args: str, input: str | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(cli, [*args, f"--emulator={db}"], env={"HUME_API_KEY": "test-key"}, input=input)

    return run
