"""Seeding: load a snapshot of an account into the store, all or nothing.

A seed document holds what Hume's API answers, so a snapshot taken from any EVI-compatible server
(``humectl emulator snapshot``) replays here under the same ids, versions and times::

    {"format": "humectl-emulator-snapshot/1",
     "prompts": [ReturnPrompt, ...],  "tools": [ReturnUserDefinedTool, ...],   # every version
     "configs": [ReturnConfig, ...],  "voices": [ReturnVoice, ...],            # custom + library
     "chats": [ReturnChat + {"events": [ReturnChatEvent, ...]}, ...]}

Every section is optional. Each version is checked as a POST of it would be (ranges, references,
voices; the fields the spec lacks are kept, as a POST's are) and stored with its own id, version
number, ``created_on``/``modified_on`` (now when left out); a config's embedded prompt and tools become
references (``version_type: LATEST`` follows the latest).
Custom voices keep their ids; ``HUME_AI`` voices add to (or re-identify) the Voice Library. Any
problem names the item and rolls the whole seed back (docs/emulator.md, "Seeding and snapshots").
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from humectl.emulator.resources import CONFIGS, PROMPTS, TOOLS, UNKNOWN, ResourceKind
from humectl.emulator.store import DuplicateNameError, IdTakenError, Store, VersionRow, now_ms
from humectl.emulator.validation import Arr, HumeHTTPError, Obj, Str, check_name, unknown_fields

# The seed document's format (what `humectl emulator snapshot` writes, humectl.ops.snapshot).
FORMAT = "humectl-emulator-snapshot/1"

SECTIONS = ("prompts", "tools", "configs", "voices", "chats")
_CHAT_STATUSES = ("ACTIVE", "USER_ENDED", "USER_TIMEOUT", "MAX_DURATION_TIMEOUT", "INACTIVITY_TIMEOUT", "ERROR")
_CHAT = Obj({"id": Str(), "chat_group_id": Str(), "events": Arr(Obj({}))})


class SeedError(Exception):
    """A seed that cannot be loaded: the message names the item and why (nothing was loaded)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class SeedReport:
    """How much a seed loaded, per section (versions counted separately), and the chats' ids."""

    counts: dict[str, int] = field(default_factory=dict)
    chat_ids: list[str] = field(default_factory=list)


