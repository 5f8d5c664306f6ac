"""A scripted walk through every EVI REST operation, each response checked against Hume's spec.

Every request goes through :class:`~tests.emulator.spec_validator.SpecValidatingMiddleware`, so
each response (successes and errors alike) is validated against the OpenAPI files in
``../shared/hume-api-spec/openapi/``; the fixture fails the test on any recorded violation. The
walk itself asserts the statuses and the bits of behaviour the spec fixes (201 on create, versions
from 0, ``restrict_to_most_recent`` both ways, empty pages past the end, Hume-shaped 400/404/422).

Each kind's test also asserts that it reached every operation of that kind with a 2xx answer,
so adding an operation to the emulator without a walk step, or skipping one, fails loudly.
Out of scope (see ``OUT_OF_SCOPE``): ``POST /v0/evi/chat/{chat_id}/send`` needs a live chat on
the EVI WebSocket; it is still called and must answer a Hume-style error. Chats and chat groups
are read-only history, seeded through the emulator's ``/_emulator/seed`` admin endpoint.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.emulator.inprocess import InProcessClient
from tests.emulator.spec_validator import SpecValidatingMiddleware, SpecValidator, format_violations

app_module = pytest.importorskip("humectl.emulator.app", reason="emulator app not built yet")

API_KEY = "conformance-test-key"
UNKNOWN = "00000000-0000-4000-8000-000000000000"
OUT_OF_SCOPE = {
    "POST /v0/evi/chat/{chat_id}/send": "control plane: needs an active chat over the EVI WebSocket",
}


class ValidatedClient(InProcessClient):
    """The in-process client over the emulator's ASGI app wrapped in the spec middleware."""

    def __init__(self, app: Any, validator: SpecValidator, api_key: str | None = API_KEY) -> None:
        self.middleware = SpecValidatingMiddleware(app, validator)
        self.validator = validator
        super().__init__(self.middleware, api_key=api_key, close_store=False)

    def succeeded_operations(self) -> set[str]:
        """``METHOD template`` of every operation that answered 2xx."""
        out = set()
        for method, path, status in self.middleware.seen:
            op = self.validator.match(method, path).operation
            if op is not None and 200 <= status < 300:
                out.add(op.key)
        return out

    def seen_operations(self) -> set[str]:
        out = set()
        for method, path, _ in self.middleware.seen:
            op = self.validator.match(method, path).operation
            if op is not None:
                out.add(op.key)
        return out


@pytest.fixture(scope="module")
def validator(shared_dir: Path) -> SpecValidator:
    return SpecValidator(shared_dir)


@pytest.fixture
def client(validator: SpecValidator) -> Iterator[ValidatedClient]:
    config = app_module.EmulatorConfig(api_key=API_KEY, seed=1)
    c = ValidatedClient(app_module.create_app(config), validator)
    try:
        yield c
    finally:
        c.close()
    assert c.middleware.seen, "no response went through the validator"
    assert list(c.middleware.violations) == [], "responses that break Hume's spec:\n" + format_violations(
        c.middleware.violations
    )


def _operations_of(validator: SpecValidator, prefix: str) -> set[str]:
    return {op.key for op in validator.operations if op.template.startswith(prefix)}


def _assert_error(resp: httpx.Response, *statuses: int) -> dict[str, Any]:
    assert resp.status_code in statuses, (resp.status_code, resp.text)
    body = resp.json()
    assert isinstance(body, dict)
    return body


# -- prompts, tools, configs: the nine versioned-resource operations each -------------------
def _prompt_body(name: str, n: int = 0) -> dict[str, Any]:
    return {"name": name, "text": f"You are helpful (v{n}).", "version_description": None}


def _tool_body(name: str, n: int = 0) -> dict[str, Any]:
    params = '{"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}'
    return {
        "name": name,
        "parameters": params,
        "description": f"Looks things up (v{n}).",
        "fallback_content": "Lookup is unavailable.",
    }


