"""The suite's own rules and shared fixtures.

* Hume's spec: tests that read it skip without it, naming ``HUMECTL_SHARED_DIR``, and fail instead
  when ``HUMECTL_REQUIRE_SHARED=1`` (tests/hume_spec.py); the ``needs_spec`` marker and the
  ``shared_dir`` fixture are the two ways in.
* A run leaves the checkout as it found it: ``git status --porcelain --ignored`` at the end of the
  session must list nothing the start did not (caches such as ``__pycache__/`` aside); otherwise the
  run fails, naming what was left behind. Outside a git checkout (an unpacked sdist) this is skipped.
* Order: tests run shuffled (pytest-randomly); a test marked ``last_in_module`` (one that sums up
  what the others of its module did) still runs after them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from humectl.core import sensitive
from tests.hume_spec import REPO_ROOT, SHARED_DIR, SHARED_ENV, need_spec, required, spec_missing

__all__ = ["EXAMPLES_DIR", "REPO_ROOT", "SHARED_DIR", "TESTDATA_DIR"]

# CI replays the same examples every run (a landing must not hinge on luck); locally every run
# explores new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

EXAMPLES_DIR = REPO_ROOT / "examples"
TESTDATA_DIR = Path(__file__).resolve().parent / "testdata"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The folder holding Hume's API spec (``hume-api-spec/``); the test skips without it."""
    return need_spec()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "needs_spec: reads Hume's API spec (skipped without HUMECTL_SHARED_DIR)")
    config.addinivalue_line("markers", "last_in_module: runs after the rest of its module, whatever the order")
    config.stash[_SPEC_SKIPS] = 0
    config.stash[_CHECKOUT_BEFORE] = _checkout_state()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """``last_in_module`` tests go to the end of their module, after any shuffle (pytest-randomly
    reorders in a wrapper around this hook): a test that sums up what its module's tests did."""
    for item in [i for i in items if i.get_closest_marker("last_in_module")]:
        items.remove(item)
        same = [n for n, other in enumerate(items) if other.path == item.path]
        items.insert(same[-1] + 1 if same else len(items), item)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("needs_spec"):
        need_spec()


# ---- a skip for want of the spec is a failure when the spec is required ------------------------
# need_spec() already fails rather than skips when required; this also catches a skip written by
# hand (any skip whose reason names HUMECTL_SHARED_DIR), in a test or at collection.
_SPEC_SKIPS = pytest.StashKey[int]()


def _spec_skip(report: pytest.TestReport | pytest.CollectReport) -> bool:
    return bool(report.skipped) and SHARED_ENV in str(report.longrepr)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, object, object]:
    report = yield
    assert isinstance(report, pytest.TestReport)
    _count_or_fail(item.config, report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, object, object]:
    report = yield
    assert isinstance(report, pytest.CollectReport)
    _count_or_fail(collector.config, report)
    return report


def _count_or_fail(config: pytest.Config, report: pytest.TestReport | pytest.CollectReport) -> None:
    if not _spec_skip(report):
        return
    if required():
        report.outcome = "failed"
        report.longrepr = f"HUMECTL_REQUIRE_SHARED=1, and this skipped: {_reason(report)}"
    else:
        config.stash[_SPEC_SKIPS] += 1


def _reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    longrepr = report.longrepr
    text = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return text.removeprefix("Skipped: ")


# ---- the checkout is left as it was found -------------------------------------------------------
_CHECKOUT_BEFORE = pytest.StashKey["set[str] | None"]()
# What running Python and pytest leaves by design (all ignored by .gitignore).
_CACHES = {"__pycache__", ".pytest_cache", ".hypothesis", ".mypy_cache", ".ruff_cache"}


def _checkout_state() -> set[str] | None:
    """``git status --porcelain --ignored`` of the checkout, caches left out; None outside a git checkout."""
    git = shutil.which("git")
    if git is None:
        return None
    top = subprocess.run(
        [git, "-C", str(REPO_ROOT), "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=False
    )
    if top.returncode != 0 or Path(top.stdout.strip()).resolve() != REPO_ROOT:
        return None  # not a checkout of its own (an sdist unpacked somewhere, perhaps inside another repo)
    status = subprocess.run(
        [git, "-C", str(REPO_ROOT), "status", "--porcelain", "--ignored", "--untracked-files=normal"],
        capture_output=True,
        text=True,
        check=True,
    )
    return {
        line
        for line in status.stdout.splitlines()
        if not _CACHES.intersection(Path(line[3:].strip('"')).parts) and not line.endswith((".pyc", ".egg-info/"))
    }


_LEFT_BEHIND = pytest.StashKey[str]()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    before = session.config.stash.get(_CHECKOUT_BEFORE, None)
    after = _checkout_state() if before is not None else None
    if before is None or after is None or after <= before:
        return
    session.config.stash[_LEFT_BEHIND] = "\n".join(f"  {line}" for line in sorted(after - before))
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    config = terminalreporter.config
    reason = spec_missing()
    if reason is not None and not required():  # when required, each test that needed it failed
        skipped = config.stash.get(_SPEC_SKIPS, 0)
        what = f"{skipped} tests skipped, and the emulator's answers went unchecked" if skipped else "nothing skipped"
        terminalreporter.write_line(f"{what}: {reason}", yellow=True)
    left = config.stash.get(_LEFT_BEHIND, "")
    if left:
        terminalreporter.write_line(
            f"FAILED: the tests left this in the checkout (git status --porcelain --ignored):\n{left}", red=True
        )


@pytest.fixture(autouse=True)
def _no_sensitive_values_of_another_test() -> Iterator[None]:
    """Each test starts with an empty registry of sensitive values: humectl.core.sensitive keeps the
    running command's in a context variable, and values a test registered in the main thread would mask
    (and list) in a later test's plan (the golden scenarios failed so under one pytest-randomly order)."""
    sensitive.reset()
    yield
    sensitive.reset()


@pytest.fixture(autouse=True, scope="session")
def _cache_in_a_temporary_directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The cache of loaded manifests (humectl.load.cache) lives in a directory of the test run's own,
    never in the user's ~/.cache; subprocesses the tests start inherit it."""
    previous = os.environ.get("HUMECTL_CACHE_DIR")
    os.environ["HUMECTL_CACHE_DIR"] = str(tmp_path_factory.mktemp("humectl-cache"))
    yield
    if previous is None:
        os.environ.pop("HUMECTL_CACHE_DIR", None)
    else:
        os.environ["HUMECTL_CACHE_DIR"] = previous