def read_seed_file(path: str | Path) -> dict[str, Any]:
    """A seed document from a JSON (or YAML) file; SeedError saying what is wrong with it."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedError(f"cannot read seed file {path}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        document = json.loads(text)
    except ValueError:
        import yaml

        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise SeedError(f"seed file {path} is neither JSON nor YAML: {exc}") from None
    if not isinstance(document, dict):
        raise SeedError(f"seed file {path} must hold an object with {', '.join(SECTIONS)}")
    return document


def seed_account(store: Store, document: Any) -> SeedReport:
    """Load ``document`` into ``store`` in one transaction; SeedError (nothing loaded) on any problem."""
    if not isinstance(document, dict):
        raise SeedError(f"a seed is an object with any of {', '.join(SECTIONS)}")
    unknown = sorted(set(document) - {*SECTIONS, "format"})
    if unknown:
        raise SeedError(f"unknown seed section(s) {', '.join(map(repr, unknown))}: use {', '.join(SECTIONS)}")
    if document.get("format", FORMAT) != FORMAT:
        raise SeedError(f"seed format {document['format']!r} is not {FORMAT!r}")
    for section in SECTIONS:
        if not isinstance(document.get(section, []), list):
            raise SeedError(f"{section} must be a list")
    report = SeedReport()
    try:
        with store.transaction():
            report.counts["voices"], report.counts["library_voices"] = _seed_voices(store, document.get("voices", []))
            for kind in (TOOLS, PROMPTS, CONFIGS):  # configs refer to tools and prompts
                resources, versions = _seed_kind(store, kind, document.get(kind.plural, []))
                report.counts[kind.plural], report.counts[f"{kind.name}_versions"] = resources, versions
            report.chat_ids = _seed_chats(store, document.get("chats", []))
            report.counts["chats"] = len(report.chat_ids)
    except HumeHTTPError as exc:  # a check shared with the API, raised outside any item (defensive)
        raise SeedError(_error_text(exc)) from None
    return report


# ---- pieces --------------------------------------------------------------------------------------


def _error_text(exc: HumeHTTPError) -> str:
    body = exc.body
    if "detail" in body:
        return "; ".join(f"{'.'.join(map(str, d['loc'][1:])) or 'body'}: {d['msg']}" for d in body["detail"])
    return str(body.get("message"))


def _uuid(value: Any, where: str) -> str:
    try:
        return str(uuid.UUID(str(value))) if isinstance(value, str) else _bad(where, "an id (a UUID)")
    except ValueError:
        return _bad(where, f"an id (a UUID), not {value!r}")


def _int(value: Any, where: str, *, default: int | None = None) -> int:
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return _bad(where, f"a whole number of 0 or more, not {value!r}")
    return value


def _bad(where: str, wanted: str) -> Any:
    raise SeedError(f"{where} needs {wanted}")


def _seed_voices(store: Store, voices: list[Any]) -> tuple[int, int]:
    custom = library = 0
    for i, voice in enumerate(voices):
        where = f"voices[{i}]"
        if not isinstance(voice, dict):
            _bad(where, "an object {id, name, provider}")
        name = voice.get("name")
        if not isinstance(name, str) or not name.strip():
            raise SeedError(f"{where}.name needs a non-empty name")
        vid = _uuid(voice.get("id"), f"{where}.id")
        provider = voice.get("provider") or "CUSTOM_VOICE"
        try:
            if provider == "HUME_AI":
                store.add_library_voice(vid, name)
                library += 1
            elif provider == "CUSTOM_VOICE":
                generation = voice.get("generation_id")
                created_on = _int(voice.get("created_on"), f"{where}.created_on", default=now_ms())
                store.create_voice(
                    name, generation if isinstance(generation, str) else "", voice_id=vid, created_on=created_on
                )
                custom += 1
            else:
                _bad(f"{where}.provider", "HUME_AI or CUSTOM_VOICE")
        except (IdTakenError, DuplicateNameError) as exc:
            what = "id" if isinstance(exc, IdTakenError) else "name"
            raise SeedError(f"{where}: the account already holds a {provider} voice with this {what}") from None
    return custom, library


def _posted(kind: ResourceKind, item: dict[str, Any], where: str) -> dict[str, Any]:
    """The body that would have made this version: an API answer turned back into a POST."""
    body = {k: v for k, v in item.items() if k in kind.version_body.fields}
    if kind is CONFIGS:
        prompt = item.get("prompt")
        if isinstance(prompt, dict):
            if prompt.get("id") is None:
                _bad(f"{where}.prompt", "an id (a seeded config refers to a seeded prompt)")
            body["prompt"] = _reference(prompt)
        if isinstance(item.get("tools"), list):
            body["tools"] = [_reference(t) if isinstance(t, dict) else t for t in item["tools"]]
        if isinstance(item.get("builtin_tools"), list):
            body["builtin_tools"] = [
                {k: v for k, v in t.items() if k != "tool_type"} if isinstance(t, dict) else t
                for t in item["builtin_tools"]
            ]
        if isinstance(item.get("voice"), dict):
            body["voice"] = {k: v for k, v in item["voice"].items() if k in ("id", "name", "provider")}
    return body


# What an answer carries that no request sends: never a field the spec lacks.
_ANSWER_ONLY = (
    "id",
    "version",
    "version_type",
    "version_description",
    "name",
    "created_on",
    "modified_on",
    "tool_type",
)


def _unknown(kind: ResourceKind, item: dict[str, Any]) -> dict[str, Any]:
    """The fields of an answer the spec lacks (``event_messages.on_resume_chat``), kept as a POST's are;
    embedded prompts and tools are references, and a voice's ``compatible_octave_models`` is the library's."""
    body = {
        k: v for k, v in item.items() if k not in _ANSWER_ONLY and not (kind is CONFIGS and k in ("prompt", "tools"))
    }
    unknown = unknown_fields(body, kind.create_body)
    voice = unknown.get("voice")
    if isinstance(voice, dict):
        voice.pop("compatible_octave_models", None)
        if not voice:
            del unknown["voice"]
    return unknown


def _reference(embedded: dict[str, Any]) -> dict[str, Any]:
    """An embedded prompt or tool as the reference it came from (LATEST follows the newest version)."""
    latest = embedded.get("version_type") == "LATEST"
    return {"id": embedded.get("id"), "version": None if latest else embedded.get("version")}


def _seed_kind(store: Store, kind: ResourceKind, items: list[Any]) -> tuple[int, int]:
    """Seed every version of every resource of one kind; (resources, versions) loaded."""
    grouped: dict[str, list[tuple[int, str, dict[str, Any]]]] = {}
    for i, item in enumerate(items):
        where = f"{kind.plural}[{i}]"
        if not isinstance(item, dict):
            _bad(where, f"an object (a {kind.label} as Hume's API returns it)")
        rid = _uuid(item.get("id"), f"{where}.id")
        version = _int(item.get("version"), f"{where}.version")
        grouped.setdefault(rid, []).append((version, where, item))
    versions_loaded = 0
    for rid, entries in grouped.items():
        entries.sort(key=lambda e: e[0])
        first_where, first = entries[0][1], entries[0][2]
        numbers = [v for v, _, _ in entries]
        if len(set(numbers)) != len(numbers):
            raise SeedError(f"{kind.label} {rid} has version {_repeated(numbers)} more than once")
        name = first.get("name")
        if not isinstance(name, str):
            raise SeedError(f"{first_where}.name needs a name")
        for _, where, item in entries:
            if item.get("name") != name:
                raise SeedError(f"{where}: every version of {kind.label} {rid} has one name ({name!r})")
        try:
            check_name(name, kind.label)
        except HumeHTTPError as exc:
            raise SeedError(f"{first_where}.name: {_error_text(exc)}") from None
        created_on = _int(first.get("created_on"), f"{first_where}.created_on", default=now_ms())
        rows: list[tuple[int, str | None, int, dict[str, Any]]] = []
        previous: VersionRow | None = None
        for version, where, item in entries:
            body = _posted(kind, item, where)
            errors: list[dict[str, Any]] = []
            kind.version_body.check(body, [where], errors)
            if errors:
                raise SeedError("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors))
            try:
                content, new_prompt = kind.build(store, body, previous)
            except HumeHTTPError as exc:
                raise SeedError(f"{where} ({kind.label} {rid} version {version}): {_error_text(exc)}") from None
            if new_prompt is not None:
                _bad(f"{where}.prompt", "an id (a seeded config refers to a seeded prompt)")
            if unknown := _unknown(kind, item):
                content[UNKNOWN] = unknown
            description = item.get("version_description")
            if description is not None and not isinstance(description, str):
                _bad(f"{where}.version_description", "a string or null")
            modified_on = _int(item.get("modified_on"), f"{where}.modified_on", default=created_on)
            rows.append((version, description, modified_on, content))
            previous = VersionRow(rid, kind.name, name, created_on, version, description, modified_on, content)
        try:
            store.seed_resource(kind.name, rid, name, created_on, rows)
        except IdTakenError:
            raise SeedError(f"{first_where}: the account already holds id {rid}") from None
        except DuplicateNameError:
            raise SeedError(f"{first_where}: the account already has a {kind.name} named {name!r}") from None
        versions_loaded += len(rows)
    return len(grouped), versions_loaded


def _repeated(numbers: list[int]) -> int:
    seen: set[int] = set()
    for n in numbers:
        if n in seen:
            return n
        seen.add(n)
    raise AssertionError("no repeat")


def _seed_chats(store: Store, chats: list[Any]) -> list[str]:
    """Chats with their events; missing fields get plausible values (ids, times, USER_ENDED)."""
    ids = []
    for i, given in enumerate(chats):
        where = f"chats[{i}]"
        errors: list[dict[str, Any]] = []
        _CHAT.check(given, [where], errors)
        if errors:
            raise SeedError("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors))
        chat = dict(given)
        events = chat.pop("events", None) or []
        chat.setdefault("id", str(uuid.uuid4()))
        chat.setdefault("chat_group_id", str(uuid.uuid4()))
        chat.setdefault("status", "USER_ENDED")
        if chat["status"] not in _CHAT_STATUSES:
            raise SeedError(f"{where}.status must be one of {', '.join(_CHAT_STATUSES)}")
        start = chat.setdefault("start_timestamp", now_ms())
        if chat["status"] != "ACTIVE":
            chat.setdefault("end_timestamp", start + 60_000)
        chat.setdefault("metadata", None)
        if chat.get("config") is None:
            # The spec's ReturnChat.config is an object, not nullable: a chat without one omits the key.
            chat.pop("config", None)
        full_events = []
        for n, given_event in enumerate(events):
            event = dict(given_event)
            event.setdefault("id", str(uuid.uuid4()))
            event["chat_id"] = chat["id"]
            event.setdefault("timestamp", start + n)
            event.setdefault("role", "USER")
            event.setdefault("type", "USER_MESSAGE")
            event.setdefault("message_text", None)
            full_events.append(event)
        chat["event_count"] = len(full_events)
        store.add_chat(chat, full_events)
        ids.append(chat["id"])
    return ids
