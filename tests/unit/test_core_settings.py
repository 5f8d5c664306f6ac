"""humectl.core.settings: where the API is, the key, parallelism, timeout, from flags and the environment."""

from __future__ import annotations

import pytest

from humectl.core.errors import UsageError
from humectl.core.settings import DEFAULT_BASE_URL, api_key_from_env
from humectl.io.endpoint import build_settings


def test_flags_win_over_the_environment() -> None:
    env = {"HUME_BASE_URL": "https://env.example/", "HUME_API_KEY": "k1"}
    settings = build_settings(base_url="https://flag.example/", emulator_db=None, env=env)
    assert settings.base_url == "https://flag.example" and settings.api_key == "k1"
    assert build_settings(base_url=None, emulator_db=None, env={}).base_url == DEFAULT_BASE_URL


def test_the_key_never_shows_in_the_repr() -> None:
    settings = build_settings(base_url=None, emulator_db=None, env={"HUME_API_KEY": "sk-very-secret"})
    assert "sk-very-secret" not in repr(settings)
    assert api_key_from_env({"HUME_TOKEN": "t"}) == "t" and api_key_from_env({}) is None


def test_a_bad_base_url_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        build_settings(base_url="not a url", emulator_db=None, env={})
