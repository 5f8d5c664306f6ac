"""Configs: embedded prompt/tool objects, resolved voices, server defaults, inheritance, validation."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.emulator.conftest import (
    LIVE_ERROR_KEYS,
    UNKNOWN_ID,
    InProcessClient,
    config_body,
    created,
    library_id,
    prompt_body,
    tool_body,
)


@pytest.fixture
def refs(client: InProcessClient) -> dict[str, Any]:
    """A prompt with versions 0..2 and a tool with versions 0..1."""
    prompt = created(client.post("/v0/evi/prompts", json=prompt_body()))
    for n in (1, 2):
        created(client.post(f"/v0/evi/prompts/{prompt['id']}", json={"text": f"v{n}"}))
    tool = created(client.post("/v0/evi/tools", json=tool_body()))
    created(client.post(f"/v0/evi/tools/{tool['id']}", json={"parameters": "{}", "description": "v1"}))
    return {"prompt": prompt, "tool": tool}


def test_server_defaults_are_filled(client: InProcessClient) -> None:
    body = created(client.post("/v0/evi/configs", json=config_body()))
    assert body["evi_version"] == "3"
    assert body["timeouts"] == {  # Hume's documented defaults (docs/fidelity.md)
        "inactivity": {"enabled": True, "duration_secs": 120},
        "max_duration": {"enabled": True, "duration_secs": 1800},
    }
    assert body["nudges"] == {"enabled": False, "interval_secs": None}
    assert body["ellm_model"] == {"allow_short_responses": False}
    assert body["tools"] == [] and body["builtin_tools"] == [] and body["webhooks"] == []
    assert body["event_messages"] == {
        k: {"enabled": False, "text": None} for k in ("on_new_chat", "on_inactivity_timeout", "on_max_duration_timeout")
    }
    for absent in ("prompt", "voice", "language_model", "turn_detection", "interruption"):
        assert absent not in body
    assert list(body)[:7] == [
        "id",
        "version",
        "version_description",
        "name",
        "created_on",
        "modified_on",
        "evi_version",
    ]


def test_pinned_references_embed_full_objects(client: InProcessClient, refs: dict[str, Any]) -> None:
    pid, tid = refs["prompt"]["id"], refs["tool"]["id"]
    body = created(
        client.post(
            "/v0/evi/configs",
            json=config_body(prompt={"id": pid, "version": 1}, tools=[{"id": tid, "version": 0}]),
        )
    )
    assert body["prompt"] == client.get(f"/v0/evi/prompts/{pid}/version/1").json()
    assert body["tools"] == [client.get(f"/v0/evi/tools/{tid}/version/0").json()]
    assert body["prompt"]["version_type"] == "FIXED" and body["tools"][0]["version_type"] == "FIXED"
    # a rename of the prompt shows in the config (references, not copies)
    client.patch(f"/v0/evi/prompts/{pid}", json={"name": "renamed"})
    again = client.get(f"/v0/evi/configs/{body['id']}/version/0").json()
    assert again["prompt"]["name"] == "renamed" and again["prompt"]["version"] == 1


def test_reference_without_version_follows_latest(client: InProcessClient, refs: dict[str, Any]) -> None:
    pid, tid = refs["prompt"]["id"], refs["tool"]["id"]
    body = created(client.post("/v0/evi/configs", json=config_body(prompt={"id": pid}, tools=[{"id": tid}])))
    assert (body["prompt"]["version"], body["prompt"]["version_type"]) == (2, "LATEST")
    assert (body["tools"][0]["version"], body["tools"][0]["version_type"]) == (1, "LATEST")
    created(client.post(f"/v0/evi/prompts/{pid}", json={"text": "v3"}))
    assert client.get(f"/v0/evi/configs/{body['id']}/version/0").json()["prompt"]["version"] == 3


def test_prompt_text_creates_a_prompt(client: InProcessClient) -> None:
    body = created(client.post("/v0/evi/configs", json=config_body(prompt={"text": "Be brief."})))
    prompt = body["prompt"]
    assert prompt["text"] == "Be brief." and prompt["version"] == 0
    assert re.fullmatch(r"created_inline_[0-9a-f-]{36}", prompt["name"])  # as live named them
    assert client.get(f"/v0/evi/prompts/{prompt['id']}/version/0").status_code == 200
    v1 = created(client.post(f"/v0/evi/configs/{body['id']}", json={"evi_version": "3", "prompt": {"text": "Again"}}))
    assert v1["prompt"]["name"].startswith("created_inline_") and v1["prompt"]["id"] != prompt["id"]


def test_deleted_reference_is_left_out(client: InProcessClient, refs: dict[str, Any]) -> None:
    pid, tid = refs["prompt"]["id"], refs["tool"]["id"]
    body = created(
        client.post("/v0/evi/configs", json=config_body(prompt={"id": pid, "version": 0}, tools=[{"id": tid}]))
    )
    client.delete(f"/v0/evi/prompts/{pid}/version/0")
    client.delete(f"/v0/evi/tools/{tid}")
    again = client.get(f"/v0/evi/configs/{body['id']}/version/0").json()
    assert "prompt" not in again and again["tools"] == []


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("prompt", {"id": UNKNOWN_ID}, f"Prompt {UNKNOWN_ID} not found"),
        ("prompt", {"id": "not-even-a-uuid", "version": 0}, "Prompt not-even-a-uuid version 0 not found"),
        ("tools", [{"id": UNKNOWN_ID, "version": 3}], f"Tool {UNKNOWN_ID} version 3 not found"),
        ("tools", [{"id": UNKNOWN_ID}], f"Tool {UNKNOWN_ID} not found"),
    ],
)
def test_unknown_references_are_400_naming_the_id(
    client: InProcessClient, field: str, value: Any, fragment: str
) -> None:
    resp = client.post("/v0/evi/configs", json=config_body(**{field: value}))
    assert resp.status_code == 400, resp.text
    assert fragment in resp.json()["message"]


def test_unknown_version_of_known_prompt_is_400(client: InProcessClient, refs: dict[str, Any]) -> None:
    pid = refs["prompt"]["id"]
    resp = client.post("/v0/evi/configs", json=config_body(prompt={"id": pid, "version": 9}))
    assert resp.status_code == 400 and f"Prompt {pid} version 9 not found" in resp.json()["message"]


def test_hume_voice_by_name_resolves_id(client: InProcessClient) -> None:
    body = created(client.post("/v0/evi/configs", json=config_body(voice={"provider": "HUME_AI", "name": "KORA"})))
    assert body["voice"]["id"] == library_id("KORA")
    assert body["voice"]["name"] == "Kora" and body["voice"]["provider"] == "HUME_AI"  # the library's spelling
    by_id = created(
        client.post("/v0/evi/configs", json=config_body("c2", voice={"provider": "HUME_AI", "id": library_id("ITO")}))
    )
    assert by_id["voice"]["name"] == "Ito"


def test_voice_without_provider_means_custom_voice(client: InProcessClient) -> None:
    resp = client.post("/v0/evi/configs", json=config_body(voice={"name": "ITO"}))
    assert resp.status_code == 400 and "CUSTOM_VOICE" in resp.json()["message"]
    voice = client.post("/v0/tts/voices", json={"generation_id": "gen-1", "name": "My Voice"}).json()
    body = created(client.post("/v0/evi/configs", json=config_body(voice={"name": "My Voice"})))
    assert body["voice"]["id"] == voice["id"] and body["voice"]["provider"] == "CUSTOM_VOICE"
    by_id = created(client.post("/v0/evi/configs", json=config_body("c2", voice={"id": voice["id"]})))
    assert by_id["voice"]["name"] == "My Voice"


@pytest.mark.parametrize(
    "voice",
    [
        {"provider": "HUME_AI", "name": "NOBODY"},
        {"provider": "HUME_AI", "id": UNKNOWN_ID},
        {"provider": "CUSTOM_VOICE", "id": UNKNOWN_ID},
        {"provider": "HUME_AI", "name": "ITO", "id": library_id("KORA")},
    ],
)
def test_unknown_voices_are_400(client: InProcessClient, voice: dict[str, Any]) -> None:
    resp = client.post("/v0/evi/configs", json=config_body(voice=voice))
    assert resp.status_code == 400 and resp.json()["code"] == "voice_not_found"


def test_full_config_round_trips(client: InProcessClient, refs: dict[str, Any]) -> None:
    sent = config_body(
        evi_version="4-mini",
        version_description="first",
        prompt={"id": refs["prompt"]["id"], "version": 2},
        voice={"provider": "HUME_AI", "name": "ITO"},
        language_model={
            "model_provider": "ANTHROPIC",
            "model_resource": "claude-3-7-sonnet-latest",
            "temperature": 0.6,
        },
        ellm_model={"allow_short_responses": True},
        tools=[{"id": refs["tool"]["id"], "version": 1}],
        builtin_tools=[{"name": "hang_up"}, {"name": "web_search", "fallback_content": "Search is down."}],
        event_messages={"on_new_chat": {"enabled": True, "text": "Hi"}},
        timeouts={"inactivity": {"enabled": True, "duration_secs": 120}, "max_duration": {"enabled": False}},
        nudges={"enabled": True, "interval_secs": 30},
        turn_detection={"end_of_turn_silence_ms": 800, "prefix_padding_ms": 300, "speech_detection_threshold": 0.5},
        interruption={"min_interruption_ms": 800},
        webhooks=[{"url": "https://hooks.example.com/evi", "events": ["chat_started", "chat_ended"]}],
    )
    body = created(client.post("/v0/evi/configs", json=sent))
    assert body["evi_version"] == "4-mini" and body["version_description"] == "first"
    assert body["language_model"] == sent["language_model"]
    assert body["ellm_model"] == {"allow_short_responses": True}
    assert body["builtin_tools"] == [
        {"name": "hang_up", "tool_type": "BUILTIN", "fallback_content": None},
        {"name": "web_search", "tool_type": "BUILTIN", "fallback_content": "Search is down."},
    ]
    assert body["event_messages"]["on_new_chat"] == {"enabled": True, "text": "Hi"}
    assert body["event_messages"]["on_inactivity_timeout"] == {"enabled": False, "text": None}
    assert body["timeouts"] == {
        "inactivity": {"enabled": True, "duration_secs": 120},
        "max_duration": {"enabled": False, "duration_secs": 1800},
    }
    assert body["nudges"] == {"enabled": True, "interval_secs": 30}
    assert body["turn_detection"] == sent["turn_detection"]
    assert body["interruption"] == sent["interruption"]
    assert body["webhooks"] == sent["webhooks"]
    assert client.get(f"/v0/evi/configs/{body['id']}/version/0").json() == body
    listed = client.get("/v0/evi/configs").json()["configs_page"]
    assert listed == [body]


def test_new_version_inherits_ellm_model_only(client: InProcessClient) -> None:
    first = created(
        client.post(
            "/v0/evi/configs",
            json=config_body(ellm_model={"allow_short_responses": True}, nudges={"enabled": True, "interval_secs": 9}),
        )
    )
    v1 = created(client.post(f"/v0/evi/configs/{first['id']}", json={"evi_version": "3"}))
    assert v1["ellm_model"] == {"allow_short_responses": True}
    assert v1["nudges"] == {"enabled": False, "interval_secs": None}  # other omitted fields: the default again
    v2 = created(
        client.post(
            f"/v0/evi/configs/{first['id']}", json={"evi_version": "3", "ellm_model": {"allow_short_responses": None}}
        )
    )
    assert v2["ellm_model"] == {"allow_short_responses": True}
    v3 = created(
        client.post(
            f"/v0/evi/configs/{first['id']}", json={"evi_version": "3", "ellm_model": {"allow_short_responses": False}}
        )
    )
    assert v3["ellm_model"] == {"allow_short_responses": False}


def test_nudges_keys_left_out_take_the_default(client: InProcessClient) -> None:
    # Live answered nudges {enabled: false, interval_secs: null} for a config that sent none.
    body = created(client.post("/v0/evi/configs", json=config_body(nudges={"interval_secs": 15})))
    assert body["nudges"] == {"enabled": False, "interval_secs": 15}


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ({"evi_version": "2"}, "evi_version"),
        ({"evi_version": "4"}, "evi_version"),
        ({"timeouts": {"inactivity": {"enabled": True, "duration_secs": 29}}}, "timeouts.inactivity.duration_secs"),
        ({"timeouts": {"max_duration": {"enabled": True, "duration_secs": 1801}}}, "timeouts.max_duration"),
        ({"language_model": {"temperature": 1.5}}, "temperature"),
        ({"language_model": {"temperature": -0.1}}, "temperature"),
        ({"turn_detection": {"end_of_turn_silence_ms": 499}}, "end_of_turn_silence_ms"),
        ({"turn_detection": {"end_of_turn_silence_ms": 3001}}, "end_of_turn_silence_ms"),
        ({"turn_detection": {"prefix_padding_ms": 1001}}, "prefix_padding_ms"),
        ({"turn_detection": {"prefix_padding_ms": -1}}, "prefix_padding_ms"),
        ({"turn_detection": {"speech_detection_threshold": 1.01}}, "speech_detection_threshold"),
        ({"interruption": {"min_interruption_ms": 49}}, "min_interruption_ms"),
        ({"interruption": {"min_interruption_ms": 2001}}, "min_interruption_ms"),
        ({"nudges": {"interval_secs": 0}}, "interval_secs"),
        ({"webhooks": [{"url": "http://hooks.example.com", "events": ["chat_ended"]}]}, "https"),
        ({"webhooks": [{"url": "not a url", "events": []}]}, "https"),
        ({"webhooks": [{"url": "https://[broken", "events": []}]}, "https"),  # urllib cannot parse it
        ({"prompt": {"id": UNKNOWN_ID, "text": "both"}}, "either id"),
        ({"prompt": {"version": 1}}, "version needs an id"),
    ],
)
def test_semantic_errors_are_400(client: InProcessClient, extra: dict[str, Any], fragment: str) -> None:
    resp = client.post("/v0/evi/configs", json=config_body(**extra))
    assert resp.status_code == 400, resp.text
    body = resp.json()
    assert set(body) == LIVE_ERROR_KEYS and body["status"] == 400 and fragment in body["message"]


@pytest.mark.parametrize(
    ("extra", "loc"),
    [
        ({"evi_version": 3}, ["body", "evi_version"]),
        ({"builtin_tools": [{"name": "calculator"}]}, ["body", "builtin_tools", 0, "name"]),
        ({"webhooks": [{"url": "https://x.example", "events": ["chat_paused"]}]}, ["body", "webhooks", 0, "events", 0]),
        ({"webhooks": [{"url": "https://x.example"}]}, ["body", "webhooks", 0, "events"]),
        ({"language_model": {"model_provider": "OPENAI"}}, ["body", "language_model", "model_provider"]),
        ({"voice": {"provider": "ELEVEN_LABS", "name": "x"}}, ["body", "voice", "provider"]),
        ({"voice": {"provider": "HUME_AI"}}, ["body", "voice", "id"]),
        ({"timeouts": {"inactivity": {"duration_secs": 60}}}, ["body", "timeouts", "inactivity", "enabled"]),
        ({"timeouts": {"inactivity": {"enabled": "yes"}}}, ["body", "timeouts", "inactivity", "enabled"]),
        ({"tools": [{"version": 1}]}, ["body", "tools", 0, "id"]),
        ({"tools": {"id": UNKNOWN_ID}}, ["body", "tools"]),
        ({"turn_detection": {"end_of_turn_silence_ms": "slow"}}, ["body", "turn_detection", "end_of_turn_silence_ms"]),
        ({"interruption": {"min_interruption_ms": True}}, ["body", "interruption", "min_interruption_ms"]),
        ({"language_model": {"temperature": "hot"}}, ["body", "language_model", "temperature"]),
        ({"event_messages": {"on_new_chat": {"text": "hi"}}}, ["body", "event_messages", "on_new_chat", "enabled"]),
        ({"ellm_model": {"allow_short_responses": "no"}}, ["body", "ellm_model", "allow_short_responses"]),
        ({"prompt": "support-agent"}, ["body", "prompt"]),
    ],
)
def test_shape_errors_are_422(client: InProcessClient, extra: dict[str, Any], loc: list[Any]) -> None:
    resp = client.post("/v0/evi/configs", json=config_body(**extra))
    assert resp.status_code == 422, resp.text
    detail = resp.json()["detail"]
    assert loc in [d["loc"] for d in detail]
    assert all(set(d) == {"loc", "msg", "type"} for d in detail)


def test_version_body_is_validated_too(client: InProcessClient) -> None:
    first = created(client.post("/v0/evi/configs", json=config_body()))
    assert client.post(f"/v0/evi/configs/{first['id']}", json={}).status_code == 422
    assert client.post(f"/v0/evi/configs/{first['id']}", json={"evi_version": "1"}).status_code == 400
    listed = client.get(f"/v0/evi/configs/{first['id']}", params={"restrict_to_most_recent": "false"}).json()
    assert len(listed["configs_page"]) == 1  # failed versions leave nothing behind


def test_integral_floats_are_accepted_as_integers(client: InProcessClient) -> None:
    body = created(client.post("/v0/evi/configs", json=config_body(interruption={"min_interruption_ms": 800.0})))
    assert body["interruption"] == {"min_interruption_ms": 800}
    assert isinstance(body["interruption"]["min_interruption_ms"], int)


def test_tool_parameters_must_be_json_and_are_kept_byte_for_byte(client: InProcessClient) -> None:
    spaced = '{ "type" : "object",\n  "properties": {} }'
    tool = created(client.post("/v0/evi/tools", json=tool_body(parameters=spaced)))
    assert tool["parameters"] == spaced
    for bad in ["{not json", "[1, 2]", '"a string"']:
        resp = client.post("/v0/evi/tools", json=tool_body("t2", parameters=bad))
        assert resp.status_code == 400 and resp.json()["code"] == "invalid_parameters"
    resp = client.post("/v0/evi/tools", json=tool_body("t3", parameters={"type": "object"}))
    assert resp.status_code == 422  # an object instead of a string: a type error
    resp = client.post(f"/v0/evi/tools/{tool['id']}", json={"parameters": "nope"})
    assert resp.status_code == 400


@pytest.mark.parametrize("name", ["has space", "x" * 65, "émoji"])
def test_tool_names_follow_function_name_rules(client: InProcessClient, name: str) -> None:
    resp = client.post("/v0/evi/tools", json=tool_body(name))
    assert resp.status_code == 400 and resp.json()["code"] == "invalid_name"


def test_prompt_expansion_round_trips(client: InProcessClient) -> None:
    p = created(client.post("/v0/evi/prompts", json=prompt_body(prompt_expansion={"enabled": False})))
    assert p["prompt_expansion"] == {"enabled": False}
    default = created(client.post("/v0/evi/prompts", json=prompt_body("p2", prompt_expansion={})))
    assert default["prompt_expansion"] == {"enabled": True}
    plain = created(client.post("/v0/evi/prompts", json=prompt_body("p3")))
    assert "prompt_expansion" not in plain
