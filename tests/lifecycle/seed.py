"""A varied live account made through the API, the way people make them in Hume's dashboard.

Every shape the exporter has to carry exactly: all config sections, pinned and newest references,
built-in tools, webhooks, prompts with and without trailing newlines, carriage returns, a BOM,
unicode, ``${`` text, YAML-looking strings, nested tool parameters, several versions, a config
without a prompt. Nothing here goes through humectl's plan: descriptions carry no humectl marker.
"""

from __future__ import annotations

import json
from typing import Any

from humectl.core.kinds import KINDS
from tests.engine.helpers import Account

NESTED_PARAMETERS = {
    "type": "object",
    "title": "Order lookup",
    "properties": {
        "order_id": {"type": "string", "description": "The order id, e.g. A-10234.", "pattern": "^[A-Z]-[0-9]{5}$"},
        "filters": {
            "type": "object",
            "properties": {
                "status": {"type": "string", "enum": ["open", "shipped", "on", "off", "yes", "null", "1.0"]},
                "items": {
                    "type": "array",
                    "items": {"type": "object", "properties": {"sku": {"type": "string"}, "qty": {"type": "integer"}}},
                    "minItems": 1,
                },
            },
            "additionalProperties": False,
        },
        "since": {"type": "string", "format": "date", "default": "2024-01-01"},
    },
    "required": ["order_id"],
    "$defs": {"money": {"type": "number", "minimum": 0, "multipleOf": 0.01}},
}

PROMPT_TEXTS: dict[str, str] = {
    "trailing-newline": "You are a helpful agent.\nBe brief.\n",
    "no-trailing-newline": "You are a helpful agent.\nBe brief.",
    "two-trailing-newlines": "Keep answers short.\n\n",
    "single-line": "One line only",
    "unicode": "Grüße aus Köln 👋 — 日本語でも話せます。\n«Sei höflich.»\n",
    "carriage-returns": "Windows line one\r\nline two\r\n",
    "byte-order-mark": "\ufeffStarts with a BOM.\n",
    "leading-spaces": "   indented first line\nsecond line\n",
    "trailing-spaces": "a line with trailing spaces   \nnext line\n",
    "tabs": "\tTabbed\n\t\tmore tabs\n",
    "variables": "Hello ${customer_name}, literal $${x}, dollar $ {y} and $$.\n",
    "yaml-looking": "yes",
    "long-markdown": "# Role\n\n" + "".join(f"- Rule {i}: never do thing {i}.\n" for i in range(40)),
    "Weird name/with slash ü": "The name needs a safe file name.\n",
}


