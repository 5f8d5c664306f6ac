"""Errors as Hume's live API gave them (docs/fidelity.md): a list filtered by a name nothing has is an
error, not an empty page; error bodies are laid out ``{timestamp, status, error, message, path}``; a
refused key is the gateway's ``fault`` document. humectl reads the no-match error as "none" in one place
(``EviClient.list_heads``), so the lock, the create-settle check and history keep working.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result

from humectl.cli.app import cli
from humectl.core.errors import ApiError
from humectl.core.kinds import KINDS
from humectl.core.settings import Settings
from humectl.io.client import EviClient, RetryPolicy
from tests.conftest import EXAMPLES_DIR
from tests.emulator.conftest import (
    LIVE_ERROR_KEYS,
    UNAUTHORIZED,
    InProcessClient,
    config_body,
    created,
    prompt_body,
    tool_body,
)

KEY = "sk-test-errors"
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$")


def run(*args: str, key: str = KEY) -> Result:
    return CliRunner().invoke(cli, list(args), env={"HUME_API_KEY": key, "NO_COLOR": "1"})


# ---- the emulator answers as live did -------------------------------------------------------------


# Live's words for configs and prompts (Arkitecht/laravel-hume's live tests); tools follow configs.
NO_MATCH = {
    "configs": ("front-desk", "Config (Name: {}) does not exist"),
    "prompts": ("greeter", "Either prompt (Name: {}) does not exist "),
    "tools": ("lookup_order", "Tool (Name: {}) does not exist"),
}
BODIES = {"configs": config_body, "prompts": prompt_body, "tools": tool_body}


@pytest.mark.parametrize("kind", sorted(NO_MATCH))
def test_a_name_nothing_has_is_an_error_not_an_empty_page(client: InProcessClient, kind: str) -> None:
    path, (name, message) = f"/v0/evi/{kind}", NO_MATCH[kind]
    created(client.post(path, json=BODIES[kind](name)))
    for params in ({"name": "nobody"}, {"name": "nobody", "restrict_to_most_recent": "false", "page_number": 3}):
        resp = client.get(path, params=params)
        assert resp.status_code == 400, resp.text
        body = resp.json()
        assert list(body) == ["timestamp", "status", "error", "message", "path", "code"]  # live's order, then code
        assert set(body) == LIVE_ERROR_KEYS and ISO_MS.match(body["timestamp"]), body
        assert (body["status"], body["error"], body["path"]) == (400, "Bad Request", path)
        assert body["message"].startswith(message.format("nobody")), body["message"]
    # A name that exists still lists, and a page past its end is still an empty page.
    assert len(client.get(path, params={"name": name}).json()[f"{kind}_page"]) == 1
    assert client.get(path, params={"name": name, "page_number": 5}).json()[f"{kind}_page"] == []


def test_the_python_sdk_sees_the_no_match_error_as_live_gave_it(sdk: Any) -> None:
    from hume.empathic_voice.errors import BadRequestError

    with pytest.raises(BadRequestError) as refused:
        list(sdk.empathic_voice.configs.list_configs(name="nobody", request_options={"max_retries": 0}))
    body = refused.value.body
    message = body.message if hasattr(body, "message") else body["message"]
    assert message == "Config (Name: nobody) does not exist"


def test_unknown_ids_and_versions_use_lives_words(client: InProcessClient) -> None:
    config = created(client.post("/v0/evi/configs", json=config_body()))
    gone = client.get(f"/v0/evi/configs/{config['id']}/version/1")
    assert gone.status_code == 404
    assert gone.json()["message"] == f"Config (ID: {config['id']}, VERSION: 1) does not exist"


def test_a_refused_key_is_the_gateways_fault_document(client_factory: Any) -> None:
    anonymous = client_factory(api_key=None)
    assert anonymous.get("/v0/evi/configs").json() == UNAUTHORIZED


# ---- humectl reads the no-match error as "none", in one place ---------------------------------------


def live_shaped_server(heads: list[dict[str, Any]]) -> httpx.MockTransport:
    """A server answering lists as live did: a name nothing has is a 400 in live's layout."""

    def handler(request: httpx.Request) -> httpx.Response:
        name = request.url.params.get("name")
        page = [h for h in heads if name is None or h["name"] == name]
        if name is not None and not page:
            return httpx.Response(
                400,
                json={
                    "timestamp": "2025-09-16T15:34:09.158+00:00",
                    "status": 400,
                    "error": "Bad Request",
                    "message": f"Either prompt (Name: {name}) does not exist or is not accessible",
                    "path": request.url.path,
                },
            )
        if request.url.params.get("page_number") != "0":
            page = []
        return httpx.Response(200, json={"page_number": 0, "page_size": 100, "total_pages": 1, "prompts_page": page})

    return httpx.MockTransport(handler)


def heads_of(transport: httpx.MockTransport, **kwargs: Any) -> Any:
    async def read() -> Any:
        settings = Settings(base_url="http://127.0.0.1", api_key="k")
        async with EviClient(settings, transport=transport, retry=RetryPolicy(attempts=1)) as client:
            return await client.list_heads(KINDS["prompt"], **kwargs)

    return asyncio.run(read())


def test_the_client_reads_the_no_match_error_as_no_heads() -> None:
    greeter = {"id": "b3a0f4f2-7a53-4d1d-9c1e-2f4e6f0a1b2c", "version": 0, "name": "greeter", "text": "Hi"}
    server = live_shaped_server([greeter])
    assert heads_of(server, name="nobody") == []
    assert heads_of(server, name="greeter") == [greeter]
    assert heads_of(server) == [greeter]


def test_other_errors_of_a_name_filter_still_raise() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"error": "Bad Request", "message": "page_size must be at most 100"})

    with pytest.raises(ApiError, match="page_size"):
        heads_of(httpx.MockTransport(handler), name="nobody")


def test_lock_settle_and_history_keep_working_against_the_live_answer(tmp_path: Path) -> None:
    """apply (takes the account lock: reads its lock prompt by name), history of a name nothing has."""
    evi = tmp_path / "evi"
    shutil.copytree(EXAMPLES_DIR / "support-desk", evi)
    emulator = f"--emulator={tmp_path / 'account.sqlite3'}"
    applied = run("apply", str(evi), emulator, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert run("plan", str(evi), emulator, "--detailed-exitcode").exit_code == 0
    history = run("history", "config/support-desk", emulator)
    assert history.exit_code == 0, history.output
    missing = run("history", "config/support-dsk", emulator)
    assert missing.exit_code == 1 and "no live config is named 'support-dsk'" in missing.output
    assert "did you mean config/support-desk?" in missing.output


def test_a_refused_key_reads_in_humectls_error(tmp_path: Path) -> None:
    from humectl.emulator.app import EmulatorConfig
    from humectl.emulator.serve import run_in_thread

    with run_in_thread(EmulatorConfig(api_key="the-key")) as url:
        refused = run("export", "--base-url", url, "--dir", str(tmp_path / "out"), key="not-the-key")
    assert refused.exit_code == 1
    assert "HTTP 401: Invalid ApiKey" in refused.output
