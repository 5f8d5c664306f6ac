"""Request validation with Hume-shaped errors.

Two layers, two shapes (docs/emulator.md, "Errors"):

* **422** ``{"detail": [{"loc": [...], "msg": ..., "type": ...}]}``, FastAPI/pydantic style, for anything
  the OpenAPI *schema* can express: unparseable JSON, a missing required field, a wrong JSON type,
  a value outside a schema enum, a malformed UUID or integer in the path or query. Hume's backend is
  FastAPI, which rejects those before any handler runs; all such errors are reported at once.
* **400** ``{"error": ..., "message": ..., "code": ...}`` (the spec's ErrorResponse) for rules only the
  prose states: ranges (timeouts 30–1800 s, temperature 0–1, ...), ``evi_version`` values, https
  webhooks, unknown referenced ids/versions, duplicate names, tool parameters that are not JSON.
  On the wire it is laid out as live EVI's errors were (:func:`live_shape`): ``{timestamp, status,
  error, message, path}`` with the spec's ``code`` after them.

The body schemas below are written by hand from Hume's OpenAPI (the spec is not shipped with humectl).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

# ---- errors ------------------------------------------------------------------------------------


class HumeHTTPError(Exception):
    """An error answer: the app turns it into a JSON response with this status and body."""

    def __init__(self, status: int, body: dict[str, Any], headers: Mapping[str, str] | None = None) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body
        self.headers = dict(headers or {})


def error_body(error: str, message: str, code: str) -> dict[str, Any]:
    """Hume's ErrorResponse: ``{error, message, code}`` (all strings)."""
    return {"error": error, "message": message, "code": code}


def live_shape(body: dict[str, Any], status: int, path: str) -> dict[str, Any]:
    """An ErrorResponse as live EVI laid its errors out: ``{timestamp, status, error, message, path}``
    (the keys a public package's live tests read from them: Arkitecht/laravel-hume, RequestException),
    then the spec's ``code``. Bodies of other shapes (422 ``detail``, the gateway's 401) pass unchanged."""
    if "message" not in body or "detail" in body:
        return body
    stamp = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
    shaped = {"timestamp": stamp, "status": status, "error": body.get("error"), "message": body["message"]}
    shaped["path"] = path
    if "code" in body:
        shaped["code"] = body["code"]
    return shaped


# What live answered a wrong X-Hume-Api-Key with: the API gateway's fault document (Hume's own Python SDK
# recognised it by this faultstring and errorcode: HumeAI/hume-python-sdk, hume/_batch, in the SDK until
# its legacy clients were removed in June 2025). No source records the answer to a missing key; the
# emulator gives the same one.
UNAUTHORIZED = {"fault": {"faultstring": "Invalid ApiKey", "detail": {"errorcode": "oauth.v2.InvalidApiKey"}}}


def bad_request(message: str, code: str = "invalid_request") -> HumeHTTPError:
    return HumeHTTPError(400, error_body("Bad Request", message, code))


def no_such_name(label: str, name: str) -> HumeHTTPError:
    """Live's answer to a list filtered by a ``name`` nothing has: an error, not an empty page.

    The words for configs and prompts are the ones a public package's live tests recorded
    (Arkitecht/laravel-hume tests/ConfigsTest.php, PromptsTest.php); the prompt message went on after
    "does not exist " with words no source records. The status is not recorded: 400, the one error the
    spec declares for these lists (docs/fidelity.md)."""
    if label == "Prompt":
        message = f"Either prompt (Name: {name}) does not exist or it is not yours"
    else:
        message = f"{label} (Name: {name}) does not exist"
    return HumeHTTPError(400, error_body("Bad Request", message, "name_not_found"))


def not_found(message: str) -> HumeHTTPError:
    return HumeHTTPError(404, error_body("Not Found", message, "not_found"))


def unprocessable(detail: list[dict[str, Any]]) -> HumeHTTPError:
    return HumeHTTPError(422, {"detail": detail})


def detail(loc: list[str | int], msg: str, type_: str) -> dict[str, Any]:
    return {"loc": loc, "msg": msg, "type": type_}


# ---- body schema -------------------------------------------------------------------------------
#
# Nulls are decided per field (docs/emulator.md, "Nulls"): every optional field of a request body says
# what a JSON null means for it (a ``Null``), required fields and array items refuse null with a 422.
# The evidence, in short: Hume's Fern definition types every optional field ``optional<...>``, and
# Hume's Python SDK sends ``null`` for any of them given as ``None`` (hume 0.14.1, observed), so real
# clients send nulls even where the OpenAPI export does not mark the field nullable.


