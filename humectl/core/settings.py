"""Frozen Settings built from flags and the environment: where the API is, the key, parallelism, output.

Secrets come from the environment only (``HUME_API_KEY``, or ``HUME_TOKEN``), never from a flag.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from humectl.core.errors import UsageError
from humectl.core.escape import terminal

DEFAULT_BASE_URL = "https://api.hume.ai"
DEFAULT_EMULATOR_DB = ".humectl/emulator.sqlite3"
DEFAULT_PARALLELISM = 8
DEFAULT_TIMEOUT_S = 30.0
TIMEOUT_ENV = "HUMECTL_TIMEOUT"  # seconds per request (connect, read, write); --timeout wins


@dataclass(frozen=True)
class Settings:
    """How to reach the API. ``emulator_db`` set means: run the emulator in process over that file."""

    base_url: str = DEFAULT_BASE_URL
    api_key: str | None = field(default=None, repr=False)
    emulator_db: str | None = None
    parallelism: int = DEFAULT_PARALLELISM
    timeout_s: float = DEFAULT_TIMEOUT_S
    ca_bundle: str | None = None  # a PEM file of CA certificates trusted besides the system's (humectl.io.tls)


def api_key_from_env(env: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if env is None else env
    return env.get("HUME_API_KEY") or env.get("HUME_TOKEN") or None


def shown_url(url: str) -> str:
    """``url`` fit for a message: any user name or password replaced by ``***``, controls escaped."""

    scheme, sep, rest = url.partition("://")
    authority, slash, path = rest.partition("/")
    if sep and "@" in authority:
        authority = "***@" + authority.rpartition("@")[2]
    return terminal(f"{scheme}{sep}{authority}{slash}{path}" if sep else url)


def emulator_db_problem(path: str) -> str | None:
    """Why ``path`` cannot hold the emulator's account (``is a directory``, …), or None when it can."""
    if path == ":memory:":
        return None
    target = Path(path)
    if target.is_dir():
        return "is a directory, not an emulator database file"
    for parent in target.parents:
        if parent.exists():
            if not parent.is_dir():
                return f"cannot be created: {parent} is not a directory"
            break
    if target.is_file():
        try:
            with target.open("rb") as handle:
                head = handle.read(len(_SQLITE_HEADER))
        except OSError as exc:
            return f"cannot be read: {exc.strerror or exc}"
        if head and head != _SQLITE_HEADER:
            return "is not an emulator database (not a SQLite file)"
    return None


_SQLITE_HEADER = b"SQLite format 3\x00"


def timeout_from_env(env: Mapping[str, str]) -> float:
    """``HUMECTL_TIMEOUT`` (seconds, > 0), else the default; a bad value is a usage error."""
    raw = env.get(TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value < float("inf"):
        raise UsageError(f"{TIMEOUT_ENV} must be a number of seconds above 0, got {raw!r}")
    return value
