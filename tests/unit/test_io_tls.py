"""humectl.io.tls: which CA bundle the environment names, the context that trusts it, and a refused
certificate told apart from any other transport failure (through the exceptions' causes)."""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx
import pytest
import trustme

from humectl.core.errors import UsageError
from humectl.io.tls import ca_bundle_from_env, certificate_problem, ssl_context


def test_ssl_cert_file_wins_over_requests_ca_bundle() -> None:
    assert ca_bundle_from_env({"REQUESTS_CA_BUNDLE": "b", "SSL_CERT_FILE": "a"}) == "a"
    assert ca_bundle_from_env({"REQUESTS_CA_BUNDLE": "b", "SSL_CERT_FILE": ""}) == "b"
    assert ca_bundle_from_env({}) is None


def test_a_refused_certificate_is_found_through_the_causes() -> None:
    refused = ssl.SSLCertVerificationError(1, "certificate verify failed")
    refused.verify_message = "self-signed certificate"
    wrapped = httpx.ConnectError("[SSL] failed")
    wrapped.__cause__ = refused
    assert certificate_problem(wrapped) == "self-signed certificate"
    assert certificate_problem(httpx.ConnectError("[Errno 111] Connection refused")) is None
    assert certificate_problem(httpx.ReadTimeout("timed out")) is None


def test_the_context_trusts_the_bundle_given(tmp_path: Path) -> None:
    ca = trustme.CA()
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    context = ssl_context(str(bundle))
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    bundle.write_text("not a certificate", encoding="utf-8")
    with pytest.raises(UsageError, match="holds no CA certificate OpenSSL can load"):
        ssl_context(str(bundle))