@dataclass(frozen=True)
class Null:
    """What a JSON null means for one optional field, and why null is accepted there."""

    means: str
    evidence: str


# The evidence phrases the docs' table uses; "spec" is ../shared/hume-api-spec/openapi (2026-05).
SPEC_NULLABLE = "spec: nullable"
SPEC_NOT_NULLABLE = "spec: not nullable, but Fern optional and the SDK sends null for None"
SPEC_NOT_NULLABLE_SDK = "spec: not nullable (not in Fern), but the SDK types it Optional and sends null for None"


class Spec:
    """A schema node; ``check`` appends pydantic-style problems for ``value`` at ``loc``."""

    def check(self, value: Any, loc: list[str | int], errors: list[dict[str, Any]]) -> None:
        raise NotImplementedError


class Str(Spec):
    def check(self, value: Any, loc: list[str | int], errors: list[dict[str, Any]]) -> None:
        if not isinstance(value, str):
            errors.append(detail(loc, "Input should be a valid string", "string_type"))


class Int(Spec):
    def check(self, value: Any, loc: list[str | int], errors: list[dict[str, Any]]) -> None:
        # bool is an int in Python but not in JSON; 3.0 is accepted like pydantic does.
        ok = (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
        if not ok:
            errors.append(detail(loc, "Input should be a valid integer", "int_type"))


class Num(Spec):
    def check(self, value: Any, loc: list[str | int], errors: list[dict[str, Any]]) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            errors.append(detail(loc, "Input should be a valid number", "float_type"))


class Bool(Spec):
    def check(self, value: Any, loc: list[str | int], errors: list[dict[str, Any]]) -> None:
        if not isinstance(value, bool):
            errors.append(detail(loc, "Input should be a valid boolean", "bool_type"))


class Enum(Spec):
    def __init__(self, *values: str) -> None:
        self.values = values

    def check(self, value: Any, loc: list[str | int], errors: list[dict[str, Any]]) -> None:
        if not isinstance(value, str) or value not in self.values:
            allowed = ", ".join(f"'{v}'" for v in self.values[:-1]) + f" or '{self.values[-1]}'"
            errors.append(detail(loc, f"Input should be {allowed}", "enum"))


class Arr(Spec):
    # Array items refuse null: the spec's items are not nullable. (Fern, older, says list<optional<...>>;
    # the newer spec wins, and a null tool reference or webhook means nothing.)
    def __init__(self, item: Spec) -> None:
        self.item = item

    def check(self, value: Any, loc: list[str | int], errors: list[dict[str, Any]]) -> None:
        if not isinstance(value, list):
            errors.append(detail(loc, "Input should be a valid list", "list_type"))
            return
        for i, item in enumerate(value):
            check_value(self.item, item, [*loc, i], errors, null=None)


@dataclass
class Obj(Spec):
    fields: dict[str, Spec]
    required: tuple[str, ...] = ()
    # What null means for each optional field; a field left out here refuses null (422).
    nulls: dict[str, Null] = field(default_factory=dict)
    # VoiceRef is oneOf {id} | {name}: at least one of these keys must be present.
    any_of: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        assert not set(self.nulls) & set(self.required), "a required field cannot accept null"
        assert set(self.nulls) <= set(self.fields)

    def check(self, value: Any, loc: list[str | int], errors: list[dict[str, Any]]) -> None:
        if not isinstance(value, dict):
            errors.append(
                detail(loc, "Input should be a valid dictionary or object to extract fields from", "model_type")
            )
            return
        for key in self.required:
            if key not in value:
                errors.append(detail([*loc, key], "Field required", "missing"))
        if self.any_of and all(value.get(k) is None for k in self.any_of):
            errors.append(detail([*loc, self.any_of[0]], "Field required", "missing"))
        for key, spec in self.fields.items():
            if key in value:
                check_value(spec, value[key], [*loc, key], errors, null=self.nulls.get(key))
        # Unknown keys are not checked (FastAPI's default); unknown_fields() keeps them.


def unknown_fields(value: Any, spec: Obj) -> dict[str, Any]:
    """The parts of a request body ``spec`` does not describe, nested as in the body: fields at its top
    level, and inside its sections (``event_messages.on_resume_chat``); list items are not looked into.

    Live EVI kept fields its spec lacks (a live answer carried ``on_resume_chat``, docs/fidelity.md), so
    the emulator stores these and answers them back (:func:`with_unknown_fields`), standing in for them.
    """
    out: dict[str, Any] = {}
    if not isinstance(value, dict):
        return out
    for key, item in value.items():
        known = spec.fields.get(key)
        if known is None:
            out[key] = item
        elif isinstance(known, Obj) and isinstance(item, dict) and (inner := unknown_fields(item, known)):
            out[key] = inner
    return out


def with_unknown_fields(answer: dict[str, Any], unknown: Any, spec: Obj) -> dict[str, Any]:
    """``answer`` with the :func:`unknown_fields` a version was stored with: a field the spec lacks where
    the answer has none of that name, and inside the sections the answer has; nothing it has is replaced."""
    if not isinstance(unknown, dict) or not unknown:
        return answer
    out = dict(answer)
    for key, item in unknown.items():
        known = spec.fields.get(key)
        if known is None:
            out.setdefault(key, item)
        elif isinstance(known, Obj) and isinstance(out.get(key), dict):
            out[key] = with_unknown_fields(out[key], item, known)
    return out


def check_value(
    spec: Spec, value: Any, loc: list[str | int], errors: list[dict[str, Any]], *, null: Null | None
) -> None:
    """Check one value; a null passes only where the field declares what it means (``null``)."""
    if value is None:
        if null is None:
            # pydantic reports the type it wanted (an object field asks for a dictionary).
            (spec if not isinstance(spec, Obj) else Obj({})).check(value, loc, errors)
        return
    spec.check(value, loc, errors)


def validate_body(raw: bytes, spec: Obj) -> dict[str, Any]:
    """Parse a JSON body and check it against ``spec``; raise 422 with every problem found."""
    if not raw.strip():
        raise unprocessable([detail(["body"], "Field required", "missing")])
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        pos = getattr(exc, "pos", 0)
        raise unprocessable([detail(["body", pos], "JSON decode error", "json_invalid")]) from None
    except RecursionError:  # FastAPI's parser stops at its recursion limit too: a 422, not a 500
        problem = detail(["body", 0], "JSON decode error: recursion limit exceeded", "json_invalid")
        raise unprocessable([problem]) from None
    errors: list[dict[str, Any]] = []
    spec.check(body, ["body"], errors)
    if errors:
        raise unprocessable(errors)
    return body  # an object: checked above


def null_choices(spec: Spec, path: str = "") -> list[tuple[str, Null | None]]:
    """Every field under ``spec`` (``a.b``, ``a[].b``) with its null choice (None = refused): the docs' table."""
    rows: list[tuple[str, Null | None]] = []
    if isinstance(spec, Obj):
        for key, sub in spec.fields.items():
            here = f"{path}.{key}" if path else key
            rows.append((here, spec.nulls.get(key)))
            rows += null_choices(sub, here)
    elif isinstance(spec, Arr):
        rows.append((f"{path}[]", None))
        rows += null_choices(spec.item, f"{path}[]")
    return rows


# The request bodies, from Hume's OpenAPI components (posted_prompt, posted_config, ...).

_NONE = "none: returned as null"
DESCRIPTION_BODY = Obj(
    {"version_description": Str()},
    nulls={"version_description": Null("clears the description (returned as null)", SPEC_NULLABLE)},
)
NAME_BODY = Obj({"name": Str()}, required=("name",))

PROMPT_EXPANSION = Obj(
    {"enabled": Bool()},
    nulls={"enabled": Null("as omitted: enabled (the spec's default, true)", SPEC_NOT_NULLABLE_SDK)},
)
_PROMPT_NULLS = {
    "prompt_expansion": Null("as omitted: no prompt_expansion stored or returned", SPEC_NOT_NULLABLE_SDK),
    "version_description": Null(_NONE, SPEC_NULLABLE),
}
PROMPT_VERSION_BODY = Obj(
    {"text": Str(), "prompt_expansion": PROMPT_EXPANSION, "version_description": Str()},
    required=("text",),
    nulls=_PROMPT_NULLS,
)
PROMPT_BODY = Obj({**PROMPT_VERSION_BODY.fields, "name": Str()}, required=("name", "text"), nulls=_PROMPT_NULLS)

_TOOL_NULLS = {
    "description": Null(_NONE, SPEC_NULLABLE),
    "fallback_content": Null(_NONE, SPEC_NULLABLE),
    "version_description": Null(_NONE, SPEC_NULLABLE),
}
TOOL_VERSION_BODY = Obj(
    {"parameters": Str(), "description": Str(), "fallback_content": Str(), "version_description": Str()},
    required=("parameters",),
    nulls=_TOOL_NULLS,
)
TOOL_BODY = Obj({**TOOL_VERSION_BODY.fields, "name": Str()}, required=("name", "parameters"), nulls=_TOOL_NULLS)

MODEL_PROVIDERS = (
    "GROQ",
    "OPEN_AI",
    "FIREWORKS",
    "ANTHROPIC",
    "CUSTOM_LANGUAGE_MODEL",
    "GOOGLE",
    "HUME_AI",
    "AMAZON_BEDROCK",
    "PERPLEXITY",
    "SAMBANOVA",
    "CEREBRAS",
    "X_AI",
)
VOICE_PROVIDERS = ("HUME_AI", "CUSTOM_VOICE")
WEBHOOK_EVENTS = ("chat_started", "chat_ended", "tool_call")
BUILTIN_TOOL_NAMES = ("web_search", "hang_up")
EVI_VERSIONS = ("3", "4-mini")

_EVENT_MESSAGE = Obj(
    {"enabled": Bool(), "text": Str()},
    required=("enabled",),
    nulls={"text": Null("no text: EVI generates the message (returned as null)", SPEC_NULLABLE)},
)
_TIMEOUT = Obj(
    {"enabled": Bool(), "duration_secs": Int()},
    required=("enabled",),
    nulls={"duration_secs": Null("as omitted: the default seconds (120 inactivity, 1800 max duration)", SPEC_NULLABLE)},
)
_DEFAULT_MESSAGE = Null("as omitted: {enabled: false, text: null}", SPEC_NOT_NULLABLE)
_DEFAULT_TIMEOUT = Null("as omitted: that timeout's default", SPEC_NOT_NULLABLE)
_ONE_OF = "spec: VoiceRef is oneOf {id} | {name}; a null id still matches {name} (and the other way round)"
_LATEST = Null("follow the latest version (returned with version_type LATEST)", SPEC_NULLABLE)
CONFIG_VERSION_BODY = Obj(
    {
        "evi_version": Str(),
        "version_description": Str(),
        "prompt": Obj(
            {"id": Str(), "version": Int(), "text": Str(), "prompt_expansion": PROMPT_EXPANSION},
            nulls={
                "id": Null("as omitted: text makes a new prompt; neither id nor text means no prompt", SPEC_NULLABLE),
                "version": _LATEST,
                "text": Null("as omitted", SPEC_NULLABLE),
                "prompt_expansion": Null("as omitted (only used with text)", SPEC_NOT_NULLABLE_SDK),
            },
        ),
        "voice": Obj(
            {"id": Str(), "name": Str(), "provider": Enum(*VOICE_PROVIDERS)},
            any_of=("id", "name"),
            nulls={
                "id": Null("as omitted: the name finds the voice (one of id and name must be given)", _ONE_OF),
                "name": Null("as omitted: the id finds the voice (one of id and name must be given)", _ONE_OF),
                "provider": Null("as omitted: CUSTOM_VOICE", SPEC_NOT_NULLABLE),
            },
        ),
        # model_resource is a string here, not the spec's 66-value enum: the SDK accepts any string and
        # Hume adds models often (docs/emulator.md).
        "language_model": Obj(
            {"model_provider": Enum(*MODEL_PROVIDERS), "model_resource": Str(), "temperature": Num()},
            nulls={
                "model_provider": Null("as omitted: not stored, not returned", SPEC_NOT_NULLABLE),
                "model_resource": Null("as omitted: not stored, not returned", SPEC_NOT_NULLABLE),
                "temperature": Null("as omitted: not stored, not returned", SPEC_NULLABLE),
            },
        ),
        "ellm_model": Obj(
            {"allow_short_responses": Bool()},
            nulls={
                "allow_short_responses": Null(
                    "as omitted: a new version inherits the previous value, a new config gets false", SPEC_NULLABLE
                )
            },
        ),
        "tools": Arr(Obj({"id": Str(), "version": Int()}, required=("id",), nulls={"version": _LATEST})),
        "builtin_tools": Arr(
            Obj(
                {"name": Enum(*BUILTIN_TOOL_NAMES), "fallback_content": Str()},
                required=("name",),
                nulls={"fallback_content": Null(_NONE, SPEC_NULLABLE)},
            )
        ),
        "event_messages": Obj(
            {
                "on_new_chat": _EVENT_MESSAGE,
                "on_inactivity_timeout": _EVENT_MESSAGE,
                "on_max_duration_timeout": _EVENT_MESSAGE,
            },
            nulls={
                "on_new_chat": _DEFAULT_MESSAGE,
                "on_inactivity_timeout": _DEFAULT_MESSAGE,
                "on_max_duration_timeout": _DEFAULT_MESSAGE,
            },
        ),
        "timeouts": Obj(
            {"inactivity": _TIMEOUT, "max_duration": _TIMEOUT},
            nulls={"inactivity": _DEFAULT_TIMEOUT, "max_duration": _DEFAULT_TIMEOUT},
        ),
        "nudges": Obj(
            {"enabled": Bool(), "interval_secs": Int()},
            nulls={
                "enabled": Null("as omitted: disabled (the default)", SPEC_NULLABLE),
                "interval_secs": Null(_NONE, SPEC_NULLABLE),
            },
        ),
        "turn_detection": Obj(
            {"end_of_turn_silence_ms": Int(), "prefix_padding_ms": Int(), "speech_detection_threshold": Num()},
            nulls={
                "end_of_turn_silence_ms": Null(_NONE, SPEC_NULLABLE),
                "prefix_padding_ms": Null(_NONE, SPEC_NULLABLE),
                "speech_detection_threshold": Null(_NONE, SPEC_NULLABLE),
            },
        ),
        "interruption": Obj({"min_interruption_ms": Int()}, nulls={"min_interruption_ms": Null(_NONE, SPEC_NULLABLE)}),
        "webhooks": Arr(Obj({"url": Str(), "events": Arr(Enum(*WEBHOOK_EVENTS))}, required=("url", "events"))),
    },
    required=("evi_version",),
    nulls={
        "version_description": Null(_NONE, SPEC_NULLABLE),
        "prompt": Null("as omitted: no prompt (Hume's default system prompt)", SPEC_NOT_NULLABLE),
        "voice": Null("as omitted: no voice (EVI's default voice)", SPEC_NOT_NULLABLE),
        "language_model": Null("as omitted: not stored, not returned", SPEC_NOT_NULLABLE),
        "ellm_model": Null(
            "as omitted: a new version inherits allow_short_responses, a new config gets false",
            SPEC_NOT_NULLABLE + "; public code sends ellm_model: null",
        ),
        "tools": Null("as omitted: no tools ([])", SPEC_NULLABLE),
        "builtin_tools": Null("as omitted: no built-in tools ([])", SPEC_NULLABLE),
        "event_messages": Null("as omitted: all three messages {enabled: false, text: null}", SPEC_NOT_NULLABLE),
        "timeouts": Null("as omitted: both timeouts default", SPEC_NOT_NULLABLE),
        "nudges": Null("as omitted: disabled, no interval (the default)", SPEC_NOT_NULLABLE),
        "turn_detection": Null("as omitted: not returned", SPEC_NOT_NULLABLE),
        "interruption": Null("as omitted: not returned", SPEC_NOT_NULLABLE),
        "webhooks": Null("as omitted: no webhooks ([])", SPEC_NULLABLE),
    },
)
CONFIG_BODY = Obj(
    {**CONFIG_VERSION_BODY.fields, "name": Str()},
    required=("evi_version", "name"),
    nulls=CONFIG_VERSION_BODY.nulls,
)

VOICE_CREATE_BODY = Obj({"generation_id": Str(), "name": Str()}, required=("generation_id", "name"))

# The request bodies of Hume's API, by what the docs' null table calls them.
API_BODIES: dict[str, Obj] = {
    "prompt": PROMPT_BODY,
    "prompt version": PROMPT_VERSION_BODY,
    "tool": TOOL_BODY,
    "tool version": TOOL_VERSION_BODY,
    "config": CONFIG_BODY,
    "config version": CONFIG_VERSION_BODY,
    "name (PATCH)": NAME_BODY,
    "version description (PATCH)": DESCRIPTION_BODY,
    "voice (POST /v0/tts/voices)": VOICE_CREATE_BODY,
}

# Admin, not Hume's: null turns a fault setting off (admin.py).
_OFF = Null("off", "admin endpoint (not Hume's)")
FAULTS_BODY = Obj(
    {"latency_ms": Num(), "rate_limit": Num(), "fault_rate": Num(), "ambiguous_write_rate": Num(), "seed": Int()},
    nulls={k: _OFF for k in ("latency_ms", "rate_limit", "fault_rate", "ambiguous_write_rate", "seed")},
)


# ---- semantic (400) rules ----------------------------------------------------------------------


def check_range(value: float | None, low: float, high: float, what: str) -> None:
    """400 when a documented range is broken (None = not given, nothing to check)."""
    if value is not None and not (low <= value <= high):
        raise bad_request(f"{what} must be between {low:g} and {high:g} (got {value:g})", "value_out_of_range")


def check_name(name: str, kind: str) -> str:
    """Names must be non-empty; tool names are what the LLM calls, so LLM function-name rules apply."""
    if not name.strip():
        raise bad_request(f"{kind} name must not be empty", "invalid_name")
    if len(name) > 256:
        raise bad_request(f"{kind} name must be at most 256 characters", "invalid_name")
    if kind == "Tool" and not _is_function_name(name):
        raise bad_request(f"Tool name {name!r} is invalid: use 1-64 letters, digits, '_' or '-'", "invalid_name")
    return name


def _is_function_name(name: str) -> bool:
    return 1 <= len(name) <= 64 and all(c.isascii() and (c.isalnum() or c in "_-") for c in name)


def check_tool_parameters(parameters: str) -> None:
    """``parameters`` is stored byte-for-byte but must hold a JSON object (a JSON Schema)."""
    try:
        parsed = json.loads(parameters)
    except ValueError as exc:
        raise bad_request(f"Tool parameters must be a string holding JSON: {exc}", "invalid_parameters") from None
    except RecursionError:
        message = "Tool parameters must be a string holding JSON: nested too deeply"
        raise bad_request(message, "invalid_parameters") from None
    if not isinstance(parsed, dict):
        raise bad_request("Tool parameters must be a JSON object (a JSON Schema)", "invalid_parameters")


# ---- path and query parameters -----------------------------------------------------------------


def parse_uuid(value: str, loc_name: str = "id") -> str:
    """Path ids are ``format: uuid`` in the spec: a malformed one is a 422, an unknown one a 404."""
    try:
        uuid.UUID(value)
    except ValueError:
        raise unprocessable([detail(["path", loc_name], "Input should be a valid UUID", "uuid_parsing")]) from None
    return value.lower()


def parse_int(value: str, loc: list[str | int]) -> int:
    try:
        return int(value)
    except ValueError:
        raise unprocessable(
            [detail(loc, "Input should be a valid integer, unable to parse string as an integer", "int_parsing")]
        ) from None


_TRUE = {"true", "1", "yes", "on", "t", "y"}
_FALSE = {"false", "0", "no", "off", "f", "n"}


def parse_bool(value: str, loc: list[str | int]) -> bool:
    """Query booleans as pydantic reads them (the SDK sends lower-case ``true``/``false``)."""
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise unprocessable([detail(loc, "Input should be a valid boolean, unable to interpret input", "bool_parsing")])


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return self.number * self.size

    def total_pages(self, total: int) -> int:
        # An empty collection has 0 pages (docs/emulator.md); the SDK pager ignores this anyway.
        return -(-total // self.size)


def parse_page(query: Mapping[str, str]) -> Page:
    """``page_number`` zero-based (default 0), ``page_size`` 1..100 (default 10)."""
    number = parse_int(query["page_number"], ["query", "page_number"]) if "page_number" in query else 0
    size = parse_int(query["page_size"], ["query", "page_size"]) if "page_size" in query else 10
    if number < 0:
        raise bad_request(f"page_number must be 0 or greater (got {number})", "invalid_pagination")
    if not 1 <= size <= 100:
        raise bad_request(f"page_size must be between 1 and 100 (got {size})", "invalid_pagination")
    return Page(number, size)


def parse_query_bool(query: Mapping[str, str], key: str, default: bool) -> bool:
    return parse_bool(query[key], ["query", key]) if key in query else default