def _config_body(
    name: str, prompt: dict[str, Any] | None = None, tools: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name,
        "evi_version": "3",
        "voice": {"provider": "HUME_AI", "name": "ITO"},
        "language_model": {
            "model_provider": "ANTHROPIC",
            "model_resource": "claude-3-7-sonnet-latest",
            "temperature": 0.5,
        },
        "event_messages": {"on_new_chat": {"enabled": False, "text": ""}},
    }
    if prompt is not None:
        body["prompt"] = prompt
    if tools is not None:
        body["tools"] = tools
    return body


def _without_name(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "name"}


def _walk_versioned_kind(
    client: ValidatedClient,
    kind: str,
    page_key: str,
    make_body: Any,
    invalid_bodies: list[dict[str, Any]],
) -> None:
    base = f"/v0/evi/{kind}"

    # create two resources, three versions of the first (0, 1, 2)
    first = client.post(base, json=make_body(f"{kind}_alpha", 0))
    assert first.status_code == 201, first.text
    a = first.json()
    assert a["version"] == 0 and uuid.UUID(a["id"])
    created_on = a["created_on"]
    assert created_on > 10**12, "timestamps are epoch milliseconds"
    second = client.post(base, json=make_body(f"{kind}_beta", 0))
    assert second.status_code == 201, second.text
    b = second.json()
    for n in (1, 2):
        resp = client.post(f"{base}/{a['id']}", json=_without_name(make_body("ignored", n)))
        assert resp.status_code == 201, resp.text
        v = resp.json()
        assert (v["id"], v["version"], v["created_on"]) == (a["id"], n, created_on)

    # list: default and restrict_to_most_recent both ways, name filter
    latest = client.get(base).json()
    assert sorted((x["id"], x["version"]) for x in latest[page_key]) == sorted([(a["id"], 2), (b["id"], 0)])
    assert client.get(base, params={"restrict_to_most_recent": "true"}).json()[page_key] == latest[page_key]
    everything = client.get(base, params={"restrict_to_most_recent": "false"}).json()
    assert len(everything[page_key]) == 4
    named = client.get(base, params={"name": f"{kind}_beta"}).json()
    assert [x["id"] for x in named[page_key]] == [b["id"]]

    # pagination: one item per page, then past the end -> 200 with an empty page
    seen = []
    for page in range(4):
        resp = client.get(base, params={"page_size": 1, "page_number": page, "restrict_to_most_recent": "false"})
        assert resp.status_code == 200
        body = resp.json()
        assert body["page_number"] == page and body["page_size"] == 1
        seen += [(x["id"], x["version"]) for x in body[page_key]]
    assert len(set(seen)) == 4
    past = client.get(base, params={"page_size": 1, "page_number": 99}).json()
    assert past[page_key] in ([], None)

    # list versions of one resource: default (latest only), all, and past the end
    default_versions = client.get(f"{base}/{a['id']}").json()
    assert [x["version"] for x in default_versions[page_key]] == [2]
    all_versions = client.get(f"{base}/{a['id']}", params={"restrict_to_most_recent": "false"}).json()
    assert sorted(x["version"] for x in all_versions[page_key]) == [0, 1, 2]
    empty = client.get(f"{base}/{a['id']}", params={"page_number": 5, "restrict_to_most_recent": "false"})
    assert empty.status_code == 200 and empty.json()[page_key] in ([], None)

    # get one version, rename, describe a version
    got = client.get(f"{base}/{a['id']}/version/1")
    assert got.status_code == 200 and got.json()["version"] == 1
    renamed = client.patch(f"{base}/{a['id']}", json={"name": f"{kind}_gamma"})
    assert renamed.status_code == 200
    assert client.get(f"{base}/{a['id']}/version/0").json()["name"] == f"{kind}_gamma"
    described = client.patch(f"{base}/{a['id']}/version/1", json={"version_description": "second take"})
    assert described.status_code == 200 and described.json()["version_description"] == "second take"
    cleared = client.patch(f"{base}/{a['id']}/version/1", json={"version_description": None})
    assert cleared.status_code == 200 and cleared.json()["version_description"] is None
    after = client.get(base, params={"restrict_to_most_recent": "false"}).json()
    assert len(after[page_key]) == 4, "rename and description edits must not create versions"

    # delete one version, then the whole resource
    assert client.delete(f"{base}/{a['id']}/version/0").status_code == 200
    _assert_error(client.get(f"{base}/{a['id']}/version/0"), 400, 404)
    remaining = client.get(f"{base}/{a['id']}", params={"restrict_to_most_recent": "false"}).json()
    assert sorted(x["version"] for x in remaining[page_key]) == [1, 2]
    assert client.delete(f"{base}/{b['id']}").status_code == 200
    _assert_error(client.get(f"{base}/{b['id']}/version/0"), 400, 404)

    # error cases: unknown ids and versions, invalid bodies, bad paging, malformed path values
    _assert_error(client.get(f"{base}/{UNKNOWN}/version/0"), 400, 404)
    _assert_error(client.get(f"{base}/{a['id']}/version/99"), 400, 404)
    _assert_error(client.post(f"{base}/{UNKNOWN}", json=_without_name(make_body("x", 9))), 400, 404)
    _assert_error(client.patch(f"{base}/{UNKNOWN}", json={"name": "nobody"}), 400, 404)
    _assert_error(client.patch(f"{base}/{UNKNOWN}/version/0", json={"version_description": "x"}), 400, 404)
    _assert_error(client.delete(f"{base}/{UNKNOWN}"), 400, 404)
    _assert_error(client.delete(f"{base}/{a['id']}/version/99"), 400, 404)
    for bad in invalid_bodies:
        _assert_error(client.post(base, json=bad), 400, 422)
    _assert_error(client.post(base, content=b"{not json", headers={"content-type": "application/json"}), 400, 422)
    _assert_error(client.post(base, json=[1, 2]), 400, 422)
    _assert_error(client.get(base, params={"page_size": 0}), 400, 422)
    _assert_error(client.get(base, params={"page_size": 101}), 400, 422)
    _assert_error(client.get(base, params={"page_number": "first"}), 400, 422)
    _assert_error(client.get(base, params={"restrict_to_most_recent": "perhaps"}), 400, 422)
    _assert_error(client.get(f"{base}/{a['id']}/version/latest"), 400, 404, 422)
    _assert_error(client.get(f"{base}/not-a-uuid"), 400, 404, 422)
    dup = client.post(base, json=make_body(f"{kind}_gamma", 0))
    _assert_error(dup, 400)  # duplicate names are rejected with a 400 ErrorResponse (docs/emulator.md)

    assert client.delete(f"{base}/{a['id']}").status_code == 200
    assert client.get(base).json()[page_key] in ([], None)
    _assert_error(client.get(f"{base}/{a['id']}/version/1"), 400, 404)


