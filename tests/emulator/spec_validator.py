"""Check HTTP responses against Hume's published OpenAPI 3.1 specs (EVI and TTS voices).

The specs are read at test time from ``../shared/hume-api-spec/openapi/`` (never copied into the
repository).  :class:`SpecValidator` maps a concrete request (method + path) to the spec's path
template and operation and checks a response against it:

* the status code must be declared for the operation; error statuses the spec does not list
  (401, 403, 404, 405, 409, 429, 5xx, ...) are accepted when the body is "Hume-style" JSON, i.e.
  an object shaped like Hume's ``ErrorResponse`` (``{code?, error?, message?}`` with at least one
  of them, from the Fern definition that backs the SDK's ``BadRequestError``, plus the
  ``timestamp``/``status``/``path`` live's errors carried), like the gateway's 401 ``{fault: ...}``, like
  ``HTTPValidationError`` (``{detail: [...]}``) or like FastAPI's ``{detail: "..."}``; a 400 must
  be an ``ErrorResponse``;
* JSON bodies must carry ``application/json`` and validate against the response schema (JSON
  Schema 2020-12, ``$ref`` resolved through a :mod:`referencing` registry holding both specs, format
  ``uuid``/``uuid4``/``int64`` checked);
* operations whose schema is Hume's "Empty response body" (rename, delete, ...) may answer with an
  empty body, ``{}``, or the JSON string ``""`` that Fern's own WireMock stubs return;
* in strict mode (the default) response objects may not carry properties the spec does not
  define (``unevaluatedProperties: false`` is added to every object schema), because an extra
  field is something a client could notice.

Paths under ``/_emulator/`` (the emulator's admin API) are skipped.

:class:`SpecValidatingMiddleware` is an ASGI middleware that runs :meth:`SpecValidator.check` on
every HTTP response passing through it and records the violations (it never raises inside the
app), so fixtures can assert ``list(middleware.violations) == []`` at teardown.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import uuid
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

OPENAPI_DIR = Path("hume-api-spec") / "openapi"
SPEC_FILES = {
    "urn:hume:evi": "hume-ai-evi-openapi.yml",
    "urn:hume:voices": "hume-ai-voices-openapi.yml",
}
FERN_PACKAGE = Path("hume-api-spec") / "fern-definition" / "empathic-voice" / "__package__.yml"
ERRORS_URI = "urn:humectl:hume-errors"
ADMIN_PREFIX = "/_emulator"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True)
class Operation:
    """One operation of one spec: where it lives and what it may answer."""

    spec_uri: str
    method: str  # upper case
    template: str  # e.g. /v0/evi/prompts/{id}/version/{version}
    operation_id: str
    pattern: re.Pattern[str]
    responses: dict[str, Any]

    @property
    def pointer(self) -> str:
        """JSON pointer of the operation object inside its spec document."""
        escaped = self.template.replace("~", "~0").replace("/", "~1")
        return f"/paths/{escaped}/{self.method.lower()}"

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"


@dataclass
class _Match:
    operation: Operation | None
    path_known: bool
    allowed_methods: list[str] = field(default_factory=list)


def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}/]+\})", template)
    regex = "".join("[^/]+" if p.startswith("{") and p.endswith("}") else re.escape(p) for p in parts)
    return re.compile(f"^{regex}$")


def _fix_openapi_quirks(node: Any, strict: bool) -> Any:
    """Turn OpenAPI-isms into plain JSON Schema 2020-12 (in place) and optionally forbid extras.

    * ``nullable: true`` (OpenAPI 3.0 style; not in the current files, handled in case a
      re-export brings it back) becomes ``"null"`` in ``type``;
    * in strict mode, every object schema that lists ``properties`` gets
      ``unevaluatedProperties: false`` unless it already says something about extra properties.
    """
    if isinstance(node, dict):
        if node.get("nullable") is True:
            typ = node.get("type")
            if isinstance(typ, str):
                node["type"] = [typ, "null"]
            elif isinstance(typ, list) and "null" not in typ:
                node["type"] = [*typ, "null"]
            elif typ is None and "$ref" in node:
                ref = node.pop("$ref")
                node["anyOf"] = [{"$ref": ref}, {"type": "null"}]
            node.pop("nullable")
        if (
            strict
            and isinstance(node.get("properties"), dict)
            and "additionalProperties" not in node
            and "unevaluatedProperties" not in node
        ):
            node["unevaluatedProperties"] = False
        for value in node.values():
            _fix_openapi_quirks(value, strict)
    elif isinstance(node, list):
        for item in node:
            _fix_openapi_quirks(item, strict)
    return node


def _fern_error_schema(shared_dir: Path) -> dict[str, Any]:
    """``ErrorResponse`` as JSON Schema, read from Hume's Fern definition (the OpenAPI export
    does not carry the 400 responses the SDK declares)."""
    fern = yaml.safe_load((shared_dir / FERN_PACKAGE).read_text(encoding="utf-8"))
    props = fern["types"]["ErrorResponse"]["properties"]
    properties: dict[str, Any] = {}
    for name, typ in props.items():
        typ = typ["type"] if isinstance(typ, dict) else typ
        if typ not in ("string", "optional<string>"):
            raise ValueError(f"unexpected Fern type {typ!r} for ErrorResponse.{name}")
        properties[name] = {"type": "string"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$defs": {
            "ErrorResponse": {
                "type": "object",
                # Live laid its errors out as {timestamp, status, error, message, path} (the keys a
                # public package's live tests read, Arkitecht/laravel-hume RequestException).
                "properties": {
                    **properties,
                    "timestamp": {"type": "string"},
                    "status": {"type": "integer"},
                    "path": {"type": "string"},
                },
                # Hume-style means: an object that says *something* in Hume's error vocabulary.
                "anyOf": [{"required": [name]} for name in properties],
            },
            "HTTPValidationError": {
                "allOf": [{"$ref": "urn:hume:evi#/components/schemas/HTTPValidationError"}],
                "required": ["detail"],
            },
            # FastAPI's HTTPException body; Hume's REST backend is FastAPI-shaped (its 422s are
            # HTTPValidationError), so a routing 404/405 from the real API most likely looks like this.
            "HTTPExceptionDetail": {
                "type": "object",
                "properties": {"detail": {"type": "string"}},
                "required": ["detail"],
            },
            # The API gateway's answer to a wrong key: Hume's own Python SDK (hume/_batch, until June
            # 2025) recognised live's 401s by fault.faultstring "Invalid ApiKey" (docs/fidelity.md).
            "GatewayFault": {
                "type": "object",
                "properties": {
                    "fault": {
                        "type": "object",
                        "properties": {
                            "faultstring": {"type": "string"},
                            "detail": {
                                "type": "object",
                                "properties": {"errorcode": {"type": "string"}},
                                "required": ["errorcode"],
                            },
                        },
                        "required": ["faultstring"],
                    }
                },
                "required": ["fault"],
            },
            "HumeStyleError": {
                "anyOf": [
                    {"$ref": "#/$defs/ErrorResponse"},
                    {"$ref": "#/$defs/HTTPValidationError"},
                    {"$ref": "#/$defs/HTTPExceptionDetail"},
                    {"$ref": "#/$defs/GatewayFault"},
                ],
            },
        },
    }


def _format_checker() -> FormatChecker:
    checker = FormatChecker()

    @checker.checks("uuid4", raises=ValueError)
    def _is_uuid4(instance: object) -> bool:
        if not isinstance(instance, str):
            return True
        return uuid.UUID(instance).version == 4 and len(instance) == 36

    @checker.checks("int64")
    def _is_int64(instance: object) -> bool:
        if not isinstance(instance, int) or isinstance(instance, bool):
            return True
        return INT64_MIN <= instance <= INT64_MAX

    return checker


def _is_empty_body_schema(schema: dict[str, Any]) -> bool:
    """Hume's 'Empty response body' schemas: ``{type: object, properties: {}}``."""
    return schema.get("type") == "object" and schema.get("properties") == {} and not schema.get("required")


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _short(body: bytes, limit: int = 160) -> str:
    text = body.decode("utf-8", errors="replace")
    return text if len(text) <= limit else text[:limit] + "…"


