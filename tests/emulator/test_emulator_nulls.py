"""Nulls, field by field: what the emulator does with a JSON null in every request body field, checked
three ways against the choices declared in ``validation.py`` (``Null``):

* documented: docs/emulator.md's "Nulls" table is exactly the declared choices;
* grounded: a choice whose evidence says "spec: nullable" is a field Hume's OpenAPI marks nullable, and
  the other way round;
* behaved: an accepted null gives the same answer as leaving the field out, on create and on new
  versions; a refused null (required fields, array items) is a 422 at exactly that field.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from humectl.emulator.validation import (
    API_BODIES,
    SPEC_NULLABLE,
    Arr,
    Bool,
    Enum,
    Int,
    Null,
    Num,
    Obj,
    Spec,
    null_choices,
)
from tests.emulator.conftest import InProcessClient, created, library_id

DOCS = Path(__file__).resolve().parents[2] / "docs" / "emulator.md"
# The bodies the docs' table lists; version bodies are the create bodies minus name (checked below).
TABLE_BODIES = (
    "prompt",
    "tool",
    "config",
    "name (PATCH)",
    "version description (PATCH)",
    "voice (POST /v0/tts/voices)",
)
VERSION_OF = {"prompt version": "prompt", "tool version": "tool", "config version": "config"}


def _rows(body: str) -> list[tuple[str, Null | None]]:
    return null_choices(API_BODIES[body])


def render_table() -> str:
    lines = ["| body | field | null | what null means | evidence |", "|---|---|---|---|---|"]
    for body in TABLE_BODIES:
        for path, null in _rows(body):
            if null is None:
                lines.append(f"| {body} | `{path}` | refused (422) | required, or an array item | spec |")
            else:
                lines.append(f"| {body} | `{path}` | accepted | {null.means} | {null.evidence} |")
    return "\n".join(lines)


def test_docs_table_is_exactly_the_declared_choices() -> None:
    table = render_table()
    assert table in DOCS.read_text(encoding="utf-8"), "docs/emulator.md, 'Nulls', should hold:\n" + table


def test_version_bodies_make_the_same_choices_as_create() -> None:
    for version, create in VERSION_OF.items():
        expected = [(p, n) for p, n in _rows(create) if p != "name"]
        assert sorted(_rows(version), key=str) == sorted(expected, key=str)


# ---- grounded in Hume's OpenAPI ----------------------------------------------------------------

OPERATIONS = {
    "prompt": ("evi", "post", "/v0/evi/prompts"),
    "prompt version": ("evi", "post", "/v0/evi/prompts/{id}"),
    "tool": ("evi", "post", "/v0/evi/tools"),
    "tool version": ("evi", "post", "/v0/evi/tools/{id}"),
    "config": ("evi", "post", "/v0/evi/configs"),
    "config version": ("evi", "post", "/v0/evi/configs/{id}"),
    "name (PATCH)": ("evi", "patch", "/v0/evi/configs/{id}"),
    "version description (PATCH)": ("evi", "patch", "/v0/evi/configs/{id}/version/{version}"),
    "voice (POST /v0/tts/voices)": ("voices", "post", "/v0/tts/voices"),
}


@pytest.fixture(scope="module")
def specs(shared_dir: Path) -> dict[str, Any]:
    folder = shared_dir / "hume-api-spec" / "openapi"
    return {
        "evi": yaml.safe_load((folder / "hume-ai-evi-openapi.yml").read_text(encoding="utf-8")),
        "voices": yaml.safe_load((folder / "hume-ai-voices-openapi.yml").read_text(encoding="utf-8")),
    }


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _branches(spec: dict[str, Any], node: dict[str, Any]) -> list[dict[str, Any]]:
    node = _resolve(spec, node)
    alternatives = node.get("oneOf") or node.get("anyOf")
    if alternatives:
        return [b for alt in alternatives for b in _branches(spec, alt)]
    return [node]


def _nullable(spec: dict[str, Any], node: dict[str, Any]) -> bool:
    return any(
        b.get("type") == "null" or (isinstance(b.get("type"), list) and "null" in b["type"])
        for b in _branches(spec, node)
    )


def _field(spec: dict[str, Any], root: dict[str, Any], parts: list[str]) -> dict[str, Any]:
    node = root
    for part in parts:
        if part == "[]":
            node = next(b["items"] for b in _branches(spec, node) if b.get("type") in ("array", ["array", "null"]))
        else:
            node = next(b["properties"][part] for b in _branches(spec, node) if part in b.get("properties", {}))
    return node


@pytest.mark.parametrize("body", list(API_BODIES))
def test_evidence_says_what_the_spec_says(specs: dict[str, Any], body: str) -> None:
    which, method, template = OPERATIONS[body]
    spec = specs[which]
    root = spec["paths"][template][method]["requestBody"]["content"]["application/json"]["schema"]
    for path, null in _rows(body):
        parts = re.findall(r"\[\]|[^.\[\]]+", path)
        nullable = _nullable(spec, _field(spec, root, parts))
        if null is None:
            continue  # refused: required fields and array items (checked by behaviour below)
        assert (null.evidence == SPEC_NULLABLE) == nullable, (path, null.evidence, nullable)


# ---- behaviour ---------------------------------------------------------------------------------

PATHS = {"prompt": "/v0/evi/prompts", "tool": "/v0/evi/tools", "config": "/v0/evi/configs"}
SERVER_FIELDS = ("id", "name", "version", "created_on", "modified_on", "timestamp")


class Bodies:
    """Smallest valid bodies, with samples for the fields whose values carry meaning."""

    def __init__(self, tool_id: str) -> None:
        self.samples: dict[str, Any] = {
            "evi_version": "3",
            "parameters": '{"type": "object", "properties": {}}',
            "tools[].id": tool_id,
            "webhooks[].url": "https://hooks.example.com/evi",
            "voice": {"provider": "HUME_AI", "name": "ITO", "id": library_id("ITO")},
            "duration_secs": 120,
            "end_of_turn_silence_ms": 800,
            "prefix_padding_ms": 300,
            "min_interruption_ms": 800,
            "interval_secs": 30,
            "temperature": 0.5,
        }
        self.counter = 0

    def sample(self, spec: Spec, path: str) -> Any:
        for key in (path, path.rsplit(".", 1)[-1]):
            if key in self.samples:
                return copy.deepcopy(self.samples[key])
        if isinstance(spec, Obj):
            return {k: self.sample(spec.fields[k], f"{path}.{k}") for k in spec.required}
        if isinstance(spec, Arr):
            return [self.sample(spec.item, f"{path}[]")]
        if isinstance(spec, Enum):
            return spec.values[-1]
        if isinstance(spec, Bool):
            return True
        if isinstance(spec, Int):
            return 1
        if isinstance(spec, Num):
            return 0.5
        self.counter += 1
        return f"s{self.counter}"

    def with_field(self, spec: Obj, parts: list[str]) -> tuple[dict[str, Any], dict[str, Any], str]:
        """A valid body holding every parent of the field; the field's parent; the field's key."""
        self.counter = 0  # the same field gets the same body every time
        body = self.sample(spec, "")
        parent: Any = body
        node: Spec = spec
        path = ""
        for part in parts[:-1]:
            if part == "[]":
                assert isinstance(node, Arr)
                node, path, parent = node.item, path + "[]", parent[0]
                continue
            assert isinstance(node, Obj)
            node, path = node.fields[part], f"{path}.{part}".lstrip(".")
            if part not in parent:
                parent[part] = self.sample(node, path)
            parent = parent[part]
        return body, parent, parts[-1]


def _answer(resp: Any) -> tuple[int, Any]:
    body = resp.json()
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k not in SERVER_FIELDS}
        if isinstance(body.get("message"), str):  # error messages may quote the (different) names
            body["message"] = re.sub(r"'s\d+'", "'…'", body["message"])
    return resp.status_code, body


def _cases(kind: str, *, accepted: bool) -> Iterator[tuple[str, list[str]]]:
    for path, null in _rows(kind):
        if (null is not None) == accepted:
            yield path, re.findall(r"\[\]|[^.\[\]]+", path)


@pytest.fixture
def bodies(client: InProcessClient) -> Bodies:
    tool = created(client.post("/v0/evi/tools", json={"name": "t", "parameters": "{}"}))
    return Bodies(tool["id"])


@pytest.mark.parametrize("kind", ["prompt", "tool", "config"])
def test_an_accepted_null_answers_as_if_the_field_were_left_out(
    client: InProcessClient, bodies: Bodies, kind: str
) -> None:
    spec = API_BODIES[kind]
    checked = 0
    for path, parts in _cases(kind, accepted=True):
        answers = []
        for send_null in (True, False):
            body, parent, key = bodies.with_field(spec, parts)
            if send_null:
                parent[key] = None
            else:
                parent.pop(key, None)
            body["name"] = f"{kind}_{checked}_{send_null}"
            answers.append(_answer(client.post(PATHS[kind], json=body)))
        assert answers[0] == answers[1], path
        assert answers[0][0] in (201, 400), (path, answers[0])
        checked += 1
    assert checked >= 3


@pytest.mark.parametrize("kind", ["prompt", "tool", "config"])
def test_an_accepted_null_in_a_new_version_answers_as_if_left_out(
    client: InProcessClient, bodies: Bodies, kind: str
) -> None:
    spec = API_BODIES[f"{kind} version"]
    first = bodies.sample(API_BODIES[kind], "")
    first["name"] = f"versioned_{kind}"
    if kind == "config":
        first["ellm_model"] = {"allow_short_responses": True}  # so inheritance shows
    rid = created(client.post(PATHS[kind], json=first))["id"]
    for path, parts in _cases(f"{kind} version", accepted=True):
        answers = []
        for send_null in (True, False):
            body, parent, key = bodies.with_field(spec, parts)
            if send_null:
                parent[key] = None
            else:
                parent.pop(key, None)
            answers.append(_answer(client.post(f"{PATHS[kind]}/{rid}", json=body)))
        assert answers[0] == answers[1], path
    if kind == "config":
        again = created(client.post(f"{PATHS[kind]}/{rid}", json={"evi_version": "3", "ellm_model": None}))
        assert again["ellm_model"] == {"allow_short_responses": True}  # null inherits, as omitted does


@pytest.mark.parametrize("kind", ["prompt", "tool", "config"])
def test_a_refused_null_is_a_422_at_that_field(client: InProcessClient, bodies: Bodies, kind: str) -> None:
    spec = API_BODIES[kind]
    for path, parts in _cases(kind, accepted=False):
        body, parent, key = bodies.with_field(spec, parts)
        loc: list[Any] = ["body"]
        for part in parts:
            loc.append(0 if part == "[]" else part)
        if key == "[]":
            parent[0] = None
        else:
            parent[key] = None
        if parts[0] != "name":
            body["name"] = f"refused_{kind}"
        resp = client.post(PATHS[kind], json=body)
        assert resp.status_code == 422, (path, resp.text)
        assert loc in [d["loc"] for d in resp.json()["detail"]], (path, resp.json())
