"""Without Hume's spec the tests that read it skip, naming HUMECTL_SHARED_DIR; required, they fail.

Each case runs pytest for real, in a subprocess, on real tests of this suite (and on one written here,
whose skip names the variable by hand), with ``HUMECTL_SHARED_DIR`` pointing at an empty folder.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT

# one of each way in: the shared_dir fixture, the needs_spec marker, a module that needs the spec at
# import (schemathesis builds its tests from it), and an emulator test that only checks answers with it
SPEC_TESTS = [
    "tests/unit/test_load_schema.py::test_enums_and_ranges_match_humes_spec",
    "tests/emulator/test_spec_validator.py::test_unknown_paths",
    "tests/emulator/test_schemathesis.py",
    "tests/emulator/test_emulator_resources.py::test_create_returns_201_uuid_version_0_ms_timestamps[prompts]",
]
HAND_WRITTEN = """
import pytest

def test_skips_by_hand():
    pytest.skip("the spec is missing: set HUMECTL_SHARED_DIR")
"""


def pytest_run(tmp_path: Path, *args: str, require: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUMECTL_")}
    env["HUMECTL_SHARED_DIR"] = str(tmp_path / "empty")
    if require:
        env["HUMECTL_REQUIRE_SHARED"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:randomly", "-p", "no:cacheprovider", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_without_the_spec_its_tests_skip_naming_the_variable(tmp_path: Path) -> None:
    run = pytest_run(tmp_path, *SPEC_TESTS, require=False)
    assert run.returncode == 0, run.stdout + run.stderr
    skips = re.findall(r"^SKIPPED \[(\d+)\] (.*)$", run.stdout, re.M)
    assert sum(int(n) for n, _ in skips) == 3, run.stdout
    assert all("set HUMECTL_SHARED_DIR to the folder holding hume-api-spec/" in line for _, line in skips)
    assert "1 passed, 3 skipped" in run.stdout  # the emulator test ran, its answers unchecked
    assert "3 tests skipped, and the emulator's answers went unchecked" in run.stdout


def test_required_they_fail_instead(tmp_path: Path) -> None:
    run = pytest_run(tmp_path, "--continue-on-collection-errors", *SPEC_TESTS, require=True)
    assert run.returncode == 1, run.stdout
    assert "ERROR collecting tests/emulator/test_schemathesis.py" in run.stdout
    assert run.stdout.count("HUMECTL_REQUIRE_SHARED=1: Hume's API spec not found") == 4, run.stdout
    assert "4 errors" in run.stdout and "skipped" not in run.stdout, run.stdout  # 3 tests + the module


def test_required_a_skip_written_by_hand_that_names_the_variable_fails_too(tmp_path: Path) -> None:
    test = tmp_path / "test_by_hand.py"
    test.write_text(HAND_WRITTEN, encoding="utf-8")
    run = pytest_run(
        tmp_path, "-p", "tests.conftest", "--rootdir", str(tmp_path), "-c", os.devnull, str(test), require=True
    )
    assert run.returncode == 1, run.stdout
    assert "HUMECTL_REQUIRE_SHARED=1, and this skipped: the spec is missing" in run.stdout