class SpecValidator:
    """Response checker for every operation in Hume's EVI and voices OpenAPI files."""

    def __init__(self, shared_dir: Path, *, strict: bool = True) -> None:
        self.shared_dir = Path(shared_dir)
        self.strict = strict
        self.documents: dict[str, dict[str, Any]] = {}
        for uri, filename in SPEC_FILES.items():
            raw = yaml.safe_load((self.shared_dir / OPENAPI_DIR / filename).read_text(encoding="utf-8"))
            self.documents[uri] = _fix_openapi_quirks(copy.deepcopy(raw), strict)
        errors = _fern_error_schema(self.shared_dir)
        resources: list[tuple[str, Resource[Any]]] = [
            (uri, DRAFT202012.create_resource(doc)) for uri, doc in self.documents.items()
        ]
        resources.append((ERRORS_URI, DRAFT202012.create_resource(errors)))
        self.registry: Registry[Any] = Registry().with_resources(resources)
        self.format_checker = _format_checker()
        self.operations: list[Operation] = []
        for uri, doc in self.documents.items():
            for template, item in doc.get("paths", {}).items():
                for method in HTTP_METHODS:
                    if method in item:
                        op = item[method]
                        self.operations.append(
                            Operation(
                                spec_uri=uri,
                                method=method.upper(),
                                template=template,
                                operation_id=str(op.get("operationId", "")),
                                pattern=_template_regex(template),
                                responses=dict(op.get("responses", {})),
                            )
                        )
        # Literal segments beat parameters when two templates could match the same path.
        self.operations.sort(key=lambda o: (o.template.count("{"), -len(o.template)))
        self._validators: dict[str, Draft202012Validator] = {}
        self._lock = threading.Lock()

    # -- lookup -------------------------------------------------------------------------------
    def match(self, method: str, path: str) -> _Match:
        path = path.split("?", 1)[0]
        if len(path) > 1:
            path = path.rstrip("/")
        method = method.upper()
        allowed: list[str] = []
        found_template: str | None = None
        for op in self.operations:
            if found_template is not None and op.template != found_template:
                continue
            if op.pattern.match(path):
                found_template = op.template
                allowed.append(op.method)
                if op.method == method:
                    return _Match(op, True, allowed)
        return _Match(None, found_template is not None, allowed)

    def operation(self, method: str, template: str) -> Operation:
        for op in self.operations:
            if op.method == method.upper() and op.template == template:
                return op
        raise KeyError(f"{method} {template} is not in the spec")

    def _validator(self, ref: str) -> Draft202012Validator:
        with self._lock:
            validator = self._validators.get(ref)
            if validator is None:
                validator = Draft202012Validator(
                    {"$ref": ref}, registry=self.registry, format_checker=self.format_checker
                )
                self._validators[ref] = validator
            return validator

    def resolve(self, ref: str) -> dict[str, Any]:
        """The schema at ``ref``, following ``$ref`` chains."""
        resolved = self.registry.resolver().lookup(ref)
        contents = resolved.contents
        for _ in range(32):
            if not (isinstance(contents, dict) and set(contents) - {"description", "title"} == {"$ref"}):
                break
            resolved = resolved.resolver.lookup(contents["$ref"])
            contents = resolved.contents
        return dict(contents)

    def validate_instance(self, ref: str, instance: Any) -> list[str]:
        """Schema violations of ``instance`` against the schema at ``ref`` (``uri#pointer``)."""
        out = []
        for err in sorted(self._validator(ref).iter_errors(instance), key=lambda e: list(e.absolute_path)):
            where = "/".join(str(p) for p in err.absolute_path) or "<body>"
            out.append(f"{where}: {err.message}")
        return out

    # -- the check ----------------------------------------------------------------------------
    def check(
        self,
        method: str,
        path: str,
        status: int,
        body_bytes: bytes,
        content_type: str | None,
    ) -> list[str]:
        """Violations of Hume's spec in one response; ``[]`` when it conforms."""
        path = path.split("?", 1)[0]
        if path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
            return []
        label = f"{method.upper()} {path} -> {status}"
        found = self.match(method, path)
        if found.operation is None:
            if status >= 400 and status != 400:
                # An unknown path (404) or method (405): fine if the body is Hume-style JSON.
                return [f"{label}: {v}" for v in self._check_hume_error(status, body_bytes, content_type)]
            if found.path_known:
                allowed = ", ".join(found.allowed_methods)
                return [f"{label}: method not in spec for this path (spec allows {allowed})"]
            return [f"{label}: path not in spec"]
        op = found.operation
        label = f"{op.method} {path} [{op.operation_id}] -> {status}"
        key = self._response_key(op, status)
        if key is None:
            if status >= 400:
                return [f"{label}: {v}" for v in self._check_hume_error(status, body_bytes, content_type)]
            declared = ", ".join(sorted(op.responses)) or "none"
            return [f"{label}: status {status} not declared (spec declares {declared})"]
        return [f"{label}: {v}" for v in self._check_declared(op, key, body_bytes, content_type)]

    @staticmethod
    def _response_key(op: Operation, status: int) -> str | None:
        for key in (str(status), f"{str(status)[0]}XX", f"{str(status)[0]}xx", "default"):
            if key in op.responses:
                return key
        return None

    def _check_declared(self, op: Operation, key: str, body: bytes, content_type: str | None) -> list[str]:
        response = op.responses[key]
        content: dict[str, Any] = response.get("content") or {}
        if not content:
            return [] if not body.strip() else [f"spec declares no body, got {_short(body)!r}"]
        media = _media_type(content_type)
        if "application/json" not in content:
            if media not in content and not body.strip():
                return []
            return [] if media in content else [f"content type {media!r} not declared ({', '.join(content)})"]
        escaped_key = key.replace("~", "~0").replace("/", "~1")
        ref = f"{op.spec_uri}#{op.pointer}/responses/{escaped_key}/content/application~1json/schema"
        empty_allowed = _is_empty_body_schema(self.resolve(ref))
        if not body.strip():
            return [] if empty_allowed else ["empty body, spec declares a JSON body"]
        if media != "application/json":
            return [f"content type {media or 'missing'!r}, spec declares application/json"]
        try:
            instance = json.loads(body)
        except ValueError as exc:
            return [f"body is not JSON ({exc}): {_short(body)!r}"]
        if empty_allowed and instance == "":
            return []  # what Fern's WireMock stubs send for "Empty response body"
        return self.validate_instance(ref, instance)

    def _check_hume_error(self, status: int, body: bytes, content_type: str | None) -> list[str]:
        media = _media_type(content_type)
        if not body.strip():
            return [f"undeclared status {status} with an empty body (expected Hume-style JSON error)"]
        if media != "application/json":
            return [f"undeclared status {status} with content type {media or 'missing'!r}: {_short(body)!r}"]
        try:
            instance = json.loads(body)
        except ValueError:
            return [f"undeclared status {status}, body is not JSON: {_short(body)!r}"]
        definition = {400: "ErrorResponse", 422: "HumeStyleError"}.get(status, "HumeStyleError")
        problems = self.validate_instance(f"{ERRORS_URI}#/$defs/{definition}", instance)
        if problems:
            return [f"not a Hume-style {definition} body {_short(body)!r}: {'; '.join(problems)}"]
        return []


