"""Shared fixtures: where the Hume spec lives (../shared beside the checkout), the CLI runner."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# CI replays the same examples every run (a landing must not hinge on luck); locally every run
# explores new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = Path(os.environ.get("HUMECTL_SHARED_DIR", REPO_ROOT.parent / "shared")).resolve()
EXAMPLES_DIR = REPO_ROOT / "examples"
TESTDATA_DIR = Path(__file__).resolve().parent / "testdata"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared: Hume's API spec. CI has it beside the checkout; it is never copied into the repo."""
    if not (SHARED_DIR / "hume-api-spec").is_dir():
        pytest.fail(f"Hume's API spec not found at {SHARED_DIR}/hume-api-spec (set HUMECTL_SHARED_DIR)")
    return SHARED_DIR


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
