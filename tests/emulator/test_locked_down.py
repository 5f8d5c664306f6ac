"""A locked-down emulator (issue 26, item 4): ``humectl emulator serve`` given a key wants it on every
path, the ``/_emulator/`` admin ones too; the key comes from ``HUMECTL_EMULATOR_API_KEY`` or
``--api-key-file``, so the command line ``ps`` shows holds none; and listening beyond loopback without a
key says so on stderr.

The server runs as its own process (``python -m humectl emulator serve``), as users run it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.emulator.conftest import UNAUTHORIZED

SECRET = "sk-locked-down-4f9a1c"
ADMIN = (
    ("GET", "/_emulator/stats"),
    ("GET", "/_emulator/faults"),
    ("PUT", "/_emulator/faults"),
    ("POST", "/_emulator/seed"),
    ("POST", "/_emulator/reset"),
)


@contextmanager
def served(*args: str, env: dict[str, str] | None = None) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``humectl emulator serve --port 0 -o json ARGS`` until the block ends; yields it and its URL."""
    command = [sys.executable, "-m", "humectl", "emulator", "serve", "--port", "0", "-o", "json", *args]
    environment = {k: v for k, v in os.environ.items() if k != "HUMECTL_EMULATOR_API_KEY"}
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**environment, **(env or {})}
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # one JSON line once listening: the socket accepts from then on
        assert line, proc.stderr.read() if proc.stderr else ""
        yield proc, json.loads(line)["url"]
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)


def argv(proc: subprocess.Popen[str]) -> str:
    """The command line as ``ps`` shows it (what any user of the machine can read)."""
    return Path(f"/proc/{proc.pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def admin(url: str, method: str, path: str, key: str | None) -> httpx.Response:
    headers = {"X-Hume-Api-Key": key} if key is not None else {}
    body = {"chats": []} if path.endswith("seed") else ({"latency_ms": 0} if method == "PUT" else None)
    return httpx.request(method, url + path, headers=headers, json=body, timeout=10)


def check_locked(url: str) -> None:
    for key in (None, "", "wrong-key"):
        for method, path in (*ADMIN, ("GET", "/v0/evi/configs"), ("GET", "/v0/tts/voices?provider=HUME_AI")):
            refused = admin(url, method, path, key)
            assert refused.status_code == 401, (key, path, refused.text)
            assert refused.json() == UNAUTHORIZED  # the API's own 401 body
    for method, path in ADMIN:
        assert admin(url, method, path, SECRET).status_code in (200, 201), path
    assert httpx.get(url + "/v0/evi/configs", headers={"X-Hume-Api-Key": SECRET}).status_code == 200


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc to read a process's command line")
def test_a_key_from_the_environment_locks_every_path_and_stays_out_of_ps() -> None:
    with served(env={"HUMECTL_EMULATOR_API_KEY": SECRET}) as (proc, url):
        assert "emulator serve" in argv(proc) and SECRET not in argv(proc)
        check_locked(url)
    assert proc.stderr is not None and "warning" not in proc.stderr.read()  # loopback: no warning


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc to read a process's command line")
def test_a_key_from_a_file_locks_every_path_and_stays_out_of_ps(tmp_path: Path) -> None:
    key_file = tmp_path / "emulator.key"
    key_file.write_text(SECRET + "\n", encoding="utf-8")
    with served("--api-key-file", str(key_file)) as (proc, url):
        assert str(key_file) in argv(proc) and SECRET not in argv(proc)
        check_locked(url)


def test_without_a_key_the_admin_endpoints_stay_open_on_loopback() -> None:
    with served() as (_, url):
        assert admin(url, "GET", "/_emulator/stats", None).status_code == 200


def test_listening_beyond_loopback_without_a_key_warns() -> None:
    with served("--host", "0.0.0.0") as (proc, _):
        pass
    assert proc.stderr is not None
    assert "warning: the emulator listens on 0.0.0.0 without a key" in proc.stderr.read()
    with served("--host", "0.0.0.0", env={"HUMECTL_EMULATOR_API_KEY": SECRET}) as (proc, _):
        pass
    assert proc.stderr is not None and "warning" not in proc.stderr.read()


@pytest.mark.parametrize(
    ("content", "env", "message"),
    [
        (None, {}, "--api-key-file: cannot read"),
        ("", {}, "must hold the key, on one line"),
        ("a\nb\n", {}, "must hold the key, on one line"),
        (SECRET, {"HUMECTL_EMULATOR_API_KEY": SECRET}, "give the key once"),
    ],
)
def test_a_bad_key_file_is_a_usage_error(
    tmp_path: Path, content: str | None, env: dict[str, str], message: str
) -> None:
    key_file = tmp_path / "emulator.key"
    if content is not None:
        key_file.write_text(content, encoding="utf-8")
    command = [sys.executable, "-m", "humectl", "emulator", "serve", "--port", "0", "--api-key-file", str(key_file)]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **env}, timeout=60, check=False)
    assert done.returncode == 1 and message in done.stderr, done.stderr
    assert SECRET not in done.stderr and "Traceback" not in done.stderr
