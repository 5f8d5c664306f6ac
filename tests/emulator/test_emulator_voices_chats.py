"""``/v0/tts/voices`` (library and custom voices) and the read-only chats / chat groups endpoints."""

from __future__ import annotations

import uuid

import pytest

from humectl.emulator.voices import LIBRARY_VOICE_NAMES, library_voice_id
from tests.emulator.conftest import UNKNOWN_ID, InProcessClient, config_body, created


def test_library_voices_are_listed_with_deterministic_ids(client: InProcessClient) -> None:
    resp = client.get("/v0/tts/voices", params={"provider": "HUME_AI", "page_size": 100})
    assert resp.status_code == 200
    body = resp.json()
    names = [v["name"] for v in body["voices_page"]]
    assert len(names) >= 12 and {"ITO", "KORA", "DACHER", "AURA"} <= set(names)
    assert body["total_pages"] == 1 and body["page_number"] == 0 and body["page_size"] == 100
    assert all(v["provider"] == "HUME_AI" and v["id"] == library_voice_id(v["name"]) for v in body["voices_page"])
    assert library_voice_id("ITO") == library_voice_id("ITO") != library_voice_id("KORA")


def test_library_voices_page_and_order(client: InProcessClient) -> None:
    pages = [
        client.get("/v0/tts/voices", params={"provider": "HUME_AI", "page_size": 5, "page_number": n}).json()
        for n in range(4)
    ]
    assert [len(p["voices_page"]) for p in pages] == [5, 5, 2, 0]
    assert pages[0]["total_pages"] == 3
    assert [v["name"] for p in pages for v in p["voices_page"]] == list(LIBRARY_VOICE_NAMES)
    desc = client.get("/v0/tts/voices", params={"provider": "HUME_AI", "ascending_order": "false"}).json()
    assert desc["voices_page"][0]["name"] == LIBRARY_VOICE_NAMES[-1]


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
    assert resp.status_code == 404 and set(resp.json()) == {"error", "message", "code"}


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
