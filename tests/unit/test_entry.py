"""The console script's fast --version agrees with the CLI's, and everything else reaches the CLI."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from humectl import __version__
from humectl.cli import cli
from tests.conftest import EXAMPLES_DIR


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


def probe(code: str, *argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``code``, then the console script's main with ``argv``, in a fresh interpreter."""
    script = f"import sys\n{code}\nsys.argv = ['humectl', *{list(argv)!r}]\nfrom humectl.entry import main\nmain()\n"
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False, cwd=cwd)


def test_the_quick_exit_flushes_everything_runs_the_exit_handlers_and_keeps_the_code() -> None:
    whole = run("schema")
    assert whole.returncode == 0 and json.loads(whole.stdout)["$schema"]  # all of it, flushed
    handler = "import atexit\natexit.register(lambda: print('handler ran', file=sys.stderr))"
    failed = probe(handler, "validate", "no/such/dir")
    assert failed.returncode == 1 and failed.stderr.rstrip().endswith("handler ran")
    assert "does not exist" in failed.stdout


def test_the_quick_exit_waits_for_a_thread_still_running(tmp_path: Path) -> None:
    marker = tmp_path / "done"
    thread = (
        "import threading, time\n"
        f"threading.Thread(target=lambda: (time.sleep(0.5), open({str(marker)!r}, 'w').close())).start()"
    )
    assert probe(thread, "schema").returncode == 0
    assert marker.exists()  # the interpreter's normal exit joined the thread


@pytest.mark.skipif(importlib.util.find_spec("rich") is None, reason="httpx's CLI needs rich to be imported")
def test_httpx_s_own_command_line_is_not_imported(tmp_path: Path) -> None:
    report = "print(sorted(m for m, v in sys.modules.items() if v and m.startswith(('rich', 'httpx._main'))))"
    # run in tmp_path: the bare --emulator keeps its account in ./.humectl/, which is not the checkout's business
    example = str(EXAMPLES_DIR / "support-desk")
    seen = probe(f"import atexit\natexit.register(lambda: {report})", "plan", example, "--emulator", cwd=tmp_path)
    assert seen.returncode == 0, seen.stderr
    assert seen.stdout.splitlines()[-1] == "[]"
