"""Frozen Settings built from flags and the environment: where the API is, the key, parallelism, output.

Secrets come from the environment only (``HUME_API_KEY``, or ``HUME_TOKEN``), never from a flag.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_BASE_URL = "https://api.hume.ai"
DEFAULT_EMULATOR_DB = ".humectl/emulator.sqlite3"
DEFAULT_PARALLELISM = 8


@dataclass(frozen=True)
class Settings:
    """How to reach the API. ``emulator_db`` set means: run the emulator in process over that file."""

    base_url: str = DEFAULT_BASE_URL
    api_key: str | None = field(default=None, repr=False)
    emulator_db: str | None = None
    parallelism: int = DEFAULT_PARALLELISM
    timeout_s: float = 30.0


def api_key_from_env(env: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if env is None else env
    return env.get("HUME_API_KEY") or env.get("HUME_TOKEN") or None


def build_settings(
    *,
    base_url: str | None,
    emulator_db: str | None,
    parallelism: int | None = None,
    timeout_s: float | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    env = os.environ if env is None else env
    return Settings(
        base_url=(base_url or env.get("HUME_BASE_URL") or DEFAULT_BASE_URL).rstrip("/"),
        api_key=api_key_from_env(env),
        emulator_db=emulator_db,
        parallelism=parallelism or DEFAULT_PARALLELISM,
        timeout_s=timeout_s or 30.0,
    )
