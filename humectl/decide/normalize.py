"""One canonical form for both sides, so that equal means "no change".

Canonical content of a resource is a dict of its content: the kind's content fields, and any other
field but the ones the server sets (``Kind.server_fields``): a field humectl does not know (one Hume
added after its spec, ``ambient_sound``) is kept as it is, compared, and carried into every new
version, as are keys humectl does not know inside a section (``event_messages.on_resume_chat``,
``voice.type``). With:
- tool ``parameters`` as canonical JSON (sorted keys, no spaces): key order is never a change;
- references as ``"name@version"`` strings (live: taken from the embedded prompt/tool objects);
- ``builtin_tools`` sorted by name, without the server's ``tool_type``; webhook events sorted;
- ``voice`` as ``{provider, name}`` (the server resolves either half; the name is what people write),
  a Voice Library name spelled as the library spells it (Hume matches library names in any case),
  and the keys humectl does not know beside them (the server's ``compatible_octave_models`` go);
- ``None`` values removed: in live content null and absent are the same thing.

A manifest's explicit ``null`` is not "absent": it means "managed, and cleared". :func:`normalize_desired`
removes that field (or nested key) from the live content it merges over, or, where the server reports
a default for a field left out (``Kind.default_at``), resets it to that default. Fields the manifest
leaves out keep their live value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from humectl.catalog import voice_library
from humectl.core.kinds import KINDS, Kind, KindName

Ref = str  # "name@version", or "name@latest" for a live reference that follows the newest version
LATEST = "latest"


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_parameters(value: Any) -> Any:
    """Tool parameters (a JSON string on the wire) re-serialised canonically; non-JSON kept as is."""
    if isinstance(value, str):
        try:
            return canonical_json(json.loads(value))
        except (ValueError, RecursionError):  # not JSON, an integer over 4,300 digits, nested ~1,000 deep
            return value
    if isinstance(value, (dict, list)):
        return canonical_json(value)
    return value


def strip_none(value: Any) -> Any:
    """A fresh copy of ``value`` without None values in dicts (lists and dicts are rebuilt, scalars kept)."""
    if isinstance(value, dict):
        return {k: strip_none(v) if isinstance(v, (dict, list)) else v for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [strip_none(v) if isinstance(v, (dict, list)) else v for v in value]
    return value


def ref(name: str, version: int | str) -> Ref:
    return f"{name}@{version}"


def split_ref(value: Ref) -> tuple[str, int | str]:
    """``"name@3"`` → ``("name", 3)``; ``"name@latest"`` → ``("name", "latest")``."""
    name, _, version = value.rpartition("@")
    return name, version if version == LATEST else int(version)


# Keys the server adds to a section it answers: what it resolved, never what a request sets.
VOICE_SERVER_KEYS = ("compatible_octave_models",)
BUILTIN_TOOL_SERVER_KEYS = ("tool_type",)


def _builtin_tools(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    items = [
        strip_none({k: v for k, v in t.items() if k not in BUILTIN_TOOL_SERVER_KEYS}) if isinstance(t, dict) else t
        for t in value
    ]
    return sorted(items, key=lambda t: str(t.get("name")) if isinstance(t, dict) else canonical_json(t))


def _webhooks(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    out = []
    for hook in value:
        hook = dict(hook)
        if isinstance(hook.get("events"), list):
            hook["events"] = sorted(hook["events"])
        out.append(hook)
    return sorted(out, key=canonical_json)


def _voice(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    provider = value.get("provider") or "CUSTOM_VOICE"  # Hume: an omitted provider means CUSTOM_VOICE
    if value.get("name"):
        known = {"provider": provider, "name": library_spelling(provider, value["name"])}
    else:
        known = strip_none({"provider": provider, "id": value.get("id")})
    return {**known, **strip_none(voice_extras(value))}


def voice_extras(voice: Mapping[str, Any]) -> dict[str, Any]:
    """The keys of a voice humectl does not know (``type``): neither its reference nor what the server adds."""
    return {k: v for k, v in voice.items() if k not in ("provider", "name", "id", *VOICE_SERVER_KEYS)}


def library_spelling(provider: str, name: Any) -> Any:
    """A Voice Library name as the library spells it: Hume matches library voices in any case (a config
    asking for ``ITO`` gets ``Ito`` back), so ``ITO`` and ``Ito`` are one voice and compare equal.
    Custom voice names, and library names the catalog does not know, are kept as written."""
    if provider != "HUME_AI" or not isinstance(name, str):
        return name
    known = voice_library().by_name(name)
    return known.name if known is not None else name


def same_voice_name(provider: Any, one: Any, other: Any) -> bool:
    """Whether Hume takes two names of a voice as the same voice: library names in any case."""
    if not isinstance(one, str) or not isinstance(other, str):
        return False
    return one == other or (provider == "HUME_AI" and one.casefold() == other.casefold())


def _prompt_expansion(value: Any) -> Any:
    return value


# Field-level canonicalisation shared by both sides (references are handled by the kind registry).
FIELD_CANONICALISERS: dict[str, Callable[[Any], Any]] = {
    "parameters": canonical_parameters,
    "builtin_tools": _builtin_tools,
    "webhooks": _webhooks,
    "voice": _voice,
}

# Fields replaced wholesale when a manifest sets them (merging would mix two voices' id and name).
ATOMIC_FIELDS: tuple[str, ...] = ("voice",)


def unknown_fields(kind: Kind, content: Mapping[str, Any]) -> list[str]:
    """The top-level fields of ``content`` humectl does not know: neither content fields nor set by the server."""
    return [f for f in content if f not in kind.content_fields and f not in kind.server_fields]


def content_keys(kind: Kind, *contents: Mapping[str, Any]) -> list[str]:
    """The content fields, then the unknown fields of any of ``contents`` (sorted): every key to compare."""
    extra = {f for content in contents for f in unknown_fields(kind, content)}
    return [*kind.content_fields, *sorted(extra)]


def _canonical_fields(kind: Kind, content: Mapping[str, Any], *, keep_none: bool = False) -> dict[str, Any]:
    """The content of ``content`` (the kind's content fields, then the fields humectl does not know),
    canonical; None values dropped unless ``keep_none`` (a manifest's nulls, which :func:`_overlay`
    reads as "clear")."""
    out: dict[str, Any] = {}
    for field in (*kind.content_fields, *unknown_fields(kind, content)):
        if field not in content:
            continue
        value = content[field]
        canon = FIELD_CANONICALISERS.get(field)
        out[field] = canon(value) if canon and value is not None else value
    return out if keep_none else strip_none(out)


def normalize_live(
    kind_name: KindName, data: Mapping[str, Any], rename: Mapping[tuple[str, str], str] | None = None
) -> dict[str, Any]:
    """Canonical content of a live object; embedded prompt/tool objects become ``name@version``.

    ``rename`` maps (kind, live name) to the name the manifests know it by, so a prompt renamed in
    this plan does not look like a changed reference in every config that uses it.
    """
    kind = KINDS[kind_name]
    rename = rename or {}
    content = dict(data)
    for reference in kind.references:
        value = content.get(reference.field)
        if value is None:
            continue

        def to_ref(obj: Mapping[str, Any], target: KindName = reference.target) -> Ref:
            name = str(obj.get("name"))
            name = rename.get((target, name), name)
            version: Any = obj.get("version") if obj.get("version_type") != "LATEST" else LATEST
            return ref(name, version)

        if reference.many:
            content[reference.field] = sorted(to_ref(o) for o in value)
        else:
            content[reference.field] = to_ref(value)
    return _canonical_fields(kind, content)


def normalize_desired(
    kind_name: KindName,
    spec: Mapping[str, Any],
    resolve: Callable[[KindName, Mapping[str, Any]], Ref],
    live_content: Mapping[str, Any] | None = None,
    live_data: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Canonical content the manifest asks for, merged over the live content it leaves out.

    ``resolve(target_kind, {"name", "version"?})`` turns a manifest reference into ``name@version``.
    The result keeps live values of fields (and nested keys) the manifest does not set, so sending it
    as a new version never resets what the manifest doesn't manage.
    """
    kind = KINDS[kind_name]
    content = dict(spec)
    for reference in kind.references:
        value = content.get(reference.field)
        if value is None:
            continue
        if reference.many:
            content[reference.field] = sorted(resolve(reference.target, r) for r in value)
        else:
            content[reference.field] = resolve(reference.target, value)
    voice = content.get("voice")
    if isinstance(voice, dict) and not voice.get("name") and live_data and isinstance(live_data.get("voice"), dict):
        live_voice = live_data["voice"]
        if voice.get("id") and voice.get("id") == live_voice.get("id"):
            content["voice"] = {"provider": live_voice.get("provider"), "name": live_voice.get("name")}
    desired = _canonical_fields(kind, content, keep_none=True)
    if isinstance(desired.get("voice"), dict):
        desired["voice"] = as_live_voice(desired["voice"], (live_content or {}).get("voice"))
    return _overlay(kind, live_content or {}, desired, ())


def as_live_voice(voice: dict[str, Any], live_voice: Any) -> dict[str, Any]:
    """``voice`` (canonical) as the live voice when it names that voice: in live's spelling, and with
    the keys humectl does not know that live has and ``voice`` leaves out.

    A library voice the catalog does not know, named in another case than live spells it, is the live
    voice, and Hume would answer with live's spelling; keys like ``type`` are the live voice's own. Either
    way there is no perpetual diff. Another voice takes nothing of live's."""
    if not isinstance(live_voice, dict):
        return voice
    provider = voice.get("provider")
    if provider != live_voice.get("provider"):
        return voice
    if same_voice_name(provider, voice.get("name"), live_voice.get("name")):
        voice = {**voice, "name": live_voice["name"]}
    elif voice.get("name") is not None or voice.get("id") is None or voice.get("id") != live_voice.get("id"):
        return voice
    return {**voice, **{k: v for k, v in voice_extras(live_voice).items() if k not in voice}}


def _overlay(kind: Kind, base: Mapping[str, Any], overlay: Mapping[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    """``overlay`` (canonical desired content, nulls kept) over ``base`` (canonical live content).

    Nested dicts merge key by key, lists and ``ATOMIC_FIELDS`` replace. A None clears: the key goes,
    or, when the server has a known default for it (``Kind.default_at``), it is reset to that default
    unless the live value is already the default or absent. New dicts are made along merged paths
    only; subtrees the overlay does not touch stay shared with ``base`` (nothing mutates canonical forms).
    """
    merged = dict(base)
    for key, value in overlay.items():
        here = (*path, key)
        current = merged.get(key)
        if value is None:
            known, default = kind.default_at(here)
            if not known:
                merged.pop(key, None)
            elif current is not None and current != default:
                merged[key] = strip_none(default)
        elif isinstance(value, dict) and not (len(here) == 1 and key in ATOMIC_FIELDS):
            inner = _overlay(kind, current if isinstance(current, dict) else {}, value, here)
            if inner or isinstance(current, dict) or not _only_nulls(value):
                merged[key] = inner
        else:
            merged[key] = strip_none(value)
    return merged


def _only_nulls(value: Mapping[str, Any]) -> bool:
    """A manifest section that only clears (``{temperature: null}``): with nothing live, nothing to send."""
    return bool(value) and all(v is None or (isinstance(v, dict) and _only_nulls(v)) for v in value.values())
