"""The config kind: an EVI configuration, referencing a prompt and tools by name (or pinned version)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from humectl.kinds.base import Kind, Reference

if TYPE_CHECKING:
    from humectl.errors import Problem
    from humectl.manifest import EntryPositions
    from humectl.rules import Allowances, ManifestEntry


def build_spec(
    entry: ManifestEntry, root_real: Path, positions: EntryPositions
) -> tuple[dict[str, Any], list[Problem]]:
    """Every field as written, with references (``KIND.references``) as ``{name, version?}``."""
    from humectl.manifest import spec_as_written

    return spec_as_written(entry, positions), []


def checks(entry: ManifestEntry, allowed: Allowances) -> list[Problem]:
    from humectl import rules

    return [
        *rules.check_evi_version(entry),
        *rules.check_voice(entry),
        *rules.check_webhooks(entry),
        *rules.check_model_resource(entry, allowed),
        *rules.check_voice_name(entry, allowed),
        *rules.check_builtin_tools(entry),
    ]


KIND = Kind(
    name="config",
    plural="configs",
    api_path="/v0/evi/configs",
    page_key="configs_page",
    content_fields=(
        "evi_version",
        "prompt",
        "voice",
        "language_model",
        "ellm_model",
        "tools",
        "builtin_tools",
        "event_messages",
        "timeouts",
        "nudges",
        "turn_detection",
        "interruption",
        "webhooks",
    ),
    build_spec=build_spec,
    checks=checks,
    references=(
        Reference(field="prompt", target="prompt", many=False),
        Reference(field="tools", target="tool", many=True),
    ),
    defaults={
        "tools": [],
        "builtin_tools": [],
        "webhooks": [],
        # New versions inherit allow_short_responses when it is left out (the spec), so a reset to
        # this default is always sent explicitly.
        "ellm_model": {"allow_short_responses": False},
        "timeouts": {
            "inactivity": {"enabled": True, "duration_secs": 600},
            "max_duration": {"enabled": True, "duration_secs": 1800},
        },
        # Unknown in Hume's examples; what the emulator returns: disabled, no text.
        "event_messages": {
            "on_new_chat": {"enabled": False},
            "on_inactivity_timeout": {"enabled": False},
            "on_max_duration_timeout": {"enabled": False},
        },
    },
    member_defaults={"nudges.enabled": True},
)
