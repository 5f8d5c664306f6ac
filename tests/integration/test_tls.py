"""TLS that explains itself, against a local TLS server with a CA of its own (trustme): a refused
certificate names the host, the reason and the flag; --ca-bundle, SSL_CERT_FILE and
REQUESTS_CA_BUNDLE each make it trusted; a bad bundle is a usage error before anything is sent."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
import uvicorn
from click.testing import CliRunner, Result

from humectl.cli.app import cli
from humectl.emulator.app import EmulatorConfig, create_app
from tests.conftest import EXAMPLES_DIR


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def server(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The emulator over https on 127.0.0.1, its certificate signed by ``ca`` (which nobody trusts yet)."""
    where = tmp_path_factory.mktemp("tls")
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert.private_key_pem.write_to_path(str(where / "key.pem"))
    cert.cert_chain_pems[0].write_to_path(str(where / "cert.pem"))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        create_app(EmulatorConfig()),
        lifespan="off",
        log_level="warning",
        ssl_certfile=str(where / "cert.pem"),
        ssl_keyfile=str(where / "key.pem"),
    )
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not uv.started:  # uvicorn says when it listens
        time.sleep(0.01)
    try:
        yield f"https://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        uv.should_exit = True
        thread.join(10)


@pytest.fixture()
def evi(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES_DIR / "minimal", tmp_path / "evi")
    return tmp_path / "evi"


def plan(evi: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    base = {"HUME_API_KEY": "test-key", "SSL_CERT_FILE": "", "REQUESTS_CA_BUNDLE": "", "NO_COLOR": "1"}
    return CliRunner().invoke(cli, ["plan", str(evi), *args], env={**base, **(env or {})})


def test_a_refused_certificate_says_which_host_why_and_the_flag(server: str, evi: Path) -> None:
    result = plan(evi, "--base-url", server)
    assert result.exit_code == 1, result.output
    assert "the TLS certificate of 127.0.0.1 was not accepted" in result.stderr
    assert "certificate" in result.stderr.split("was not accepted:", 1)[1].lower()
    assert "--ca-bundle FILE" in result.stderr and "SSL_CERT_FILE" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("how", ["--ca-bundle", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"])
def test_the_proxys_ca_makes_it_trusted(server: str, evi: Path, ca: trustme.CA, tmp_path: Path, how: str) -> None:
    bundle = tmp_path / "company-ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    args, env = (["--ca-bundle", str(bundle)], {}) if how == "--ca-bundle" else ([], {how: str(bundle)})
    result = plan(evi, "--base-url", server, *args, env=env)
    assert result.exit_code == 0, result.output
    assert "to create" in result.output


@pytest.mark.parametrize(("content", "says"), [(None, "is not a file"), ("not a certificate", "holds no CA")])
def test_a_bad_bundle_is_a_usage_error(server: str, evi: Path, tmp_path: Path, content: str | None, says: str) -> None:
    bundle = tmp_path / "bundle.pem"
    if content is not None:
        bundle.write_text(content, encoding="utf-8")
    result = plan(evi, "--base-url", server, env={"SSL_CERT_FILE": str(bundle)})
    assert result.exit_code == 1, result.output
    assert says in result.stderr and "SSL_CERT_FILE" in result.stderr
    assert "Traceback" not in result.output
