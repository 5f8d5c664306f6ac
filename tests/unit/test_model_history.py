"""humectl.model.history: a resource's versions as a reviewer reads them, as a JSON document, and masked
(field diffs, descriptions and pins) when a sensitive value appears in them."""

from __future__ import annotations

from humectl.core.sensitive import MASK, Sensitive
from humectl.model.fields import FieldChange
from humectl.model.history import FORMAT_VERSION, History, VersionInfo

SECRET = "s3cr3t-token-value"


def version(n: int, **fields: object) -> VersionInfo:
    base: dict[str, object] = {
        "version": n,
        "modified_on": "2025-05-09T14:40:00.693Z",
        "modified_on_raw": 1746801600693,
        "description": f"v{n}",
        "by_humectl": True,
        "run_id": "run-1",
        "changed": ["created"] if n == 0 else ["text"],
    }
    return VersionInfo(**{**base, **fields})  # type: ignore[arg-type]


def test_a_version_document_carries_its_pins_at_the_top_level() -> None:
    info = version(
        2,
        pins={"prompt": "support@3", "tools": ["lookup@1"]},
        fields=[FieldChange("text", "a", "b")],
        policy_overridden=["policy.deny: config.voice"],
    )
    assert info.to_dict() == {
        "version": 2,
        "modified_on": "2025-05-09T14:40:00.693Z",
        "modified_on_raw": 1746801600693,
        "version_description": "v2",
        "by_humectl": True,
        "humectl_run": "run-1",
        "policy_overridden": ["policy.deny: config.voice"],
        "changed": ["text"],
        "fields": [{"path": "text", "before": "a", "after": "b"}],
        "prompt": "support@3",
        "tools": ["lookup@1"],
    }


def test_the_history_document_is_versioned_and_newest_first() -> None:
    history = History("config", "desk", "id-c", [version(1), version(0)])
    assert history.address == "config/desk"
    document = history.to_dict()
    assert document["format_version"] == FORMAT_VERSION == 1
    assert (document["address"], document["kind"], document["name"], document["id"]) == (
        "config/desk",
        "config",
        "desk",
        "id-c",
    )
    assert [v["version"] for v in document["versions"]] == [1, 0]
    assert document["versions"][1]["changed"] == ["created"] and document["versions"][1]["fields"] == []


def test_masked_hides_a_sensitive_value_in_diffs_descriptions_and_pins() -> None:
    registry = Sensitive()
    registry.add("TOKEN", SECRET)
    history = History(
        "tool",
        "t",
        "id-t",
        [
            version(
                1,
                description=f"rotated {SECRET}",
                fields=[FieldChange("fallback_content", f"Bearer {SECRET}", "Bearer other")],
                pins={"note": SECRET},
            ),
            version(0, description=None),
        ],
    )
    masked = history.masked(registry)
    text = repr(masked.to_dict())
    assert SECRET not in text
    newest = masked.versions[0]
    assert newest.description == f"rotated {MASK}" and newest.pins == {"note": MASK}
    assert newest.fields[0].before == f"Bearer {MASK}"
    assert masked.versions[1].description is None  # nothing to mask stays as it was
    assert SECRET in repr(history.to_dict())  # the original is untouched (a new History)


def test_masked_without_sensitive_values_changes_nothing() -> None:
    history = History("prompt", "p", "id-p", [version(1, fields=[FieldChange("text", "a", "b")], pins={"x": "y"})])
    assert history.masked(Sensitive()).to_dict() == history.to_dict()
