"""The fast paths decide nothing the exact paths would decide differently.

* ``schema.is_valid_fast`` (jsonschema-rs) may only answer "no violations" when jsonschema finds none;
* ``rules._meta_valid_fast`` (jsonschema-rs meta-validation of tool parameters) may only accept a schema
  that jsonschema's ``check_schema`` accepts (formats such as ``regex`` are jsonschema's call);
* with jsonschema-rs unavailable, every load gives exactly the same outcome (the pure-Python path);
* ``yamldoc.parse`` (data built from the parser's events when the document is plain) gives exactly what
  the exact path gives: data with the same types, every position, the same problems.

Documents come from the same mutations as the validate property tests (tests/unit/test_validate_properties.py).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from humectl.core.errors import ManifestError
from humectl.load import rules, schema, yamldoc
from humectl.load.manifests import load_manifests
from tests.unit.test_validate_properties import DATA, FILES, SUPPORT_DESK, VALUES, _mutate


def _mutated(data: st.DataObject) -> Any:
    doc = json.loads(json.dumps(DATA[data.draw(st.sampled_from(FILES))]))
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        doc = _mutate(doc, data)
    return doc


def _jsonschema_valid(document: Any) -> bool:
    return not any(True for _ in schema._validator().iter_errors(document))


def test_the_examples_take_the_fast_path() -> None:
    for name in FILES:
        assert schema.is_valid_fast(DATA[name]), name


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_fast_valid_only_when_jsonschema_agrees(data: st.DataObject) -> None:
    doc = _mutated(data)
    if schema.is_valid_fast(doc):
        assert _jsonschema_valid(doc)
    else:  # what the fast path refuses is decided, and worded, by jsonschema alone
        assert schema.schema_violations(doc) == schema._slow_violations(doc)


@pytest.mark.parametrize(
    "value", [2**64, -(2**200), 10**400, 0.5, "\ud800"], ids=["2^64", "-2^200", "10^400", "0.5", "surrogate"]
)
def test_values_beyond_64_bits_or_utf_8_are_judged_as_jsonschema_judges_them(value: Any) -> None:
    doc = {"configs": [{"name": "c", "evi_version": "3", "language_model": {"temperature": value}}]}
    assert schema.is_valid_fast(doc) == _jsonschema_valid(doc)
    assert schema.schema_violations(doc) == schema._slow_violations(doc)


PARAMETER_SCHEMAS = st.recursive(
    st.sampled_from([{"type": "object"}, {"type": "string"}, {"type": "objekt"}, {}, {"minLength": -1}]),
    lambda inner: st.fixed_dictionaries(
        {},
        optional={
            "type": st.sampled_from(["object", "string", "integer", ["string", "null"], "nope", 3]),
            "properties": st.dictionaries(st.sampled_from(["a", "b", "pattern", "$ref"]), inner, max_size=2),
            "required": st.lists(st.sampled_from(["a", "b"]), max_size=2) | VALUES,
            "pattern": st.sampled_from(["^a+$", "\\p{L}", "(", "[a-z]{2,}", "(?P<x>a)"]),
            "items": inner,
            "enum": st.lists(VALUES, max_size=2) | VALUES,
            "minimum": VALUES,
            "additionalProperties": st.booleans() | inner,
            "$ref": st.sampled_from(["#", "#/properties/a", "http://[bad"]),
            "description": VALUES,
        },
    ),
    max_leaves=6,
)


@settings(max_examples=200, deadline=None)
@given(parameters=PARAMETER_SCHEMAS)
def test_meta_validation_fast_only_when_jsonschema_agrees(parameters: dict[str, Any]) -> None:
    canonical = json.dumps(parameters, sort_keys=True, separators=(",", ":"))
    if rules._meta_valid_fast(json.loads(canonical), canonical):
        Draft202012Validator.check_schema(parameters)  # raises SchemaError if they disagree


def test_a_pattern_python_cannot_compile_is_still_refused() -> None:
    parameters = {"type": "object", "properties": {"a": {"type": "string", "pattern": "\\p{L}"}}}
    canonical = json.dumps(parameters, sort_keys=True, separators=(",", ":"))
    with pytest.raises(SchemaError):
        Draft202012Validator.check_schema(parameters)
    assert not rules._meta_valid_fast(parameters, canonical)
    rules._json_schema_error.cache_clear()
    assert rules._json_schema_error(canonical) is not None


def _outcome(root: Any) -> Any:
    try:
        loaded = load_manifests(root)
    except ManifestError as exc:
        return ("error", exc.problems)
    return ("ok", [(r.address, r.spec, r.source) for r in loaded.resources], loaded.warnings)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_the_pure_python_path_gives_the_same_outcome(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    root = tmp_path_factory.mktemp("m") / "support-desk"
    shutil.copytree(SUPPORT_DESK, root)
    name = data.draw(st.sampled_from(FILES))
    (root / name).write_text(yaml.safe_dump(_mutated(data), allow_unicode=True, sort_keys=False), encoding="utf-8")
    fast = _outcome(root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(schema, "_compiled", lambda *schema_file: None)
        patch.setattr(rules, "_meta_valid_fast", lambda parameters, canonical: False)
        rules._json_schema_error.cache_clear()
        slow = _outcome(root)
    rules._json_schema_error.cache_clear()
    assert fast == slow


# --- YAML: the event-built data is what the exact path (compose, measure, convert) gives ------------

SAMPLES = [
    "",
    "# only a comment\n",
    "---\n",
    "a: 1\n---\nb: 2\n",
    "prompts:\n  - name: p\n    text: hi\n",
    "on: yes\noff: no\n1: 1:30\nnull: ~\nwhen: 2026-11-13\nf: 1e3\ni: 0x1f\no: 017\n",
    "a: &x {b: 1}\nc: *x\n",
    "base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n",
    "'<<': quoted merge key\n",
    "a: !!str 3\nb: !custom x\n",
    "a: 1\na: 2\n",
    "? [1, 2]\n: complex key\n",
    "x: .nan\ny: -.inf\n",
    "v: =\n",
    "t: ${x}\nq: '${x}'\nu: ${undefined}\nm: ${ bad }\ne: $${x}\nw: pre-${x}\n",
    "deep: " + "[" * 210 + "]" * 210 + "\n",
    "list: [" + ", ".join(["a"] * 50) + "]\n",
    "a: [1, 2\n",
    "key: value: other\n",
    "\tkey: tab\n",
    "text: |\n  line one\n  line two\n\nnext: >\n  folded\n  text\n",
    'a~b/c: {"x/y": 1, "~": 2}\n',
]

INSERTS = st.sampled_from(
    ["", ":", "-", " ", "\t", "\n", "[", "{", "}", "&a", "*a", "'", '"', "#", "? ", "!!str", "${x}", "<<: *a", "é"]
)


def _typed(value: Any) -> Any:
    """``value`` with every scalar's type spelled out (True == 1 in Python, not here)."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value if not (isinstance(value, float) and value != value) else "nan")


