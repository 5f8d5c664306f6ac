"""humectl.io.endpoint: Settings from the flags and the environment, and the base URL checked (scheme,
host, port, no credentials) before anything is sent, in messages that never echo a password."""

from __future__ import annotations

import pytest

from humectl.core.errors import UsageError
from humectl.core.settings import DEFAULT_BASE_URL, DEFAULT_PARALLELISM, DEFAULT_TIMEOUT_S
from humectl.io.endpoint import build_settings, check_base_url


def test_flags_then_environment_then_defaults() -> None:
    env = {"HUME_BASE_URL": "https://env.example/v/", "HUME_API_KEY": "k1", "HUMECTL_TIMEOUT": "7"}
    from_env = build_settings(base_url=None, emulator_db=None, env=env)
    assert from_env.base_url == "https://env.example/v"  # trailing slash dropped
    assert (from_env.api_key, from_env.timeout_s, from_env.parallelism) == ("k1", 7.0, DEFAULT_PARALLELISM)
    flagged = build_settings(base_url="http://127.0.0.1:8765/", emulator_db=None, parallelism=3, timeout_s=2.5, env=env)
    assert (flagged.base_url, flagged.parallelism, flagged.timeout_s) == ("http://127.0.0.1:8765", 3, 2.5)
    bare = build_settings(base_url=None, emulator_db=None, env={})
    assert (bare.base_url, bare.api_key, bare.emulator_db, bare.timeout_s) == (
        DEFAULT_BASE_URL,
        None,
        None,
        DEFAULT_TIMEOUT_S,
    )


def test_the_key_comes_from_hume_token_too() -> None:
    assert build_settings(base_url=None, emulator_db=None, env={"HUME_TOKEN": "t"}).api_key == "t"


def test_the_in_process_emulator_never_checks_the_url() -> None:
    settings = build_settings(base_url="not a url", emulator_db="db.sqlite3", env={})
    assert settings.emulator_db == "db.sqlite3" and settings.base_url == "not a url"
    with pytest.raises(UsageError):
        build_settings(base_url="not a url", emulator_db=None, env={})


def test_a_bad_url_in_the_environment_is_refused_too() -> None:
    with pytest.raises(UsageError, match="must be an http"):
        build_settings(base_url=None, emulator_db=None, env={"HUME_BASE_URL": "ftp://x.example"})


@pytest.mark.parametrize(
    "url", ["https://api.hume.ai", "http://127.0.0.1:8765", "http://[::1]:1/prefix", "https://h.example:65535/a/b"]
)
def test_good_urls(url: str) -> None:
    check_base_url(url)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("api.hume.ai", "must be an http(s) URL with a host, got api.hume.ai"),
        ("ftp://api.hume.ai", "must be an http(s) URL with a host"),
        ("https://", "must be an http(s) URL with a host"),
        ("http://[::1", "is not a valid URL: http://[::1"),
        ("http://h.example:0", "has an invalid port '0': a port is a number from 1 to 65535"),
        ("http://h.example:65536", "has an invalid port '65536'"),
        ("http://h.example:http", "has an invalid port 'http'"),
    ],
)
def test_bad_urls_are_usage_errors(url: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        check_base_url(url)
    assert caught.value.message.startswith("--base-url / HUME_BASE_URL ")
    assert message in caught.value.message
    assert caught.value.exit_code == 1


def test_credentials_in_the_url_are_refused_without_echoing_them() -> None:
    with pytest.raises(UsageError) as caught:
        check_base_url("https://admin:hunter2@api.example.com/v0")
    assert "must not hold a user name or password" in caught.value.message
    assert "hunter2" not in caught.value.message and "admin" not in caught.value.message
    assert "***@api.example.com/v0" in caught.value.message
    assert caught.value.hint is not None and "HUME_API_KEY" in caught.value.hint


def test_what_httpx_refuses_is_refused_here_terminal_safe() -> None:
    for url in ("http://h\x01.example", "http://a\u3000b.example"):
        with pytest.raises(UsageError, match="is not a valid URL") as caught:
            check_base_url(url)
        assert "\x01" not in caught.value.message  # the control character is escaped, not sent to the terminal
