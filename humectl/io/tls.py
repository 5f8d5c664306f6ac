"""TLS that explains itself: which certificates humectl trusts, and what to say when a server's is
refused.

Trusted: the system's store (through truststore: what the operating system and a company's device
management trust, a proxy's CA included) and Mozilla's bundle (certifi), plus, when given, the CA
bundle of ``--ca-bundle FILE`` or of ``SSL_CERT_FILE`` / ``REQUESTS_CA_BUNDLE`` (the variables tools
already honour). A refused certificate is never retried: the error names the host, OpenSSL's reason
and the flag that fixes it.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping

import certifi
import truststore

from humectl.core.errors import UsageError

CA_BUNDLE_ENVS = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")
FIX = (
    "if a proxy or your company signs the certificates (TLS inspection), pass its CA certificate with "
    "--ca-bundle FILE (or set SSL_CERT_FILE / REQUESTS_CA_BUNDLE); check the host name in --base-url"
)


def ca_bundle_from_env(environ: Mapping[str, str]) -> str | None:
    """The CA bundle ``SSL_CERT_FILE`` or ``REQUESTS_CA_BUNDLE`` names (the first set), else None."""
    return next((environ[name] for name in CA_BUNDLE_ENVS if environ.get(name)), None)


def ssl_context(ca_bundle: str | None) -> ssl.SSLContext:
    """A client context trusting the system store, Mozilla's bundle and ``ca_bundle`` (a PEM file); a
    bundle OpenSSL cannot read is a usage error naming it."""
    context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(certifi.where())
    if ca_bundle is not None:
        try:
            context.load_verify_locations(ca_bundle)
        except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
            raise UsageError(
                f"the CA bundle {ca_bundle} holds no CA certificate OpenSSL can load ({type(exc).__name__})",
                hint="give the CA certificate(s) in PEM form (-----BEGIN CERTIFICATE-----) with --ca-bundle, "
                "SSL_CERT_FILE or REQUESTS_CA_BUNDLE",
            ) from None
    return context


def certificate_problem(exc: BaseException) -> str | None:
    """Why the server's certificate was refused, when that is what ``exc`` (a transport error) is."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return current.verify_message or current.reason or str(current)
        if isinstance(current, ssl.SSLError) and "CERTIFICATE_VERIFY_FAILED" in str(current):
            return str(current)
        current = current.__cause__ or current.__context__
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
        reason = text.split("certificate verify failed:", 1)[-1].strip(" ()_") if "verify failed:" in text else text
        return reason or "certificate verify failed"
    return None
