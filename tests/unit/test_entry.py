"""The console script's fast --version agrees with the CLI's, and everything else reaches the CLI."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from humectl.cli.app import cli
from humectl.core.version import __version__
from tests.conftest import EXAMPLES_DIR

EXAMPLE = EXAMPLES_DIR / "minimal"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "humectl", *args], capture_output=True, text=True, check=False)


def test_the_fast_version_line_is_the_clis() -> None:
    fast = run("--version")
    assert fast.returncode == 0 and fast.stderr == ""
    assert fast.stdout == CliRunner().invoke(cli, ["--version"]).output == f"humectl, version {__version__}\n"


def test_version_loads_no_cli() -> None:
    probe = "import sys; sys.argv = ['humectl', '--version']; from humectl.entry import main; main(); "
    probe += "print(sorted(m for m in sys.modules if m.startswith(('click', 'humectl.cli.app', 'httpx'))))"
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


def _script(tmp_path: Path) -> Path:
    """A file that runs the console script's main, as the installed ``humectl`` executable does."""
    script = tmp_path / "humectl_script.py"
    script.write_text("from humectl.entry import main\nmain()\n", encoding="utf-8")
    return script


@pytest.mark.parametrize("how", ["module", "console-script"])
def test_coverage_run_of_a_command_writes_its_data(tmp_path: Path, how: str) -> None:
    """coverage saves its data at exit: the quick exit must never cut it off."""
    data = tmp_path / "coverage.data"
    target = ["-m", "humectl"] if how == "module" else [str(_script(tmp_path))]
    done = subprocess.run(
        [sys.executable, "-m", "coverage", "run", f"--data-file={data}", *target, "validate", str(EXAMPLE)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert data.is_file() and data.stat().st_size > 0


@pytest.mark.parametrize("how", ["module", "console-script"])
def test_cprofile_of_a_command_writes_its_profile(tmp_path: Path, how: str) -> None:
    profile = tmp_path / "out.prof"
    target = ["-m", "humectl"] if how == "module" else [str(_script(tmp_path))]
    done = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(profile), *target, "validate", str(EXAMPLE)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert profile.is_file() and profile.stat().st_size > 0


def test_python_m_humectl_takes_the_normal_exit() -> None:
    """Only the console script skips the interpreter's teardown: an atexit handler registered late (after
    the command's own) still runs either way, and ``python -m humectl`` leaves through SystemExit."""
    code = "import humectl.__main__ as m, inspect; print('quick_exit=False' in inspect.getsource(m))"
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
        == "True"
    )


@pytest.mark.skipif(importlib.util.find_spec("rich") is None, reason="httpx's CLI needs rich to be imported")
def test_httpx_s_own_command_line_is_not_imported_by_the_console_script(tmp_path: Path) -> None:
    report = "print(sorted(m for m, v in sys.modules.items() if v and m.startswith(('rich', 'httpx._main'))))"
    example = str(EXAMPLES_DIR / "support-desk")
    seen = probe(f"import atexit\natexit.register(lambda: {report})", "plan", example, "--emulator", cwd=tmp_path)
    assert seen.returncode == 0, seen.stderr
    assert seen.stdout.splitlines()[-1] == "[]"


def test_the_library_leaves_httpx_as_it_is() -> None:
    """Only the console script marks httpx._main missing: importing humectl's library changes nothing."""
    code = "import sys, humectl.ops.session, humectl.cli.app; print(sys.modules.get('httpx._main', 'absent') is None)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
