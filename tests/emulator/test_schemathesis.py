"""Property-based run of schemathesis against the emulator, generated from Hume's own OpenAPI files.

Schemathesis reads ``../shared/hume-api-spec/openapi/hume-ai-{evi,voices}-openapi.yml`` at test
time, generates requests for every operation (positive and negative data) and calls the emulator's
ASGI app in process. Each response must pass:

* ``not_a_server_error`` - no 5xx, whatever the input;
* ``response_schema_conformance`` - a declared status has a body matching its schema;
* ``hume_spec`` - our :class:`~tests.emulator.spec_validator.SpecValidator`, which also handles what
  schemathesis' own ``status_code_conformance`` cannot: the spec declares almost no error statuses,
  while the real API (and the SDK built from Hume's Fern definition) answers 400 ``ErrorResponse``,
  422 ``HTTPValidationError`` and other Hume-style JSON errors; any other undeclared status fails.

The spec is adapted in memory, never on disk: the ``X-Hume-Api-Key`` header parameter is removed
from every operation (the test sends the real key instead of random strings, otherwise every
positive case would be a 401), and responses whose schema is Hume's "Empty response body" lose their
``content`` (Hume answers those with no body at all; the validator still checks them).

To reach existing resources instead of only 404s, each operation runs against a freshly seeded
emulator (prompt/tool/config with three versions, a custom voice, a chat with events), and every
other generated case is pointed at a seeded id with paging in the documented range (see
``_aim_at_seeded``).

Bounded and reproducible: ``derandomize=True``, ``MAX_EXAMPLES`` per operation and generation mode,
no example database, no shrinking deadline. Out of scope (skipped below, with the reason): the
control-plane ``send`` (needs an active chat on the EVI WebSocket).
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.emulator.spec_validator import SpecValidatingMiddleware, SpecValidator, format_violations
from tests.hume_spec import need_spec

app_module = pytest.importorskip("humectl.emulator.app", reason="emulator app not built yet")

SHARED_DIR = need_spec(module_level=True)  # the tests are generated from the spec itself
API_KEY = "schemathesis-key"
MAX_EXAMPLES = 8
OPENAPI_DIR = SHARED_DIR / "hume-api-spec" / "openapi"
OUT_OF_SCOPE = {
    "POST /v0/evi/chat/{chat_id}/send": "control plane: needs an active chat over the EVI WebSocket",
}
KIND_OF_PREFIX = {
    "/v0/evi/prompts/": "prompt",
    "/v0/evi/tools/": "tool",
    "/v0/evi/configs/": "config",
    "/v0/evi/chats/": "chat",
    "/v0/evi/chat_groups/": "chat_group",
    "/v0/evi/chat/": "chat",
}


def _load_for_schemathesis(filename: str) -> dict[str, Any]:
    """The spec as schemathesis should see it (see the module docstring for the two changes)."""
    raw = yaml.safe_load((OPENAPI_DIR / filename).read_text(encoding="utf-8"))
    spec = copy.deepcopy(raw)
    schemas = spec.get("components", {}).get("schemas", {})
    spec.pop("webhooks", None)  # outgoing calls Hume makes, not operations to test
    for item in spec["paths"].values():
        for op in item.values():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            op["parameters"] = [p for p in op.get("parameters", []) if p.get("name") != "X-Hume-Api-Key"]
            for response in op["responses"].values():
                schema = (response.get("content") or {}).get("application/json", {}).get("schema", {})
                target = schemas.get(schema.get("$ref", "").rsplit("/", 1)[-1], schema)
                if target.get("type") == "object" and target.get("properties") == {}:
                    response.pop("content")
    return spec


def _schema(filename: str) -> Any:
    loaded = schemathesis.openapi.from_dict(_load_for_schemathesis(filename))
    loaded.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True, database="none")
    return loaded


evi_schema = _schema("hume-ai-evi-openapi.yml")
voices_schema = _schema("hume-ai-voices-openapi.yml")

# Filled per test by the `seeded` fixture; read by the path-parameter hook during generation.
KNOWN_IDS: dict[str, list[str]] = {}


def _kind_of(path: str) -> str | None:
    for prefix, kind in KIND_OF_PREFIX.items():
        if path.startswith(prefix):
            return kind
    return None


def _seed(client: Any) -> dict[str, list[str]]:
    """Create one of everything (three versions of each versioned kind) and return the ids by kind."""

    def post(path: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
        resp = client.post(path, json=body)
        assert resp.status_code == status, resp.text
        out: dict[str, Any] = resp.json()
        return out

    prompt = post("/v0/evi/prompts", {"name": "seed_prompt", "text": "v0"})
    tool = post(
        "/v0/evi/tools",
        {"name": "seed_tool", "parameters": '{"type":"object","properties":{}}', "description": "d"},
    )
    config = post(
        "/v0/evi/configs",
        {
            "name": "seed_config",
            "evi_version": "3",
            "prompt": {"id": prompt["id"], "version": 0},
            "tools": [{"id": tool["id"], "version": 0}],
            "voice": {"provider": "HUME_AI", "name": "ITO"},
        },
    )
    for n in (1, 2):
        post(f"/v0/evi/prompts/{prompt['id']}", {"text": f"v{n}"})
        post(f"/v0/evi/tools/{tool['id']}", {"parameters": '{"type":"object"}'})
        post(f"/v0/evi/configs/{config['id']}", {"evi_version": "3", "version_description": f"v{n}"})
    post("/v0/tts/voices", {"generation_id": "gen-1", "name": "seed-voice"}, status=200)
    chats = post(
        "/_emulator/seed",
        {
            "chats": [
                {
                    "config": {"id": config["id"], "version": 0},
                    "events": [{}, {"role": "AGENT", "type": "AGENT_MESSAGE"}],
                }
            ]
        },
    )["chats"]
    groups = [c["id"] for c in client.get("/v0/evi/chat_groups").json()["chat_groups_page"]]
    return {
        "prompt": [prompt["id"]],
        "tool": [tool["id"]],
        "config": [config["id"]],
        "chat": list(chats),
        "chat_group": groups,
    }


class _Emulator:
    def __init__(self, app: Any, validator: SpecValidator) -> None:
        self.app = SpecValidatingMiddleware(app, validator)
        self.validator = validator
        self.calls = 0


@pytest.fixture(scope="module")
def validator(shared_dir: Any) -> SpecValidator:
    return SpecValidator(shared_dir)


@pytest.fixture
def emulator(validator: SpecValidator) -> Iterator[_Emulator]:
    from tests.emulator.test_openapi_conformance import ValidatedClient

    # Fields beyond the spec are ignored here, as FastAPI ignores them: the fuzzer sends random ones and
    # its checks want answers in the spec's shape (test_fidelity_unknown_fields.py checks they are kept).
    app = app_module.create_app(app_module.EmulatorConfig(seed=7, keep_unknown_fields=False))
    seeding = ValidatedClient(app, validator, api_key=API_KEY)
    try:
        KNOWN_IDS.clear()
        KNOWN_IDS.update(_seed(seeding))
    finally:
        seeding.close()
    assert list(seeding.middleware.violations) == [], format_violations(seeding.middleware.violations)
    emu = _Emulator(app, validator)
    yield emu
    KNOWN_IDS.clear()
    assert list(emu.app.violations) == [], "responses that break Hume's spec:\n" + format_violations(emu.app.violations)


def hume_spec(ctx: Any, response: Any, case: Any) -> bool | None:
    """Our validator as a schemathesis check, so a failure comes with schemathesis' reproduction."""
    content_types = response.headers.get("content-type") or [None]
    violations = SPEC_VALIDATOR.check(
        case.method, case.formatted_path, response.status_code, response.content or b"", content_types[0]
    )
    if violations:
        raise AssertionError("\n".join(violations))
    return None


