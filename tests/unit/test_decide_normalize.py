"""humectl.decide.normalize: one canonical form for both sides, so equal means "no change"."""

from __future__ import annotations

from humectl.decide.normalize import LATEST, canonical_parameters, normalize_desired, normalize_live, ref, split_ref


def test_parameters_compare_as_canonical_json() -> None:
    assert canonical_parameters('{"b": 1, "a": [1, 2]}') == canonical_parameters({"a": [1, 2], "b": 1})
    assert canonical_parameters("not json") == "not json"


def test_refs() -> None:
    assert split_ref(ref("greeter", 3)) == ("greeter", 3)
    assert split_ref(ref("greeter", LATEST)) == ("greeter", LATEST)


def test_live_references_become_name_at_version_and_renames_apply() -> None:
    live = {
        "name": "c",
        "evi_version": "3",
        "prompt": {"id": "p1", "name": "old-prompt", "version": 2},
        "tools": [{"id": "t2", "name": "b", "version": 0}, {"id": "t1", "name": "a", "version": 1}],
        "id": "c1",
        "version": 4,
        "created_on": 1,
    }
    content = normalize_live("config", live, {("prompt", "old-prompt"): "new-prompt"})
    assert content["prompt"] == "new-prompt@2" and content["tools"] == ["a@1", "b@0"]
    assert "id" not in content and "created_on" not in content  # only content fields


def test_desired_keeps_what_the_manifest_leaves_out_and_null_resets_to_the_default() -> None:
    live = normalize_live("config", {"evi_version": "3", "timeouts": {"inactivity": {"enabled": False}}, "nudges": 1})

    def resolve(target: str, spec: object) -> str:
        raise AssertionError("no references here")

    desired = normalize_desired("config", {"timeouts": None}, resolve, live)
    assert desired["evi_version"] == "3" and desired["nudges"] == 1  # unmanaged: kept
    assert desired["timeouts"]["inactivity"] == {"enabled": True, "duration_secs": 120}  # Hume's default


# --- fields humectl does not know: content, kept on both sides ------------------------------------

LIVE_CONFIG = {
    "id": "c1",
    "version": 2,
    "version_description": "d",
    "name": "desk",
    "created_on": 1,
    "modified_on": 2,
    "evi_version": "3",
    "voice": {"id": "v1", "name": "Ito", "provider": "HUME_AI", "compatible_octave_models": ["1"], "type": "OCTAVE"},
    "builtin_tools": [{"name": "web_search", "tool_type": "BUILTIN", "fallback_content": None, "max_results": 3}],
    "event_messages": {"on_new_chat": {"enabled": False, "text": None}, "on_resume_chat": {"enabled": True}},
    "ambient_sound": {"preset": "office"},
}


def no_refs(target: str, spec: object) -> str:
    raise AssertionError("no references here")


def test_live_content_keeps_what_humectl_does_not_know_and_drops_what_the_server_sets() -> None:
    content = normalize_live("config", LIVE_CONFIG)
    assert content == {
        "evi_version": "3",
        "voice": {"provider": "HUME_AI", "name": "Ito", "type": "OCTAVE"},
        "builtin_tools": [{"name": "web_search", "max_results": 3}],
        "event_messages": {"on_new_chat": {"enabled": False}, "on_resume_chat": {"enabled": True}},
        "ambient_sound": {"preset": "office"},
    }
    tool = {"id": "t", "version": 0, "tool_type": "FUNCTION", "version_type": "FIXED", "parameters": "{}"}
    tool["strict"] = True
    assert normalize_live("tool", tool) == {"parameters": "{}", "strict": True}


def test_a_new_version_carries_them_and_a_manifest_may_set_them() -> None:
    live = normalize_live("config", LIVE_CONFIG)
    desired = normalize_desired("config", {"language_model": {"temperature": 0.2}}, no_refs, live, LIVE_CONFIG)
    assert desired == {**live, "language_model": {"temperature": 0.2}}  # everything else as live has it
    written = {"ambient_sound": {"preset": "street"}, "event_messages": {"on_resume_chat": {"enabled": False}}}
    desired = normalize_desired("config", written, no_refs, live, LIVE_CONFIG)
    assert desired["ambient_sound"] == {"preset": "street"}
    assert desired["event_messages"] == {"on_new_chat": {"enabled": False}, "on_resume_chat": {"enabled": False}}
    assert normalize_desired("config", {"ambient_sound": None}, no_refs, live, LIVE_CONFIG).get("ambient_sound") is None


def test_the_live_voice_keeps_its_own_keys_another_voice_takes_none() -> None:
    live = normalize_live("config", LIVE_CONFIG)
    for written in ({"provider": "HUME_AI", "name": "ITO"}, {"provider": "HUME_AI", "id": "v1"}):
        desired = normalize_desired("config", {"voice": written}, no_refs, live, LIVE_CONFIG)
        assert desired["voice"] == {"provider": "HUME_AI", "name": "Ito", "type": "OCTAVE"}, written
    kora = normalize_desired("config", {"voice": {"provider": "HUME_AI", "name": "KORA"}}, no_refs, live, LIVE_CONFIG)
    assert kora["voice"] == {"provider": "HUME_AI", "name": "Kora"}
    own = {"provider": "HUME_AI", "name": "Ito", "type": "CLONE"}
    assert normalize_desired("config", {"voice": own}, no_refs, live, LIVE_CONFIG)["voice"] == own
