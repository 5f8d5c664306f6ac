"""The CLI's outer shell: version, help, usage errors exit 1 (2 is reserved for 'changes present')."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from humectl.cli.app import cli
from humectl.core.version import __version__


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_help_lists_commands() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "emulator" in result.output


def test_unknown_option_exits_1_not_2() -> None:
    result = CliRunner().invoke(cli, ["--no-such-flag"])
    assert result.exit_code == 1
    assert "No such option" in result.output


def test_python_dash_m() -> None:
    proc = subprocess.run([sys.executable, "-m", "humectl", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0
    assert __version__ in proc.stdout