class SpecValidatingMiddleware:
    """ASGI middleware: checks each HTTP response against the spec and records violations.

    It never changes or blocks a response; tests read :attr:`violations` (and :attr:`seen`, the
    ``(method, path, status)`` of every response) and fail on their own terms. With no validator
    (the tests run without Hume's spec: tests/hume_spec.py) it only records what it saw.
    """

    def __init__(self, app: ASGIApp, validator: SpecValidator | None) -> None:
        self.app = app
        self.validator = validator
        self.violations: list[str] = []
        self.seen: list[tuple[str, str, int]] = []
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        # Let callers reach the wrapped Starlette app's attributes (state, routes, ...).
        if name == "app":
            raise AttributeError(name)
        return getattr(self.app, name)

    def reset(self) -> None:
        with self._lock:
            self.violations.clear()
            self.seen.clear()

    def record(self, method: str, path: str, status: int, body: bytes, content_type: str | None) -> None:
        problems = [] if self.validator is None else self.validator.check(method, path, status, body, content_type)
        with self._lock:
            self.seen.append((method, path, status))
            self.violations.extend(problems)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        method = str(scope.get("method", "GET"))
        path = str(scope.get("path", ""))
        root_path = str(scope.get("root_path", "") or "")
        if root_path and path.startswith(root_path):
            path = path[len(root_path) :] or "/"
        status = 0
        content_type: str | None = None
        chunks: list[bytes] = []
        done = False

        async def checking_send(message: Message) -> None:
            nonlocal status, content_type, done
            if message["type"] == "http.response.start":
                status = int(message["status"])
                for name, value in message.get("headers", []):
                    if name.lower() == b"content-type":
                        content_type = value.decode("latin-1")
            elif message["type"] == "http.response.body" and not done:
                chunks.append(bytes(message.get("body", b"")))
                if not message.get("more_body", False):
                    done = True
                    self.record(method, path, status, b"".join(chunks), content_type)
            await send(message)

        await self.app(scope, receive, checking_send)


def format_violations(violations: Iterable[str]) -> str:
    """One violation per line, for assertion messages."""
    return "\n".join(f"  - {v}" for v in violations)
