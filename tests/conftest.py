"""Shared fixtures: where the Hume spec lives (../shared beside the checkout), the CLI runner."""

from __future__ import annotations

import os
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
