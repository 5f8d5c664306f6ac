"""The config kind: an EVI configuration, referencing a prompt and tools by name (or pinned version)."""

from __future__ import annotations

from humectl.core.kinds.base import Kind, Reference, RiskRule

KIND = Kind(
    name="config",
    plural="configs",
    checks=("evi_version", "voice", "webhooks", "model_resource", "voice_name", "builtin_tools"),
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
        # Hume's timeouts page (inactivity 120 s, max duration 1,800 s), and what a live config posted
        # without timeouts or nudges came back with (docs/fidelity.md).
        "timeouts": {
            "inactivity": {"enabled": True, "duration_secs": 120},
            "max_duration": {"enabled": True, "duration_secs": 1800},
        },
        "nudges": {"enabled": False},
        # The live answer's two timeout messages: disabled, no text (on_new_chat was sent, so its
        # default is the emulator's choice, the same).
        "event_messages": {
            "on_new_chat": {"enabled": False},
            "on_inactivity_timeout": {"enabled": False},
            "on_max_duration_timeout": {"enabled": False},
        },
    },
    # What callers hear and what the agent can do (docs/review.md).
    risk_rules=(
        RiskRule("config.voice", "high", "the voice changes", ("voice",)),
        RiskRule(
            "config.language_model",
            "high",
            "the language model's provider or model changes",
            ("language_model.model_provider", "language_model.model_resource"),
        ),
        RiskRule("config.evi_version", "high", "the EVI version changes", ("evi_version",)),
        RiskRule("config.webhooks", "high", "webhooks change (events may stop reaching a system)", ("webhooks",)),
        RiskRule("config.tools.removed", "high", "a tool is removed from the config", ("tools",), "removed"),
        RiskRule(
            "config.builtin_tools.removed",
            "high",
            "a builtin tool is removed from the config",
            ("builtin_tools",),
            "removed",
        ),
        RiskRule("config.prompt.switched", "high", "the config points at another prompt", ("prompt",), "switched"),
        RiskRule("config.tools.added", "medium", "a tool is attached to the config", ("tools",), "added"),
        RiskRule(
            "config.builtin_tools.added",
            "medium",
            "a builtin tool is attached to the config",
            ("builtin_tools",),
            "added",
        ),
        RiskRule("config.builtin_tools", "medium", "a builtin tool's settings change", ("builtin_tools",)),
        RiskRule(
            "config.language_model.settings",
            "medium",
            "other language model settings change (temperature)",
            ("language_model",),
        ),
        RiskRule("config.timeouts", "medium", "timeouts change", ("timeouts",)),
        RiskRule("config.nudges", "medium", "nudges change", ("nudges",)),
        RiskRule("config.turn_detection", "medium", "turn detection changes", ("turn_detection",)),
        RiskRule("config.interruption", "medium", "interruption settings change", ("interruption",)),
        RiskRule("config.event_messages", "medium", "event messages change", ("event_messages",)),
        RiskRule("config.ellm_model", "medium", "the eLLM settings change", ("ellm_model",)),
        RiskRule(
            "config.cascade",
            "low",
            "the config follows a new version of its prompt or tool, or moves to another version of one: it takes the "
            "risk of what changes for the agent",
            predicate="cascade",
        ),
    ),
)
