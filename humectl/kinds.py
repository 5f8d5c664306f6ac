"""The registry of resource kinds (tool, prompt, config): everything that differs per kind lives here.

Code elsewhere looks behaviour up in :data:`KINDS` instead of branching on ``kind ==``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Reference:
    """A field of one kind that points at resources of another kind."""

    field: str  # the API/manifest field name, e.g. "prompt" or "tools"
    target: str  # the kind it points at, e.g. "prompt"
    many: bool  # a list of references (tools) or a single one (prompt)


@dataclass(frozen=True)
class Kind:
    """Per-kind facts: API paths, the page key, which fields are content and which the server owns."""

    name: str  # "prompt"
    plural: str  # "prompts": manifest top-level key and API path segment
    api_path: str  # "/v0/evi/prompts"
    page_key: str  # "prompts_page"
    content_fields: tuple[str, ...]  # fields whose change makes a new version
    required_fields: tuple[str, ...]  # fields a new version must always carry
    server_managed: tuple[str, ...]  # fields the server sets; never diffed
    references: tuple[Reference, ...] = ()
    # Content fields Hume's list endpoints leave out (the list item schema lacks them). A head is read
    # on its own (live.complete_versions) when the manifest sets one, or when humectl makes a new
    # version of it (which must carry the live value of every field the manifest leaves out).
    detail_fields: tuple[str, ...] = ()
    # What the server reports for a field the request left out (Hume's create example, §7.2, and
    # its spec's documented defaults); nested: a key of a section falls back to the section's default.
    defaults: dict[str, Any] = field(default_factory=dict)
    # A name humectl keeps for itself in this kind (the account lock, humectl/lock.py): that name and
    # ``<name>:<scope>`` never appear in live state, and no manifest may use them.
    reserved_name: str | None = None
    # Defaults of keys inside a section that itself has none (``nudges.enabled`` when ``nudges`` is given).
    member_defaults: dict[str, Any] = field(default_factory=dict)

    def address(self, name: str) -> str:
        return f"{self.name}/{name}"

    def is_reserved(self, name: str) -> bool:
        reserved = self.reserved_name
        return reserved is not None and (name == reserved or name.startswith(reserved + ":"))

    def default_at(self, path: tuple[str, ...]) -> tuple[bool, Any]:
        """``(True, value)`` when the server's value for ``path`` left out is known, else ``(False, None)``.

        This is what an explicit ``null`` in a manifest resets a field to.
        """
        node: Any = self.defaults
        for part in path:
            if not isinstance(node, dict) or part not in node:
                break
            node = node[part]
        else:
            return True, node
        dotted = ".".join(path)
        if dotted in self.member_defaults:
            return True, self.member_defaults[dotted]
        return False, None


_COMMON_SERVER_MANAGED = ("id", "version", "version_type", "created_on", "modified_on", "version_description")

TOOL = Kind(
    name="tool",
    plural="tools",
    api_path="/v0/evi/tools",
    page_key="tools_page",
    content_fields=("parameters", "description", "fallback_content"),
    required_fields=("parameters",),
    server_managed=(*_COMMON_SERVER_MANAGED, "tool_type"),
)

PROMPT = Kind(
    name="prompt",
    plural="prompts",
    api_path="/v0/evi/prompts",
    page_key="prompts_page",
    content_fields=("text", "prompt_expansion"),
    required_fields=("text",),
    server_managed=_COMMON_SERVER_MANAGED,
    detail_fields=("prompt_expansion",),
    reserved_name="humectl-lock",
    defaults={"prompt_expansion": {"enabled": True}},  # the spec: "Defaults to `true`"
)

CONFIG = Kind(
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
    required_fields=("evi_version",),
    server_managed=_COMMON_SERVER_MANAGED,
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

KINDS: dict[str, Kind] = {k.name: k for k in (TOOL, PROMPT, CONFIG)}

# Apply order: what is referenced comes before what references it. Deletes run in reverse.
DEPENDENCY_ORDER: tuple[str, ...] = ("tool", "prompt", "config")


def kind_level(kind_name: str, _seen: tuple[str, ...] = ()) -> int:
    """Apply level of a kind: 0 when it references nothing, else one past what it references."""
    kind = KINDS[kind_name]
    if not kind.references:
        return 0
    return 1 + max(kind_level(r.target, (*_seen, kind_name)) for r in kind.references)


# Kinds in the order they are planned and applied: by level, then as DEPENDENCY_ORDER lists them.
PLAN_ORDER = tuple(sorted(DEPENDENCY_ORDER, key=lambda k: (kind_level(k), DEPENDENCY_ORDER.index(k))))


def parse_address(address: str) -> tuple[str, str]:
    """Split ``kind/name`` into its parts; raise ValueError with a helpful message otherwise."""
    kind, sep, name = address.partition("/")
    if not sep or kind not in KINDS or not name:
        raise ValueError(f"{address!r} is not an address; use kind/name with kind one of {', '.join(KINDS)}")
    return kind, name
