"""Seeding and snapshots: an account replayed under its own ids, versions and times.

The round trip is the contract: snapshot an account, seed it into an empty emulator, snapshot that,
and the two documents are byte for byte the same, for hand-built accounts and for accounts made of
random operation sequences (hypothesis). Seeds load all or nothing, and every refusal names the item.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from humectl.emulator.app import EmulatorConfig
from humectl.io.endpoint import build_settings
from humectl.ops.snapshot import FORMAT, render_snapshot, take_snapshot
from tests.emulator.conftest import InProcessClient, build_app, created, library_id, make_client
from tests.support import open_client

PARAMETERS = '{"type": "object", "properties": {"city": {"type": "string"}}}'


def snapshot_of(client: InProcessClient) -> dict[str, Any]:
    """The account behind ``client`` read through the API, as ``humectl emulator snapshot`` does."""
    settings = build_settings(base_url="http://127.0.0.1", emulator_db=None, env={"HUME_API_KEY": "k"})

    async def read() -> dict[str, Any]:
        async with open_client(settings, transport=httpx.ASGITransport(app=client.app)) as evi:
            return await take_snapshot(evi)

    return asyncio.run(read())


def answers(client: InProcessClient) -> dict[str, Any]:
    """Everything the account answers: every list, every version read on its own, voices, chats, events."""
    every = {"restrict_to_most_recent": "false", "page_size": "100"}
    out: dict[str, Any] = {}
    for kind in ("prompts", "tools", "configs"):
        listed = client.get(f"/v0/evi/{kind}", params=every).json()[f"{kind}_page"] or []
        out[kind] = listed
        out[f"{kind} one by one"] = [
            client.get(f"/v0/evi/{kind}/{v['id']}/version/{v['version']}").json() for v in listed
        ]
    for provider in ("CUSTOM_VOICE", "HUME_AI"):
        out[provider] = [
            client.get("/v0/tts/voices", params={"provider": provider, "page_size": "100", "page_number": n}).json()
            for n in range(3)
        ]
    chats = client.get("/v0/evi/chats", params={"page_size": "100"}).json()
    out["chats"] = chats
    out["events"] = [client.get(f"/v0/evi/chats/{c['id']}").json() for c in chats["chats_page"]]
    return out


def seeded(document: dict[str, Any]) -> InProcessClient:
    fresh = make_client(EmulatorConfig())
    resp = fresh.post("/_emulator/seed", json=document)
    assert resp.status_code == 201, resp.text
    return fresh


def build_account(client: InProcessClient) -> None:
    tool = created(client.post("/v0/evi/tools", json={"name": "weather", "parameters": PARAMETERS}))
    client.post(f"/v0/evi/tools/{tool['id']}", json={"parameters": PARAMETERS, "description": "v1"})
    prompt = created(
        client.post("/v0/evi/prompts", json={"name": "agent", "text": "v0", "prompt_expansion": {"enabled": False}})
    )
    for n in (1, 2, 3):
        client.post(f"/v0/evi/prompts/{prompt['id']}", json={"text": f"v{n}", "version_description": f"d{n}"})
    assert client.delete(f"/v0/evi/prompts/{prompt['id']}/version/1").status_code == 200  # a gap
    voice = client.post("/v0/tts/voices", json={"generation_id": "g", "name": "Narrator"}).json()
    pinned = {"id": prompt["id"], "version": 2}
    config = created(
        client.post(
            "/v0/evi/configs",
            json={
                "name": "desk",
                "evi_version": "3",
                "prompt": pinned,
                "tools": [{"id": tool["id"]}],  # LATEST
                "voice": {"provider": "HUME_AI", "name": "Male English Actor"},
                "language_model": {"model_provider": "ANTHROPIC", "model_resource": "claude-3-7-sonnet-latest"},
                "ellm_model": {"allow_short_responses": True},
                "nudges": {"interval_secs": 9},
                "webhooks": [{"url": "https://hooks.example.com/e", "events": ["chat_ended"]}],
            },
        )
    )
    client.post(
        f"/v0/evi/configs/{config['id']}",
        json={"evi_version": "4-mini", "prompt": {"id": prompt["id"]}, "voice": {"id": voice["id"]}},
    )
    client.patch(f"/v0/evi/configs/{config['id']}/version/0", json={"version_description": "first"})
    client.patch(f"/v0/evi/tools/{tool['id']}", json={"name": "weather_now"})
    client.post(
        "/_emulator/seed",
        json={"chats": [{"config": {"id": config["id"], "version": 1}, "events": [{"message_text": "Hi."}, {}]}]},
    )


def test_snapshot_seed_snapshot_is_byte_for_byte_the_same(client: InProcessClient) -> None:
    build_account(client)
    first = snapshot_of(client)
    assert first["format"] == FORMAT
    assert [p["version"] for p in first["prompts"]] == [0, 2, 3]
    assert len(first["configs"]) == 2 and len(first["voices"]) == 1 and len(first["chats"]) == 1
    replay = seeded(json.loads(render_snapshot(first)))
    second = snapshot_of(replay)
    assert render_snapshot(second) == render_snapshot(first)
    assert answers(replay) == answers(client)  # nothing the snapshot missed: the replay answers the same
    # the replay answers as the original does, and goes on from where it was
    every = {"restrict_to_most_recent": "false"}
    assert replay.get("/v0/evi/configs", params=every).json() == client.get("/v0/evi/configs", params=every).json()
    prompt_id = first["prompts"][0]["id"]
    nxt = created(replay.post(f"/v0/evi/prompts/{prompt_id}", json={"text": "v4"}))
    assert nxt["version"] == 4 and nxt["created_on"] == first["prompts"][0]["created_on"]
    replay.close()


OPERATION = st.one_of(
    st.tuples(st.just("create"), st.sampled_from(["prompt", "tool", "config"]), st.integers(0, 3)),
    st.tuples(st.just("version"), st.sampled_from(["prompt", "tool", "config"]), st.integers(0, 3)),
    st.tuples(st.just("delete_version"), st.sampled_from(["prompt", "tool", "config"]), st.integers(0, 3)),
    st.tuples(st.just("rename"), st.sampled_from(["prompt", "tool", "config"]), st.integers(0, 3)),
    st.tuples(st.just("voice"), st.just("voice"), st.integers(0, 3)),
)


def _apply(client: InProcessClient, made: dict[str, list[str]], op: tuple[str, str, int]) -> None:
    verb, kind, n = op
    path = f"/v0/evi/{kind}s"
    ids = made.setdefault(kind, [])
    body: dict[str, Any] = {
        "prompt": {"text": f"text {n}", "prompt_expansion": {"enabled": n % 2 == 0}},
        "tool": {"parameters": PARAMETERS, "fallback_content": f"f{n}" if n else None},
        "config": {
            "evi_version": "3",
            "prompt": {"id": made["prompt"][n % len(made["prompt"])]} if made.get("prompt") else None,
            "tools": [{"id": t, "version": 0} for t in made.get("tool", [])[:n]],
            "voice": {"provider": "HUME_AI", "name": ["ITO", "KORA", "Ava Song", "DACHER"][n]},
        },
    }.get(kind, {})
    if verb == "voice":
        client.post("/v0/tts/voices", json={"generation_id": "g", "name": f"voice {len(made.setdefault('v', []))}"})
        made["v"].append("x")
    elif verb == "create":
        resp = client.post(path, json={**body, "name": f"{kind}_{len(ids)}"})
        if resp.status_code == 201:
            ids.append(resp.json()["id"])
    elif ids and verb == "version":
        client.post(f"{path}/{ids[n % len(ids)]}", json=body)
    elif ids and verb == "delete_version":
        rid = ids[n % len(ids)]
        versions = client.get(f"{path}/{rid}", params={"restrict_to_most_recent": "false"}).json()[f"{kind}s_page"]
        if len(versions) > 1:  # keep the resource: deleting it would strand configs' references
            client.delete(f"{path}/{rid}/version/{versions[0]['version']}")
    elif ids and verb == "rename":
        client.patch(f"{path}/{ids[n % len(ids)]}", json={"name": f"{kind}_renamed_{n}_{len(ids)}"})


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(OPERATION, max_size=25))
def test_any_account_round_trips(operations: list[tuple[str, str, int]]) -> None:
    with make_client(EmulatorConfig()) as client:
        made: dict[str, list[str]] = {}
        for op in operations:
            _apply(client, made, op)
        first = render_snapshot(snapshot_of(client))
        original = answers(client)
    with seeded(json.loads(first)) as replay:
        assert render_snapshot(snapshot_of(replay)) == first
        assert answers(replay) == original


# ---- chosen ids: custom voices, library voices --------------------------------------------------


def test_custom_voices_keep_their_ids_and_configs_find_them(client: InProcessClient) -> None:
    vid = str(uuid.uuid4())
    assert client.post("/_emulator/seed", json={"voices": [{"id": vid, "name": "Brand Voice"}]}).status_code == 201
    listed = client.get("/v0/tts/voices", params={"provider": "CUSTOM_VOICE"}).json()["voices_page"]
    assert listed == [{"id": vid, "name": "Brand Voice", "provider": "CUSTOM_VOICE"}]
    config = created(client.post("/v0/evi/configs", json={"name": "c", "evi_version": "3", "voice": {"id": vid}}))
    assert config["voice"]["name"] == "Brand Voice"


def test_seeded_library_voices_join_or_reidentify_the_library(client: InProcessClient) -> None:
    new_id, dacher_id = str(uuid.uuid4()), str(uuid.uuid4())
    voices = [
        {"provider": "HUME_AI", "id": new_id, "name": "Zephyr Unlisted"},
        {"provider": "HUME_AI", "id": dacher_id, "name": "DACHER"},  # the account knows DACHER's real id
    ]
    assert client.post("/_emulator/seed", json={"voices": voices}).status_code == 201
    body = {"name": "c", "evi_version": "3", "voice": {"provider": "HUME_AI", "name": "zephyr unlisted"}}
    assert created(client.post("/v0/evi/configs", json=body))["voice"]["id"] == new_id
    body = {"name": "d", "evi_version": "3", "voice": {"provider": "HUME_AI", "name": "DACHER"}}
    assert created(client.post("/v0/evi/configs", json=body))["voice"]["id"] == dacher_id
    generated = library_id("DACHER")
    body = {"name": "e", "evi_version": "3", "voice": {"provider": "HUME_AI", "id": generated}}
    assert client.post("/v0/evi/configs", json=body).status_code == 400  # replaced, not doubled
    pages = client.get("/v0/tts/voices", params={"provider": "HUME_AI", "page_size": 100, "page_number": 1}).json()
    names = [
        v["name"]
        for v in client.get("/v0/tts/voices", params={"provider": "HUME_AI", "page_size": 100}).json()["voices_page"]
        + pages["voices_page"]
    ]
    assert "Zephyr Unlisted" in names and names.count("DACHER") == 1 and names == sorted(names, key=str.casefold)


# ---- refusals: all or nothing, naming the item ---------------------------------------------------


def _tool(rid: str, version: int = 0, name: str = "t") -> dict[str, Any]:
    return {"id": rid, "version": version, "name": name, "parameters": PARAMETERS}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"tools": [_tool("not-a-uuid")]}, "tools[0].id needs an id"),
        ({"tools": [_tool(str(uuid.UUID(int=1))), _tool(str(uuid.UUID(int=1)))]}, "has version 0 more than once"),
        ({"tools": [_tool(str(uuid.UUID(int=1))), _tool(str(uuid.UUID(int=1)), 1, "u")]}, "has one name"),
        ({"tools": [{**_tool(str(uuid.UUID(int=1))), "parameters": "{oops"}]}, "tools[0]"),
        (
            {
                "tools": [_tool(str(uuid.UUID(int=1)))],
                "prompts": [{"id": str(uuid.UUID(int=1)), "version": 0, "name": "p", "text": "x"}],
            },
            "already holds id",
        ),
        (
            {
                "configs": [
                    {
                        "id": str(uuid.UUID(int=2)),
                        "version": 0,
                        "name": "c",
                        "evi_version": "3",
                        "prompt": {"id": str(uuid.UUID(int=9)), "version": 0},
                    }
                ]
            },
            "Prompt 00000000",
        ),
        ({"configs": [{"id": str(uuid.UUID(int=2)), "version": 0, "name": "c", "evi_version": "2"}]}, "evi_version"),
        ({"configs": [{"id": str(uuid.UUID(int=2)), "version": 0, "name": "c"}]}, "evi_version: Field required"),
        ({"voices": [{"id": str(uuid.UUID(int=3)), "name": "v", "provider": "ELEVEN"}]}, "HUME_AI or CUSTOM_VOICE"),
        (
            {"voices": [{"id": str(uuid.UUID(int=3)), "name": "v"}, {"id": str(uuid.UUID(int=4)), "name": "v"}]},
            "voices[1]: the account already holds a CUSTOM_VOICE voice with this name",
        ),
        ({"chats": [{"id": None}]}, "chats[0].id"),
        ({"prompt": []}, "unknown seed section"),
        ({"format": "other/9"}, "is not"),
        ({"tools": {}}, "tools must be a list"),
    ],
)
def test_a_bad_seed_loads_nothing_and_says_which_item(
    client: InProcessClient, document: dict[str, Any], message: str
) -> None:
    before = client.get("/_emulator/stats").json()
    resp = client.post("/_emulator/seed", json={"voices": [{"id": str(uuid.uuid4()), "name": "ok"}], **document})
    assert resp.status_code == 400 and resp.json()["code"] == "invalid_seed", resp.text
    assert message in resp.json()["message"] and "nothing changed" in resp.json()["message"]
    assert client.get("/v0/tts/voices", params={"provider": "CUSTOM_VOICE"}).json()["voices_page"] == []
    assert client.get("/v0/evi/tools").json()["tools_page"] == []
    assert before is not None


def test_seeding_an_account_that_holds_the_ids_is_refused(client: InProcessClient) -> None:
    build_account(client)
    document = snapshot_of(client)
    again = client.post("/_emulator/seed", json={k: v for k, v in document.items() if k != "chats"})
    assert again.status_code == 400 and "already" in again.json()["message"]


def test_seed_at_start_through_the_app_config() -> None:
    rid = str(uuid.uuid4())
    app = build_app(EmulatorConfig(seed_document={"tools": [_tool(rid, 3, "seeded_tool")]}))
    with InProcessClient(app) as client:
        assert [(t["id"], t["version"]) for t in client.get("/v0/evi/tools").json()["tools_page"]] == [(rid, 3)]
