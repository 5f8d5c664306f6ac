"""Configs: turning a posted config into a stored version (validation, references, defaults) and back.

A stored config version keeps references, not copies: ``prompt`` and ``tools`` hold ``{id, version}``
(``version`` None = follow the latest version, returned with ``version_type: "LATEST"``), so renames and
new versions of a referenced prompt/tool show up when the config is read. The voice is stored resolved
(``{id, name, provider, ...}``) because voices are not versioned and a config must keep answering even
if the custom voice is later deleted. Defaults are filled at write time so that what is stored is
exactly what is returned (docs/emulator.md lists them, docs/fidelity.md gives their evidence).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from humectl.emulator.shapes import render_prompt, render_tool
from humectl.emulator.store import Store, VersionRow
from humectl.emulator.validation import EVI_VERSIONS, bad_request, check_range
from humectl.emulator.voices import resolve_voice

# Hume's defaults for what a config leaves out (docs/fidelity.md has the evidence for each): the
# timeouts page of dev.hume.ai (inactivity 120 s, max duration 1,800 s) and a live answer to a config
# posted without timeouts or nudges (inactivity 120, max duration 1800, nudges disabled).
DEFAULT_TIMEOUTS = {
    "inactivity": {"enabled": True, "duration_secs": 120},
    "max_duration": {"enabled": True, "duration_secs": 1800},
}
DEFAULT_NUDGES = {"enabled": False, "interval_secs": None}
EVENT_MESSAGE_KEYS = ("on_new_chat", "on_inactivity_timeout", "on_max_duration_timeout")


def _int(value: Any) -> int | None:
    # 30.0 passes schema validation as an integer; store it as one.
    return None if value is None else int(value)


def build_config_content(
    store: Store, body: dict[str, Any], *, previous: VersionRow | None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Validate a posted config (already schema-checked) and return ``(content, new_prompt)``.

    ``new_prompt`` is ``{"text", "prompt_expansion"}`` when the config asks Hume to create a prompt from
    text; the caller creates it (only after everything else validated) and fills ``content["prompt"]``.
    """
    content: dict[str, Any] = {}

    evi_version = body["evi_version"]
    if evi_version not in EVI_VERSIONS:
        raise bad_request(
            f"evi_version {evi_version!r} is not supported; use one of {', '.join(map(repr, EVI_VERSIONS))}",
            "unsupported_evi_version",
        )
    content["evi_version"] = evi_version

    new_prompt: dict[str, Any] | None = None
    prompt = body.get("prompt")
    content["prompt"] = None
    if prompt is not None:
        pid, pversion, ptext = prompt.get("id"), prompt.get("version"), prompt.get("text")
        if pid is not None and ptext is not None:
            raise bad_request("prompt: give either id (an existing prompt) or text (a new prompt), not both")
        if pid is not None:
            pversion = _int(pversion)
            if pversion is None:
                if not store.resource_exists("prompt", pid):
                    raise bad_request(f"Prompt {pid} not found", "prompt_not_found")
            elif store.get_version("prompt", pid, pversion) is None:
                raise bad_request(f"Prompt {pid} version {pversion} not found", "prompt_not_found")
            content["prompt"] = {"id": pid, "version": pversion}
        elif ptext is not None:
            if pversion is not None:
                raise bad_request("prompt: version needs an id")
            new_prompt = {"text": ptext, "prompt_expansion": prompt.get("prompt_expansion")}
        elif pversion is not None:
            raise bad_request("prompt: version needs an id")
        # {} or {prompt_expansion} alone: no prompt, as if omitted (Hume's default system prompt).

    voice = body.get("voice")
    content["voice"] = None
    if voice is not None:
        content["voice"] = resolve_voice(
            store, voice_id=voice.get("id"), name=voice.get("name"), provider=voice.get("provider")
        )

    model = body.get("language_model")
    content["language_model"] = None
    if model is not None:
        check_range(model.get("temperature"), 0, 1, "language_model.temperature")
        # Only what was given: a null model_provider would break the response schema (an enum).
        content["language_model"] = {
            k: model[k] for k in ("model_provider", "model_resource", "temperature") if model.get(k) is not None
        }

    # The spec says new versions inherit allow_short_responses when it is omitted.
    ellm = body.get("ellm_model") or {}
    allow_short = ellm.get("allow_short_responses")
    if allow_short is None:
        allow_short = previous.content["ellm_model"]["allow_short_responses"] if previous is not None else False
    content["ellm_model"] = {"allow_short_responses": allow_short}

    tools = []
    for ref in body.get("tools") or []:
        tid, tversion = ref["id"], _int(ref.get("version"))
        if tversion is None:
            if not store.resource_exists("tool", tid):
                raise bad_request(f"Tool {tid} not found", "tool_not_found")
        elif store.get_version("tool", tid, tversion) is None:
            raise bad_request(f"Tool {tid} version {tversion} not found", "tool_not_found")
        tools.append({"id": tid, "version": tversion})
    content["tools"] = tools

    content["builtin_tools"] = [
        {"name": b["name"], "tool_type": "BUILTIN", "fallback_content": b.get("fallback_content")}
        for b in body.get("builtin_tools") or []
    ]

    messages = body.get("event_messages") or {}
    content["event_messages"] = {
        key: {
            "enabled": (messages.get(key) or {}).get("enabled", False),
            "text": (messages.get(key) or {}).get("text"),
        }
        for key in EVENT_MESSAGE_KEYS
    }

    timeouts = body.get("timeouts") or {}
    content["timeouts"] = {}
    for key, default in DEFAULT_TIMEOUTS.items():
        spec = timeouts.get(key)
        if spec is None:
            content["timeouts"][key] = dict(default)
            continue
        duration = _int(spec.get("duration_secs"))
        check_range(duration, 30, 1800, f"timeouts.{key}.duration_secs")
        content["timeouts"][key] = {
            "enabled": spec["enabled"],
            "duration_secs": default["duration_secs"] if duration is None else duration,
        }

    # Live answered nudges {enabled: false, interval_secs: null} for a config that sent none; a key a
    # given nudges leaves out takes that default too.
    nudges = body.get("nudges") or {}
    interval = _int(nudges.get("interval_secs"))
    if interval is not None and interval < 1:
        raise bad_request(f"nudges.interval_secs must be 1 or greater (got {interval})", "value_out_of_range")
    enabled = nudges.get("enabled")
    content["nudges"] = {
        "enabled": DEFAULT_NUDGES["enabled"] if enabled is None else enabled,
        "interval_secs": interval,
    }

    turn = body.get("turn_detection")
    content["turn_detection"] = None
    if turn is not None:
        silence, padding = _int(turn.get("end_of_turn_silence_ms")), _int(turn.get("prefix_padding_ms"))
        threshold = turn.get("speech_detection_threshold")
        check_range(silence, 500, 3000, "turn_detection.end_of_turn_silence_ms")
        check_range(padding, 0, 1000, "turn_detection.prefix_padding_ms")
        check_range(threshold, 0.0, 1.0, "turn_detection.speech_detection_threshold")
        content["turn_detection"] = {
            "end_of_turn_silence_ms": silence,
            "prefix_padding_ms": padding,
            "speech_detection_threshold": threshold,
        }

    interruption = body.get("interruption")
    content["interruption"] = None
    if interruption is not None:
        min_ms = _int(interruption.get("min_interruption_ms"))
        check_range(min_ms, 50, 2000, "interruption.min_interruption_ms")
        content["interruption"] = {"min_interruption_ms": min_ms}

    webhooks = []
    for i, hook in enumerate(body.get("webhooks") or []):
        url = hook["url"]
        try:
            parts = urlsplit(url)
        except ValueError:  # e.g. an unclosed "[" of an IPv6 host: a bad request, not a server error
            parts = urlsplit("")
        if parts.scheme != "https" or not parts.netloc:
            raise bad_request(f"webhooks[{i}].url must be a valid https URL (got {url!r})", "invalid_webhook_url")
        webhooks.append({"url": url, "events": list(hook["events"])})
    content["webhooks"] = webhooks

    return content, new_prompt


