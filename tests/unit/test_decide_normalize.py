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
        "name": "c", "evi_version": "3",
        "prompt": {"id": "p1", "name": "old-prompt", "version": 2},
        "tools": [{"id": "t2", "name": "b", "version": 0}, {"id": "t1", "name": "a", "version": 1}],
        "id": "c1", "version": 4, "created_on": 1,
    }  # fmt: skip
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