def test_prompts_walk(client: ValidatedClient, validator: SpecValidator) -> None:
    _walk_versioned_kind(
        client,
        "prompts",
        "prompts_page",
        _prompt_body,
        invalid_bodies=[
            {"name": "no_text"},
            {"text": "no name"},
            {"name": 3, "text": "x"},
            {"name": "n", "text": None},
        ],
    )
    # prompt_expansion round-trips
    resp = client.post(
        "/v0/evi/prompts", json={"name": "expanded", "text": "t", "prompt_expansion": {"enabled": False}}
    )
    assert resp.status_code == 201 and resp.json()["prompt_expansion"] == {"enabled": False}
    assert client.succeeded_operations() >= _operations_of(validator, "/v0/evi/prompts")


def test_tools_walk(client: ValidatedClient, validator: SpecValidator) -> None:
    _walk_versioned_kind(
        client,
        "tools",
        "tools_page",
        _tool_body,
        invalid_bodies=[
            {"name": "no_parameters"},
            {"parameters": "{}"},
            {"name": "t", "parameters": {"type": "object"}},  # parameters must be a JSON *string*
            {"name": "t", "parameters": "{not json"},
        ],
    )
    assert client.succeeded_operations() >= _operations_of(validator, "/v0/evi/tools")


def test_configs_walk(client: ValidatedClient, validator: SpecValidator) -> None:
    prompt = client.post("/v0/evi/prompts", json=_prompt_body("cfg_prompt")).json()
    tool = client.post("/v0/evi/tools", json=_tool_body("cfg_tool")).json()
    refs: dict[str, Any] = {"prompt": {"id": prompt["id"], "version": 0}, "tools": [{"id": tool["id"], "version": 0}]}

    def make(name: str, n: int) -> dict[str, Any]:
        body = _config_body(name, **refs)
        body["version_description"] = f"v{n}"
        return body

    _walk_versioned_kind(
        client,
        "configs",
        "configs_page",
        make,
        invalid_bodies=[
            {"name": "no_evi_version"},
            {"evi_version": "3"},
            {"name": "c", "evi_version": "2"},
            {"name": "c", "evi_version": "3", "timeouts": {"inactivity": {"enabled": True, "duration_secs": 5}}},
            {
                "name": "c",
                "evi_version": "3",
                "webhooks": [{"url": "http://insecure.example", "events": ["chat_started"]}],
            },
            {"name": "c", "evi_version": "3", "prompt": {"id": UNKNOWN, "version": 0}},
            {"name": "c", "evi_version": "3", "tools": [{"id": tool["id"], "version": 7}]},
            {"name": "c", "evi_version": "3", "voice": {"provider": "HUME_AI", "name": "NO SUCH VOICE"}},
            {"name": "c", "evi_version": "3", "turn_detection": {"end_of_turn_silence_ms": 10}},
            {"name": "c", "evi_version": "3", "interruption": {"min_interruption_ms": 99999}},
            # null list items once crashed the emulator (500), found by test_schemathesis
            {"name": "c", "evi_version": "3", "builtin_tools": [None]},
            {"name": "c", "evi_version": "3", "tools": [None]},
            {"name": "c", "evi_version": "3", "webhooks": [None]},
        ],
    )
    # a full config comes back with embedded prompt/tools, the resolved voice and server defaults
    full = client.post("/v0/evi/configs", json=_config_body("full", **refs))
    assert full.status_code == 201, full.text
    cfg = full.json()
    assert cfg["prompt"]["text"] == prompt["text"] and cfg["tools"][0]["parameters"] == tool["parameters"]
    assert cfg["voice"]["name"] == "Ito" and cfg["voice"]["id"]  # asked as ITO: the library's spelling
    assert cfg["timeouts"]["max_duration"]["duration_secs"] == 1800
    # every optional section the spec knows, so their return shapes are validated too
    rich = _config_body("rich", **refs)
    rich.update(
        {
            "evi_version": "4-mini",
            "ellm_model": {"allow_short_responses": True},
            "builtin_tools": [{"name": "hang_up", "fallback_content": "bye"}],
            "nudges": {"enabled": True, "interval_secs": 30},
            "timeouts": {
                "inactivity": {"enabled": True, "duration_secs": 120},
                "max_duration": {"enabled": False, "duration_secs": 1800},
            },
            "turn_detection": {
                "end_of_turn_silence_ms": 800,
                "prefix_padding_ms": 300,
                "speech_detection_threshold": 0.5,
            },
            "interruption": {"min_interruption_ms": 800},
            "webhooks": [{"url": "https://hooks.example.com/evi", "events": ["chat_started", "chat_ended"]}],
        }
    )
    rich_resp = client.post("/v0/evi/configs", json=rich)
    assert rich_resp.status_code == 201, rich_resp.text
    # prompt given as text: Hume creates the prompt
    by_text = client.post(
        "/v0/evi/configs", json={"name": "by_text", "evi_version": "3", "prompt": {"text": "Be brief."}}
    )
    assert by_text.status_code == 201, by_text.text
    assert by_text.json()["prompt"]["text"] == "Be brief."
    assert client.succeeded_operations() >= _operations_of(validator, "/v0/evi/configs")


