"""humectl.ops.snapshot: an account as a seed document, printed safely and counted."""

from __future__ import annotations

import json

from humectl.emulator import seeding
from humectl.ops.snapshot import FORMAT, render_snapshot, snapshot_counts


def test_counts_resources_not_versions() -> None:
    document = {
        "format": FORMAT,
        "prompts": [{"id": "p", "version": 0}, {"id": "p", "version": 1}],
        "tools": [],
        "configs": [{"id": "c", "version": 0}],
        "voices": [{}],
        "chats": [],
    }
    assert snapshot_counts(document) == {"tools": 0, "prompts": 1, "configs": 1, "versions": 3, "voices": 1, "chats": 0}


def test_rendering_is_stable_and_log_safe() -> None:
    document = {"format": FORMAT, "prompts": [{"text": "##[error] \x1b[31m"}], "b": 1, "a": 2}
    text = render_snapshot(document)
    assert "##[" not in text and "\x1b" not in text
    assert json.loads(text) == document  # the same document
    assert text == render_snapshot(dict(reversed(document.items())))  # sorted keys


def test_the_format_is_the_one_the_emulator_seeds_from() -> None:
    # Each side names it (the emulator imports nothing of the engine): a snapshot must seed the emulator.
    assert FORMAT == seeding.FORMAT