SPEC_VALIDATOR = SpecValidator(SHARED_DIR)
CHECKS = [not_a_server_error, response_schema_conformance, hume_spec]
HYPOTHESIS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _aim_at_seeded(case: Any, n: int) -> None:
    """Every other case: point a well-formed id at a seeded resource (version 0-2) and keep paging in
    the documented range (``page_size`` 1-100; the spec only says "integer"). Otherwise nearly every
    generated request would be a 404 or a 400 and the success paths would hardly be exercised. The
    other half, and every malformed id or page, is sent exactly as schemathesis generated it."""
    if n % 2:
        return
    params = case.path_parameters or {}
    key = "id" if "id" in params else "chat_id" if "chat_id" in params else None
    ids = KNOWN_IDS.get(_kind_of(case.path) or "", [])
    if key is not None and ids and _is_uuid(params[key]):
        params[key] = ids[(n // 2) % len(ids)]
        if isinstance(params.get("version"), int):
            params["version"] = (n // 2) % 3
    query = case.query or {}
    if case.path == "/v0/tts/voices" and case.method.upper() == "DELETE" and isinstance(query.get("name"), str):
        query["name"] = "seed-voice"
    if isinstance(case.body, dict) and case.method.upper() in ("POST", "PATCH"):
        _repair_body(case.path, case.body, n)
    if isinstance(query.get("page_size"), int) and not 1 <= query["page_size"] <= 100:
        query["page_size"] = 1 + (n // 2) % 100
    if isinstance(query.get("page_number"), int) and not 0 <= query["page_number"] <= 3:
        query["page_number"] = (n // 2) % 4


def _repair_body(path: str, body: dict[str, Any], n: int) -> None:
    """Fix what only Hume's prose constrains (the schema says "string"), so that creates can succeed:
    unique non-empty names (tool names are LLM function names), tool parameters that are JSON, a
    supported ``evi_version``, and config references to resources that exist."""
    if isinstance(body.get("name"), str):
        body["name"] = f"fuzzed_{n}"
    if isinstance(body.get("parameters"), str):
        body["parameters"] = '{"type": "object"}'
    if not path.startswith("/v0/evi/configs"):
        return
    if isinstance(body.get("evi_version"), str):
        body["evi_version"] = "3"
    if isinstance(body.get("prompt"), dict):
        body["prompt"] = {"id": KNOWN_IDS["prompt"][0], "version": n % 3}
    if isinstance(body.get("tools"), list):
        body["tools"] = [{"id": KNOWN_IDS["tool"][0], "version": n % 3}]
    if isinstance(body.get("voice"), dict):
        body["voice"] = {"provider": "HUME_AI", "name": "KORA"}


def _is_uuid(value: Any) -> bool:
    try:
        return isinstance(value, str) and len(value) == 36 and uuid.UUID(value) is not None
    except ValueError:
        return False


def _run(case: Any, emulator: _Emulator) -> None:
    key = f"{case.method.upper()} {case.path}"
    if key in OUT_OF_SCOPE:
        pytest.skip(OUT_OF_SCOPE[key])
    emulator.calls += 1
    _aim_at_seeded(case, emulator.calls)
    case.call_and_validate(app=emulator.app, headers={"X-Hume-Api-Key": API_KEY}, checks=CHECKS)


@evi_schema.parametrize()
@HYPOTHESIS
def test_evi_api(case: Any, emulator: _Emulator) -> None:
    _run(case, emulator)


@voices_schema.parametrize()
@HYPOTHESIS
def test_voices_api(case: Any, emulator: _Emulator) -> None:
    _run(case, emulator)


def test_spec_adaptation_is_minimal() -> None:
    """Only the auth header and the empty-body contents differ from Hume's file."""
    for filename in ("hume-ai-evi-openapi.yml", "hume-ai-voices-openapi.yml"):
        raw = yaml.safe_load((OPENAPI_DIR / filename).read_text(encoding="utf-8"))
        adapted = _load_for_schemathesis(filename)
        assert raw["components"] == adapted["components"]
        assert set(raw["paths"]) == set(adapted["paths"])
        dropped = json.dumps(raw).count('"X-Hume-Api-Key"') - json.dumps(adapted).count('"X-Hume-Api-Key"')
        assert dropped == sum(len(item) for item in raw["paths"].values())
