"""Running the emulator: file databases across runs, the in-process transport, uvicorn, the CLI."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from humectl.emulator.app import EmulatorConfig
from humectl.emulator.serve import run_in_thread
from humectl.emulator.transport import in_process_transport
from tests.emulator.conftest import API_KEY, created, make_client, prompt_body


def test_file_db_is_seen_by_the_next_run(tmp_path: Path) -> None:
    db = tmp_path / "nested" / "emulator.sqlite3"
    with make_client(EmulatorConfig(db=str(db))) as first:
        p = created(first.post("/v0/evi/prompts", json=prompt_body()))
        created(first.post(f"/v0/evi/prompts/{p['id']}", json={"text": "v1"}))
        first.delete(f"/v0/evi/prompts/{p['id']}/version/1")
    assert db.exists()
    with make_client(EmulatorConfig(db=str(db))) as second:
        listed = second.get("/v0/evi/prompts").json()["prompts_page"]
        assert [(x["id"], x["version"]) for x in listed] == [(p["id"], 0)]
        # numbering survives the restart: version 1 was used, so the next one is 2
        assert created(second.post(f"/v0/evi/prompts/{p['id']}", json={"text": "v2"}))["version"] == 2
        assert second.post("/v0/evi/prompts", json=prompt_body()).status_code == 400  # duplicate name


def test_in_process_transport_with_async_client(tmp_path: Path) -> None:
    db = str(tmp_path / "e.sqlite3")

    async def write_then_read() -> list[str]:
        async with httpx.AsyncClient(
            transport=in_process_transport(EmulatorConfig(db=db)),
            base_url="http://emulator",
            headers={"X-Hume-Api-Key": "k"},
        ) as client:
            responses = await asyncio.gather(
                *(client.post("/v0/evi/tools", json={"name": f"t{i}", "parameters": "{}"}) for i in range(20))
            )
            assert all(r.status_code == 201 for r in responses)
        async with httpx.AsyncClient(
            transport=in_process_transport(EmulatorConfig(db=db)),
            base_url="http://emulator",
            headers={"X-Hume-Api-Key": "k"},
        ) as client:
            page = (await client.get("/v0/evi/tools", params={"page_size": 100})).json()
            return [t["name"] for t in page["tools_page"]]

    names = asyncio.run(write_then_read())
    assert sorted(names) == sorted(f"t{i}" for i in range(20))


def test_run_in_thread_serves_on_a_real_port() -> None:
    with run_in_thread(EmulatorConfig(api_key=API_KEY)) as url:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url) and not url.endswith(":0")
        with httpx.Client(base_url=url, headers={"X-Hume-Api-Key": API_KEY}) as c:
            assert c.post("/v0/evi/prompts", json=prompt_body()).status_code == 201
            assert len(c.get("/v0/evi/prompts").json()["prompts_page"]) == 1
            assert c.get("/v0/evi/prompts", headers={"X-Hume-Api-Key": "nope"}).status_code == 401
    try:
        httpx.get(url + "/_emulator/stats", timeout=1)
        raise AssertionError("server still answering after exit")
    except httpx.TransportError:
        pass


def test_cli_serve_prints_where_it_listens(tmp_path: Path) -> None:
    env = {**os.environ, "HUMECTL_EMULATOR_API_KEY": "cli-key"}
    db = tmp_path / "cli.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-m", "humectl", "emulator", "serve", "--port", "0", "--db", str(db), "--rate-limit", "50"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
        assert match, line + (proc.stderr.read() if proc.poll() is not None and proc.stderr else "")
        url = match.group(1)
        for _ in range(100):
            try:
                resp = httpx.get(url + "/v0/evi/prompts", headers={"X-Hume-Api-Key": "cli-key"}, timeout=2)
                break
            except httpx.TransportError:
                asyncio.run(asyncio.sleep(0.05))
        assert resp.status_code == 200
        assert httpx.get(url + "/v0/evi/prompts", headers={"X-Hume-Api-Key": "other"}).status_code == 401
        faults = httpx.get(url + "/_emulator/faults", headers={"X-Hume-Api-Key": "cli-key"})
        assert faults.json()["rate_limit"] == 50
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
    assert db.exists()


STOPPED_AT_ONCE = """
import os, signal, sys
from humectl.emulator.app import EmulatorConfig
from humectl.emulator.serve import serve

def announce(url):
    print(url, flush=True)
    os.kill(os.getpid(), getattr(signal, sys.argv[1]))  # before uvicorn's event loop and handlers exist

serve(EmulatorConfig(), port=0, announce=announce)
print("returned", flush=True)
"""


def test_a_signal_the_moment_the_url_is_announced_stops_the_server_gracefully() -> None:
    """A script that reads the URL and stops the server at once: the signal lands before uvicorn has
    installed its handlers (under load, while asyncio builds its loop). serve() must still stop and
    return, not raise KeyboardInterrupt or die with a half-built loop's traceback."""
    for sig in ("SIGINT", "SIGTERM"):
        done = subprocess.run(
            [sys.executable, "-c", STOPPED_AT_ONCE, sig],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # background shells ignore it
        )
        assert done.returncode == 0, (sig, done.stderr)
        assert done.stdout.splitlines()[-1] == "returned" and "Traceback" not in done.stderr, (sig, done.stderr)
