"""Defaults as Hume documents them and as its live API answered them (docs/fidelity.md), and the three
places humectl writes them down agreeing: the emulator's answers, the config kind's ``defaults`` (what
export leaves out and a manifest ``null`` resets to) and the manifest schema's ``default`` keywords.
"""

from __future__ import annotations

import json
import re
from typing import Any

from humectl.core.kinds import KINDS
from humectl.decide.normalize import strip_none
from humectl.load.schema import manifest_schema
from tests.emulator.conftest import created
from tests.emulator.inprocess import InProcessClient

# The body a public package's live tests posted (Arkitecht/laravel-hume tests/ConfigsTest.php,
# configObject()), and the fields of the answer live gave that the request left to the server
# (the same file, can_handle_additional_undefined_properties; created 2025-09-16).
LIVE_REQUEST = {
    "evi_version": "3",
    "name": "Test config 1758036781",
    "prompt": {"text": "<role> You are an AI retail sales coach. </role>"},
    "voice": {"provider": "HUME_AI", "name": "ITO"},
    "language_model": {"model_provider": "ANTHROPIC", "model_resource": "claude-3-5-sonnet-latest", "temperature": 1.0},
    "ellm_model": {"allow_short_responses": True},
    "event_messages": {"on_new_chat": {"enabled": True, "text": "Thanks for visiting AI coach"}},
}
LIVE_ANSWER = {
    "version": 0,
    "voice": {"id": "f60ecf9e-ff1e-4bae-9206-dba7c653a69e", "provider": "HUME_AI", "name": "Ito"},
    "tools": [],
    "builtin_tools": [],
    "event_messages": {
        "on_new_chat": {"enabled": True, "text": "Thanks for visiting AI coach"},
        "on_inactivity_timeout": {"enabled": False, "text": None},
        "on_max_duration_timeout": {"enabled": False, "text": None},
    },
    "timeouts": {
        "inactivity": {"enabled": True, "duration_secs": 120},
        "max_duration": {"enabled": True, "duration_secs": 1800},
    },
    "nudges": {"enabled": False, "interval_secs": None},
    "webhooks": [],
}


def test_the_live_request_gets_the_live_answer(client: InProcessClient) -> None:
    body = created(client.post("/v0/evi/configs", json=LIVE_REQUEST))
    for key, value in LIVE_ANSWER.items():
        if key == "voice":  # live added fields of its own (type, custom_voice) the spec does not declare
            assert {k: body["voice"][k] for k in value} == value
            continue
        assert body[key] == value, key
    # Live made a prompt from the text and returned it whole; and kept what was sent.
    assert body["prompt"]["text"] == LIVE_REQUEST["prompt"]["text"] and body["prompt"]["version"] == 0
    assert re.fullmatch(r"created_inline_[0-9a-f-]{36}", body["prompt"]["name"])  # live: created_inline_071fabc0-…
    assert len(str(body["created_on"])) == 13 == len(str(body["modified_on"]))  # epoch ms, as live's 1758036781763
    assert body["ellm_model"] == {"allow_short_responses": True}


def test_the_documented_ranges_hold(client: InProcessClient) -> None:
    # dev.hume.ai timeouts page: both timeouts 30 to 1,800 seconds.
    for seconds, status in ((29, 400), (30, 201), (1800, 201), (1801, 400)):
        sent = {
            "name": f"t{seconds}",
            "evi_version": "3",
            "timeouts": {"inactivity": {"enabled": True, "duration_secs": seconds}},
        }
        assert client.post("/v0/evi/configs", json=sent).status_code == status, seconds


def defaults_of(schema_node: Any) -> Any:
    """The ``default`` keywords under a schema node, as a document of the same shape."""
    if not isinstance(schema_node, dict):
        return None
    if "default" in schema_node:
        return schema_node["default"]
    found = {k: defaults_of(v) for k, v in (schema_node.get("properties") or {}).items()}
    return {k: v for k, v in found.items() if v is not None} or None


def test_emulator_kind_and_schema_agree_on_every_default(client: InProcessClient) -> None:
    answer = created(client.post("/v0/evi/configs", json={"name": "bare", "evi_version": "3"}))
    kind_defaults = KINDS["config"].defaults
    schema = manifest_schema()["$defs"]["config"]["properties"]
    for field, default in kind_defaults.items():
        # What the emulator fills in is the kind's default (None values are "absent" to humectl).
        assert strip_none(answer[field]) == default, field
        documented = defaults_of(schema[field])
        if documented is not None:  # every default the schema states is the kind's
            assert _within(documented, default), (field, documented, default)
    # The schema's documented defaults of sections the server does not fill in (EVI applies them).
    assert defaults_of(schema["turn_detection"]) == {"end_of_turn_silence_ms": 800, "speech_detection_threshold": 0.5}
    assert defaults_of(schema["interruption"]) == {"min_interruption_ms": 800}
    prompt = manifest_schema()["$defs"]["prompt"]["properties"]["prompt_expansion"]
    assert defaults_of(prompt) == KINDS["prompt"].defaults["prompt_expansion"]


def _within(documented: Any, default: Any) -> bool:
    if isinstance(documented, dict):
        return isinstance(default, dict) and all(_within(v, default.get(k)) for k, v in documented.items())
    return bool(json.dumps(documented) == json.dumps(default))
