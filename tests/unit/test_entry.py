"""The console script's fast --version agrees with the CLI's, and everything else reaches the CLI."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from humectl import __version__
from humectl.cli import cli


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "humectl", *args], capture_output=True, text=True, check=False)


def test_the_fast_version_line_is_the_clis() -> None:
    fast = run("--version")
    assert fast.returncode == 0 and fast.stderr == ""
    assert fast.stdout == CliRunner().invoke(cli, ["--version"]).output == f"humectl, version {__version__}\n"


def test_version_loads_no_cli() -> None:
    probe = "import sys; sys.argv = ['humectl', '--version']; from humectl.entry import main; main(); "
    probe += "print(sorted(m for m in sys.modules if m.startswith(('click', 'humectl.cli', 'httpx'))))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "[]"


def test_anything_else_is_the_cli() -> None:
    assert run("--help").stdout.startswith("Usage: ")
    assert run("--version", "--help").returncode == 0
    bad = run("--no-such-flag")
    assert bad.returncode == 1 and "No such option" in bad.stderr