def _same_as_exact(text: str, variables: dict[str, str] | None) -> None:
    where = {"path": Path("m.yaml"), "rel": "m.yaml", "display": "m.yaml"}
    doc, problems = yamldoc.parse(text, variables=variables, **where)
    exact, exact_problems = yamldoc._parse_exact(yamldoc.Document(**where), text, variables)
    assert problems == exact_problems
    assert _typed(doc.data) == _typed(exact.data)
    assert doc.suppressed == exact.suppressed
    shallow = dict(doc._marks)
    assert doc.marks == exact.marks and doc.key_marks == exact.key_marks
    assert all(exact.marks[pointer] == mark for pointer, mark in shallow.items())


@pytest.mark.parametrize("text", SAMPLES)
def test_yaml_samples(text: str) -> None:
    for variables in (None, {"x": "1"}, {"x": "ITO"}, {"x": "true"}):
        _same_as_exact(text, variables)


def test_plain_documents_take_the_fast_path() -> None:
    for name in FILES:
        text = (SUPPORT_DESK / name).read_text(encoding="utf-8")
        doc, problems = yamldoc.parse(text, path=Path(name), rel=name, display=name, variables={})
        assert not problems and doc._complete is not None  # not composed: the exact marks wait
        exact = yamldoc._parse_exact(yamldoc.Document(Path(name), name, name), text, {})[0]
        deepest = max(exact.marks, key=lambda pointer: pointer.count("/"))
        assert doc.position(deepest) == exact.marks[deepest] and doc._complete is None


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_yaml_fast_path_equals_exact(data: st.DataObject) -> None:
    if data.draw(st.booleans()):
        text = yaml.safe_dump(_mutated(data), allow_unicode=True, sort_keys=False)
    else:
        text = (SUPPORT_DESK / data.draw(st.sampled_from(FILES))).read_text(encoding="utf-8")
    for _ in range(data.draw(st.integers(min_value=0, max_value=4))):
        at = data.draw(st.integers(min_value=0, max_value=len(text)))
        cut = data.draw(st.integers(min_value=0, max_value=8))
        text = text[:at] + data.draw(INSERTS) + text[at + cut :]
    variables = data.draw(st.sampled_from([None, {}, {"x": "1"}, {"x": "ITO"}, {"x": "${y}"}]))
    _same_as_exact(text, variables)


def test_too_many_nodes_is_refused_exactly_as_before() -> None:
    text = "a: [" + ",".join(["1"] * (yamldoc.MAX_EXPANDED_NODES + 10)) + "]\n"
    doc, problems = yamldoc.parse(text, path=Path("m.yaml"), rel="m.yaml", display="m.yaml", variables=None)
    assert [p.rule for p in problems] == ["yaml-limits"] and doc.data is None
