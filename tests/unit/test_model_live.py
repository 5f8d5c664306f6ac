"""humectl.io.listing: live heads indexed by name; times read as Hume writes them."""

from __future__ import annotations

import pytest

from humectl.core.errors import LiveStateError
from humectl.model.live import build_live_state, iso_time


def test_times_in_milliseconds_and_seconds() -> None:
    assert iso_time(1715265600693) == "2024-05-09T14:40:00.693Z"
    assert iso_time(1715265600) == "2024-05-09T14:40:00.000Z"
    assert iso_time("yesterday") is None and iso_time(True) is None and iso_time(10**30) is None


def test_heads_by_name_newest_version_wins() -> None:
    heads = [{"id": "p", "name": "a", "version": 1}, {"id": "p", "name": "a", "version": 3}]
    state = build_live_state({"prompt": heads})
    assert state.get("prompt", "a").version == 3  # type: ignore[union-attr]
    assert [r.address for r in state.of_kind("prompt")] == ["prompt/a"]


def test_two_live_resources_with_one_name_are_an_error_naming_both() -> None:
    with pytest.raises(LiveStateError, match="live ids p1 and p2"):
        build_live_state({"prompt": [{"id": "p1", "name": "a"}, {"id": "p2", "name": "a"}]})
