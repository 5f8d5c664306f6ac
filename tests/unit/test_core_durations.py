"""humectl.core.durations: durations as Terraform writes them (``--lock-timeout``, ``HUMECTL_LOCK_LEASE``)."""

from __future__ import annotations

import pytest

from humectl.core.durations import parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("0", 0.0),
        ("45", 45.0),  # a bare number is seconds
        ("30s", 30.0),
        ("2m", 120.0),
        ("1h", 3600.0),
        ("500ms", 0.5),
        ("1m30s", 90.0),
        ("1h2m3s", 3723.0),
        ("1.5s", 1.5),
        ("2m500ms", 120.5),
        (" 2M ", 120.0),  # surrounding space and any case
    ],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["abc", "5x", "1m30", "30 s", "-5s", "s", "1m 30s", "1.5.2s", "30sec"])
def test_what_is_not_a_duration_is_refused_naming_it(text: str) -> None:
    with pytest.raises(ValueError, match="is not a duration") as caught:
        parse_duration(text)
    assert repr(text) in str(caught.value)  # as the user wrote it


@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_duration_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        parse_duration(text)
