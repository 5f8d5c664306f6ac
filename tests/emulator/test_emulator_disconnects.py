"""A client that disconnects mid-request: one log line, counted as a disconnect, never a traceback or a 500."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from humectl.emulator.app import EmulatorConfig
from humectl.emulator.serve import run_in_thread

PARTIAL = (
    b"POST /v0/evi/prompts HTTP/1.1\r\nHost: x\r\nX-Hume-Api-Key: k\r\nContent-Type: application/json\r\n"
    b'Content-Length: 1000\r\n\r\n{"name": "half'
)


def leave_mid_request(url: str, times: int = 1) -> None:
    host, port = url.removeprefix("http://").split(":")
    for _ in range(times):
        with socket.create_connection((host, int(port))) as sock:
            sock.sendall(PARTIAL)
            time.sleep(0.05)


def stats(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url + "/_emulator/stats") as answer:
        data: dict[str, object] = json.load(answer)
    return data


def wait_for(url: str, disconnects: int) -> dict[str, object]:
    for _ in range(100):
        found = stats(url)
        if found["client_disconnects"] == disconnects:
            return found
        time.sleep(0.02)
    return stats(url)


def test_a_disconnect_is_one_line_and_counted(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="humectl.emulator")
    with run_in_thread(EmulatorConfig()) as url:
        leave_mid_request(url, times=2)
        found = wait_for(url, 2)
        prompts = json.load(
            urllib.request.urlopen(urllib.request.Request(url + "/v0/evi/prompts", headers={"X-Hume-Api-Key": "k"}))
        )
    assert found["responses"] == {"POST /v0/evi/prompts": {"disconnected": 2}}
    assert found["by_status"] == {} and found["total"] == 2
    records = [r for r in caplog.records if r.name == "humectl.emulator"]
    line = "emulator: client disconnected before POST /v0/evi/prompts was answered"
    assert [r.getMessage() for r in records] == [line, line]
    assert all(r.exc_info is None for r in records)
    assert prompts["prompts_page"] == []  # nothing was made from half a request


def test_the_served_emulator_logs_no_traceback(tmp_path: object) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "humectl", "emulator", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        url = line.split(" on ")[1].split(" ")[0]
        leave_mid_request(url)
        assert wait_for(url, 1)["client_disconnects"] == 1
    finally:
        server.terminate()
        _, err = server.communicate(timeout=10)
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err and "ClientDisconnect" not in err
    assert lines == ["emulator: client disconnected before POST /v0/evi/prompts was answered"], err
