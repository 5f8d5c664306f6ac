"""Where Hume's API spec lives for the tests, and what a test that needs it does when it is missing.

The spec (``hume-api-spec/``: the OpenAPI files, the Fern definition, the SDK's WireMock stubs) is
Hume's, never copied into this repository. The tests read it from ``HUMECTL_SHARED_DIR``, by default
``../shared`` beside the checkout (CONTRIBUTING.md says how to get it). Every test that reads it goes
through :func:`need_spec` (directly, through the ``shared_dir`` fixture, or through the ``needs_spec``
marker), which:

* returns the folder when the spec is there;
* skips the test with a reason naming ``HUMECTL_SHARED_DIR`` when it is not (a fresh clone passes);
* fails the test instead when ``HUMECTL_REQUIRE_SHARED=1`` (``.ci/run`` sets it): CI never passes
  by skipping the spec tests.

The emulator's answers are checked against the spec in every emulator and engine test
(:func:`optional_spec_validator`); without the spec those tests still run, unchecked, and the run's
summary says so.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest

from tests.emulator.spec_validator import SpecValidator

SHARED_ENV = "HUMECTL_SHARED_DIR"
REQUIRE_ENV = "HUMECTL_REQUIRE_SHARED"
REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = Path(os.environ.get(SHARED_ENV) or REPO_ROOT.parent / "shared").resolve()
SPEC_DIR = SHARED_DIR / "hume-api-spec"


def spec_missing() -> str | None:
    """Why the tests cannot read Hume's spec (a sentence naming ``HUMECTL_SHARED_DIR``), or None."""
    if (SPEC_DIR / "openapi").is_dir():
        return None
    return (
        f"Hume's API spec not found at {SPEC_DIR}: set {SHARED_ENV} to the folder holding "
        "hume-api-spec/ (CONTRIBUTING.md)"
    )


def required() -> bool:
    return os.environ.get(REQUIRE_ENV) == "1"


def need_spec(*, module_level: bool = False) -> Path:
    """The folder holding ``hume-api-spec/``; without it the calling test skips (fails when required)."""
    reason = spec_missing()
    if reason is None:
        return SHARED_DIR
    if required():
        pytest.fail(f"{REQUIRE_ENV}=1: {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=module_level)


@functools.cache
def optional_spec_validator() -> SpecValidator | None:
    """The validator every emulator answer passes through; None (answers unchecked) without the spec,
    unless it is required: then the test that asked fails."""
    reason = spec_missing()
    if reason is None:
        return SpecValidator(SHARED_DIR)
    if required():
        pytest.fail(f"{REQUIRE_ENV}=1: {reason}", pytrace=False)
    return None
