"""humectl.model.rollback: a planned rollback as data (to the head: nothing to do) and the change the
manifests need afterwards."""

from __future__ import annotations

from pathlib import Path

from humectl.model.live import LiveResource, LiveState
from humectl.model.plan import Plan
from humectl.model.rollback import ManifestUpdate, Rollback


def rollback(to_version: int, head_version: int) -> Rollback:
    head = LiveResource("prompt", "p", "id-p", head_version, {"text": "now"})
    return Rollback("prompt/p", "prompt", "p", to_version, head, {"text": "then"}, Plan(), LiveState())


def test_rolling_back_to_the_newest_version_is_to_the_head() -> None:
    assert rollback(4, 4).to_head
    assert not rollback(3, 4).to_head
    assert not rollback(0, 4).to_head


def test_notes_and_writes_start_empty_and_are_not_shared() -> None:
    first, second = rollback(1, 2), rollback(1, 2)
    first.notes.append("pinned")
    assert second.notes == []
    update, other = ManifestUpdate(diff=""), ManifestUpdate(diff="-a\n+b\n")
    update.writes[Path("evi/prompts.yaml")] = "prompts: []\n"
    update.notes.append("n")
    assert other.writes == {} and other.notes == []
