"""Request validation with Hume-shaped errors.

Two layers, two shapes (docs/emulator.md, "Errors"):

* **422** ``{"detail": [{"loc": [...], "msg": ..., "type": ...}]}``, FastAPI/pydantic style, for anything
  the OpenAPI *schema* can express: unparseable JSON, a missing required field, a wrong JSON type,
  a value outside a schema enum, a malformed UUID or integer in the path or query. Hume's backend is
  FastAPI, which rejects those before any handler runs; all such errors are reported at once.
* **400** ``{"error": ..., "message": ..., "code": ...}`` (the spec's ErrorResponse) for rules only the
  prose states: ranges (timeouts 30–1800 s, temperature 0–1, ...), ``evi_version`` values, https
  webhooks, unknown referenced ids/versions, duplicate names, tool parameters that are not JSON.

The body schemas below are written by hand from Hume's OpenAPI (the spec is not shipped with humectl).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
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


def bad_request(message: str, code: str = "invalid_request") -> HumeHTTPError:
    return HumeHTTPError(400, error_body("Bad Request", message, code))


def not_found(message: str) -> HumeHTTPError:
    return HumeHTTPError(404, error_body("Not Found", message, "not_found"))


def unprocessable(detail: list[dict[str, Any]]) -> HumeHTTPError:
    return HumeHTTPError(422, {"detail": detail})


def detail(loc: list[str | int], msg: str, type_: str) -> dict[str, Any]:
    return {"loc": loc, "msg": msg, "type": type_}


# ---- body schema -------------------------------------------------------------------------------


class Spec:
    """A schema node; ``check`` appends pydantic-style problems for ``value`` at ``loc``."""

    nullable = True  # Hume's optional fields are ``type: [X, 'null']``: null is the same as omitted

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
    def __init__(self, item: Spec) -> None:
        self.item = item

    def check(self, value: Any, loc: list[str | int], errors: list[dict[str, Any]]) -> None:
        if not isinstance(value, list):
            errors.append(detail(loc, "Input should be a valid list", "list_type"))
            return
        for i, item in enumerate(value):
            # Array items are never nullable in Hume's spec: a null item is a type error, not "omitted".
            self.item.check(item, [*loc, i], errors)


@dataclass
class Obj(Spec):
    fields: dict[str, Spec]
    required: tuple[str, ...] = ()
    # VoiceRef is oneOf {id} | {name}: at least one of these keys must be present.
    any_of: tuple[str, ...] = ()
    extra_nullable: bool = field(default=True)

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
                check_value(spec, value[key], [*loc, key], errors, required=key in self.required)
        # Unknown keys are ignored, as FastAPI does by default.


def check_value(
    spec: Spec, value: Any, loc: list[str | int], errors: list[dict[str, Any]], *, required: bool = False
) -> None:
    if value is None:
        if required:
            # A required field sent as null: pydantic reports the type it wanted.
            spec_for_null = spec if not isinstance(spec, Obj) else Str()
            spec_for_null.check(value, loc, errors)
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
    errors: list[dict[str, Any]] = []
    spec.check(body, ["body"], errors)
    if errors:
        raise unprocessable(errors)
    return body  # an object: checked above


# The request bodies, from Hume's OpenAPI components (posted_prompt, posted_config, ...).

DESCRIPTION_BODY = Obj({"version_description": Str()})
NAME_BODY = Obj({"name": Str()}, required=("name",))

PROMPT_EXPANSION = Obj({"enabled": Bool()})
PROMPT_VERSION_BODY = Obj(
    {"text": Str(), "prompt_expansion": PROMPT_EXPANSION, "version_description": Str()}, required=("text",)
)
PROMPT_BODY = Obj({**PROMPT_VERSION_BODY.fields, "name": Str()}, required=("name", "text"))

TOOL_VERSION_BODY = Obj(
    {"parameters": Str(), "description": Str(), "fallback_content": Str(), "version_description": Str()},
    required=("parameters",),
)
TOOL_BODY = Obj({**TOOL_VERSION_BODY.fields, "name": Str()}, required=("name", "parameters"))

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

_EVENT_MESSAGE = Obj({"enabled": Bool(), "text": Str()}, required=("enabled",))
_TIMEOUT = Obj({"enabled": Bool(), "duration_secs": Int()}, required=("enabled",))
CONFIG_VERSION_BODY = Obj(
    {
        "evi_version": Str(),
        "version_description": Str(),
        "prompt": Obj({"id": Str(), "version": Int(), "text": Str(), "prompt_expansion": PROMPT_EXPANSION}),
        "voice": Obj({"id": Str(), "name": Str(), "provider": Enum(*VOICE_PROVIDERS)}, any_of=("id", "name")),
        # model_resource is a string here, not the spec's 66-value enum: the SDK accepts any string and
        # Hume adds models often (docs/emulator.md).
        "language_model": Obj(
            {"model_provider": Enum(*MODEL_PROVIDERS), "model_resource": Str(), "temperature": Num()}
        ),
        "ellm_model": Obj({"allow_short_responses": Bool()}),
        "tools": Arr(Obj({"id": Str(), "version": Int()}, required=("id",))),
        "builtin_tools": Arr(Obj({"name": Enum(*BUILTIN_TOOL_NAMES), "fallback_content": Str()}, required=("name",))),
        "event_messages": Obj(
            {
                "on_new_chat": _EVENT_MESSAGE,
                "on_inactivity_timeout": _EVENT_MESSAGE,
                "on_max_duration_timeout": _EVENT_MESSAGE,
            }
        ),
        "timeouts": Obj({"inactivity": _TIMEOUT, "max_duration": _TIMEOUT}),
        "nudges": Obj({"enabled": Bool(), "interval_secs": Int()}),
        "turn_detection": Obj(
            {"end_of_turn_silence_ms": Int(), "prefix_padding_ms": Int(), "speech_detection_threshold": Num()}
        ),
        "interruption": Obj({"min_interruption_ms": Int()}),
        "webhooks": Arr(Obj({"url": Str(), "events": Arr(Enum(*WEBHOOK_EVENTS))}, required=("url", "events"))),
    },
    required=("evi_version",),
)
CONFIG_BODY = Obj({**CONFIG_VERSION_BODY.fields, "name": Str()}, required=("evi_version", "name"))

VOICE_CREATE_BODY = Obj({"generation_id": Str(), "name": Str()}, required=("generation_id", "name"))

FAULTS_BODY = Obj(
    {"latency_ms": Num(), "rate_limit": Num(), "fault_rate": Num(), "ambiguous_write_rate": Num(), "seed": Int()}
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
