"""Voice Library names compare as Hume compares them: in any case. A live server that answers ``Ito``
for a config that asked for ``ITO`` (as Hume's did) is not a change, whatever the manifest's spelling;
another voice, or a custom voice in another case, still is.

The server here is not the emulator: an httpx.MockTransport answering the listings with one config
whose voice the server spelled its own way, so the engine is tested against what a server says.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from humectl.core.settings import Settings
from humectl.decide.normalize import normalize_desired, normalize_live
from tests import support

SETTINGS = Settings(base_url="http://127.0.0.1:9", api_key="test-key")


def live_config(voice: dict[str, Any]) -> dict[str, Any]:
    """A config as a server answers it: the resolved voice and the defaults it filled in."""
    return {
        "id": "6f8b8a39-4d5f-4a0c-9a55-0c1c6f4f7f01",
        "version": 0,
        "version_description": None,
        "name": "desk",
        "created_on": 1758036781763,
        "modified_on": 1758036781763,
        "evi_version": "3",
        "voice": voice,
        "ellm_model": {"allow_short_responses": False},
        "tools": [],
        "builtin_tools": [],
        "event_messages": {
            "on_new_chat": {"enabled": False, "text": None},
            "on_inactivity_timeout": {"enabled": False, "text": None},
            "on_max_duration_timeout": {"enabled": False, "text": None},
        },
        "timeouts": {
            "inactivity": {"enabled": True, "duration_secs": 120},
            "max_duration": {"enabled": True, "duration_secs": 1800},
        },
        "webhooks": [],
    }


def server(config: dict[str, Any]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.method == "GET", request  # planning only reads
        kind = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        items = [config] if kind == "configs" and request.url.params.get("page_number") == "0" else []
        return httpx.Response(200, json={"page_number": 0, "page_size": 100, "total_pages": 1, f"{kind}_page": items})

    return httpx.MockTransport(handler)


def plan(tmp_path: Path, manifest_voice: str, answered: dict[str, Any]) -> Any:
    (tmp_path / "configs.yaml").write_text(
        f'configs:\n  - name: desk\n    evi_version: "3"\n    voice: {manifest_voice}\n', encoding="utf-8"
    )
    result = support.make_plan(tmp_path, SETTINGS, transport=server(live_config(answered)))
    return result.plan


ITO = {"id": "f60ecf9e-ff1e-4bae-9206-dba7c653a69e", "provider": "HUME_AI", "name": "Ito"}


@pytest.mark.parametrize("spelling", ["ITO", "Ito", "ito", "iTO"])
def test_a_library_voice_the_server_spells_ito_is_no_change(tmp_path: Path, spelling: str) -> None:
    result = plan(tmp_path, f"{{provider: HUME_AI, name: {spelling}}}", ITO)
    assert not result.has_changes, [c.fields for c in result.changes]
    assert list(result.unchanged) == ["config/desk"]


def test_a_library_voice_the_catalog_lacks_is_matched_in_any_case(tmp_path: Path) -> None:
    # Hume had ~160 library voices; humectl's catalog knows 109. Hume matched any of them in any case.
    answered = {"id": "0b7f0d0e-2a51-4a43-9b1e-3f5b0c3f8e11", "provider": "HUME_AI", "name": "Nebula Guide"}
    assert not plan(tmp_path, "{provider: HUME_AI, name: NEBULA GUIDE}", answered).has_changes


def test_another_voice_is_still_a_change_and_reads_in_the_librarys_spelling(tmp_path: Path) -> None:
    result = plan(tmp_path, "{provider: HUME_AI, name: KORA}", ITO)
    [change] = result.changes
    assert [(f.path, f.before, f.after) for f in change.fields] == [("voice.name", "Ito", "Kora")]


def test_custom_voice_names_keep_their_case(tmp_path: Path) -> None:
    # Custom voices are the account's own, found by exact name: another case is another voice.
    answered = {"id": "2d1e5b7a-9f0c-4c1e-8a51-6e0f3b2c7d44", "provider": "CUSTOM_VOICE", "name": "Front Desk"}
    assert plan(tmp_path, "{provider: CUSTOM_VOICE, name: front desk}", answered).has_changes
    assert not plan(tmp_path, "{provider: CUSTOM_VOICE, name: Front Desk}", answered).has_changes


def test_one_canonical_spelling_on_both_sides() -> None:
    live = normalize_live("config", live_config({**ITO, "name": "ITO"}))
    assert live["voice"] == {"provider": "HUME_AI", "name": "Ito"}  # an old answer, or a seeded account
    desired = normalize_desired("config", {"voice": {"provider": "HUME_AI", "name": "ito"}}, lambda t, s: "")
    assert desired["voice"] == {"provider": "HUME_AI", "name": "Ito"}
