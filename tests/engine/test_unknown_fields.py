"""Fields humectl does not know, against a server that is not the emulator: a live config carrying
fields Hume's spec lacks (``event_messages.on_resume_chat`` as a live answer had it, ``voice.type``, a
top-level field), answered by an httpx.MockTransport that records what humectl sends.

A new version carries each of them unchanged; a change to one of them is a change, named in the plan;
export writes them.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx

from humectl.core.settings import Settings
from humectl.decide.export import render_export
from humectl.model.live import build_live_state
from tests import support

SETTINGS = Settings(base_url="http://127.0.0.1:9", api_key="test-key")
CONFIG_ID = "6f8b8a39-4d5f-4a0c-9a55-0c1c6f4f7f01"
UNKNOWN = {
    "event_messages": {"on_resume_chat": {"enabled": True, "text": None}},
    "voice": {"type": "OCTAVE"},
    "ambient_sound": {"preset": "office", "volume": 0.2},
}


def live_config() -> dict[str, Any]:
    return {
        "id": CONFIG_ID,
        "version": 3,
        "version_description": None,
        "name": "desk",
        "created_on": 1758036781763,
        "modified_on": 1758036781763,
        "evi_version": "3",
        "voice": {"id": "f60ecf9e-ff1e-4bae-9206-dba7c653a69e", "provider": "HUME_AI", "name": "Ito", "type": "OCTAVE"},
        "language_model": {
            "model_provider": "ANTHROPIC",
            "model_resource": "claude-3-7-sonnet-latest",
            "temperature": 0.5,
        },
        "ellm_model": {"allow_short_responses": False},
        "tools": [],
        "builtin_tools": [],
        "event_messages": {
            "on_new_chat": {"enabled": False, "text": None},
            "on_inactivity_timeout": {"enabled": False, "text": None},
            "on_max_duration_timeout": {"enabled": False, "text": None},
            "on_resume_chat": {"enabled": True, "text": None},
        },
        "timeouts": {
            "inactivity": {"enabled": True, "duration_secs": 120},
            "max_duration": {"enabled": True, "duration_secs": 1800},
        },
        "webhooks": [],
        "ambient_sound": {"preset": "office", "volume": 0.2},
    }


class Server:
    """Lists the one config; answers a new version with what it was sent (as a server keeping all of it)."""

    def __init__(self) -> None:
        self.config = live_config()
        self.sent: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        kind = request.url.path.split("/")[3]
        if request.method == "POST":
            body = json.loads(request.content)
            self.sent.append(body)
            answer = {**copy.deepcopy(self.config), **body, "version": self.config["version"] + 1}
            answer["voice"] = {**self.config["voice"], **body["voice"]}  # resolved: the server adds its id
            return httpx.Response(201, json=answer)
        assert request.method == "GET", request
        page = request.url.params.get("page_number") == "0"
        items = [self.config] if kind == "configs" and page else []
        return httpx.Response(200, json={"page_number": 0, "page_size": 100, "total_pages": 1, f"{kind}_page": items})


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "configs.yaml").write_text(text, encoding="utf-8")
    return tmp_path


MANIFEST = """configs:
  - name: desk
    evi_version: "3"
    voice: {provider: HUME_AI, name: ITO}
    language_model: {model_provider: ANTHROPIC, model_resource: claude-3-7-sonnet-latest, temperature: 0.7}
"""


def test_a_new_version_carries_every_field_humectl_does_not_know(tmp_path: Path) -> None:
    server = Server()
    transport = httpx.MockTransport(server)
    result = support.make_plan(write(tmp_path, MANIFEST), SETTINGS, transport=transport)
    [change] = result.plan.changes
    assert [f.path for f in change.fields] == ["language_model.temperature"]  # nothing else differs
    support.apply(result.plan, SETTINGS, transport=transport)
    [body] = server.sent
    assert body["event_messages"]["on_resume_chat"] == {"enabled": True}  # null is absent, as live says
    assert body["voice"] == {"provider": "HUME_AI", "name": "Ito", "type": "OCTAVE"}
    assert body["ambient_sound"] == {"preset": "office", "volume": 0.2}
    assert body["language_model"]["temperature"] == 0.7


def test_a_change_to_one_is_a_change_named_in_the_plan(tmp_path: Path) -> None:
    manifest = MANIFEST.replace("temperature: 0.7", "temperature: 0.5") + "    ambient_sound: {preset: street}\n"
    result = support.make_plan(write(tmp_path, manifest), SETTINGS, transport=httpx.MockTransport(Server()))
    [change] = result.plan.changes
    assert change.reasons == ("changed: ambient_sound",)
    # A section merges key by key over live, as every section does: the volume stays.
    assert [(f.path, f.before, f.after) for f in change.fields] == [("ambient_sound.preset", "office", "street")]
    assert [r.rule for r in change.risk_reasons] == ["content"]  # "a field a later Hume API adds"


def test_export_writes_them_as_the_api_holds_them() -> None:
    live = build_live_state({"config": [live_config()]})
    [configs] = [f for f in render_export(live, schema_ref="s.json").files if f.path == "configs.yaml"]
    assert "    voice: {provider: HUME_AI, name: Ito, type: OCTAVE}\n" in configs.content
    assert "      on_resume_chat: {enabled: true}\n" in configs.content
    assert "    ambient_sound: {preset: office, volume: 0.2}\n" in configs.content
    assert configs.content.endswith("    ignore_warnings: [unknown-field]\n")
