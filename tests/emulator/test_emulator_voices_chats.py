"""``/v0/tts/voices`` (library and custom voices) and the read-only chats / chat groups endpoints."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from humectl.catalog import voice_library
from humectl.emulator.store import Store
from humectl.emulator.voices import resolve_voice
from tests.emulator.conftest import LIVE_ERROR_KEYS, UNKNOWN_ID, InProcessClient, config_body, created

LIBRARY = voice_library()


def _all_library_pages(client: InProcessClient, size: int, **params: str) -> list[dict[str, Any]]:
    pages, number = [], 0
    while True:
        query = {"provider": "HUME_AI", "page_size": str(size), "page_number": str(number), **params}
        page = client.get("/v0/tts/voices", params=query).json()
        pages.append(page)
        if not page["voices_page"]:
            return pages
        number += 1


@pytest.mark.parametrize("size", [100, 7, 1])
def test_library_listing_pages_through_all_of_it(client: InProcessClient, size: int) -> None:
    pages = _all_library_pages(client, size)
    listed = [v for p in pages for v in p["voices_page"]]
    assert [v["name"] for v in listed] == list(LIBRARY.names) and len(listed) == len(LIBRARY) > 100
    assert {p["total_pages"] for p in pages} == {-(-len(LIBRARY) // size)}
    assert len(pages) == -(-len(LIBRARY) // size) + 1  # the last page is the empty one the SDK pager stops on
    assert all(v["provider"] == "HUME_AI" and v["compatible_octave_models"] == ["1", "2"] for v in listed)
    assert len({v["id"] for v in listed}) == len(listed)


def test_library_listing_descending(client: InProcessClient) -> None:
    desc = [v["name"] for p in _all_library_pages(client, 50, ascending_order="false") for v in p["voices_page"]]
    assert desc == list(reversed(LIBRARY.names))


@pytest.mark.parametrize(
    ("name", "voice_id"),
    [
        ("Ava Song", "5bb7de05-c8fe-426a-8fcc-ba4fc4ce9f9c"),  # Hume's Fern definition and SDK wire tests
        ("Male English Actor", "9e068547-5ba4-4c8e-8e03-69282a008f04"),  # Hume's TTS example app
        ("TikTok Fashion Influencer", "ebba4902-69de-4e01-9846-d8feba5a1a3f"),  # Hume's control-plane example
    ],
)
def test_voices_from_humes_examples_resolve_by_name_and_id(client: InProcessClient, name: str, voice_id: str) -> None:
    voice = {"provider": "HUME_AI", "name": name}
    by_name = created(client.post("/v0/evi/configs", json=config_body("a", voice=voice)))
    assert by_name["voice"] == {
        "id": voice_id,
        "name": name,
        "provider": "HUME_AI",
        "compatible_octave_models": ["1", "2"],
    }
    voice = {"provider": "HUME_AI", "id": voice_id}
    by_id = created(client.post("/v0/evi/configs", json=config_body("b", voice=voice)))
    assert by_id["voice"]["name"] == name


def test_every_library_voice_resolves_by_id_and_by_name_in_any_case(client: InProcessClient) -> None:
    store = Store()  # library lookups never touch the account
    for voice in LIBRARY.voices:
        for name in (voice.name, voice.name.upper(), voice.name.lower()):
            found = resolve_voice(store, voice_id=None, name=name, provider="HUME_AI")
            assert (found["id"], found["name"]) == (voice.id, voice.name)
        assert resolve_voice(store, voice_id=voice.id.upper(), name=None, provider="HUME_AI")["name"] == voice.name
    store.close()
    lower = created(client.post("/v0/evi/configs", json=config_body(voice={"provider": "HUME_AI", "name": "ava song"})))
    assert lower["voice"]["name"] == "Ava Song"  # stored and returned under the library's own spelling


def test_unknown_library_name_suggests_the_closest(client: InProcessClient) -> None:
    resp = client.post("/v0/evi/configs", json=config_body(voice={"provider": "HUME_AI", "name": "Male English Acter"}))
    assert resp.status_code == 400 and resp.json()["code"] == "voice_not_found"
    assert "did you mean 'Male English Actor'?" in resp.json()["message"]
    custom = client.post("/v0/evi/configs", json=config_body(voice={"name": "Ava Song"}))
    assert custom.status_code == 400 and "add provider HUME_AI" in custom.json()["message"]


def test_custom_voice_create_list_delete(client: InProcessClient) -> None:
    assert client.get("/v0/tts/voices", params={"provider": "CUSTOM_VOICE"}).json()["voices_page"] == []
    resp = client.post("/v0/tts/voices", json={"generation_id": str(uuid.uuid4()), "name": "Narrator"})
    assert resp.status_code == 200  # Hume's spec: 200, not 201
    voice = resp.json()
    assert voice["provider"] == "CUSTOM_VOICE" and voice["name"] == "Narrator" and uuid.UUID(voice["id"])
    listed = client.get("/v0/tts/voices", params={"provider": "CUSTOM_VOICE"}).json()["voices_page"]
    assert [(v["id"], v["name"]) for v in listed] == [(voice["id"], "Narrator")]
    assert "Narrator" not in [
        v["name"] for v in client.get("/v0/tts/voices", params={"provider": "HUME_AI"}).json()["voices_page"]
    ]
    deleted = client.delete("/v0/tts/voices", params={"name": "Narrator"})
    assert deleted.status_code == 200 and deleted.content == b""
    assert client.get("/v0/tts/voices", params={"provider": "CUSTOM_VOICE"}).json()["voices_page"] == []
    assert client.delete("/v0/tts/voices", params={"name": "Narrator"}).status_code == 404


def test_custom_voice_errors(client: InProcessClient) -> None:
    assert client.post("/v0/tts/voices", json={"generation_id": "g", "name": "V"}).status_code == 200
    dup = client.post("/v0/tts/voices", json={"generation_id": "g2", "name": "V"})
    assert dup.status_code == 422 and dup.json()["detail"][0]["loc"] == ["body", "name"]
    missing = client.post("/v0/tts/voices", json={"name": "W"})
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["body", "generation_id"]
    assert client.post("/v0/tts/voices", json={"generation_id": "g", "name": " "}).status_code == 422
    assert client.delete("/v0/tts/voices").status_code == 422


@pytest.mark.parametrize("params", [{}, {"provider": "ELEVEN_LABS"}])
def test_voice_list_needs_a_valid_provider(client: InProcessClient, params: dict[str, str]) -> None:
    resp = client.get("/v0/tts/voices", params=params)
    assert resp.status_code == 422 and resp.json()["detail"][0]["loc"] == ["query", "provider"]


def test_config_keeps_answering_after_its_custom_voice_is_deleted(client: InProcessClient) -> None:
    client.post("/v0/tts/voices", json={"generation_id": "g", "name": "Gone"})
    config = created(client.post("/v0/evi/configs", json=config_body(voice={"name": "Gone"})))
    client.delete("/v0/tts/voices", params={"name": "Gone"})
    assert client.get(f"/v0/evi/configs/{config['id']}/version/0").json()["voice"]["name"] == "Gone"


@pytest.mark.parametrize(
    ("path", "page_key"),
    [("/v0/evi/chats", "chats_page"), ("/v0/evi/chat_groups", "chat_groups_page")],
)
def test_empty_history_pages(client: InProcessClient, path: str, page_key: str) -> None:
    body = client.get(path).json()
    assert body == {"page_number": 0, "page_size": 10, "total_pages": 0, "pagination_direction": "ASC", page_key: []}
    desc = client.get(path, params={"ascending_order": "false", "page_number": 3, "page_size": 5}).json()
    assert desc["pagination_direction"] == "DESC" and desc[page_key] == [] and desc["page_number"] == 3


@pytest.mark.parametrize(
    "path",
    [
        "/v0/evi/chats/{id}",
        "/v0/evi/chats/{id}/audio",
        "/v0/evi/chat_groups/{id}",
        "/v0/evi/chat_groups/{id}/events",
        "/v0/evi/chat_groups/{id}/audio",
    ],
)
def test_unknown_chat_ids_are_404(client: InProcessClient, path: str) -> None:
    resp = client.get(path.format(id=UNKNOWN_ID))
    assert resp.status_code == 404 and set(resp.json()) == LIVE_ERROR_KEYS


def test_seeded_chats_and_derived_groups(client: InProcessClient) -> None:
    group = str(uuid.uuid4())
    cfg = {"id": str(uuid.uuid4()), "version": 0}
    seed = {
        "chats": [
            {"chat_group_id": group, "start_timestamp": 1_700_000_000_000, "events": [{"message_text": "Hello."}]},
            {"chat_group_id": group, "start_timestamp": 1_700_000_100_000, "status": "ACTIVE", "config": cfg},
            {"start_timestamp": 1_700_000_200_000, "events": [{"role": "AGENT", "type": "AGENT_MESSAGE"}, {}]},
        ]
    }
    resp = client.post("/_emulator/seed", json=seed)
    assert resp.status_code == 201
    ids = resp.json()["chats"]
    chats = client.get("/v0/evi/chats").json()
    assert [c["id"] for c in chats["chats_page"]] == ids and chats["total_pages"] == 1
    assert chats["chats_page"][0]["event_count"] == 1 and chats["chats_page"][0]["status"] == "USER_ENDED"
    by_config = client.get("/v0/evi/chats", params={"config_id": cfg["id"]}).json()["chats_page"]
    assert [c["id"] for c in by_config] == [ids[1]]
    assert [c["id"] for c in client.get("/v0/evi/chats", params={"status": "ACTIVE"}).json()["chats_page"]] == [ids[1]]

    events = client.get(f"/v0/evi/chats/{ids[0]}").json()
    assert events["id"] == ids[0] and events["chat_group_id"] == group
    assert [e["message_text"] for e in events["events_page"]] == ["Hello."]
    assert events["pagination_direction"] == "ASC"

    groups = client.get("/v0/evi/chat_groups").json()["chat_groups_page"]
    assert len(groups) == 2
    g = groups[0]
    assert (g["id"], g["num_chats"], g["active"], g["most_recent_chat_id"]) == (group, 2, True, ids[1])
    assert g["most_recent_config"] == cfg
    assert [
        x["id"] for x in client.get("/v0/evi/chat_groups", params={"config_id": cfg["id"]}).json()["chat_groups_page"]
    ] == [group]
    detail = client.get(f"/v0/evi/chat_groups/{group}").json()
    assert [c["id"] for c in detail["chats_page"]] == ids[:2] and detail["num_chats"] == 2
    group_events = client.get(f"/v0/evi/chat_groups/{group}/events").json()
    assert len(group_events["events_page"]) == 1
    audio = client.get(f"/v0/evi/chat_groups/{group}/audio").json()
    assert audio["num_chats"] == 2 and len(audio["audio_reconstructions_page"]) == 2
    assert client.get(f"/v0/evi/chats/{ids[2]}/audio").json()["status"] == "QUEUED"


def test_control_plane_send(client: InProcessClient) -> None:
    ids = client.post("/_emulator/seed", json={"chats": [{"status": "ACTIVE"}, {"status": "USER_ENDED"}]}).json()[
        "chats"
    ]
    assert client.post(f"/v0/evi/chat/{UNKNOWN_ID}/send", json={"type": "pause_assistant_message"}).status_code == 404
    assert client.post(f"/v0/evi/chat/{ids[0]}/send", json={}).status_code == 422
    ok = client.post(f"/v0/evi/chat/{ids[0]}/send", json={"type": "pause_assistant_message"})
    assert ok.status_code == 200 and ok.content == b""
    ended = client.post(f"/v0/evi/chat/{ids[1]}/send", json={"type": "pause_assistant_message"})
    assert ended.status_code == 400 and ended.json()["code"] == "chat_not_active"
