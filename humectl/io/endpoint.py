"""Where a command's API is: Settings built from the flags and the environment, the base URL checked
(scheme, host, port, no credentials in it) before anything is sent."""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlsplit

import httpx

from humectl.core.errors import MissingKeyError, UsageError
from humectl.core.settings import (
    DEFAULT_BASE_URL,
    DEFAULT_PARALLELISM,
    Settings,
    api_key_from_env,
    shown_url,
    timeout_from_env,
)
from humectl.io.tls import ca_bundle_from_env


def build_settings(
    *,
    base_url: str | None,
    emulator_db: str | None,
    parallelism: int | None = None,
    timeout_s: float | None = None,
    ca_bundle: str | None = None,
    env: Mapping[str, str] | None = None,
    environment: str | None = None,
    environment_url: str | None = None,
    key_variable: str | None = None,
) -> Settings:
    """Settings from the flags and the environment variables.

    An environment of humectl.yaml may say where its API is: ``environment_url`` (its ``base_url``,
    under ``--base-url`` and ``HUME_BASE_URL``, which still win) and ``key_variable`` (its
    ``api_key_env``: the variable holding its key, read instead of HUME_API_KEY/HUME_TOKEN). A key
    variable that is not set is named before any request; the key itself never is.
    """
    env = os.environ if env is None else env
    url = (base_url or env.get("HUME_BASE_URL") or environment_url or DEFAULT_BASE_URL).rstrip("/")
    if emulator_db is None:  # the in-process emulator never uses the URL
        check_base_url(url)
    key = api_key_from_env(env)
    if key_variable is not None:
        key = env.get(key_variable) or None
        if key is None and emulator_db is None:
            raise MissingKeyError(
                f"no API key: environment '{environment}' reads its key from {key_variable} (api_key_env in "
                f"humectl.yaml), which is not set",
                hint=f"set {key_variable} to the key of {shown_url(url)}, or use --emulator",
            )
    if key is not None and not (key.isascii() and key.isprintable()):
        source = key_variable or "HUME_API_KEY (or HUME_TOKEN)"
        raise UsageError(
            f"the API key in {source} holds characters an HTTP header cannot carry (not printable ASCII)",
            hint=f"set {source} to the key exactly as issued",
        )
    # A bundle matters only over https (plain http to a local emulator does no TLS): it is loaded once,
    # by the client, which words a bundle OpenSSL cannot read as a usage error too.
    bundle = ca_bundle or ca_bundle_from_env(env)
    if bundle is not None and (ca_bundle is not None or url.startswith("https:")):
        check_ca_bundle(bundle, "--ca-bundle" if ca_bundle else "SSL_CERT_FILE / REQUESTS_CA_BUNDLE")
    return Settings(
        base_url=url,
        api_key=key,
        emulator_db=emulator_db,
        parallelism=parallelism or DEFAULT_PARALLELISM,
        timeout_s=timeout_s or timeout_from_env(env),
        ca_bundle=bundle,
    )


def check_ca_bundle(path: str, what: str) -> None:
    """A CA bundle must be a file: a clear usage error otherwise, before any request (whether OpenSSL
    can read it is found when the client loads it: humectl.io.tls.ssl_context)."""
    if not os.path.isfile(path):
        raise UsageError(f"{what}: {shown_url(path)} is not a file", hint="name a PEM file of CA certificates")


def check_base_url(url: str) -> None:
    """Refuse a base URL humectl cannot or must not use, with a message that never echoes a password.

    It must be ``http(s)://host[:port][/path]`` with a port from 1 to 65535, and hold no user name or
    password: the key comes from ``HUME_API_KEY`` only, and ``user:password@`` would be sent as Basic
    auth to whatever answers.
    """

    shown = shown_url(url)
    what = "--base-url / HUME_BASE_URL"
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:  # e.g. an unclosed "[" of an IPv6 host
        raise UsageError(f"{what} is not a valid URL: {shown}", hint="write https://host[:port]") from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise UsageError(f"{what} must be an http(s) URL with a host, got {shown}", hint="write https://host[:port]")
    if "@" in parts.netloc:
        raise UsageError(
            f"{what} must not hold a user name or password ({shown})",
            hint="drop the user:password@ part; the API key comes from HUME_API_KEY (or HUME_TOKEN) only",
        )
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is not None and not 1 <= port <= 65535:
        raw = parts.netloc.rpartition(":")[2]
        raise UsageError(
            f"{what} has an invalid port {shown_url(raw)!r}: a port is a number from 1 to 65535",
            hint="e.g. http://127.0.0.1:8765 for `humectl emulator serve`",
        )
    try:
        httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        raise UsageError(f"{what} is not a valid URL ({shown}): {exc}") from None