# -- voices ------------------------------------------------------------------------------------
def test_voices_walk(client: ValidatedClient, validator: SpecValidator) -> None:
    first = client.get("/v0/tts/voices", params={"provider": "HUME_AI", "page_size": 100})
    assert first.status_code == 200
    total_pages = first.json()["total_pages"]
    pages = [
        client.get("/v0/tts/voices", params={"provider": "HUME_AI", "page_size": 100, "page_number": n}).json()
        for n in range(total_pages + 1)
    ]
    names = {v["name"] for p in pages for v in p["voices_page"]}
    assert {"Ito", "Kora", "DACHER", "AURA", "Ava Song", "Male English Actor"} <= names and len(names) > 100
    assert pages[-1]["voices_page"] == []
    ascending = client.get("/v0/tts/voices", params={"provider": "HUME_AI", "ascending_order": "false"})
    assert ascending.status_code == 200

    assert client.get("/v0/tts/voices", params={"provider": "CUSTOM_VOICE"}).json()["voices_page"] == []
    made = client.post("/v0/tts/voices", json={"generation_id": str(uuid.uuid4()), "name": "my-voice"})
    assert made.status_code == 200, made.text
    assert made.json()["provider"] == "CUSTOM_VOICE" and made.json()["name"] == "my-voice"
    customs = client.get("/v0/tts/voices", params={"provider": "CUSTOM_VOICE"}).json()["voices_page"]
    assert [v["name"] for v in customs] == ["my-voice"]
    # a config may reference the custom voice by name (provider omitted means CUSTOM_VOICE)
    cfg = client.post(
        "/v0/evi/configs", json={"name": "custom_voiced", "evi_version": "3", "voice": {"name": "my-voice"}}
    )
    assert cfg.status_code == 201, cfg.text
    assert cfg.json()["voice"]["id"] == made.json()["id"]

    _assert_error(client.post("/v0/tts/voices", json={"name": "no-generation"}), 400, 422)
    _assert_error(client.post("/v0/tts/voices", json={"generation_id": "g"}), 400, 422)
    _assert_error(client.post("/v0/tts/voices", json={"generation_id": "g", "name": "my-voice"}), 400, 409, 422)
    _assert_error(client.get("/v0/tts/voices"), 400, 422)  # provider is required
    _assert_error(client.get("/v0/tts/voices", params={"provider": "ELEVEN_LABS"}), 400, 422)
    assert client.delete("/v0/tts/voices", params={"name": "my-voice"}).status_code == 200
    _assert_error(client.delete("/v0/tts/voices", params={"name": "my-voice"}), 400, 404)
    _assert_error(client.delete("/v0/tts/voices"), 400, 422)
    assert client.get("/v0/tts/voices", params={"provider": "CUSTOM_VOICE"}).json()["voices_page"] == []
    assert client.succeeded_operations() >= _operations_of(validator, "/v0/tts/voices")