class Seeded:
    """Ids and head versions of what :func:`seed_account` made."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}
        self.versions: dict[str, int] = {}

    @property
    def count(self) -> int:
        return len(self.ids)


def seed_account(account: Account) -> Seeded:
    seeded = Seeded()

    def create(kind: str, name: str, body: dict[str, Any]) -> dict[str, Any]:
        made = account.run(account.client.create(KINDS[kind], {"name": name, **body}))
        seeded.ids[f"{kind}/{name}"] = str(made["id"])
        seeded.versions[f"{kind}/{name}"] = int(made["version"])
        return made

    def new_version(kind: str, name: str, body: dict[str, Any]) -> dict[str, Any]:
        address = f"{kind}/{name}"
        made = account.run(account.client.create_version(KINDS[kind], seeded.ids[address], body))
        seeded.versions[address] = int(made["version"])
        return made

    def pin(kind: str, name: str, version: int | None = None) -> dict[str, Any]:
        address = f"{kind}/{name}"
        return {"id": seeded.ids[address], "version": seeded.versions[address] if version is None else version}

    # Tools (10)
    create(
        "tool",
        "lookup_order",
        {
            "parameters": json.dumps(NESTED_PARAMETERS, indent=2),
            "description": "Look up an order.",
            "fallback_content": "The order system is down.",
        },
    )
    create("tool", "minimal", {"parameters": '{"type":"object"}'})
    create("tool", "spaced_json", {"parameters": '{ "type" : "object",  "properties" : { } }'})
    create(
        "tool",
        "unicode_tool",
        {
            "parameters": json.dumps(
                {"type": "object", "properties": {"straße": {"type": "string", "description": "Straßenname — 日本"}}},
                ensure_ascii=False,
            ),
            "description": "Prüft Adressen ✓",
            "fallback_content": "Adressprüfung nicht verfügbar.",
        },
    )
    create(
        "tool",
        "dollar_tool",
        {
            "parameters": json.dumps({"type": "object", "description": "costs ${amount}"}),
            "description": "Charges ${amount} and $${literal}.",
        },
    )
    create(
        "tool",
        "multiline_tool",
        {
            "parameters": '{"type":"object"}',
            "description": "First line  \nsecond line\n\nthird",
            "fallback_content": "  leading spaces",
        },
    )
    create("tool", "yamlish", {"parameters": '{"type":"object"}', "description": "no", "fallback_content": "null"})
    create("tool", "long_description", {"parameters": '{"type":"object"}', "description": "word " * 80})
    create(
        "tool",
        "odd-keys",
        {
            "parameters": json.dumps(
                {
                    "type": "object",
                    "properties": {
                        "on": {"type": "boolean"},
                        "1": {"type": "string"},
                        "null": {"type": "string"},
                        "a: b": {"type": "string"},
                        "#x": {},
                    },
                }
            ),
        },
    )
    create("tool", "versioned_tool", {"parameters": '{"type":"object","properties":{"v":{"const":0}}}'})
    new_version("tool", "versioned_tool", {"parameters": '{"type":"object","properties":{"v":{"const":1}}}'})
    new_version(
        "tool",
        "versioned_tool",
        {
            "parameters": '{"type":"object","properties":{"v":{"const":2}}}',
            "description": "now described",
        },
    )

    # Prompts (15)
    for name, text in PROMPT_TEXTS.items():
        create("prompt", name, {"text": text})
    create("prompt", "expansion-off", {"text": "No expansion.\n", "prompt_expansion": {"enabled": False}})
    create("prompt", "versioned", {"text": "version zero\n"})
    new_version("prompt", "versioned", {"text": "version one\n", "version_description": "second try"})
    new_version("prompt", "versioned", {"text": "version two\n", "prompt_expansion": {"enabled": False}})

    # Configs (11)
    create(
        "config",
        "everything",
        {
            "evi_version": "3",
            "prompt": pin("prompt", "trailing-newline"),
            "voice": {"provider": "HUME_AI", "name": "ITO"},
            "language_model": {
                "model_provider": "ANTHROPIC",
                "model_resource": "claude-3-7-sonnet-latest",
                "temperature": 0.6,
            },
            "ellm_model": {"allow_short_responses": True},
            "tools": [pin("tool", "lookup_order"), pin("tool", "unicode_tool")],
            "builtin_tools": [{"name": "web_search", "fallback_content": "Search is down."}, {"name": "hang_up"}],
            "event_messages": {
                "on_new_chat": {"enabled": True, "text": "Hi! ${not_a_variable} 👋"},
                "on_inactivity_timeout": {"enabled": True},
                "on_max_duration_timeout": {"enabled": False, "text": "kept although disabled"},
            },
            "timeouts": {
                "inactivity": {"enabled": True, "duration_secs": 300},
                "max_duration": {"enabled": False, "duration_secs": 900},
            },
            "nudges": {"enabled": True, "interval_secs": 30},
            "turn_detection": {
                "end_of_turn_silence_ms": 800,
                "prefix_padding_ms": 300,
                "speech_detection_threshold": 0.5,
            },
            "interruption": {"min_interruption_ms": 400},
            "webhooks": [
                {"url": "https://hooks.example.com/b", "events": ["chat_ended", "chat_started"]},
                {"url": "https://hooks.example.com/a", "events": ["tool_call"]},
            ],
        },
    )
    create(
        "config",
        "pinned",
        {
            "evi_version": "3",
            "prompt": pin("prompt", "versioned", 0),
            "tools": [pin("tool", "versioned_tool", 1), pin("tool", "minimal")],
        },
    )
    create("config", "no-prompt", {"evi_version": "3", "voice": {"provider": "HUME_AI", "name": "KORA"}})
    create("config", "defaults-only", {"evi_version": "3"})
    create(
        "config",
        "explicit-defaults",
        {
            "evi_version": "3",
            "ellm_model": {"allow_short_responses": False},
            "tools": [],
            "builtin_tools": [],
            "timeouts": {
                "inactivity": {"enabled": True, "duration_secs": 120},
                "max_duration": {"enabled": True, "duration_secs": 1800},
            },
            "event_messages": {"on_new_chat": {"enabled": False}},
            "webhooks": [],
        },
    )
    create(
        "config",
        "mini",
        {
            "evi_version": "4-mini",
            "prompt": pin("prompt", "unicode"),
            "timeouts": {"inactivity": {"enabled": False, "duration_secs": 600}},
            "language_model": {"model_provider": "OPEN_AI", "model_resource": "gpt-4o-mini"},
        },
    )
    create("config", "builtin-only", {"evi_version": "3", "builtin_tools": [{"name": "hang_up"}]})
    create(
        "config",
        "webhooks-only",
        {
            "evi_version": "3",
            "webhooks": [{"url": "https://example.com/hook?x=${y}", "events": ["tool_call"]}],
        },
    )
    create("config", "versioned-config", {"evi_version": "3", "prompt": pin("prompt", "single-line")})
    new_version(
        "config",
        "versioned-config",
        {"evi_version": "3", "prompt": pin("prompt", "variables"), "nudges": {"enabled": False}},
    )
    new_version(
        "config",
        "versioned-config",
        {
            "evi_version": "3",
            "prompt": pin("prompt", "variables"),
            "nudges": {"enabled": True, "interval_secs": 5},
            "tools": [pin("tool", "dollar_tool"), pin("tool", "odd-keys")],
        },
    )
    create(
        "config",
        "uses-old-expansion",
        {
            "evi_version": "3",
            "prompt": pin("prompt", "versioned", 1),
            "voice": {"provider": "HUME_AI", "name": "DACHER"},
        },
    )
    create(
        "config",
        "crlf-and-bom",
        {
            "evi_version": "3",
            "prompt": pin("prompt", "carriage-returns"),
            "tools": [
                pin("tool", "multiline_tool"),
                pin("tool", "yamlish"),
                pin("tool", "long_description"),
                pin("tool", "spaced_json"),
                pin("tool", "versioned_tool"),
            ],
            "turn_detection": {"end_of_turn_silence_ms": 3000},
            "interruption": {"min_interruption_ms": 50},
        },
    )
    return seeded