def render_config(store: Store, row: VersionRow) -> dict[str, Any]:
    """A stored config version as Hume's ReturnConfig, with full prompt and tool objects embedded.

    A referenced prompt/tool version deleted after the config was saved is left out of the answer.
    """
    c = row.content
    out: dict[str, Any] = {
        "id": row.id,
        "version": row.version,
        "version_description": row.version_description,
        "name": row.name,
        "created_on": row.created_on,
        "modified_on": row.modified_on,
        "evi_version": c["evi_version"],
    }
    ref = c.get("prompt")
    if ref is not None:
        prompt = _resolve(store, "prompt", ref)
        if prompt is not None:
            out["prompt"] = render_prompt(prompt, "LATEST" if ref["version"] is None else "FIXED", with_expansion=False)
    if c.get("voice") is not None:
        out["voice"] = c["voice"]
    if c.get("language_model") is not None:
        out["language_model"] = c["language_model"]
    out["ellm_model"] = c["ellm_model"]
    tools = []
    for ref in c["tools"]:
        tool = _resolve(store, "tool", ref)
        if tool is not None:
            tools.append(render_tool(tool, "LATEST" if ref["version"] is None else "FIXED"))
    out["tools"] = tools
    out["builtin_tools"] = c["builtin_tools"]
    out["event_messages"] = c["event_messages"]
    out["timeouts"] = c["timeouts"]
    for key in ("nudges", "turn_detection", "interruption"):
        if c.get(key) is not None:
            out[key] = c[key]
    out["webhooks"] = c["webhooks"]
    return out


def _resolve(store: Store, kind: str, ref: dict[str, Any]) -> VersionRow | None:
    if ref["version"] is None:
        return store.latest_version(kind, ref["id"])
    return store.get_version(kind, ref["id"], ref["version"])