# -- chats and chat groups (read-only) -------------------------------------------------------
def _seed_chats(client: ValidatedClient) -> tuple[str, str]:
    """Two chats in one group (the emulator runs no voice sessions; ``/_emulator/seed`` adds history)."""
    config = client.post("/v0/evi/configs", json=_config_body("chat_config"))
    assert config.status_code == 201, config.text
    ref = {"id": config.json()["id"], "version": 0}
    group = str(uuid.uuid4())
    events = [
        {"role": "SYSTEM", "type": "SYSTEM_PROMPT", "message_text": "Be kind."},
        {"role": "USER", "type": "USER_MESSAGE", "message_text": "Hello.", "emotion_features": "{}"},
        {"role": "AGENT", "type": "AGENT_MESSAGE", "message_text": "Hi!"},
    ]
    seeded = client.post(
        "/_emulator/seed",
        json={
            "chats": [
                {"chat_group_id": group, "config": ref, "events": events},
                {"chat_group_id": group, "config": ref, "events": events[:1], "metadata": "{}"},
            ]
        },
    )
    assert seeded.status_code in (200, 201), seeded.text
    return seeded.json()["chats"][0], group


def test_chats_and_chat_groups_walk(client: ValidatedClient, validator: SpecValidator) -> None:
    for path, page_key in (("/v0/evi/chats", "chats_page"), ("/v0/evi/chat_groups", "chat_groups_page")):
        empty = client.get(path)
        assert empty.status_code == 200, empty.text
        assert empty.json()[page_key] == []

    chat_id, group_id = _seed_chats(client)
    for path, page_key in (("/v0/evi/chats", "chats_page"), ("/v0/evi/chat_groups", "chat_groups_page")):
        body = client.get(path).json()
        assert len(body[page_key]) == (2 if page_key == "chats_page" else 1)
        for params in ({"ascending_order": "false"}, {"page_size": 1, "page_number": 1}, {"config_id": UNKNOWN}):
            again = client.get(path, params=params)
            assert again.status_code == 200, again.text
        assert client.get(path, params={"page_number": 50}).json()[page_key] == []
        assert client.get(path, params={"config_id": UNKNOWN}).json()[page_key] == []
        _assert_error(client.get(path, params={"page_size": 0}), 400, 422)
    assert client.get("/v0/evi/chats", params={"status": "USER_ENDED"}).status_code == 200

    events = client.get(f"/v0/evi/chats/{chat_id}", params={"page_size": 2})
    assert events.status_code == 200 and events.json()["id"] == chat_id
    assert len(events.json()["events_page"]) == 2
    assert client.get(f"/v0/evi/chats/{chat_id}", params={"page_number": 9}).json()["events_page"] == []
    group = client.get(f"/v0/evi/chat_groups/{group_id}")
    assert group.status_code == 200 and group.json()["num_chats"] == 2
    group_events = client.get(f"/v0/evi/chat_groups/{group_id}/events", params={"ascending_order": "false"})
    assert group_events.status_code == 200 and len(group_events.json()["events_page"]) == 4
    # audio reconstructions: no audio is recorded, but the reconstruction records must be well formed
    audio = client.get(f"/v0/evi/chats/{chat_id}/audio")
    assert audio.status_code == 200 and audio.json()["id"] == chat_id
    group_audio = client.get(f"/v0/evi/chat_groups/{group_id}/audio", params={"page_size": 1})
    assert group_audio.status_code == 200 and len(group_audio.json()["audio_reconstructions_page"]) == 1

    for path in (
        f"/v0/evi/chats/{UNKNOWN}",
        f"/v0/evi/chats/{UNKNOWN}/audio",
        f"/v0/evi/chat_groups/{UNKNOWN}",
        f"/v0/evi/chat_groups/{UNKNOWN}/events",
        f"/v0/evi/chat_groups/{UNKNOWN}/audio",
    ):
        _assert_error(client.get(path), 400, 404)
    # out of scope (needs a live chat socket), but it must still answer in Hume's shape
    send = client.post(f"/v0/evi/chat/{UNKNOWN}/send", json={"type": "pause_assistant_message"})
    _assert_error(send, 400, 404, 422)

    wanted = _operations_of(validator, "/v0/evi/chat")
    assert wanted <= client.seen_operations()
    assert client.succeeded_operations() >= wanted - set(OUT_OF_SCOPE)


# -- auth and routing ------------------------------------------------------------------------
def test_auth_and_unknown_routes_answer_hume_style(validator: SpecValidator) -> None:
    config = app_module.EmulatorConfig(api_key=API_KEY)
    app = app_module.create_app(config)
    for key in (None, "wrong-key"):
        anonymous = ValidatedClient(app, validator, api_key=key)
        try:
            for method, path in (("GET", "/v0/evi/prompts"), ("POST", "/v0/evi/configs"), ("DELETE", "/v0/tts/voices")):
                _assert_error(anonymous.request(method, path), 401)
        finally:
            anonymous.close()
        assert list(anonymous.middleware.violations) == [], format_violations(anonymous.middleware.violations)
    ok = ValidatedClient(app, validator)
    try:
        _assert_error(ok.get("/v0/evi/no_such_thing"), 404)
        _assert_error(ok.request("PUT", "/v0/evi/prompts"), 404, 405)
    finally:
        ok.close()
    assert list(ok.middleware.violations) == [], format_violations(ok.middleware.violations)


def test_every_spec_operation_is_walked(validator: SpecValidator) -> None:
    """The walks above name every operation in both specs (38), minus the documented exclusions."""
    walked_prefixes = ("/v0/evi/prompts", "/v0/evi/tools", "/v0/evi/configs", "/v0/tts/voices", "/v0/evi/chat")
    every = {op.key for op in validator.operations}
    assert every == set().union(*(_operations_of(validator, p) for p in walked_prefixes))
    assert set(OUT_OF_SCOPE) <= every
